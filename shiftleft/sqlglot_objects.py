"""sqlglot objects built once per process: a dialect per name, a data type per text.

``Dialect.get_or_raise(name)`` builds a new dialect object per call, and
``exp.DataType.build(text)`` parses the text with a new parser per call (about 0.2 ms, more
than a rule's whole work on a node); both are asked for on hot paths (every statement read,
every rule that types a node, every column of a written DDL).
"""

from __future__ import annotations

from functools import lru_cache

from sqlglot import exp
from sqlglot.dialects.dialect import Dialect


@lru_cache(maxsize=64)
def dialect(name: str) -> Dialect:
    """``Dialect.get_or_raise(name)``, one object per name (a dialect only makes tokenizers,
    parsers and generators, each new); raises as ``get_or_raise`` does for an unknown name."""
    return Dialect.get_or_raise(name)


@lru_cache(maxsize=512)
def _parsed(text: str, dialect: str | None) -> exp.DataType:
    return exp.DataType.build(text, dialect=dialect)


def data_type(text: str, dialect: str | None = None) -> exp.DataType:
    """``exp.DataType.build(text, dialect=dialect)``: a new tree the caller may change; errors
    as ``build`` raises them (not kept)."""
    return _parsed(text, dialect).copy()
