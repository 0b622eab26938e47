"""Ask the Flink 2.3 planner how many arguments each built-in function takes.

    .venv/bin/python scripts/flink_arity.py > shiftleft/dialects/flink_arity.json

For every name of ``FLINK_FUNCTIONS`` and every argument count 0..MAX_PROBED, the embedded
planner (batch mode, no connectors) plans ``SELECT F(a1, ..., an)`` over a one-row VALUES table
with arguments of several types.  A count is *valid* when one call is accepted or the planner
complains only about the argument types; *invalid* when it says "Invalid number of arguments"
or lists supported signatures none of which has that many arguments.  Functions whose calls
are SQL syntax (``SUBSTRING(s FROM 1)``, ``JSON_VALUE(... RETURNING ...)``) give parse errors
at every count and are left out.  The engine is the oracle: no count is written by hand.
"""

from __future__ import annotations

import json
import re
import sys

from shiftleft.dialects.flink_catalog import FLINK_FUNCTIONS
from shiftleft.verification import default_planner

MAX_PROBED = 6
#: argument lists tried for each count, until one tells
_KINDS = ("s", "i", "ts", "d", "b", "arr", "m")
_FROM = (
    "FROM (VALUES (1, 'a', TIMESTAMP '2020-01-01 00:00:00', 1.5, TRUE, ARRAY[1], MAP['a', 1]))"
    " AS t(i, s, ts, d, b, arr, m)"
)
_SKIP_PREFIX = ("$", "_")
_SIGNATURE = re.compile(r"^\s*[A-Z_0-9]+\((.*)\)\s*$")


def _signature_counts(message: str) -> set[int] | None:
    """Argument counts of the signatures a 'no match' / 'supported forms' message lists."""
    lines = message.split("Supported signatures are:", 1)
    if len(lines) < 2:
        return None
    counts: set[int] = set()
    for line in lines[1].strip().splitlines():
        found = _SIGNATURE.match(line)
        if not found:
            continue
        inner = found.group(1).strip()
        if "..." in inner:
            return None  # variadic: not decided from the list
        counts.add(0 if not inner else inner.count(",") + 1)
    return counts or None


def _verdict(session: object, name: str, count: int) -> str:
    """'valid', 'invalid', 'syntax' or 'unknown' for ``name`` called with ``count`` args."""
    seen: list[str] = []
    for kind in _KINDS:
        args = ", ".join([kind] * count)
        errors = session.plan(f"SELECT {name}({args}) {_FROM};").errors  # type: ignore[attr-defined]
        if not errors:
            return "valid"
        message = errors[0].message
        if "Invalid number of arguments" in message:
            return "invalid"
        if message.startswith("Encountered") or "Was expecting one of" in message:
            seen.append("syntax")
            continue
        counts = _signature_counts(message)
        if counts is not None:
            return "valid" if count in counts else "invalid"
        if "No match found for function signature" in message and count == 0:
            seen.append("unknown")
            continue
        return "valid"  # the planner objects to the types, not to the count
    return "syntax" if seen and all(s == "syntax" for s in seen) else "unknown"


def render(table: dict[str, tuple[tuple[int, ...], bool]]) -> str:
    """The JSON that ``shiftleft.dialects.flink_arity`` reads: one function a line."""
    rows = [f"    {json.dumps(name)}: [{json.dumps(list(valid))}, {json.dumps(variadic)}]" for name, (valid, variadic) in table.items()]
    return "\n".join([
        "{",
        '  "about": "Argument counts of the Flink 2.3 built-in functions, as the planner accepts them: '
        "name: [valid counts up to max_probed, variadic beyond]. Functions whose calls are SQL syntax, "
        'or that the probe cannot call, are absent: they are not checked.",',
        '  "generated_by": "scripts/flink_arity.py (the embedded planner is asked; do not edit)",',
        f'  "max_probed": {MAX_PROBED},',
        '  "functions": {',
        ",\n".join(rows),
        "  }",
        "}",
        "",
    ])


def main() -> int:
    session = default_planner(connectors=False).session("batch")
    table: dict[str, tuple[tuple[int, ...], bool]] = {}
    for name in sorted(FLINK_FUNCTIONS):
        if name.startswith(_SKIP_PREFIX) or not re.fullmatch(r"[A-Z][A-Z0-9_]*", name):
            continue
        verdicts = {n: _verdict(session, name, n) for n in range(MAX_PROBED + 1)}
        if "syntax" in verdicts.values() or "unknown" in verdicts.values():
            continue  # special syntax, or a function this probe cannot call
        valid = tuple(n for n, v in verdicts.items() if v == "valid")
        if not valid:
            continue
        table[name] = (valid, verdicts[MAX_PROBED] == "valid")
        print(f"{name}: {valid}{' +' if table[name][1] else ''}", file=sys.stderr)
    print(render(table), end="")
    return 0


if __name__ == "__main__":
    sys.exit(main())
