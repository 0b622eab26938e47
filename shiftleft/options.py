"""The options of a translation, as one typed, validated object.

:class:`TranspileOptions` is what :func:`shiftleft.transpile`, the command line, ``verify`` and
the batch / streamed runs pass around; :class:`MigrateOptions` adds what
:func:`shiftleft.migrate` needs for a whole project.  Every check of an option lives here, in the
model: a bad value raises :class:`~shiftleft.errors.ConfigError` when the object is built,
before any SQL is read.

Callers keep the keyword style: ``transpile(sql, read="spark", mode="batch")`` builds
``TranspileOptions(read="spark", mode="batch")``; ``transpile(sql, options)`` takes a ready one,
and ``transpile(sql, options, pretty=True)`` overrides some of its fields.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from enum import Enum
from functools import lru_cache
from pathlib import Path
from typing import Any, TypeVar

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    ValidationError,
    field_validator,
    model_validator,
)
from sqlglot import exp
from typing_extensions import Self, TypedDict

from shiftleft.dialects.user_functions import load_functions
from shiftleft.errors import ConfigError
from shiftleft.llm.config import LLMConfig
from shiftleft.models import Mode, Target
from shiftleft.parse import get_dialect
from shiftleft.rewrite.registry import RuleSet, resolve_rules
from shiftleft.streaming.options import StreamingOptions
from shiftleft.streaming.sink import SinkOptions

_E = TypeVar("_E", bound=Enum)


class TranspileKwargs(TypedDict, total=False):
    """The keyword arguments of :func:`shiftleft.transpile` (each a :class:`TranspileOptions` field)."""

    read: str
    target: Target | str
    mode: Mode | str
    schema: Mapping[str, Mapping[str, str]] | None
    event_time: Mapping[str, str] | None
    rules: RuleSet | Sequence[str | Path] | None
    disable: Iterable[str]
    pretty: bool
    llm: LLMConfig | bool | None
    sink: str | SinkOptions | None
    sources: bool
    streaming: StreamingOptions | None
    functions: Mapping[str, str] | str | Path | None


def enum_value(value: object, enum: type[_E], what: str) -> _E:
    """``value`` (a member or its name, any case) as a member of ``enum``, or a ConfigError."""
    try:
        return enum(value.value if isinstance(value, enum) else str(value).lower())
    except ValueError:
        allowed = ", ".join(repr(m.value) for m in enum)
        raise ConfigError(f"unknown {what} {value!r}; expected one of {allowed}") from None


def _config_error(error: ValidationError) -> ConfigError:
    first = error.errors()[0]
    where = ".".join(str(p) for p in first["loc"]) or "options"
    if first["type"] == "extra_forbidden":
        return ConfigError(f"unknown option {where!r}")
    return ConfigError(f"{where}: {first['msg']}")


def _path_or_mapping(value: object, expected: str) -> Path | dict[Any, Any] | None:
    """A file / folder option that may also be given inline as a mapping."""
    if value is None or isinstance(value, Path):
        return value
    if isinstance(value, str):
        return Path(value)
    if isinstance(value, Mapping):
        return dict(value)
    raise ConfigError(f"{expected}, not {type(value).__name__}")


def _dialect_name(value: object) -> str:
    if not isinstance(value, str):
        raise ConfigError(f"read must be a dialect name, not {value!r}")
    get_dialect(value, role="read")
    return value


#: keyword values that cannot change after the call (hashable, immutable)
_SCALARS = frozenset({str, bool, int, float, type(None)})
#: options naming files read when used (rule packs, function mappings): read again per call,
#: as the user may edit them between calls
_FILE_BACKED = frozenset({"rules", "functions"})


@lru_cache(maxsize=256)
def _scalar_options(cls: type[TranspileOptions], items: tuple[tuple[str, Any], ...]) -> TranspileOptions:
    """``cls(**dict(items))``, built once per class and keywords (a ConfigError is not kept)."""
    return cls(**dict(items))


class TranspileOptions(BaseModel):
    """How to translate a script (the parameters of :func:`shiftleft.transpile`).

    * ``read``: sqlglot dialect of the input (``spark``, ``databricks``, ``hive``, ``duckdb``, ...).
    * ``target``: ``"flink"`` (open-source Flink 2.x) or ``"confluent"`` (Confluent Cloud).
    * ``mode``: ``"streaming"`` or ``"batch"``; some rules apply to one mode only.
    * ``schema``: column types, ``{"table": {"column": "TYPE"}}`` (e.g. whether ``a / b`` divides
      integers).
    * ``event_time``: the event-time column of each source table, ``{"orders": "order_ts"}``.
    * ``rules``: extra rule-pack directories, or a ready :class:`~shiftleft.rewrite.registry.RuleSet`;
      ``disable``: rule ids or names to switch off.
    * ``pretty``: format the output over several lines.
    * ``llm``: the LLM fallback (``True`` for the defaults, or an :class:`~shiftleft.llm.LLMConfig`).
    * ``sink``: write the script's query into a sink table of this name (or
      :class:`~shiftleft.streaming.sink.SinkOptions`).
    * ``sources``: also write ``CREATE TABLE`` statements for the tables the script reads.
    * ``streaming``: streaming policies (:class:`~shiftleft.streaming.options.StreamingOptions`).
    * ``functions``: user mappings for project-specific functions, or a YAML / JSON / TOML file.
    """

    model_config = ConfigDict(
        frozen=True, extra="forbid", arbitrary_types_allowed=True, populate_by_name=True
    )

    read: str = "spark"
    target: Target = Target.FLINK
    mode: Mode = Mode.STREAMING
    #: ``schema`` in keywords (the name ``schema`` is taken by pydantic's BaseModel)
    schema_: dict[str, dict[str, str]] = Field(default_factory=dict, alias="schema")
    event_time: dict[str, str] = Field(default_factory=dict)
    rules: RuleSet | tuple[str, ...] | None = None
    disable: tuple[str, ...] = ()
    pretty: bool = False
    llm: LLMConfig | None = None
    sink: SinkOptions | None = None
    sources: bool = False
    streaming: StreamingOptions = Field(default_factory=StreamingOptions)
    functions: dict[str, str] | Path | None = None

    # what validation computed, kept for use (dropped when pickled to a worker process)
    _ruleset: RuleSet | None = PrivateAttr(default=None)
    _functions: dict[str, exp.Expr] | None = PrivateAttr(default=None)

    @classmethod
    def of(cls, options: TranspileOptions | None = None, /, **kwargs: Any) -> Self:
        """``options`` with ``kwargs`` overriding its fields (each checked), as a new object."""
        if options is not None and not isinstance(options, TranspileOptions):
            raise ConfigError(f"options must be {cls.__name__}, not {type(options).__name__}")
        if type(options) is cls and not kwargs:
            return options
        if (
            options is None
            and all(type(v) in _SCALARS or isinstance(v, Enum) for v in kwargs.values())
            and not _FILE_BACKED.intersection(kwargs)
        ):
            # the common call (``transpile(sql, read="spark", mode="batch")``): immutable
            # inputs give an equal object, so one is built per set of keywords and reused
            # (with the rule set it resolves), not validated again on every call
            return _scalar_options(cls, tuple(sorted(kwargs.items())))  # type: ignore[return-value]
        data = {**(options.explicit() if options is not None else {}), **kwargs}
        # the constructor, not model_validate: with a custom __init__ pydantic's model_validate
        # runs the validation (and the rule-pack resolution after it) twice
        return cls(**data)

    def explicit(self, *, exclude: Iterable[str] = ()) -> dict[str, Any]:
        """The fields set explicitly, as keyword arguments (``schema`` by its public name)."""
        skip = set(exclude)
        out = {}
        for name in sorted(self.model_fields_set):
            key = type(self).model_fields[name].alias or name
            if key not in skip and name not in skip:
                out[key] = getattr(self, name)
        return out

    def ruleset(self) -> RuleSet:
        """The rules of this translation (built-in + ``rules`` packs, without ``disable``)."""
        if self._ruleset is None:
            self._ruleset = resolve_rules(self.rules, self.disable)
        return self._ruleset

    def user_functions(self) -> dict[str, exp.Expr]:
        """The parsed ``functions`` templates, keyed by lower-case function name."""
        if self._functions is None:
            self._functions = load_functions(self.functions)
        return self._functions

    def __eq__(self, other: object) -> bool:  # the fields; not what was computed from them
        return type(other) is type(self) and self.__dict__ == other.__dict__

    __hash__ = None  # type: ignore[assignment]  # mutable mappings inside

    def __getstate__(self) -> dict[Any, Any]:
        state = dict(super().__getstate__())
        state["__pydantic_private__"] = {"_ruleset": None, "_functions": None}
        return state

    # -- validation (ConfigError with the message users know) ------------------------------

    def __init__(self, /, **data: Any) -> None:
        try:
            super().__init__(**data)
        except ValidationError as e:
            raise _config_error(e) from None

    @field_validator("read", mode="before")
    @classmethod
    def _read(cls, value: object) -> object:
        return _dialect_name(value)

    @field_validator("target", mode="before")
    @classmethod
    def _target(cls, value: object) -> Target:
        return enum_value(value, Target, "target")

    @field_validator("mode", mode="before")
    @classmethod
    def _mode(cls, value: object) -> Mode:
        return enum_value(value, Mode, "mode")

    @field_validator("schema_", mode="before")
    @classmethod
    def _schema(cls, value: object) -> dict[str, dict[str, str]]:
        if value is None:
            return {}
        if not isinstance(value, Mapping) or not all(
            isinstance(t, str)
            and isinstance(cols, Mapping)
            and all(isinstance(c, str) and isinstance(ty, str) for c, ty in cols.items())
            for t, cols in value.items()
        ):
            raise ConfigError('schema must look like {"table": {"column": "TYPE", ...}, ...}')
        return {t: dict(cols) for t, cols in value.items()}

    @field_validator("event_time", mode="before")
    @classmethod
    def _event_time(cls, value: object) -> dict[str, str]:
        if value is None:
            return {}
        if not isinstance(value, Mapping) or not all(
            isinstance(t, str) and isinstance(c, str) for t, c in value.items()
        ):
            raise ConfigError('event_time must look like {"table": "event_time_column", ...}')
        return dict(value)

    @field_validator("rules", mode="before")
    @classmethod
    def _rules(cls, value: object) -> RuleSet | tuple[str, ...] | None:
        if value is None or isinstance(value, RuleSet):
            return value
        if isinstance(value, (str, Path)):
            return (str(value),)
        if isinstance(value, Iterable) and all(isinstance(p, (str, Path)) for p in value):
            return tuple(str(p) for p in value) or None
        raise ConfigError(f"rules must be rule-pack directories or a RuleSet, not {value!r}")

    @field_validator("disable", mode="before")
    @classmethod
    def _disable(cls, value: object) -> tuple[str, ...]:
        if value is None:
            return ()
        if isinstance(value, str):
            return (value,)
        if isinstance(value, Iterable) and all(isinstance(r, str) for r in value):
            return tuple(value)
        raise ConfigError(f"disable must be rule ids or names, not {value!r}")

    @field_validator("llm", mode="before")
    @classmethod
    def _llm(cls, value: object) -> LLMConfig | None:
        if value is None or value is False:
            return None
        if value is True:
            return LLMConfig()
        if not isinstance(value, LLMConfig):
            raise ConfigError(f"llm must be True, False, None or an LLMConfig, not {type(value).__name__}")
        return value if value.enabled else None

    @field_validator("sink", mode="before")
    @classmethod
    def _sink(cls, value: object) -> SinkOptions | None:
        if value is None or isinstance(value, SinkOptions):
            return value
        if isinstance(value, str) and value.strip():
            return SinkOptions(name=value.strip())
        raise ConfigError(f"sink must be a table name or SinkOptions, not {value!r}")

    @field_validator("streaming", mode="before")
    @classmethod
    def _streaming(cls, value: object) -> StreamingOptions:
        if value is None:
            return StreamingOptions()
        if not isinstance(value, StreamingOptions):
            raise ConfigError(f"streaming must be StreamingOptions, not {type(value).__name__}")
        return value

    @field_validator("functions", mode="before")
    @classmethod
    def _functions_source(cls, value: object) -> object:
        return _path_or_mapping(value, "functions must be a mapping or a file path")

    @model_validator(mode="after")
    def _resolve(self) -> Self:
        """Load the rule packs and parse the function templates now: a bad pack, an unknown
        rule id or a bad template is a ConfigError of the options, not of the first statement."""
        self.ruleset()
        self.user_functions()
        return self


class MigrateKwargs(TypedDict, total=False):
    """The keyword arguments of :func:`shiftleft.migrate` (each a :class:`MigrateOptions` field)."""

    read: str | None
    target: Target | str
    mode: Mode | str
    rules: Sequence[str | Path] | None
    disable: Iterable[str]
    llm: LLMConfig | bool | None
    sink: SinkOptions | None
    streaming: StreamingOptions | None
    functions: Mapping[str, str] | str | Path | None
    vars: Mapping[str, Any] | None
    layout: str | Path | None
    catalog: str | Path | None
    force: bool
    jobs: int | None
    env: Mapping[str, str] | None
    progress: Callable[[int, int, str], None] | None
    plan: bool | None
    on_plan: Callable[[Any, Any], None] | None


#: options each model's translation derives itself in a migration
_PER_MODEL = ("schema", "sources")  # event_time: migrate overrides, see migration.event_times


class MigrateOptions(TranspileOptions):
    """The options of :func:`shiftleft.migrate`: those of the translation of every model
    (``read`` may stay None: the project's profile decides) plus the project-wide ones.

    * ``vars``: dbt variables, as ``dbt --vars``; ``layout``: a ``shiftleft.yml`` with a
      ``layout:`` section; ``catalog``: dbt's ``catalog.json`` (column lists and types; default:
      the project's ``target/catalog.json`` when present); ``force``: overwrite files edited since the last migration;
      ``jobs``: worker processes; ``env``: environment variables for ``env_var()``;
      ``progress``: called with (done, total, node name); ``plan``: plan every table on the
      embedded Flink (None: when it can run here, see :mod:`shiftleft.migration.plan_check`;
      True: required; False: never); ``on_plan``: called with each table and its verdict.
    """

    read: str | None = None  # type: ignore[assignment]  # None: the project's profile, else spark
    vars: dict[str, Any] = Field(default_factory=dict)
    layout: Path | None = None
    catalog: Path | None = None
    force: bool = False
    jobs: int | None = Field(default=None, ge=0)
    env: dict[str, str] | None = None
    progress: Callable[[int, int, str], None] | None = None
    plan: bool | None = None
    on_plan: Callable[[Any, Any], None] | None = None

    @field_validator("read", mode="before")
    @classmethod
    def _read(cls, value: object) -> object:
        return value if value is None else _dialect_name(value)

    @field_validator("vars", mode="before")
    @classmethod
    def _vars(cls, value: object) -> dict[str, Any]:
        if value is None:
            return {}
        if not isinstance(value, Mapping):
            raise ConfigError(f"vars must be a mapping, not {type(value).__name__}")
        return dict(value)

    @model_validator(mode="after")
    def _no_per_model_options(self) -> Self:
        given = [f for f in _PER_MODEL if self.explicit().get(f)]  # None / {} / False: not given
        if given:
            raise ConfigError(
                f"{', '.join(given)}: not an option of migrate (each model's columns "
                "and sources come from the project)"
            )
        return self

    def translation(self, read: str) -> TranspileOptions:
        """The options of every model's translation, models being in dialect ``read``."""
        keep = set(TranspileOptions.model_fields) - set(_PER_MODEL) - {"schema_", "read"}
        options = TranspileOptions.of(read=read, **{k: v for k, v in self.explicit().items() if k in keep})
        options._ruleset = self._ruleset  # the same rules and disable: already loaded
        return options


class VerifyKwargs(TranspileKwargs, total=False):
    """The keyword arguments of :func:`shiftleft.verify` (each a :class:`VerifyOptions` field)."""

    seeds: Any
    generate_rows: int
    keys: Sequence[str | int] | None
    rel_tol: float
    plan: bool
    reconcile: bool
    planner: Any
    duckdb_connection: Any


class VerifyOptions(TranspileOptions):
    """The options of :func:`shiftleft.verify`: those of the translation of the source (when
    ``verify`` translates it) plus where the input rows come from and how rows are compared.

    * ``seeds``: a folder of ``<table>.csv`` / ``.parquet``, or a mapping from table name to a
      file or to a list of row dicts (typed by ``schema`` when given).
    * ``generate_rows``: rows generated per table of ``schema`` that has no seed (deterministic).
    * ``keys``: result columns identifying a row in the diff; ``rel_tol``: relative tolerance
      of decimals and floats.
    * ``plan`` / ``reconcile``: which checks run.
    * ``planner``: a :class:`~shiftleft.flink_engine.FlinkPlanner` (default: the process's own);
      ``duckdb_connection``: a DuckDB connection whose tables are the input.
    """

    seeds: Any = None
    generate_rows: int = Field(default=0, ge=0)
    keys: tuple[str | int, ...] | None = None
    rel_tol: float = Field(default=1e-6, ge=0)
    plan: bool = True
    reconcile: bool = True
    planner: Any = None
    duckdb_connection: Any = None

    @field_validator("seeds", mode="before")
    @classmethod
    def _seeds(cls, value: object) -> object:
        return _path_or_mapping(value, "seeds must be a folder or a mapping of table -> rows or file")

    @field_validator("keys", mode="before")
    @classmethod
    def _keys(cls, value: object) -> object:
        if value is None or (isinstance(value, Sequence) and not value):
            return None
        if isinstance(value, (str, int)):
            return (value,)
        return tuple(value) if isinstance(value, Iterable) else value

    def translation(self) -> TranspileOptions:
        """The options of the source's translation (without the verification's own)."""
        keep = set(TranspileOptions.model_fields)
        options = TranspileOptions.of(**{k: v for k, v in self.explicit().items() if (k if k != "schema" else "schema_") in keep})
        options._ruleset = self._ruleset
        return options
