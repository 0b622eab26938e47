"""Render dbt Jinja in a sandbox, with a dbt-compatible context, into plain SQL.

The context mirrors what ``dbt compile --full-refresh`` gives a model
(https://docs.getdbt.com/reference/dbt-jinja-functions): ``ref``, ``source``, ``config``,
``var`` (project and CLI vars), ``env_var``, ``this``, ``target``, ``is_incremental()``
(false: a streaming job is one continuous full refresh), ``adapter.dispatch``, ``return``,
``exceptions``, ``modules``, the project's macros and those of packages on disk.  Well-known
``dbt_utils`` macros and dbt's cross-database macros are Python functions
(:mod:`shiftleft.migration.package_macros`) that know the columns of parent models, so that
``star`` works without a database.

Rendering runs in :class:`jinja2.sandbox.SandboxedEnvironment`: templates cannot reach Python
internals, read files or run queries.  A model that calls something we cannot render gets a
:class:`RenderError` naming it (with the line), and the rest of the project still migrates.
"""

from __future__ import annotations

import datetime
import functools
import itertools
import os
import re
import traceback
import types
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import Any

import jinja2
import sqlglot
from jinja2.sandbox import SandboxedEnvironment
from sqlglot import exp, tokens
from sqlglot.dialects.dialect import Dialect

from shiftleft.migration import package_macros
from shiftleft.migration.project import DbtProject, Node, is_enabled, merge_config

#: dbt adapter type -> sqlglot dialect of the SQL it compiles to
ADAPTER_DIALECTS = {
    "duckdb": "duckdb",
    "spark": "spark",
    "databricks": "databricks",
    "snowflake": "snowflake",
    "bigquery": "bigquery",
    "postgres": "postgres",
    "redshift": "redshift",
    "trino": "trino",
    "athena": "athena",
    "glue": "spark",
    "hive": "hive",
    "sqlserver": "tsql",
    "fabric": "tsql",
    "clickhouse": "clickhouse",
    "oracle": "oracle",
    "mysql": "mysql",
}
DIALECT_ADAPTERS = {dialect: adapter for adapter, dialect in ADAPTER_DIALECTS.items()} | {
    "spark": "spark",
    "spark2": "spark",
}

#: a macro (or generic test) block; the ``-`` whitespace controls are kept
_MACRO_BLOCK = re.compile(
    r"{%(-?)\s*(macro|test)\s+(\w+)\s*(\(.*?\))\s*(-?)%}(.*?){%(-?)\s*end(?:macro|test)\s*(-?)%}",
    re.DOTALL,
)
#: a model rendering to more than this is not migrated (a runaway loop)
MAX_RENDERED_CHARS = 5_000_000
_COMMENTS = re.compile(r"--[^\n]*|/\*.*?\*/", re.DOTALL)


def _has_sql(text: str) -> bool:
    return bool(_COMMENTS.sub("", text).strip(" \t\r\n;"))


_MACRO_DEF = re.compile(r"({%-?\s*macro\s+)(\w+)")
_MACRO_DEF_NAMES = re.compile(r"{%-?\s*macro\s+(\w+)")
_SNAPSHOT_BLOCK = re.compile(
    r"{%-?\s*snapshot\s+(\w+)\s*-?%}(.*?){%-?\s*endsnapshot\s*-?%}", re.DOTALL
)


class RenderError(Exception):
    """A model could not be rendered; ``name`` is the macro or variable concerned, if any."""

    def __init__(self, message: str, *, line: int | None = None, name: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.name = name


class _MacroReturn(Exception):
    def __init__(self, value: Any) -> None:
        self.value = value


class _Environment(SandboxedEnvironment):
    """The sandbox, letting templates call ``dbt_utils._private_macro`` (single underscore).

    Besides Jinja's rules (no ``_`` attributes, no function internals), a template never gets a
    Python module (``modules.re.enum.sys`` would lead to ``os``), a path (``read_text``) or
    shiftleft's own render state."""

    def is_safe_attribute(self, obj: Any, attr: str, value: Any) -> bool:
        if isinstance(value, (types.ModuleType, PurePath, _ModelState, Renderer)):
            return False
        if isinstance(obj, Namespace):
            return not attr.startswith("__") and attr not in vars(obj)
        return super().is_safe_attribute(obj, attr, value)


class _Module:
    """A module as ``modules.re`` shows it: its public functions, classes and constants only."""

    def __init__(self, module: types.ModuleType) -> None:
        self._module = module

    def __getattr__(self, attr: str) -> Any:
        value = getattr(self._module, attr, None) if not attr.startswith("_") else None
        if value is None or isinstance(value, types.ModuleType):
            raise AttributeError(attr)
        return value


#: ``modules`` in a template (dbt also has pytz, not needed to render SQL)
_MODULES = {m.__name__: _Module(m) for m in (datetime, itertools, re)}


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

    def __init__(self, name: str, lookup: Callable[[str], Any]) -> None:
        self._name = name
        self._lookup = lookup

    def __getattr__(self, attr: str) -> Any:
        if attr.startswith("__"):
            raise AttributeError(attr)
        found = self._lookup(attr)
        if found is None:
            raise RenderError(
                f"macro {self._name}.{attr} is not available: neither shiftleft nor a package in "
                "dbt_packages/ defines it",
                name=f"{self._name}.{attr}",
            )
        return found


class _Config:
    """``config(...)`` in a model, plus ``config.get`` / ``config.require`` in macros."""

    def __init__(self, values: dict[str, Any]) -> None:
        self.values = values

    def __call__(self, *args: Any, **kwargs: Any) -> str:
        if args and isinstance(args[0], dict):
            kwargs = {**args[0], **kwargs}
        merge_config(self.values, kwargs)  # tags add up, meta merges, as in dbt
        return ""

    def get(self, key: str, default: Any = None) -> Any:
        return self.values.get(key, default)

    def require(self, key: str) -> Any:
        if key not in self.values:
            raise RenderError(f"config {key!r} is required here", name=key)
        return self.values[key]


@dataclass
class Rendered:
    """The SQL of one node after rendering, and what rendering learnt about it."""

    sql: str
    refs: list[str] = field(default_factory=list)  #: unique ids of the models / seeds / snapshots
    sources: list[str] = field(default_factory=list)  #: unique ids of the sources
    config: dict[str, Any] = field(default_factory=dict)
    ephemerals: list[str] = field(default_factory=list)  #: ephemeral models to inline as CTEs
    notes: list[tuple[str, str]] = field(default_factory=list)  #: (severity, message)

    @property
    def enabled(self) -> bool:
        """False when the model disabled itself: ``{{ config(enabled=false) }}`` in its file.

        load_project drops nodes disabled in dbt_project.yml or a properties file; an in-file
        config is only known here, after rendering, so the caller must drop such a node (and
        treat refs to it as refs to a disabled model)."""
        return is_enabled(self.config)


@dataclass
class _Macro:
    package: str
    name: str
    template: jinja2.Template
    exported: str = ""  #: the name the template's module exports it under


class Renderer:
    """Renders the models of one dbt project; create once, call :meth:`render` per node."""

    def __init__(
        self,
        project: DbtProject,
        *,
        read: str,
        target_name: str = "dev",
        env: Mapping[str, str] | None = None,
    ) -> None:
        self.project = project
        self.read = read
        self.adapter = DIALECT_ADAPTERS.get(read, read)
        self.target_name = target_name
        self.env = dict(os.environ if env is None else env)
        self.environment = _Environment(
            extensions=["jinja2.ext.do", "jinja2.ext.loopcontrols"],
            undefined=jinja2.StrictUndefined,
            keep_trailing_newline=True,
        )
        self._templates: dict[str, jinja2.Template] = {}
        self.macros: dict[str, dict[str, _Macro]] = {}
        #: (package.macro, "file line N: message") of macros that are not valid Jinja
        self.macro_errors: list[tuple[str, str]] = []
        self.macro_files: set[str] = set()  #: the file names macro templates carry
        for file in project.macros:
            self._read_macros(file.package, file.path, file.text)
        self.by_name: dict[tuple[str, str], Node] = {}
        self.sources: dict[tuple[str, str], Node] = {}
        #: names of the disabled models / seeds / snapshots (a ref to one is an error)
        for node in project.nodes.values():
            if node.resource_type == "source":
                self.sources[(node.source_name or "", node.name)] = node
            else:
                self.by_name.setdefault((node.resource_type, node.name), node)

    def _read_macros(self, package: str, path: Any, text: str) -> None:
        """Compile each macro of one file as its own template, named after the file, with the
        file's line numbers (so that errors point into the file)."""
        try:
            filename = PurePath(path).relative_to(self.project.root).as_posix()
        except ValueError:
            filename = PurePath(path).as_posix()
        self.macro_files.add(filename)
        for match in _MACRO_BLOCK.finditer(text):
            open_l, kind, name, args, open_r, body, end_l, end_r = match.groups()
            macro_name = f"test_{name}" if kind == "test" else name
            # Jinja does not export a module's `_private` names: compile those under another
            exported = f"shiftleft{macro_name}" if macro_name.startswith("_") else macro_name
            source = (
                "\n" * text.count("\n", 0, match.start())
                + f"{{%{open_l} macro {exported}{args} {open_r}%}}{body}"
                + f"{{%{end_l} endmacro {end_r}%}}"
            )
            try:
                template = self._compile(source, macro_name, filename)
            except jinja2.TemplateSyntaxError as e:
                if self._read_whole_file(package, text, filename):
                    return  # e.g. an `{% endmacro %}` inside a string literal
                self.macro_errors.append(
                    (f"{package}.{macro_name}", f"{filename} line {e.lineno}: {e.message}")
                )
                continue
            self.macros.setdefault(package, {})[macro_name] = _Macro(
                package, macro_name, template, exported
            )

    def _compile(self, source: str, name: str, filename: str) -> jinja2.Template:
        code = self.environment.compile(source, name=name, filename=filename)
        return self.environment.template_class.from_code(
            self.environment, code, self.environment.make_globals(None)
        )

    def _read_whole_file(self, package: str, text: str, filename: str) -> bool:
        """Compile a macro file as one template, as dbt does (when cutting it into macro
        blocks went wrong); True when that worked and its macros are registered."""
        renamed = _MACRO_DEF.sub(
            lambda m: m.group(1) + ("shiftleft" if m.group(2).startswith("_") else "") + m.group(2),
            text,
        )
        try:
            template = self._compile(renamed, filename, filename)
        except jinja2.TemplateSyntaxError:
            return False
        for name in _MACRO_DEF_NAMES.findall(text):
            exported = f"shiftleft{name}" if name.startswith("_") else name
            self.macros.setdefault(package, {})[name] = _Macro(package, name, template, exported)
        return True

    def broken_macro(self, name: str | None) -> str | None:
        """Why macro ``name`` (``pkg.name`` or ``name``) could not be read, if it could not."""
        for qualified, why in self.macro_errors:
            if name and (qualified == name or qualified.split(".", 1)[1] == name):
                return why
        return None

    # -- lookups -----------------------------------------------------------------------------

    @property
    def disabled(self) -> set[str]:
        """Names of the disabled nodes (in files, or by a config() found while rendering)."""
        return {uid.split(".")[-1] for uid in self.project.disabled}

    def find_ref(self, name: str) -> Node | None:
        for kind in ("model", "seed", "snapshot"):
            node = self.by_name.get((kind, name))
            if node is not None and node.unique_id in self.project.nodes:  # not disabled since
                return node
        return None

    def _template(self, text: str) -> jinja2.Template:
        """The compiled template of ``text`` (a model is rendered two or three times)."""
        template = self._templates.get(text)
        if template is None:
            template = self._templates[text] = self.environment.from_string(text)
        return template

    def body(self, node: Node) -> str:
        """The Jinja text of a node (a snapshot's text between its snapshot tags)."""
        if node.resource_type == "snapshot":
            for name, body in _SNAPSHOT_BLOCK.findall(node.raw_code):
                if name == node.name:
                    return body
        return node.raw_code

    # -- rendering ---------------------------------------------------------------------------

    def render(
        self,
        node: Node,
        *,
        columns: Callable[[Node], list[tuple[str, str]] | None] = lambda node: None,
        incremental: bool = False,
        capture: bool = False,
    ) -> Rendered:
        """Render ``node``'s SQL.

        ``columns`` gives the (name, type) of a parent's columns when known (for ``star``).
        ``incremental``: render ``is_incremental()`` as true (to find the incremental filter).
        ``capture``: a first pass that only collects refs, sources and config: refs to unknown
        models and unknown columns are not errors yet.
        """
        state = _ModelState(self, node, columns=columns, incremental=incremental, capture=capture)
        try:
            template = self._template(self.body(node))
        except jinja2.TemplateSyntaxError as e:
            raise RenderError(f"Jinja syntax error: {e.message}", line=e.lineno) from None
        try:
            sql = template.render(state.context())
        except RenderError as e:
            e.line = e.line or _template_line(e)
            e.message += self._macro_where(e)
            e.args = (e.message,)
            raise
        except jinja2.UndefinedError as e:
            name = _undefined_name(str(e))
            broken = self.broken_macro(name)
            message = (
                f"macro {name} is not valid Jinja ({broken})"
                if broken
                else f"{e.message}: a macro or variable that neither dbt, shiftleft nor the "
                "project defines"
            )
            raise RenderError(
                message + self._macro_where(e), line=_template_line(e), name=name
            ) from None
        except _MacroReturn as e:  # `return()` at model level: dbt renders the value
            sql = str(e.value)
        except (
            jinja2.TemplateError, TypeError, ValueError, KeyError, AttributeError, IndexError,
            ArithmeticError, RecursionError, MemoryError,
        ) as e:  # fmt: skip
            raise RenderError(
                f"cannot render: {type(e).__name__}: {e}{self._macro_where(e)}",
                line=_template_line(e),
            ) from None
        if len(sql) > MAX_RENDERED_CHARS:
            raise RenderError(
                f"the model renders to {len(sql)} characters, more than the limit of "
                f"{MAX_RENDERED_CHARS}; not migrated"
            )
        if not _has_sql(sql) and not capture:
            raise RenderError("the model renders to nothing (or only comments)")
        return Rendered(
            sql=sql.strip(),
            refs=list(dict.fromkeys(state.refs)),
            sources=list(dict.fromkeys(state.sources)),
            config=state.config.values,
            ephemerals=list(dict.fromkeys(state.ephemerals)),
            notes=state.notes,
        )

    def render_text(self, node: Node, text: str) -> str:
        """A Jinja value of a YAML file (``identifier: "{{ var('x', 'y') }}"``), rendered in
        ``node``'s context; raises :class:`RenderError`."""
        state = _ModelState(self, node, columns=lambda n: None, incremental=False, capture=True)
        try:
            return str(self._template(text).render(state.context())).strip()
        except RenderError:
            raise
        except (jinja2.TemplateError, TypeError, ValueError, KeyError, AttributeError) as e:
            raise RenderError(f"cannot render {text!r}: {type(e).__name__}: {e}") from None

    def _macro_where(self, error: BaseException) -> str:
        """`` (in macros/x.sql line N)``: where in a macro file ``error`` was raised, if there."""
        where = ""
        for frame in traceback.extract_tb(error.__traceback__):
            if frame.filename in self.macro_files:
                where = f" (in {frame.filename} line {frame.lineno})"
        return where


def _template_line(error: BaseException) -> int | None:
    """The line in the model where ``error`` was raised (Jinja maps frames to templates; those
    of macros carry the macro file's name, so this is the line of the call in the model)."""
    line = None
    for frame in traceback.extract_tb(error.__traceback__):
        if frame.filename == "<template>":
            line = frame.lineno
    return line


def _undefined_name(message: str) -> str | None:
    found = re.search(r"'([^']+)' is undefined", message) or re.search(
        r"has no attribute '([^']+)'", message
    )
    return found.group(1) if found else None


class _ModelState:
    """The context of one render: what the model called, and the callables it sees."""

    def __init__(
        self,
        renderer: Renderer,
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
        self.notes: list[tuple[str, str]] = []
        self.config = _Config(dict(node.config))
        self.modules: dict[tuple[str, str], Any] = {}
        self._contexts: dict[str, dict[str, Any]] = {}

    # dbt functions ---------------------------------------------------------------------------

    def ref(self, *args: Any, **kwargs: Any) -> Relation:
        if not args or len(args) > 2:
            raise RenderError("ref() takes a model name, or a package and a model name", name="ref")
        name = str(args[-1])
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
        return Relation(
            target.table_name,
            self.r.read,
            type="view" if target.materialized == "view" else "table",
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
        return Relation(node.table_name, self.r.read)

    def var(self, name: str, default: Any = package_macros.MISSING) -> Any:
        if name in self.r.project.vars:
            return self.r.project.vars[name]
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
        return self.incremental

    def do_return(self, value: Any) -> None:
        raise _MacroReturn(value)

    def run_query(self, *args: Any, **kwargs: Any) -> None:
        raise RenderError(
            "run_query() needs a live database, which a migration does not have; "
            "render the values into the model or use a seed",
            name="run_query",
        )

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
                except _MacroReturn as r:
                    return r.value

            self.modules[key] = call
        return self.modules[key]

    def namespace_lookup(self, package: str) -> Callable[[str], Any]:
        def lookup(name: str) -> Any:
            if package == "dbt":
                return package_macros.dbt_macro(self, name)
            mapped = package_macros.package_macro(self, package, name)
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
        raise RenderError(
            f"adapter.dispatch({macro_name!r}, {namespace!r}) found no implementation "
            f"({self.r.adapter}__{macro_name} or default__{macro_name})",
            name=f"{namespace}.{macro_name}",
        )

    def context(self, package: str | None = None) -> dict[str, Any]:
        """The Jinja globals: dbt functions + the root project's macros (+ ``package``'s own)."""
        key = package or ""
        if key in self._contexts:
            return self._contexts[key]
        project = self.r.project
        this = Relation(self.node.table_name, self.r.read)
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
            "target": {
                "name": self.r.target_name,
                "type": self.r.adapter,
                "schema": "main",
                "database": project.name,
                "threads": 1,
                "profile_name": project.profile or project.name,
            },
            "project_name": project.name,
            "is_incremental": self.is_incremental,
            "should_full_refresh": lambda: True,
            "execute": True,
            "flags": {"FULL_REFRESH": True, "WHICH": "compile"},
            "return": self.do_return,
            "run_query": self.run_query,
            "statement": self.run_query,
            "log": self.log,
            "print": self.log,
            "exceptions": {
                "raise_compiler_error": self.raise_compiler_error,
                "warn": self.log,
                "raise_not_implemented": self.raise_compiler_error,
            },
            "modules": _MODULES,
            "tojson": package_macros.tojson,
            "fromjson": package_macros.fromjson,
            "zip": zip,
            "set": set,
            "adapter": package_macros.Adapter(self),
            "api": {
                "Relation": {
                    "create": lambda **kw: Relation(str(kw.get("identifier")), self.r.read)
                }
            },
            "dbt": Namespace("dbt", self.namespace_lookup("dbt")),
        }
        for name in [*project.packages, "dbt_utils", project.name]:
            context[name] = Namespace(name, self.namespace_lookup(name))
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


def inject_ctes(sql: str, ctes: list[tuple[str, str]], read: str) -> str:
    """Put ``WITH name AS (sql)`` blocks in front of ``sql`` (merging into its own WITH), as
    dbt does for ephemeral models."""
    if not ctes:
        return sql
    block = ", ".join(f"{name} as (\n{body}\n)" for name, body in ctes)
    try:
        toks = Dialect.get_or_raise(read).tokenize(sql)
    except Exception:  # noqa: BLE001 - unreadable SQL: the parser will report it later
        toks = []
    if toks and toks[0].token_type is tokens.TokenType.WITH:
        start = toks[0].end + 1
        after = sql[start:]
        recursive = re.match(r"\s*recursive\b", after, re.IGNORECASE)
        if recursive:
            start += recursive.end()
        return f"{sql[:start]} {block}, {sql[start:].lstrip()}"
    return f"with {block}\n{sql}"
