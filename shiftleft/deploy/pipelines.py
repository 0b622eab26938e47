"""The ``pipelines/`` folder written by ``shiftleft migrate``, as a DAG of deployable tables.

``inventory.json`` names every table and its folder; each table's
``pipeline_definition.json`` lists its parents and children; ``sql-scripts/ddl.<t>.sql``
(``CREATE TABLE`` / ``CREATE VIEW``) and ``dml.<t>.sql`` (``INSERT INTO``) hold its
statements.  Parents without files (ephemeral models inlined as CTEs) are not part of the DAG.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from fnmatch import fnmatchcase
from pathlib import Path

import sqlglot
from pydantic import BaseModel, ConfigDict
from sqlglot import exp
from sqlglot.errors import ParseError, TokenError

from shiftleft.errors import ConfigError, InputError
from shiftleft.flink_engine.planner import split_statements as _split
from shiftleft.migration.layout import resolve_inside
from shiftleft.tree import cte_named

INVENTORY = "inventory.json"
DEFINITION = "pipeline_definition.json"
#: migration statuses whose files are meant to run (others are reported, never deployed)
DEPLOYABLE_STATUSES = frozenset({"translated", "llm", "declared"})


class TableSpec(BaseModel):
    """One table of the pipelines folder: its statements and its place in the DAG."""

    model_config = ConfigDict(frozen=True)

    name: str
    layer: str
    product: str
    path: str
    status: str
    ddl: tuple[str, ...] = ()
    dml: tuple[str, ...] = ()
    parents: tuple[str, ...] = ()
    children: tuple[str, ...] = ()
    changelog_mode: str | None = None
    primary_key: tuple[str, ...] | None = None

    @property
    def deployable(self) -> bool:
        return self.status in DEPLOYABLE_STATUSES

    @property
    def fingerprint(self) -> str:
        """SHA-256 of the normalized statements: equal for equivalent SQL text."""
        text = "\n;\n".join(normalize(s) for s in (*self.ddl, *self.dml))
        return hashlib.sha256(text.encode("utf-8")).hexdigest()


def split_statements(text: str) -> list[str]:
    """The statements of a SQL script (the planner's splitter: strings, comments and
    ``EXECUTE STATEMENT SET`` blocks respected)."""
    return [st.sql for st in _split(text)]


def normalize(statement: str) -> str:
    """A statement rendered canonically by sqlglot (Flink dialect); the stripped text when
    sqlglot cannot parse it (then only whitespace differences are ignored)."""
    try:
        tree = sqlglot.parse_one(statement, read="flink")
    except (ParseError, TokenError, ValueError):
        return " ".join(statement.split())
    return tree.sql(dialect="flink", comments=False)


def _read_json(path: Path) -> dict:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise InputError(f"{path}: cannot read ({exc})") from None
    if not isinstance(data, dict):
        raise InputError(f"{path}: expected a JSON object")
    return data


def _script(root: Path, ref: object) -> tuple[str, ...]:
    if not isinstance(ref, str) or not ref:
        return ()
    path = resolve_inside(root, ref)
    try:
        return tuple(split_statements(path.read_text(encoding="utf-8")))
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({exc})") from None


class Pipelines(BaseModel):
    """Every table of a pipelines folder, keyed by name."""

    root: str
    tables: dict[str, TableSpec]

    def order(self, names: Iterable[str] | None = None) -> list[str]:
        """``names`` (default all) in DAG order, parents first, ties by name."""
        wanted = set(self.tables if names is None else names)
        indegree = {n: 0 for n in wanted}
        for n in wanted:
            indegree[n] = sum(1 for p in self.tables[n].parents if p in wanted)
        ready = sorted(n for n, d in indegree.items() if d == 0)
        done: list[str] = []
        while ready:
            n = ready.pop(0)
            done.append(n)
            for c in sorted(self.children_of(n)):
                if c in indegree:
                    indegree[c] -= 1
                    if indegree[c] == 0:
                        ready.append(c)
                        ready.sort()
        if len(done) != len(wanted):
            cycle = sorted(wanted - set(done))
            raise InputError(f"the pipelines have a dependency cycle among: {', '.join(cycle)}")
        return done

    def children_of(self, name: str) -> set[str]:
        found = set(self.tables[name].children)
        found |= {t.name for t in self.tables.values() if name in t.parents}
        return {c for c in found if c in self.tables}

    def ancestors(self, name: str) -> set[str]:
        seen: set[str] = set()
        stack = [p for p in self.tables[name].parents if p in self.tables]
        while stack:
            p = stack.pop()
            if p not in seen:
                seen.add(p)
                stack += [q for q in self.tables[p].parents if q in self.tables]
        return seen

    def descendants(self, name: str) -> set[str]:
        seen: set[str] = set()
        stack = list(self.children_of(name))
        while stack:
            c = stack.pop()
            if c not in seen:
                seen.add(c)
                stack += list(self.children_of(c))
        return seen

    def select(self, selectors: Iterable[str]) -> set[str]:
        """The tables named by dbt-style selectors: ``name``, ``+name`` (with its ancestors),
        ``name+`` (with its descendants), ``+name+``; globs (``fct_*``) match names.  No
        selector selects everything.  Raises :class:`ConfigError` for a name matching nothing."""
        selectors = [s.strip() for s in selectors if s.strip()]
        if not selectors:
            return set(self.tables)
        chosen: set[str] = set()
        for selector in selectors:
            up, down = selector.startswith("+"), selector.endswith("+")
            pattern = selector.strip("+")
            names = [n for n in self.tables if fnmatchcase(n, pattern)]
            if not names:
                raise ConfigError(
                    f"--select {selector}: no table named {pattern!r} in {self.root}; "
                    "the tables are listed in inventory.json"
                )
            for n in names:
                chosen.add(n)
                if up:
                    chosen |= self.ancestors(n)
                if down:
                    chosen |= self.descendants(n)
        return chosen


def load_pipelines(root: Path | str) -> Pipelines:
    """Read a pipelines folder.  Raises :class:`InputError` when it is not one."""
    root = Path(root)
    inventory_path = root / INVENTORY
    if not inventory_path.is_file():
        raise InputError(
            f"{root} is not a pipelines folder: it has no {INVENTORY} "
            "(write one with `shiftleft migrate PROJECT --out DIR`)"
        )
    inventory = _read_json(inventory_path)
    tables: dict[str, TableSpec] = {}
    for name, entry in sorted(inventory.items()):
        if not isinstance(entry, dict) or not isinstance(entry.get("path"), str):
            raise InputError(f"{inventory_path}: entry {name!r} has no path")
        definition_file = resolve_inside(root, f"{entry['path']}/{DEFINITION}")
        definition = _read_json(definition_file) if definition_file.is_file() else {}
        tables[name] = TableSpec(
            name=name,
            layer=str(entry.get("type", "")),
            product=str(entry.get("product_name", "")),
            path=entry["path"],
            status=str(definition.get("status", entry.get("status", "translated"))),
            ddl=_script(root, entry.get("ddl_ref")),
            dml=_script(root, entry.get("dml_ref")),
            parents=tuple(_names(definition.get("parents"))),
            children=tuple(_names(definition.get("children"))),
            changelog_mode=definition.get("changelog_mode"),
            primary_key=tuple(definition["primary_key"]) if definition.get("primary_key") else None,
        )
    # Parents without files (ephemeral models inlined as CTEs) are not deployed; what they
    # read is found in the statements themselves: every table they reference is a parent.
    parents = {
        n: (set(t.parents) | referenced_tables(t)) & set(tables) - {n} for n, t in tables.items()
    }
    tables = {
        n: t.model_copy(
            update={
                "parents": tuple(sorted(parents[n])),
                "children": tuple(sorted(c for c in tables if n in parents[c])),
            }
        )
        for n, t in tables.items()
    }
    return Pipelines(root=str(root), tables=tables)


def referenced_tables(spec: TableSpec) -> set[str]:
    """The unqualified table names ``spec``'s statements read (CTE names and the table's
    own name left out)."""
    found: set[str] = set()
    for statement in (*spec.ddl, *spec.dml):
        try:
            tree = sqlglot.parse_one(statement, read="flink")
        except (ParseError, TokenError, ValueError):
            continue
        found |= {t.name for t in tree.find_all(exp.Table) if not t.args.get("db") and cte_named(t) is None}
    return found - {spec.name}


def _names(refs: object) -> list[str]:
    if not isinstance(refs, list):
        return []
    return [r["table_name"] for r in refs if isinstance(r, dict) and isinstance(r.get("table_name"), str)]


def rename_tables(statement: str, names: dict[str, str]) -> str:
    """``statement`` with every table reference (and a Kafka ``'topic'`` option) named in
    ``names`` renamed: the blue/green versions of a table and of what reads it."""
    if not names:
        return statement
    tree = sqlglot.parse_one(statement, read="flink")
    for table in tree.find_all(exp.Table):
        if not table.args.get("db") and table.name in names and cte_named(table) is None:
            table.set("this", exp.to_identifier(names[table.name]))
    for prop in tree.find_all(exp.Property):
        key, value = prop.this, prop.args.get("value")
        if (
            isinstance(key, exp.Literal)
            and key.this == "topic"
            and isinstance(value, exp.Literal)
            and value.this in names
        ):
            prop.set("value", exp.Literal.string(names[value.this]))
    return tree.sql(dialect="flink", pretty=True)


__all__ = [
    "DEPLOYABLE_STATUSES",
    "Pipelines",
    "TableSpec",
    "load_pipelines",
    "normalize",
    "rename_tables",
    "split_statements",
]
