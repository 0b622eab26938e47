"""The context of one model's render: dbt's functions (``ref``, ``source``, ``var``,
``config``, ``adapter``, ``run_query``...) bound to the model, and the project's macros as
lazy callables (see :mod:`shiftleft.migration.render` for the renderer itself)."""

from __future__ import annotations

import datetime
import importlib
import itertools
import re
import types
import uuid
from collections.abc import Callable
from typing import Any

from shiftleft.migration import package_macros, query_answers, relation_macros
from shiftleft.migration.codes import PACKAGE_ID, PROJECT_ID, RUN_VALUE_ID
from shiftleft.migration.project import TARGET_SCHEMA, Node
from shiftleft.migration.render_context import RendererView
from shiftleft.migration.render_values import (
    MacroReturn,
    Namespace,
    ProjectConfig,
    RefResolver,
    Relation,
    RenderError,
    _Config,
)
from shiftleft.models import Diagnostic, Severity


#: text that Jinja would render: dbt renders a var value only then
_JINJA = re.compile(r"{{|{%|{#")


def _optional(name: str) -> list[types.ModuleType]:
    try:
        return [importlib.import_module(name)]
    except ImportError:
        return []



#: the names an adapter's ``target`` also gives its database and schema (dbt-databricks'
#: ``target.catalog``, dbt-bigquery's ``target.project`` / ``target.dataset``, ...)
TARGET_ALIASES = {
    "databricks": {"catalog": "database"},
    "bigquery": {"project": "database", "dataset": "schema"},
    "postgres": {"dbname": "database"},
    "redshift": {"dbname": "database"},
}


def target_context(name: str, adapter: str, project: str, profile: str | None) -> dict[str, Any]:
    """dbt's ``target``: the relation parts every migration uses (schema ``main``, the
    project's name as database), under the adapter's own names too; never a credential."""
    target: dict[str, Any] = {
        "name": name,
        "type": adapter,
        "schema": TARGET_SCHEMA,
        "database": project,
        "threads": 1,
        "profile_name": profile or project,
    }
    for alias, field in TARGET_ALIASES.get(adapter, {}).items():
        target[alias] = target[field]
    return target

class _Module:
    """A module as ``modules.re`` shows it: its public functions, classes and constants only."""

    def __init__(self, module: types.ModuleType) -> None:
        self._module = module

    def __getattr__(self, attr: str) -> Any:
        value = getattr(self._module, attr, None) if not attr.startswith("_") else None
        if value is None or isinstance(value, types.ModuleType):
            raise AttributeError(attr)
        return value


#: ``modules`` in a template (pytz when installed: dbt's run_started_at.astimezone(modules.pytz.timezone(...)))
_MODULES = {m.__name__: _Module(m) for m in (datetime, itertools, re, *_optional("pytz"))}


class _RunValue:
    """A value dbt renders per run (``run_started_at``, ``invocation_id``): it behaves as the
    value it wraps, and the first use notes on the model that it is a constant of the
    pipeline (SL5026)."""

    def __init__(self, value: Any, name: str, used: Callable[[str], None]) -> None:
        self._value, self._name, self._used = value, name, used

    def _get(self) -> Any:
        self._used(self._name)
        return self._value

    def __getattr__(self, attr: str) -> Any:
        return getattr(self._get(), attr)

    def __str__(self) -> str:
        return str(self._get())

    def __format__(self, spec: str) -> str:
        return format(self._get(), spec)


class _ModelState:
    """The context of one render: what the model called, and the callables it sees."""

    def __init__(
        self,
        renderer: RendererView,
        node: Node,
        *,
        columns: Callable[[Node], list[tuple[str, str]] | None],
        incremental: bool,
        capture: bool,
    ) -> None:
        self.r = renderer
        self.node = node
        self.columns_of = columns
        self.incremental = incremental
        self.capture = capture
        self.refs: list[str] = []
        self.sources: list[str] = []
        self.ephemerals: list[str] = []
        self.notes: list[Diagnostic] = []
        self.results: dict[str, dict[str, Any]] = {}  #: statement blocks' results, by name
        self.incremental_calls = 0  #: how often is_incremental() was asked
        self.config = _Config(dict(node.config), node.overrides)
        self.modules: dict[tuple[str, str], Any] = {}
        self._contexts: dict[str, dict[str, Any]] = {}

    # dbt functions ---------------------------------------------------------------------------

    def ref(self, *args: Any, **kwargs: Any) -> Relation:
        if not args or len(args) > 2:
            raise RenderError("ref() takes a model name, or a package and a model name", name="ref")
        name = str(args[-1])
        twins = self.r.project.duplicates.get(name)
        if twins and not self.capture:
            files = ", ".join(str(self.r.project.nodes[u].file_path) for u in twins)
            raise RenderError(
                f"ref({name!r}) is ambiguous: {files} all define {name} (dbt refuses a project "
                "with two resources of one name)",
                name=name,
                code=PROJECT_ID,
            )
        target = self.r.find_ref(name)
        if target is None:
            if self.capture:
                return Relation(name, self.r.read)
            if name in self.r.disabled:
                raise RenderError(
                    f"ref({name!r}): {name} is disabled (enabled: false); it is not migrated",
                    name=name,
                )
            raise RenderError(f"ref({name!r}): no model, seed or snapshot of that name", name=name)
        self.refs.append(target.unique_id)
        if target.materialized == "ephemeral":
            self.ephemerals.append(target.unique_id)
            return Relation(f"__dbt__cte__{target.name}", self.r.read, type="cte")
        return self.relation_of(target)

    def relation_of(self, node: Node) -> Relation:
        """The relation ``ref`` / ``source`` / ``this`` give for ``node`` (its Flink table name,
        with the schema and database of its dbt relation)."""
        if node.resource_type == "source":
            schema, database = node.schema or node.source_name or "", node.database or ""
        else:  # before migration.identity names it: dbt's default rule
            custom = node.config.get("schema")
            schema = node.schema or (f"{TARGET_SCHEMA}_{custom}" if custom else TARGET_SCHEMA)
            database = node.database or self.r.project.name
        return Relation(
            node.table_name,
            self.r.read,
            schema=schema,
            database=database,
            type="view" if node.materialized == "view" else "table",
        )

    def source(self, source_name: str, table_name: str) -> Relation:
        node = self.r.sources.get((str(source_name), str(table_name)))
        if node is None:
            if self.capture:
                return Relation(str(table_name), self.r.read)
            raise RenderError(
                f"source({source_name!r}, {table_name!r}) is not declared in a sources .yml file",
                name=f"{source_name}.{table_name}",
            )
        self.sources.append(node.unique_id)
        return self.relation_of(node)

    def var(self, name: str, default: Any = package_macros.MISSING) -> Any:
        project = self.r.project
        seen = project.package_vars.get(self.node.package, project.vars)
        if self.node.package == project.name:
            seen = project.vars
        if name in seen:
            value = seen[name]
            # dbt renders a var's text in the model's context when it is read (packages set
            # ``company: "{{ source('hubspot', 'company') }}"`` and select ``from {{ var('company') }}``)
            if isinstance(value, str) and _JINJA.search(value):
                return self.r.template(value).render(self.context())
            return value
        if default is package_macros.MISSING:
            raise RenderError(
                f"var({name!r}) has no value and no default: set it under vars: in "
                "dbt_project.yml or with --vars",
                name=name,
            )
        return default

    def env_var(self, name: str, default: Any = package_macros.MISSING) -> Any:
        if name in self.r.env:
            return self.r.env[name]
        if default is package_macros.MISSING:
            raise RenderError(f"env_var({name!r}) is not set and has no default", name=name)
        return default

    def is_incremental(self) -> bool:
        self.incremental_calls += 1
        return self.incremental

    def do_return(self, value: Any) -> None:
        raise MacroReturn(value)

    def _run_value_used(self, name: str) -> None:
        self.note(
            "warning",
            f"{name} is rendered as a constant (the run started at {self.r.run_started_at.isoformat()}): "
            "dbt renders it at each run, the streaming job keeps this value",
            RUN_VALUE_ID,
        )

    def note(self, severity: str, message: str, code: str) -> None:
        """A finding of the render, reported on the model."""
        finding = Diagnostic.of(code, message, severity=Severity(severity))
        if finding not in self.notes:
            self.notes.append(finding)

    def run_query(self, sql: Any = None, *args: Any, **kwargs: Any) -> Any:
        """dbt's run_query: answered from seeds / the project's catalog, else SL5020."""
        return query_answers.answer(self, str(sql or ""))

    def statement(
        self,
        name: Any = None,
        fetch_result: bool = False,
        auto_begin: bool = True,
        language: str = "sql",
        caller: Callable[[], Any] | None = None,
        **kwargs: Any,
    ) -> str:
        """``{% call statement('name', fetch_result=True) %} sql {% endcall %}``."""
        sql = str(caller()) if caller is not None else ""
        result = query_answers.answer(self, sql, what=f"statement {name!r}")
        if name:
            self.results[str(name)] = result.load_result()
        return ""

    def load_result(self, name: Any) -> dict[str, Any] | None:
        return self.results.get(str(name))

    def log(self, *args: Any, **kwargs: Any) -> str:
        return ""

    def raise_compiler_error(self, message: str, *args: Any) -> None:
        raise RenderError(
            f"the model raised a compiler error: {message}", name="raise_compiler_error"
        )

    # macros ----------------------------------------------------------------------------------

    def macro(self, package: str, name: str) -> Any:
        """A callable for macro ``package.name``: the project's / a package's Jinja macro."""
        key = (package, name)
        if key not in self.modules:
            macro = self.r.macros.get(package, {}).get(name)
            if macro is None:
                return None
            module = macro.template.make_module(self.context(package))
            jinja_macro = getattr(module, macro.exported or name)

            def call(*args: Any, **kwargs: Any) -> Any:
                try:
                    return jinja_macro(*args, **kwargs)
                except MacroReturn as r:
                    return r.value

            self.modules[key] = call
        return self.modules[key]

    def namespace_lookup(self, package: str) -> Callable[[str], Any]:
        def lookup(name: str) -> Any:
            if package == "dbt":
                return package_macros.dbt_macro(self, name)
            mapped = package_macros.package_macro(self, package, name)
            if mapped is None:
                mapped = relation_macros.package_macro(self, package, name)
            return mapped if mapped is not None else self.macro(package, name)

        return lookup

    def dispatch(
        self, macro_name: str, macro_namespace: str | None = None, packages: Any = None
    ) -> Any:
        namespace = macro_namespace or "dbt"
        search = [self.r.project.name, namespace]
        if packages:  # dbt's legacy `packages=[...]`: where to look, in order
            listed = [packages] if isinstance(packages, str) else [str(p) for p in packages]
            search = list(dict.fromkeys([self.r.project.name, *listed, namespace]))
        for entry in self.r.project.dispatch:
            if isinstance(entry, dict) and entry.get("macro_namespace") == namespace:
                search = [str(p) for p in entry.get("search_order") or search]
        for package in search:
            for prefix in (f"{self.r.adapter}__", "default__"):
                found = (
                    package_macros.dbt_macro(self, f"{prefix}{macro_name}")
                    if package == "dbt"
                    else self.namespace_lookup(package)(f"{prefix}{macro_name}")
                )
                if found is not None:
                    return found
        if namespace == "dbt":
            found = package_macros.dbt_macro(self, macro_name)
            if found is not None:
                return found
        missing = [p for p in search if p in self.r.project.missing_packages]
        raise RenderError(
            f"adapter.dispatch({macro_name!r}, {namespace!r}) found no implementation "
            f"({self.r.adapter}__{macro_name} or default__{macro_name})"
            + (
                f": package {missing[0]} ({self.r.project.missing_packages[missing[0]]} in "
                "packages.yml) is not installed in dbt_packages/; run `dbt deps`"
                if missing
                else ""
            ),
            name=f"{namespace}.{macro_name}",
            code=PACKAGE_ID if missing else None,
        )

    def context(self, package: str | None = None) -> dict[str, Any]:
        """The Jinja globals: dbt functions + the root project's macros (+ ``package``'s own;
        by default those of the package the model belongs to, which dbt looks up first)."""
        if package is None and self.node.package != self.r.project.name:
            package = self.node.package
        key = package or ""
        if key in self._contexts:
            return self._contexts[key]
        project = self.r.project
        this = self.relation_of(self.node)
        context: dict[str, Any] = {
            "ref": self.ref,
            "source": self.source,
            "config": self.config,
            "var": self.var,
            "env_var": self.env_var,
            "this": this,
            "model": {
                "name": self.node.name,
                "unique_id": self.node.unique_id,
                "config": self.config.values,
            },
            "target": target_context(self.r.target_name, self.r.adapter, project.name, project.profile),
            "project_name": project.name,
            "graph": self.r.graph,
            "selected_resources": self.r.selected_resources,
            "is_incremental": self.is_incremental,
            "should_full_refresh": lambda: True,
            "execute": True,
            "flags": {"FULL_REFRESH": True, "WHICH": "compile"},
            "return": self.do_return,
            "run_query": self.run_query,
            "statement": self.statement,
            "load_result": self.load_result,
            "log": self.log,
            "print": self.log,
            "exceptions": {
                "raise_compiler_error": self.raise_compiler_error,
                "warn": self.log,
                "raise_not_implemented": self.raise_compiler_error,
            },
            "modules": _MODULES,
            "run_started_at": _RunValue(self.r.run_started_at, "run_started_at", self._run_value_used),
            "invocation_id": _RunValue(
                str(uuid.uuid5(uuid.NAMESPACE_URL, f"shiftleft:{project.name}:{self.r.run_started_at.isoformat()}")),
                "invocation_id",
                self._run_value_used,
            ),
            "tojson": package_macros.tojson,
            "fromjson": package_macros.fromjson,
            "toyaml": package_macros.toyaml,
            "fromyaml": package_macros.fromyaml,
            "local_md5": package_macros.local_md5,
            "zip": zip,
            "set": set,
            "set_strict": set,
            "zip_strict": lambda *args: zip(*args, strict=True),
            "adapter": package_macros.Adapter(self),
            "api": {
                "Relation": {"create": lambda **kw: relation_macros.create_relation(self, **kw)},
                "Column": {"translate_type": lambda dtype: package_macros.translate_type(self, dtype)},
            },
            "builtins": {
                "ref": RefResolver(self.ref, ProjectConfig(project.name, project.versions)),
                "source": self.source,
                "config": self.config,
            },
            "dbt": Namespace("dbt", self.namespace_lookup("dbt")),
        }
        # a package packages.yml declares but dbt_packages/ lacks is named when used
        missing = project.missing_packages
        for name in [*project.packages, "dbt_utils", project.name]:
            context[name] = Namespace(name, self.namespace_lookup(name), missing.get(name))
        for name in missing:
            context.setdefault(name, Namespace(name, self.namespace_lookup(name), missing[name]))
        # dbt's global macros are reachable unqualified too; the project's own win
        for name, macro in package_macros.dbt_macros(self).items():
            context.setdefault(name, macro)
        for owner in dict.fromkeys([project.name, *([package] if package else [])]):
            for name in self.r.macros.get(owner, {}):
                context[name] = _LazyMacro(self, owner, name)
        self._contexts[key] = context
        return context


class _LazyMacro:
    """A macro in the context, made into a Jinja macro only when called."""

    def __init__(self, state: _ModelState, package: str, name: str) -> None:
        # private: the sandbox hides ``_`` attributes, and the state must stay out of reach
        self._state, self._package, self._name = state, package, name

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self._state.macro(self._package, self._name)(*args, **kwargs)
