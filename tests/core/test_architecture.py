"""The package's shape, as docs/architecture.md states it: no import cycles, only the imports
its table allows, modules small enough to read in one sitting, functions with few parameters,
project imports at module level (at most a few function-level ones, each with its reason).

Everything is read with ``ast`` from the source files: nothing is imported.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "shiftleft"
DOC = ROOT / "docs" / "architecture.md"

MAX_LINES = 500
MAX_PARAMETERS = 8
MAX_FUNCTION_LEVEL_IMPORTS = 5
#: data catalogs: tables of facts, not logic (long by nature)
CATALOGS = {"shiftleft/dialects/flink_catalog.py"}
#: issue 18: migration modules still over the limit, being split in their own change; remove
#: each entry when it is split (a stale entry fails the test)
PENDING_SPLIT: set[str] = set()


@dataclass(frozen=True)
class Import:
    source: str  #: importing module
    target: str  #: imported project module
    line: int
    function_level: bool
    type_only: bool  #: under ``if TYPE_CHECKING:``
    commented: bool  #: a comment on its line or the line above


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


@cache
def _modules() -> dict[str, Path]:
    return {_module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


@cache
def _tree(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"))


def _resolve(name: str) -> str | None:
    modules = _modules()
    while name and name not in modules:
        name = name.rpartition(".")[0]
    return name or None


def _targets(node: ast.Import | ast.ImportFrom, module: str, is_package: bool) -> set[str]:
    if isinstance(node, ast.Import):
        names = [a.name for a in node.names]
    else:
        base = node.module or ""
        if node.level:
            parts = module.split(".") if is_package else module.split(".")[:-1]
            base = ".".join([*parts[: len(parts) - node.level + 1], *([base] if base else [])])
        # ``from pkg import mod`` imports the module pkg.mod; ``from mod import name``, mod
        names = [f"{base}.{a.name}" if f"{base}.{a.name}" in _modules() else base for a in node.names]
    return {t for n in names if n == "shiftleft" or n.startswith("shiftleft.") if (t := _resolve(n))}


def _visit(node: ast.AST, where: tuple[str, bool, list[str]], in_function: bool, type_only: bool) -> Iterator[Import]:
    module, is_package, lines = where
    for child in ast.iter_child_nodes(node):
        function = in_function or isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda))
        typing = type_only or (isinstance(child, ast.If) and "TYPE_CHECKING" in ast.unparse(child.test))
        if isinstance(child, (ast.Import, ast.ImportFrom)):
            here = lines[child.lineno - 1]
            above = lines[child.lineno - 2].strip() if child.lineno > 1 else ""
            for target in sorted(_targets(child, module, is_package) - {module}):
                yield Import(module, target, child.lineno, function, typing, "#" in here or above.startswith("#"))
        yield from _visit(child, where, function, typing)


@cache
def _imports() -> tuple[Import, ...]:
    found: list[Import] = []
    for module, path in _modules().items():
        text = path.read_text(encoding="utf-8")
        where = (module, path.name == "__init__.py", text.splitlines())
        found.extend(_visit(_tree(path), where, False, False))
    return tuple(found)


def _cycles(edges: dict[str, set[str]]) -> list[set[str]]:
    """Strongly connected components of more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[set[str]] = []
    for start in sorted(edges):
        if start in index:
            continue
        work = [(start, iter(sorted(edges[start])))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(edges.get(child, ())))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = set()
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.add(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(component)
    return found


def _graph(*, with_type_only: bool) -> dict[str, set[str]]:
    edges: dict[str, set[str]] = {m: set() for m in _modules()}
    for imp in _imports():
        if not imp.function_level and (with_type_only or not imp.type_only):
            edges[imp.source].add(imp.target)
    return edges


def test_no_import_cycles() -> None:
    assert _cycles(_graph(with_type_only=False)) == []


def test_no_import_cycles_even_through_type_checking_imports() -> None:
    assert _cycles(_graph(with_type_only=True)) == []


def test_at_most_a_few_function_level_project_imports_each_with_its_reason() -> None:
    local = [i for i in _imports() if i.function_level]
    assert len(local) <= MAX_FUNCTION_LEVEL_IMPORTS, [f"{i.source}:{i.line}" for i in local]
    assert [f"{i.source}:{i.line}" for i in local if not i.commented] == []


@cache
def _allowed() -> dict[str, set[str]]:
    """The table of docs/architecture.md: unit (a top-level module or package of shiftleft)
    -> what it may import (units, or single modules such as ``streaming.options``).  The word
    *foundation* stands for the units of the foundation row; *anything* allows everything."""
    section = DOC.read_text(encoding="utf-8").split("## Allowed imports", 1)[1]
    rows = [[c.strip() for c in line.strip().strip("|").split("|")] for line in section.splitlines() if line.startswith("| `")]
    foundation = {u for units, job, _ in rows if job.lower().startswith("foundation") for u in re.findall(r"`([^`]+)`", units)}
    table: dict[str, set[str]] = {}
    for units, _, may_import in rows:
        allowed = set(re.findall(r"`([^`]+)`", may_import))
        allowed |= foundation if "foundation" in may_import else set()
        allowed |= {"anything"} if "anything" in may_import else set()
        for unit in re.findall(r"`([^`]+)`", units):
            table[unit] = allowed
    return table


def _unit(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "shiftleft"


def test_the_architecture_table_names_every_package() -> None:
    assert {_unit(m) for m in _modules()} - set(_allowed()) == set()


def test_packages_import_only_what_the_architecture_allows() -> None:
    allowed = _allowed()
    forbidden = []
    for imp in _imports():
        unit, target_unit = _unit(imp.source), _unit(imp.target)
        rule = allowed.get(unit, set())
        short = imp.target.removeprefix("shiftleft.")
        if target_unit == unit or "anything" in rule or target_unit in rule or short in rule:
            continue
        forbidden.append(f"{imp.source}:{imp.line} imports {imp.target}")
    assert forbidden == []


def test_modules_fit_in_one_sitting() -> None:
    sizes = {str(p.relative_to(ROOT)): len(p.read_text(encoding="utf-8").splitlines()) for p in _modules().values()}
    too_long = {p: n for p, n in sizes.items() if n > MAX_LINES and p not in CATALOGS | PENDING_SPLIT}
    assert too_long == {}
    assert {p for p in PENDING_SPLIT if sizes.get(p, 0) <= MAX_LINES} == set(), "split: remove from PENDING_SPLIT"


def _parameters(node: ast.FunctionDef | ast.AsyncFunctionDef) -> int:
    args = node.args
    names = [a.arg for a in [*args.posonlyargs, *args.args, *args.kwonlyargs]]
    count = len(names) + (args.vararg is not None) + (args.kwarg is not None)
    return count - (bool(names) and names[0] in ("self", "cls"))


def test_functions_take_few_parameters() -> None:
    wide = [
        f"{_module_name(path)}.{node.name}:{node.lineno} ({_parameters(node)})"
        for path in _modules().values()
        for node in ast.walk(_tree(path))
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and _parameters(node) > MAX_PARAMETERS
    ]
    assert wide == []


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("def f(a, b, *c, d, **e): pass", 5),
        ("class C:\n    def m(self, a, /, b, *, c): pass", 3),
        ("class C:\n    @classmethod\n    def m(cls, *args, **kwargs): pass", 2),
    ],
)
def test_parameters_are_counted_as_documented(source: str, expected: int) -> None:
    node = next(n for n in ast.walk(ast.parse(source)) if isinstance(n, ast.FunctionDef))
    assert _parameters(node) == expected


def test_cycle_finder_finds_cycles() -> None:
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [{"a", "b", "c"}]
    assert _cycles({"a": {"b"}, "b": set()}) == []


# one reader of the planner's explain text -------------------------------------------------------

PLAN_READER = "shiftleft/flink_engine/plan_text.py"


def _string_constants(path: Path) -> Iterator[str]:
    return (n.value for n in ast.walk(_tree(path)) if isinstance(n, ast.Constant) and isinstance(n.value, str))


def test_only_plan_text_reads_the_planners_explain_text() -> None:
    """Section headers and the changelog field of an explain text appear in code (not in
    docstrings or comments: those are not string expressions of their own) of one module."""
    markers = ("Optimized Physical Plan", "Optimized Execution Plan", "changelogMode=")
    readers = sorted(
        str(path.relative_to(ROOT))
        for path in _modules().values()
        for text in _string_constants(path)
        if any(m in text for m in markers) and not _is_docstring(path, text)
    )
    assert set(readers) == {PLAN_READER}, readers


def _is_docstring(path: Path, text: str) -> bool:
    nodes = [_tree(path), *(n for n in ast.walk(_tree(path)) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)))]
    return any(ast.get_docstring(n, clean=False) == text for n in nodes)


# one diagnostic factory ------------------------------------------------------------------------


def _calls(path: Path) -> Iterator[ast.Call]:
    return (n for n in ast.walk(_tree(path)) if isinstance(n, ast.Call))


def _name(func: ast.expr) -> str:
    return func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""


def _factory_calls() -> Iterator[tuple[str, ast.Call]]:
    for module, path in _modules().items():
        for call in _calls(path):
            func = call.func
            if isinstance(func, ast.Attribute) and func.attr == "of" and _name(func.value) == "Diagnostic":
                yield module, call


def test_diagnostics_are_made_only_by_their_factory() -> None:
    """``Diagnostic.of`` is the one place a Diagnostic is made (it knows the codes' default
    severities): no module calls the constructor, nor pydantic's other ways to make one."""
    made = [
        f"{module}:{call.lineno}"
        for module, path in _modules().items()
        for call in _calls(path)
        if _name(call.func) == "Diagnostic"
        or (
            isinstance(call.func, ast.Attribute)
            and call.func.attr in ("model_construct", "model_validate", "model_validate_json")
            and _name(call.func.value) == "Diagnostic"
        )
    ]
    assert made == []
    assert len(list(_factory_calls())) > 0, "the factory's calls are not found: the test is blind"
