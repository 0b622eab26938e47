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

import ast
import datetime
import os
import re
import traceback
import types
from collections.abc import Callable, Mapping
from pathlib import PurePath
from typing import Any

import jinja2
from jinja2.sandbox import SandboxedEnvironment
from sqlglot import tokens
from sqlglot.dialects.dialect import Dialect

from shiftleft.migration import graph_context
from shiftleft.migration.render_context import Macro
from shiftleft.migration.render_state import _ModelState
from shiftleft.migration.render_values import (  # re-exported: the renderer's vocabulary
    ColumnInfo,
    MacroReturn,
    Namespace,
    Relation,
    Rendered,
    RenderError,
    table_identifier,
)
from shiftleft.migration.project import DbtProject, Node

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


class _Undefined(jinja2.StrictUndefined):
    """Jinja's StrictUndefined (an unknown name or attribute is an error), except for a key a
    template's own data lacks (a dict or list): false and equal to nothing in a test, as in
    dbt, whose Jinja is lenient (``{% do d.update(...) if not col.is_rename %}`` over dicts
    where only some columns have ``is_rename``)."""

    __slots__ = ()

    def _of_data(self) -> bool:
        return isinstance(self._undefined_obj, dict | list | tuple)

    def __bool__(self) -> bool:  # type: ignore[override]
        return False if self._of_data() else bool(self._fail_with_undefined_error())

    def __eq__(self, other: object) -> bool:  # type: ignore[override]
        return type(self) is type(other) if self._of_data() else self._fail_with_undefined_error()

    def __ne__(self, other: object) -> bool:  # type: ignore[override]
        return not self.__eq__(other)

    __hash__ = jinja2.StrictUndefined.__hash__  # type: ignore[assignment]


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


def _native(value: Any) -> Any:
    """dbt's ``as_native``: the Python literal a string spells (``'[1, 2]'`` -> a list)."""
    if not isinstance(value, str):
        return value
    try:
        return ast.literal_eval(value.strip())
    except (ValueError, SyntaxError, MemoryError, RecursionError):
        return value


def _as_bool(value: Any) -> Any:
    """dbt's ``as_bool``: ``'true'`` / ``'False'`` / ``'1'`` as booleans."""
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    native = _native(value)
    return bool(native) if isinstance(native, (bool, int, float)) else native


def _as_number(value: Any) -> Any:
    native = _native(value)
    return native if isinstance(native, (int, float)) and not isinstance(native, bool) else value


#: the filters dbt adds to Jinja (dbt-core's jinja client): used as ``var('x') | as_bool``
DBT_FILTERS = {"as_bool": _as_bool, "as_native": _native, "as_number": _as_number, "as_text": str}


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
        #: dbt's run_started_at: SOURCE_DATE_EPOCH (reproducible builds) or now, in UTC, to the second
        self.run_started_at = _run_started_at(self.env)
        self.environment = _Environment(
            extensions=["jinja2.ext.do", "jinja2.ext.loopcontrols"],
            undefined=_Undefined,
            keep_trailing_newline=True,
        )
        self.environment.filters.update(DBT_FILTERS)
        #: dbt's graph / selected_resources variables (built once, shared by every render)
        self.graph = graph_context.graph(project)
        self.selected_resources = graph_context.selected_resources(project)
        self._templates: dict[str, jinja2.Template] = {}
        self.macros: dict[str, dict[str, Macro]] = {}
        #: (package.macro, "file line N: message") of macros that are not valid Jinja
        self.macro_errors: list[tuple[str, str]] = []
        self.macro_files: set[str] = set()  #: the file names macro templates carry
        for file in project.macros:
            self._read_macros(file.package, file.path, file.text)
        #: the nodes of each (kind, name): several when a package has a variant per adapter,
        #: all but one disabled by their own config(enabled=...) once rendered
        self.by_name: dict[tuple[str, str], list[Node]] = {}
        self.sources: dict[tuple[str, str], Node] = {}
        #: names of the disabled models / seeds / snapshots (a ref to one is an error)
        for node in project.nodes.values():
            if node.resource_type == "source":
                self.sources[(node.source_name or "", node.name)] = node
            else:
                self.by_name.setdefault((node.resource_type, node.name), []).append(node)

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
            self.macros.setdefault(package, {})[macro_name] = Macro(
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
            self.macros.setdefault(package, {})[name] = Macro(package, name, template, exported)
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
            for node in self.by_name.get((kind, name), []):
                if node.unique_id in self.project.nodes:  # not disabled since
                    return node
        return None

    def template(self, text: str) -> jinja2.Template:
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
            template = self.template(self.body(node))
        except jinja2.TemplateSyntaxError as e:
            raise RenderError(
                f"Jinja syntax error: {e.message}", line=e.lineno, hint="fix the Jinja at that line of the model"
            ) from None
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
        except MacroReturn as e:  # `return()` at model level: dbt renders the value
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
            incremental_calls=state.incremental_calls,
        )

    def project_macro(self, node: Node, name: str, *args: Any) -> str | None:
        """What the root project's macro ``name`` returns (or prints) for ``args``, rendered
        in ``node``'s context; None when the project does not define it.  Raises
        :class:`RenderError`."""
        if name not in self.macros.get(self.project.name, {}):
            return None
        state = _ModelState(self, node, columns=lambda n: None, incremental=False, capture=True)
        try:
            value = state.macro(self.project.name, name)(*args)
        except RenderError as e:
            e.message += self._macro_where(e)
            raise
        except (
            jinja2.TemplateError, TypeError, ValueError, KeyError, AttributeError, IndexError,
            ArithmeticError, RecursionError,
        ) as e:  # fmt: skip
            raise RenderError(
                f"macro {name} cannot be rendered: {type(e).__name__}: {e}{self._macro_where(e)}",
                name=name,
            ) from None
        return None if value is None else str(value).strip()

    def render_text(self, node: Node, text: str) -> str:
        """A Jinja value of a YAML file (``identifier: "{{ var('x', 'y') }}"``), rendered in
        ``node``'s context; raises :class:`RenderError`."""
        state = _ModelState(self, node, columns=lambda n: None, incremental=False, capture=True)
        try:
            return str(self.template(text).render(state.context())).strip()
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


def _run_started_at(env: Mapping[str, str]) -> datetime.datetime:
    epoch = env.get("SOURCE_DATE_EPOCH", "")
    if epoch.strip().isdigit():
        return datetime.datetime.fromtimestamp(int(epoch), tz=datetime.timezone.utc)
    return datetime.datetime.now(tz=datetime.timezone.utc).replace(microsecond=0)


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


__all__ = [
    "ADAPTER_DIALECTS",
    "ColumnInfo",
    "Relation",
    "RenderError",
    "Rendered",
    "Renderer",
    "inject_ctes",
    "table_identifier",
]
