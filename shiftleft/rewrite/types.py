"""Data types built from their text once: ``exp.DataType.build("STRING")`` parses the text
with a new parser each call (about 0.2 ms, more than a rule's whole work on a node);
:func:`data_type` parses each (text, dialect) once and hands out copies."""

from __future__ import annotations

from functools import lru_cache

from sqlglot import exp
from sqlglot.dialects.dialect import Dialect


@lru_cache(maxsize=64)
def dialect(name: str) -> Dialect:
    """``Dialect.get_or_raise(name)``, one object per name (``get_or_raise`` builds a new one
    per call; a dialect only makes tokenizers, parsers and generators, each new)."""
    return Dialect.get_or_raise(name)


@lru_cache(maxsize=512)
def _parsed(text: str, dialect: str | None) -> exp.DataType:
    return exp.DataType.build(text, dialect=dialect)


def data_type(text: str, dialect: str | None = None) -> exp.DataType:
    """``exp.DataType.build(text, dialect=dialect)``: a new tree the caller may change; errors
    as ``build`` raises them (not kept)."""
    return _parsed(text, dialect).copy()
