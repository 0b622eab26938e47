"""The values a dbt template handles while it renders: relations, columns, package
namespaces, ``config``, the render result, and the render error.

Kept apart from the renderer so that :mod:`shiftleft.migration.package_macros` and
:mod:`shiftleft.migration.render_state` use them without importing the renderer.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import sqlglot
from sqlglot import exp, tokens
from sqlglot.dialects.dialect import Dialect

from shiftleft.migration.codes import PACKAGE_ID
from shiftleft.migration.project import is_enabled, merge_config
from shiftleft.models import Diagnostic

class RenderError(Exception):
    """A model could not be rendered; ``name`` is the macro or variable concerned, if any."""

    def __init__(
        self,
        message: str,
        *,
        line: int | None = None,
        name: str | None = None,
        code: str | None = None,
        hint: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.name = name
        self.code = code  #: the diagnostic code, when more precise than SL5001
        self.hint = hint  #: what to do, when the code's general advice does not fit


class MacroReturn(Exception):
    def __init__(self, value: Any) -> None:
        self.value = value


@dataclass
class Relation:
    """What ``ref`` / ``source`` / ``this`` return: renders as the Flink table name."""

    identifier: str
    dialect: str
    schema: str = "main"
    database: str = ""
    type: str = "table"

    @property
    def name(self) -> str:
        return self.identifier

    @property
    def table(self) -> str:
        return self.identifier

    @property
    def is_table(self) -> bool:
        return self.type == "table"

    @property
    def is_view(self) -> bool:
        return self.type == "view"

    @property
    def is_cte(self) -> bool:
        return self.type == "cte"

    def include(self, *args: Any, **kwargs: Any) -> Relation:
        return self

    def quote(self, *args: Any, **kwargs: Any) -> Relation:
        return self

    def render(self) -> str:
        return str(self)

    def __str__(self) -> str:
        return table_identifier(self.identifier, self.dialect)


@functools.lru_cache(maxsize=4096)
def table_identifier(name: str, dialect: str) -> str:
    """``name`` as a table name in ``dialect``: bare when the dialect reads it back as that
    table, quoted otherwise (``select``, ``from``, ``my-table``; sqlglot does not quote every
    keyword by itself, in Spark for one)."""
    text = exp.to_identifier(name).sql(dialect)
    if text != name:
        return text
    try:
        found = Dialect.get_or_raise(dialect).tokenize(name)
        bare = len(found) == 1 and found[0].token_type is tokens.TokenType.VAR
        if bare:
            tree = sqlglot.parse_one(f"select * from {name} where 1 = 1", read=dialect)
            bare = [t.name for t in tree.find_all(exp.Table)] == [name]
    except Exception:  # noqa: BLE001 - not readable bare: quote it
        bare = False
    return text if bare else exp.to_identifier(name, quoted=True).sql(dialect)


@dataclass
class ColumnInfo:
    """What ``adapter.get_columns_in_relation`` returns (dbt's Column: name, data_type)."""

    name: str
    data_type: str = "STRING"
    dialect: str = "duckdb"

    @property
    def column(self) -> str:
        return self.name

    @property
    def quoted(self) -> str:
        return exp.to_identifier(self.name, quoted=True).sql(self.dialect)

    @property
    def dtype(self) -> str:
        return self.data_type


class Namespace:
    """Macros of one package (``dbt_utils.star``), or dbt's own (``dbt.type_string``)."""

    def __init__(self, name: str, lookup: Callable[[str], Any], missing: str | None = None) -> None:
        self._name = name
        self._lookup = lookup
        self._missing = missing  #: the packages.yml entry of a package not installed

    def __getattr__(self, attr: str) -> Any:
        if attr.startswith("__"):
            raise AttributeError(attr)
        found = self._lookup(attr)
        if found is None and self._missing is not None:
            raise RenderError(
                f"macro {self._name}.{attr}: package {self._name} ({self._missing} in "
                "packages.yml) is not installed in dbt_packages/; run `dbt deps`",
                name=f"{self._name}.{attr}",
                code=PACKAGE_ID,
            )
        if found is None:
            raise RenderError(
                f"macro {self._name}.{attr} is not available: neither shiftleft nor a package in "
                "dbt_packages/ defines it",
                name=f"{self._name}.{attr}",
            )
        return found


class _Config:
    """``config(...)`` in a model, plus ``config.get`` / ``config.require`` in macros."""

    def __init__(self, values: dict[str, Any], overrides: dict[str, Any] | None = None) -> None:
        self.values = values
        self.overrides = overrides or {}  #: the root project's configs of a package's model

    def __call__(self, *args: Any, **kwargs: Any) -> str:
        if args and isinstance(args[0], dict):
            kwargs = {**args[0], **kwargs}
        merge_config(self.values, kwargs)  # tags add up, meta merges, as in dbt
        merge_config(self.values, self.overrides)
        return ""

    def get(self, key: str, default: Any = None) -> Any:
        return self.values.get(key, default)

    def require(self, key: str) -> Any:
        if key not in self.values:
            raise RenderError(f"config {key!r} is required here", name=key)
        return self.values[key]


class ProjectConfig:
    """What ``builtins.ref.config`` (dbt's RuntimeConfig) tells templates of the project: its
    name, version and the projects it depends on (itself and each installed package, by
    name, with their ``version`` from dbt_project.yml)."""

    def __init__(self, name: str, versions: dict[str, str | None]) -> None:
        self.project_name = name
        self.version = versions.get(name)
        self.dependencies = {
            package: _DependencyConfig(package, version) for package, version in versions.items()
        }


class _DependencyConfig:
    """One entry of ``ProjectConfig.dependencies``."""

    def __init__(self, name: str, version: str | None) -> None:
        self.project_name = name
        self.version = version


class RefResolver:
    """dbt's ``builtins.ref``: ``ref(...)`` itself, and its ``config`` (the runtime config
    some packages read, as tuva's ``builtins.ref.config.dependencies[...].version``)."""

    def __init__(self, ref: Callable[..., Any], config: ProjectConfig) -> None:
        self._ref = ref
        self.config = config

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self._ref(*args, **kwargs)


@dataclass
class Rendered:
    """The SQL of one node after rendering, and what rendering learnt about it."""

    sql: str
    refs: list[str] = field(default_factory=list)  #: unique ids of the models / seeds / snapshots
    sources: list[str] = field(default_factory=list)  #: unique ids of the sources
    config: dict[str, Any] = field(default_factory=dict)
    ephemerals: list[str] = field(default_factory=list)  #: ephemeral models to inline as CTEs
    notes: list[Diagnostic] = field(default_factory=list)  #: findings of the render
    incremental_calls: int = 0  #: how often the template asked is_incremental()

    @property
    def enabled(self) -> bool:
        """False when the model disabled itself: ``{{ config(enabled=false) }}`` in its file.

        load_project drops nodes disabled in dbt_project.yml or a properties file; an in-file
        config is only known here, after rendering, so the caller must drop such a node (and
        treat refs to it as refs to a disabled model)."""
        return is_enabled(self.config)
