"""User mappings for project-specific functions (UDFs): ``transpile(..., functions=...)``,
``shiftleft transpile --functions FILE``.

A mapping is ``name -> Flink template``, from a dict or a YAML / JSON / TOML file::

    # functions.yaml
    fiscal_quarter: "FISCAL_QUARTER($1)"          # a Flink UDF you registered
    cents_to_eur: "CAST($1 AS DECIMAL(18, 2)) / 100"
    clean_text: "LOWER(TRIM($1))"
    my_hash: MY_HASH                             # same arguments, another name

``$1``, ``$2``, ... are the call's arguments, ``$*`` all of them.  Calls of Flink functions
the template names (a registered UDF) are not reported as unknown (SL9001).  The mapping is
applied before the rules; the template's own nodes are the user's Flink SQL, final: the rules
and checks skip them (``USER_TEMPLATE``) and translate only the call's arguments, which are
the model's Spark SQL.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Mapping
from pathlib import Path

import sqlglot
import yaml
from sqlglot import exp

from shiftleft.errors import ConfigError

Functions = Mapping[str, str]
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.]*$")
_ARG = re.compile(r"\$(\d+|\*)")
#: meta flag on calls a user mapping produced: the user declares they exist in Flink
USER_FUNCTION = "shiftleft_user_function"
#: meta flag on every node a user template wrote (not the arguments put into it): Flink SQL
#: as the user wrote it, which the rewrite engine leaves alone
USER_TEMPLATE = "shiftleft_user_template"


def load_functions(source: Functions | str | Path | None) -> dict[str, exp.Expr]:
    """The parsed templates of ``source`` (a mapping, or a .yaml / .yml / .json / .toml file),
    keyed by lower-case function name.  Raises ConfigError for a bad file or template."""
    if source is None:
        return {}
    if isinstance(source, (str, Path)):
        raw = _read_file(Path(source))
    elif isinstance(source, Mapping):
        raw = dict(source)
    else:
        raise ConfigError(f"functions must be a mapping or a file path, not {type(source).__name__}")
    parsed: dict[str, exp.Expr] = {}
    for name, template in raw.items():
        if not isinstance(name, str) or not _NAME.match(name) or not isinstance(template, str):
            raise ConfigError(f"functions: {name!r}: expected 'name: \"FLINK_TEMPLATE($1, ...)\"'")
        text = template.strip()
        if _NAME.match(text):  # a bare name: same arguments
            text = f"{text}($*)"
        try:
            tree = sqlglot.parse_one(_ARG.sub(lambda m: _placeholder(m.group(1)), text), read="flink")
        except sqlglot.errors.ParseError as e:
            raise ConfigError(f"functions: {name}: the template {template!r} is not Flink SQL: {e}") from None
        parsed[name.lower()] = tree
    return parsed


def _placeholder(index: str) -> str:
    return "__sl_args__" if index == "*" else f"__sl_arg_{index}__"


def _read_file(path: Path) -> dict[str, object]:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as e:
        raise ConfigError(f"functions file {path}: {e.strerror or e}") from None
    if path.suffix.lower() == ".toml" and sys.version_info < (3, 11):
        raise ConfigError(f"functions file {path}: TOML needs Python 3.11 or later; use YAML or JSON")
    try:
        if path.suffix.lower() == ".json":
            data = json.loads(text)
        elif path.suffix.lower() == ".toml" and sys.version_info >= (3, 11):
            import tomllib

            data = tomllib.loads(text)
        else:
            data = yaml.safe_load(text)
    except Exception as e:  # noqa: BLE001 - any parse error of the user's file
        raise ConfigError(f"functions file {path}: cannot be read: {e}") from None
    if not isinstance(data, dict):
        raise ConfigError(f"functions file {path}: expected a mapping of name to Flink template")
    return data


def _call_name(node: exp.Func) -> list[str]:
    if isinstance(node, exp.Anonymous):
        return [str(node.name).lower()]
    return [n.lower() for n in type(node).sql_names()]


def _arguments(node: exp.Func) -> list[exp.Expr]:
    if isinstance(node, exp.Anonymous):
        return list(node.expressions)
    return [v for v in node.iter_expressions()]


def _instantiate(template: exp.Expr, args: list[exp.Expr]) -> exp.Expr:
    result = template.copy()
    for node in result.walk():  # the template's own nodes, not the arguments
        node.meta[USER_TEMPLATE] = True
        if isinstance(node, (exp.Func, exp.Cast)):
            node.meta[USER_FUNCTION] = True
    for column in list(result.find_all(exp.Column)):
        name = column.name
        if name == "__sl_args__":
            parent = column.parent
            if isinstance(parent, exp.Func) and column.arg_key == "expressions":
                position = parent.expressions.index(column)
                parent.set("expressions", [*parent.expressions[:position], *(a.copy() for a in args),
                                           *parent.expressions[position + 1:]])
        elif name.startswith("__sl_arg_"):
            k = int(name[len("__sl_arg_"):-2])
            missing = exp.Null()
            missing.meta[USER_TEMPLATE] = True
            column.replace(args[k - 1].copy() if 0 < k <= len(args) else missing)
    return result


def apply_functions(tree: exp.Expr, functions: Mapping[str, exp.Expr]) -> exp.Expr:
    """``tree`` with every call of a mapped function replaced by its template."""
    if not functions:
        return tree
    root = tree
    for node in reversed(list(tree.find_all(exp.Func, bfs=False))):  # inner calls first
        names = [n for n in _call_name(node) if n in functions]
        if not names:
            continue
        replacement = _instantiate(functions[names[0]], _arguments(node))
        if node is root:
            root = replacement
        else:
            node.replace(replacement)
    return root
