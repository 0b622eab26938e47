"""Generate Flink SQL text from a rewritten AST, collecting what the generator could not say."""

from __future__ import annotations

from sqlglot import exp
from sqlglot.errors import ErrorLevel

from shiftleft.models import Target
from shiftleft.parse import get_dialect


def generate(tree: exp.Expr, target: Target, *, pretty: bool = False) -> tuple[str, list[str]]:
    """Return (sql, unsupported messages) for one statement, deterministic for a given tree."""
    generator = get_dialect(target.value, role="target").generator(
        pretty=pretty, unsupported_level=ErrorLevel.IGNORE, comments=True
    )
    # The tree is ours (parsed for this call), so the generator may preprocess it in place.
    sql = generator.generate(tree, copy=False)
    # Messages repeat when a construct appears several times; keep the first of each.
    return sql, list(dict.fromkeys(generator.unsupported_messages))
