"""Growth of ``shiftleft.transpile`` time with input size: the exponent between n and 4n.

    python benchmarks/scaling.py            # every shape, Markdown table on stdout
    python benchmarks/scaling.py --quick    # smaller sizes, fewer rounds
    python benchmarks/scaling.py --shape join-chain --n 500

For each shape a Spark statement (or script) of size n and one of size 4n are generated and
transpiled; the exponent is ``log(t(4n) / t(n)) / log 4`` (1.0 = linear, 2.0 = quadratic),
from the minimum CPU time of several rounds (the least disturbed by other processes on a
shared machine: noise only ever adds time).  sqlglot's own round trip (parse + generate, Spark) of
the same text is measured in the same run, as the reference growth of the parser itself.
"""

from __future__ import annotations

import math
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass

import report
import sqlglot

import shiftleft


def join_chain(n: int) -> str:
    joins = "\n".join(f"JOIN t{i} ON t{i}.id = t{i - 1}.id" for i in range(1, n))
    return f"SELECT t0.id, t{n - 1}.v FROM t0\n{joins}"


def wide_select(n: int) -> str:
    forms = ("nvl(c{i}, 0) AS a{i}", "upper(trim(s{i})) AS b{i}", "datediff(d{i}, d0) AS e{i}", "c{i} + 1 AS f{i}")
    cols = ",\n  ".join(forms[i % len(forms)].format(i=i) for i in range(n))
    return f"SELECT\n  {cols}\nFROM wide"


def case_branches(n: int) -> str:
    branches = "\n  ".join(f"WHEN code = {i} THEN 'v{i}'" for i in range(n))
    return f"SELECT id, CASE\n  {branches}\n  ELSE 'other' END AS label\nFROM codes"


def in_list(n: int) -> str:
    values = ", ".join(str(i) for i in range(n))
    return f"SELECT id FROM events WHERE code IN ({values})"


def long_script(n: int) -> str:
    forms = (
        "INSERT INTO out{i} SELECT id, nvl(v, 0) AS v FROM src{i} WHERE id > {i}",
        "SELECT customer, count(*) AS n FROM orders{i} GROUP BY customer",
        "SELECT a.id, b.x FROM a{i} AS a JOIN b{i} AS b ON a.id = b.id",
        "CREATE VIEW v{i} AS SELECT id, upper(name) AS name FROM people WHERE age > {i}",
    )
    return ";\n".join(forms[i % len(forms)].format(i=i) for i in range(n)) + ";\n"


def deep_nesting(n: int) -> str:
    sql = "SELECT id, v FROM base"
    for i in range(n):
        sql = f"SELECT id, v + {i} AS v FROM ({sql}) AS q{i}"
    return sql


def null_branches(n: int) -> str:
    """IFs with a NULL branch whose other branch's type must be inferred (a CTE column)."""
    items = ",\n  ".join(f"if(c > {i}, {'v' if i % 2 else 'c'}, NULL) AS x{i}" for i in range(n))
    return f"WITH r AS (SELECT CAST(c AS INT) AS c, CAST(v AS STRING) AS v FROM src)\nSELECT\n  {items}\nFROM r"


@dataclass(frozen=True)
class Shape:
    name: str
    build: Callable[[int], str]
    n: int  # full run
    quick_n: int


SHAPES = (
    Shape("join-chain", join_chain, 300, 60),
    Shape("wide-select", wide_select, 1000, 200),
    Shape("case-branches", case_branches, 1000, 200),
    Shape("in-list", in_list, 5000, 1000),
    Shape("script", long_script, 200, 50),
    Shape("nesting", deep_nesting, 36, 20),  # 4n = 144: sqlglot's own limits are near 150
    Shape("null-branches", null_branches, 300, 60),
)


def _shiftleft(sql: str) -> None:
    shiftleft.transpile(sql, read="spark")


def _sqlglot(sql: str) -> None:
    for e in sqlglot.parse(sql, read="spark"):
        if e is not None:
            e.sql("spark")


def _best_time(fn: Callable[[str], None], sql: str, rounds: int) -> float:
    times = []
    for _ in range(rounds):
        start = time.process_time()
        fn(sql)
        times.append(time.process_time() - start)
    return min(times)


def exponent(t_small: float, t_large: float, factor: int = 4) -> float:
    return math.log(t_large / t_small) / math.log(factor)


def measure(shape: Shape, n: int, rounds: int) -> dict:
    small, large = shape.build(n), shape.build(4 * n)
    ours = {k: _best_time(_shiftleft, sql, rounds) for k, sql in (("n", small), ("4n", large))}
    base = {k: _best_time(_sqlglot, sql, rounds) for k, sql in (("n", small), ("4n", large))}
    return {
        "shape": shape.name,
        "n": n,
        "bytes_4n": len(large),
        "shiftleft_ms": {k: round(v * 1000, 2) for k, v in ours.items()},
        "sqlglot_ms": {k: round(v * 1000, 2) for k, v in base.items()},
        "exponent": round(exponent(ours["n"], ours["4n"]), 3),
        "sqlglot_exponent": round(exponent(base["n"], base["4n"]), 3),
    }


def run(quick: bool, only: str | None = None, n: int | None = None, rounds: int | None = None) -> list[dict]:
    sys.setrecursionlimit(max(sys.getrecursionlimit(), 10_000))
    shiftleft.transpile("SELECT 1")  # load the rules outside the timings
    rounds = rounds or (3 if quick else 7)
    rows = []
    for shape in SHAPES:
        if only and shape.name != only:
            continue
        rows.append(measure(shape, n or (shape.quick_n if quick else shape.n), rounds))
    return rows


def markdown(rows: list[dict]) -> str:
    out = [
        "| shape | n | shiftleft n (ms) | shiftleft 4n (ms) | exponent (target ≤ 1.15) | sqlglot n (ms) | sqlglot 4n (ms) | sqlglot exponent |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        s, g = r["shiftleft_ms"], r["sqlglot_ms"]
        out.append(
            f"| {r['shape']} | {r['n']} | {s['n']} | {s['4n']} | {r['exponent']} | {g['n']} | {g['4n']} | {r['sqlglot_exponent']} |"
        )
    return "\n".join(out) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = report.parser(__doc__)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--shape", choices=[s.name for s in SHAPES])
    parser.add_argument("--n", type=int)
    parser.add_argument("--rounds", type=int)
    args = parser.parse_args(argv)
    rows = run(args.quick, args.shape, args.n, args.rounds)
    return report.emit(rows, markdown(rows), args.json)


if __name__ == "__main__":
    sys.exit(main())
