"""Rule packs and rule sets: finding, loading and selecting rules.

A *rule pack* is a directory of ``*.rules`` files (declarative rules) and ``*.py`` files
(Python rules: subclasses of :class:`shiftleft.rewrite.Rule`), loaded in file-name order.
shiftleft ships its packs in ``rules/``; users add their own with ``rules=[path]`` /
``--rules PATH``, or from an installed package through the ``shiftleft.rules`` entry point
(which must name a directory path, or a callable returning one).
"""

from __future__ import annotations

import importlib.util
import inspect
import sys
from collections.abc import Iterable, Iterator, Sequence
from functools import cache
from importlib.metadata import entry_points
from pathlib import Path
from types import ModuleType

from sqlglot import exp

from shiftleft.errors import ConfigError, RuleDefinitionError
from shiftleft.models import Mode, Target
from shiftleft.resources import data_dir
from shiftleft.rewrite.dsl import load_rules_file
from shiftleft.rewrite.rule import Rule

ENTRY_POINT_GROUP = "shiftleft.rules"


def _import_python_pack_file(path: Path, pack: str) -> ModuleType:
    module_name = f"shiftleft_rulepack_{pack}_{path.stem}".replace("-", "_")
    spec = importlib.util.spec_from_file_location(module_name, path)
    if spec is None or spec.loader is None:
        raise RuleDefinitionError(f"{path}: cannot be imported as a Python rule file")
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module
    try:
        spec.loader.exec_module(module)
    except Exception as e:  # report any import failure of user code as a definition error
        sys.modules.pop(module_name, None)
        raise RuleDefinitionError(f"{path}: importing the rule file failed: {type(e).__name__}: {e}") from e
    return module


def _python_rules(path: Path, pack: str) -> list[type[Rule]]:
    module = _import_python_pack_file(path, pack)
    found: list[type[Rule]] = []
    for _, obj in inspect.getmembers(module, inspect.isclass):
        if issubclass(obj, Rule) and obj.__module__ == module.__name__ and "id" in obj.__dict__:
            obj.origin = f"{path}:{inspect.getsourcelines(obj)[1]}"
            obj.pack = pack
            obj.validate_definition()
            found.append(obj)
    found.sort(key=lambda r: inspect.getsourcelines(r)[1])
    return found


@cache
def load_pack(path: Path) -> tuple[Rule, ...]:
    """All rules of the pack at ``path``, instantiated, in file then definition order."""
    if not path.is_dir():
        raise ConfigError(f"rule pack {path} is not a directory")
    pack = path.name
    rules: list[Rule] = []
    for file in sorted(path.iterdir()):
        if file.suffix == ".rules":
            rules.extend(cls() for cls in load_rules_file(file, pack))
        elif file.suffix == ".py" and not file.name.startswith("_"):
            rules.extend(cls() for cls in _python_rules(file, pack))
    return tuple(rules)


def builtin_pack_paths() -> list[Path]:
    root = data_dir("rules")
    return sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith(("_", ".")))


def entry_point_pack_paths() -> list[Path]:
    paths = []
    for ep in entry_points().select(group=ENTRY_POINT_GROUP):
        try:
            value = ep.load()
            value = value() if callable(value) else value
        except Exception as e:  # a broken plugin is a config error, not a crash
            raise ConfigError(f"rule pack entry point '{ep.name}' ({ep.value}) failed to load: {e}") from e
        paths.append(Path(value))
    return paths


class RuleSet:
    """An ordered, immutable selection of rules with a per-node-type dispatch table."""

    def __init__(self, rules: Iterable[Rule]) -> None:
        self.rules: tuple[Rule, ...] = tuple(rules)
        seen: dict[str, Rule] = {}
        for rule in self.rules:
            if rule.id in seen:
                raise RuleDefinitionError(
                    f"duplicate rule id {rule.id}: {seen[rule.id].origin} and {rule.origin}"
                )
            seen[rule.id] = rule
        self._by_id = seen
        self._by_name = {r.name: r for r in self.rules}
        self._dispatch: dict[tuple[type, str], tuple[Rule, ...]] = {}
        self._active: dict[tuple[Target, Mode, str], dict[type, tuple[Rule, ...]]] = {}

    def __iter__(self) -> Iterator[Rule]:
        return iter(self.rules)

    def __len__(self) -> int:
        return len(self.rules)

    def get(self, key: str) -> Rule | None:
        """A rule by id (``SL1001``) or name (``datediff-to-timestampdiff``)."""
        return self._by_id.get(key.upper()) or self._by_name.get(key.lower())

    def without(self, keys: Iterable[str]) -> RuleSet:
        """This set minus the rules named by id or name; unknown names are an error."""
        drop = set()
        for key in keys:
            rule = self.get(key)
            if rule is None:
                raise ConfigError(f"cannot disable unknown rule '{key}'; see `shiftleft rules`")
            drop.add(rule.id)
        return RuleSet(r for r in self.rules if r.id not in drop)

    def for_type(self, node_type: type[exp.Expr], phase: str = "rewrite") -> tuple[Rule, ...]:
        """Rules of ``phase`` interested in ``node_type`` (declared type or a base of it)."""
        key = (node_type, phase)
        found = self._dispatch.get(key)
        if found is None:
            found = tuple(r for r in self.rules if r.phase == phase and issubclass(node_type, r.node_types))
            self._dispatch[key] = found
        return found


    def dispatch(self, target: Target, mode: Mode, phase: str) -> dict[type, tuple[Rule, ...]]:
        """The (growing) table node type -> rules of ``phase`` that apply to ``target`` and
        ``mode``; a type not in it yet is added by :meth:`active_for`."""
        return self._active.setdefault((target, mode, phase), {})

    def active_for(self, node_type: type[exp.Expr], target: Target, mode: Mode, phase: str) -> tuple[Rule, ...]:
        """Rules of ``phase`` for ``node_type`` that apply to ``target`` and ``mode`` (cached)."""
        table = self.dispatch(target, mode, phase)
        found = table.get(node_type)
        if found is None:
            found = table[node_type] = tuple(r for r in self.for_type(node_type, phase) if r.applies_to(target, mode))
        return found


@cache
def builtin_rules() -> RuleSet:
    """shiftleft's own packs plus packs installed through the entry point."""
    rules: list[Rule] = []
    for path in [*builtin_pack_paths(), *entry_point_pack_paths()]:
        rules.extend(load_pack(path.resolve()))
    return RuleSet(rules)


def resolve_rules(
    rules: RuleSet | Sequence[str | Path] | None = None, disable: Iterable[str] = ()
) -> RuleSet:
    """The rule set for one transpile call.

    ``rules``: None for the built-in packs; a :class:`RuleSet` to use as is; or extra pack
    directories to load after the built-in ones.
    """
    if isinstance(rules, RuleSet):
        selected = rules
    else:
        selected = builtin_rules()
        if rules:
            extra: list[Rule] = []
            for path in rules:
                extra.extend(load_pack(Path(path).resolve()))
            selected = RuleSet([*selected.rules, *extra])
    disable = list(disable)
    return selected.without(disable) if disable else selected
