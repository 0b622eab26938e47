"""The types the Jinja rendering modules share: what a model's render state reads of the
renderer, and what the macro modules (:mod:`~shiftleft.migration.package_macros`,
:mod:`~shiftleft.migration.relation_macros`, :mod:`~shiftleft.migration.query_answers`) read
of the render state.

They are protocols so that each side types against this module, not against the other:
``render`` builds a ``render_state._ModelState`` and calls the macro modules through it, and
none of these imports ``render`` or ``render_state`` back (no import cycle, not even one of
type-checking imports)."""

from __future__ import annotations

import datetime

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

import jinja2

from shiftleft.migration.project import DbtProject, Node
from shiftleft.migration.render_values import Relation


@dataclass
class Macro:
    """One Jinja macro of the project or of a package, compiled."""

    package: str
    name: str
    template: jinja2.Template
    exported: str = ""  #: the name the template's module exports it under


class RendererView(Protocol):
    """What a model's render reads of its :class:`~shiftleft.migration.render.Renderer`."""

    @property
    def project(self) -> DbtProject: ...
    @property
    def read(self) -> str: ...  #: the input dialect
    @property
    def adapter(self) -> str: ...  #: the dbt adapter name of that dialect
    @property
    def target_name(self) -> str: ...
    @property
    def env(self) -> Mapping[str, str]: ...
    @property
    def graph(self) -> dict[str, Any]: ...
    @property
    def selected_resources(self) -> list[str]: ...
    @property
    def macros(self) -> Mapping[str, Mapping[str, Macro]]: ...
    @property
    def sources(self) -> Mapping[tuple[str, str], Node]: ...
    @property
    def disabled(self) -> set[str]: ...

    @property
    def run_started_at(self) -> datetime.datetime: ...  #: dbt's run_started_at

    def find_ref(self, name: str) -> Node | None: ...
    def template(self, text: str) -> jinja2.Template: ...  #: ``text`` compiled (cached)


class ModelContext(Protocol):
    """What the macro modules read of one model's render (``render_state._ModelState``)."""

    @property
    def r(self) -> RendererView: ...
    @property
    def node(self) -> Node: ...
    @property
    def capture(self) -> bool: ...  #: the first pass, that only collects refs and config
    @property
    def refs(self) -> list[str]: ...
    @property
    def sources(self) -> list[str]: ...
    @property
    def columns_of(self) -> Callable[[Node], list[tuple[str, str]] | None]: ...

    def relation_of(self, node: Node) -> Relation: ...
    def is_incremental(self) -> bool: ...
    def note(self, severity: str, message: str, code: str) -> None: ...
    def dispatch(self, macro_name: str, macro_namespace: str | None = None, packages: Any = None) -> Any: ...
