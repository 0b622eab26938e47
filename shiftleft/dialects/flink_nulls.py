"""NULL-handling functions in Flink SQL: COALESCE / IFNULL, IF without ELSE, and those whose NULL
arguments Flink treats otherwise than the dialect read (GREATEST / LEAST, CONCAT_WS), written
so that they give the source dialect's values."""

from __future__ import annotations

from sqlglot import exp, generator

from shiftleft.dialects.flink_parser import FLINK_CONCAT_WS


def coalesce_sql(gen: generator.Generator, expression: exp.Coalesce) -> str:
    name = "IFNULL" if expression.args.get("is_null") and len(expression.expressions) == 1 else "COALESCE"
    return gen.func(name, expression.this, *expression.expressions)


def if_sql(gen: generator.Generator, expression: exp.If) -> str:
    false = expression.args.get("false") or exp.null()
    return gen.func("IF", expression.this, expression.args.get("true"), false)


#: calls whose value differs from one evaluation to the next: never evaluated twice
_VOLATILE = (exp.Rand, exp.Randn, exp.Uuid)


def extremum_sql(gen: generator.Generator, expression: exp.Greatest | exp.Least) -> str:
    """Flink's GREATEST / LEAST are NULL when any argument is NULL (as in Snowflake and
    BigQuery); Spark's skip NULLs and are NULL only when all are (sqlglot marks them
    ``ignore_nulls``).  For those, each argument that can be NULL is replaced by the first
    non-NULL of itself and the others (``GREATEST(COALESCE(a, b), COALESCE(b, a))``): a NULL
    then takes the value of another argument, which cannot change the largest or smallest, and
    all NULL stays NULL.  A literal that is not NULL is the only fallback needed; an argument
    whose value changes between evaluations (``rand()``) is no fallback."""
    name = "GREATEST" if isinstance(expression, exp.Greatest) else "LEAST"
    args = [expression.this, *expression.expressions]
    if not expression.args.get("ignore_nulls") or len(args) < 2:
        return gen.func(name, *args)
    texts = [gen.sql(a) for a in args]
    volatile = [a.find(*_VOLATILE) is not None for a in args]
    constant = next((t for a, t in zip(args, texts) if isinstance(a, exp.Literal)), None)
    operands = []
    for k, (arg, text) in enumerate(zip(args, texts)):
        if isinstance(arg, exp.Literal) or volatile[k]:
            operands.append(text)  # never NULL / evaluated once
            continue
        order = [*range(k + 1, len(args)), *range(k)]
        others = [texts[j] for j in order if not volatile[j] and texts[j] != text]
        fallbacks = [constant] if constant is not None else others
        operands.append(f"COALESCE({', '.join([text, *fallbacks])})" if fallbacks else text)
    return f"{name}({', '.join(operands)})"


def concat_ws_sql(gen: generator.Generator, expression: exp.ConcatWs) -> str:
    """Flink's CONCAT_WS reads a NULL argument as an empty string (``CONCAT_WS('|', 'a', NULL)``
    is ``'a|'``).  Spark, DuckDB and PostgreSQL skip NULL arguments (``'a'``; sqlglot marks
    them ``coalesce``): the arguments become an array that ``ARRAY_JOIN`` joins, which skips
    NULL elements.  Snowflake and BigQuery return NULL when any argument is NULL: that is
    Flink's ``CONCAT`` of the arguments with the separator between them."""
    separator, *args = expression.expressions
    if expression.meta.get(FLINK_CONCAT_WS):  # read from Flink SQL: Flink's meaning already
        return gen.func("CONCAT_WS", *expression.expressions)
    if not args:
        return gen.sql(exp.Literal.string(""))
    if not expression.args.get("coalesce"):
        parts: list[exp.Expr] = [args[0]]
        for arg in args[1:]:
            parts += [separator, arg]
        return gen.func("CONCAT", *parts)
    # (copies: a node built here must not take the arguments from the tree, which the
    # changelog derivation and the source DDL read after generation)
    values = [a.copy() for a in args if not isinstance(a, exp.Null)]
    if not values:
        return gen.sql(exp.If(this=separator.is_(exp.null()), true=exp.null(), false=exp.Literal.string("")))
    return gen.func("ARRAY_JOIN", exp.Array(expressions=values), separator)


#: meta key of a FIRST_VALUE / LAST_VALUE call (under OVER) that must keep a NULL first / last
#: value (Spark's first_value(x) without IGNORE NULLS; rule SL1080 sets it)
RESPECT_NULLS = "respect_nulls"


def is_null(value: exp.Expr) -> exp.Is:
    """``value IS NULL`` of a copy of ``value``, in parentheses unless it is a column, a literal
    or a function call (``(a OR b) IS NULL``)."""
    simple = isinstance(value, (exp.Column, exp.Literal, exp.Anonymous)) or (
        isinstance(value, exp.Func) and not isinstance(value, (exp.Binary, exp.Unary, exp.Connector, exp.Predicate)))
    return exp.Is(this=value.copy() if simple else exp.paren(value.copy()), expression=exp.null())


def window_sql(gen: generator.Generator, expression: exp.Window) -> str:
    """Flink's FIRST_VALUE / LAST_VALUE skip NULLs.  A call marked :data:`RESPECT_NULLS` asks
    whether the first (last) row's value is NULL with ``FIRST_VALUE(x IS NULL)`` (never NULL,
    so no row is skipped) under the same OVER clause: ``CASE WHEN FIRST_VALUE(x IS NULL) OVER
    w THEN NULL ELSE FIRST_VALUE(x) OVER w END``.  Written here, not by the rule, so that the
    streaming rules still see one OVER window of FIRST_VALUE."""
    call: exp.Expr = expression.this
    while isinstance(call, exp.Filter):
        call = call.this
    if not (isinstance(call, exp.Anonymous) and call.meta.get(RESPECT_NULLS) and call.expressions):
        return generator.Generator.window_sql(gen, expression)
    value = call.expressions[0]

    def over(argument: exp.Expr) -> exp.Expr:
        # copies: the nodes built here must not take the arguments from the tree
        window = expression.copy()
        inner: exp.Expr = window.this
        while isinstance(inner, exp.Filter):
            inner = inner.this
        inner.replace(exp.Anonymous(this=call.name, expressions=[argument]))
        return window

    nulls = over(is_null(value))
    case = exp.Case(ifs=[exp.If(this=nulls, true=exp.null())], default=over(value.copy()))
    return gen.sql(case)
