"""Snowflake functions whose extra arguments Flink has no direct form for: REGEXP_SUBSTR with a
position / occurrence / parameters / group, TO_NUMBER / TO_DECIMAL, DATE_FROM_PARTS.

Translated where a Flink expression computes the same value (per Snowflake's documentation:
no Snowflake engine runs here); reported as an error with a hint otherwise.
"""

from __future__ import annotations

import re

from sqlglot import exp

from shiftleft.rewrite import Example, Rule, RuleContext
from shiftleft.models import Severity
from shiftleft.sqlglot_objects import data_type
from shiftleft.rewrite.string_decimal import loose_target

#: Snowflake regex parameters and the Java inline flag each one sets ('c' clears 'i')
_FLAGS = {"i": "i", "m": "m", "s": "s"}
#: pattern constructs whose meaning changes when the subject is cut at a position
_POSITIONAL = re.compile(r"\^|\\[AbBG]|\(\?<[=!]")


def _java_flags(parameters: str) -> tuple[str, list[str]]:
    """(the Java inline flags of Snowflake regex ``parameters``: ``(?is)``, or "" for none; the
    parameters that are no flag, in order)."""
    flags, others = "", []
    for char in parameters:
        if char == "c":
            flags = flags.replace("i", "")
        elif char in _FLAGS:
            flags = flags.replace(_FLAGS[char], "") + _FLAGS[char]
        else:
            others.append(char)
    return (f"(?{''.join(sorted(flags))})" if flags else ""), others


def _around(pattern: exp.Expr, prefix: str, suffix: str = "") -> exp.Expr:
    """``prefix + pattern + suffix``: one literal for a literal pattern, else a CONCAT."""
    if isinstance(pattern, exp.Literal) and pattern.is_string:
        return exp.Literal.string(prefix + pattern.this + suffix)
    parts = [exp.Literal.string(prefix), pattern.copy()] + ([exp.Literal.string(suffix)] if suffix else [])
    return exp.Concat(expressions=parts)


def _fn(name: str, *args: exp.Expr) -> exp.Anonymous:
    return exp.Anonymous(this=name, expressions=list(args))


def _int(node: exp.Expr | None) -> int | None:
    if isinstance(node, exp.Literal) and not node.is_string and re.fullmatch(r"-?\d+", node.this):
        return int(node.this)
    return None


def _nth(array: exp.Expr, index: exp.Expr) -> exp.Expr:
    """``array[index]`` in Flink's 1-based indexing (NULL past the end).  Flink's subscript
    takes an INT only ("Integer expression type expected" for a BIGINT, ITEM(ARRAY, DOUBLE)
    rejected): a computed index (``POWER(2, k) + 1`` is a DOUBLE) is cast to INT."""
    if not (isinstance(index, exp.Literal) and index.is_int):
        index = exp.Cast(this=index, to=exp.DataType.build("INT"))
    return exp.Bracket(this=array, expressions=[index], offset=1, safe=True)


def _written(node: exp.Expr | None) -> bool:
    """True for an argument that was written in the source: sqlglot's Snowflake reader fills
    a missing group with a literal 0 that has no source position."""
    return node is not None and "line" in node.meta


class SnowflakeRegexpSubstr(Rule):
    """Snowflake's ``REGEXP_SUBSTR(s, re, position, occurrence, parameters, group)`` returns
    the ``group`` of the ``occurrence``-th match of ``re`` in ``s`` searched from
    ``position`` (NULL when there is none).  Flink's ``REGEXP_EXTRACT(s, re, group)`` gives
    the first match; ``REGEXP_EXTRACT_ALL(s, re, group)[n]`` the n-th (Flink arrays are
    1-based; an index past the end is NULL).  A group that takes no part in a match is ''
    in Snowflake and NULL in Flink: for a group other than 0 the result is
    ``CASE WHEN <a match exists> THEN COALESCE(<extract>, '') END``.  A position past the end
    of the string gives NULL.  The parameters become Java inline flags
    (``i`` → ``(?i)``, ``m`` → ``(?m)``, ``s`` → ``(?s)``, ``c`` clears ``i``); ``e`` extracts
    group 1 when no group is given.  A position other than 1 searches
    ``SUBSTRING(s FROM position)``, which is the same only for patterns that do not look at
    what comes before the match (no ``^``, ``\\A``, ``\\b``, ``\\B``, ``\\G``, look-behind):
    others, and a non-literal position or parameters, are reported.
    """

    id = "SL1098"
    name = "snowflake-regexp-substr"
    title = "REGEXP_SUBSTR(s, re, pos, occurrence, params, group) becomes REGEXP_EXTRACT[_ALL]"
    node_types = (exp.RegexpExtract,)
    examples = (
        Example(
            before="SELECT REGEXP_SUBSTR(s, 'a(b+)', 1, 2, 'e') FROM t", read="snowflake",
            after="SELECT CASE WHEN CARDINALITY(REGEXP_EXTRACT_ALL(s, 'a(b+)', 0)) >= 2 THEN "
            "COALESCE(REGEXP_EXTRACT_ALL(s, 'a(b+)', 1)[2], '') END FROM t",
        ),
        Example(
            before="SELECT REGEXP_SUBSTR(s, 'ab', 3, 1, 'i') FROM t", read="snowflake",
            after="SELECT CASE WHEN CHAR_LENGTH(s) >= 3 THEN REGEXP_EXTRACT(SUBSTRING(s FROM 3), '(?i)ab', 0) "
            "END FROM t",
        ),
        Example(
            before="SELECT REGEXP_SUBSTR(s, '^ab', 2) FROM t", read="snowflake",
            after="SELECT REGEXP_EXTRACT(s, '^ab', 2, 0) FROM t", diagnoses=True,
        ),
    )

    def apply(self, node: exp.Expr, ctx: RuleContext) -> exp.Expr | None:
        args = node.args
        position, occurrence, parameters = args.get("position"), args.get("occurrence"), args.get("parameters")
        if position is None and occurrence is None and parameters is None:
            return None  # the two-argument form: REGEXP_EXTRACT(s, re, group) as generated
        flags, extract = "", False
        if parameters is not None:
            if not (isinstance(parameters, exp.Literal) and parameters.is_string):
                return self._report(node, ctx, "its parameters are not a string literal")
            flags, others = _java_flags(parameters.this)
            unknown = [char for char in others if char != "e"]
            if unknown:
                return self._report(node, ctx, f"the parameter '{unknown[0]}' has no Java regex flag")
            extract = "e" in others
        group = args.get("group")
        if not _written(group):
            group = exp.Literal.number(1 if extract else 0)
        pattern = _around(node.expression, flags) if flags else node.expression
        subject = node.this.copy()
        start = 1 if position is None else _int(position)
        if start is None or start < 1:
            return self._report(node, ctx, "its position is not a positive integer literal")
        if start > 1:
            literal = node.expression
            if not (isinstance(literal, exp.Literal) and literal.is_string) or _POSITIONAL.search(literal.this):
                return self._report(
                    node, ctx, "a pattern that looks before the match (^, \\b, look-behind) cannot be "
                    "searched from a position by cutting the string"
                )
            subject = exp.Substring(this=subject, start=exp.Literal.number(start))
        nth = _int(occurrence) if occurrence is not None else 1
        if nth is not None and nth < 1:
            return self._report(node, ctx, "its occurrence is not a positive integer")
        if nth == 1:
            found: exp.Expr = _fn("REGEXP_EXTRACT", subject, pattern, group)
            matched: exp.Expr = _fn("REGEXP", subject.copy(), pattern.copy())
        else:
            assert occurrence is not None
            found = _nth(_fn("REGEXP_EXTRACT_ALL", subject, pattern, group), occurrence.copy())
            every = _fn("REGEXP_EXTRACT_ALL", subject.copy(), pattern.copy(), exp.Literal.number(0))
            matched = exp.GTE(this=_fn("CARDINALITY", every), expression=occurrence.copy())
        if _int(group) != 0:  # a group that took no part in the match is '' in Snowflake, NULL in Flink
            found = exp.Case(ifs=[exp.If(this=matched, true=exp.Coalesce(this=found, expressions=[exp.Literal.string("")]))])
        if start > 1:  # a position past the end gives NULL in Snowflake; SUBSTRING gives ''
            past = exp.GTE(this=exp.Length(this=node.this.copy()), expression=exp.Literal.number(start))
            found = exp.Case(ifs=[exp.If(this=past, true=found)])
        return found

    def _report(self, node: exp.Expr, ctx: RuleContext, why: str) -> None:
        ctx.report(
            node,
            f"REGEXP_SUBSTR with these arguments has no exact Flink form: {why}",
            severity=Severity.ERROR,
            suggestion="use literal parameters and position 1 (REGEXP_EXTRACT_ALL(s, re, group)[n] "
            "is the n-th match), or write the expression by hand",
        )
        return None


class SnowflakeToNumber(Rule):
    """Snowflake's ``TO_NUMBER(s[, format][, precision[, scale]])`` (also TO_DECIMAL,
    TO_NUMERIC) reads a string as a ``NUMBER(precision, scale)`` (default 38, 0), rounding
    extra decimals.  Without a format, ``CAST(s AS DECIMAL(p, s))`` reads the same numbers
    (Flink rounds half up, as Snowflake) and, like Snowflake, raises on a string that is not a
    number or is too large for the precision.  ``TRY_TO_NUMBER`` (NULL for a string that does
    not read) becomes ``TRY_CAST``.  A string cast to a DECIMAL of precision 18 or less is read
    as ``DECIMAL(38, scale)`` first (SL3029: Flink 2.3 parses it leniently there, ``'a'`` gives
    0), and narrowing that number gives NULL on overflow where Snowflake raises (checked on
    Flink 2.3: ``CAST(CAST('123456.78' AS DECIMAL(38, 2)) AS DECIMAL(5, 2))`` is NULL), so the
    rule warns for those precisions.  A format model (``'$9,999.99'``,
    ``'S999'``, ``'XXXX'``) has no Flink reader, and its parsing rules (digits per position,
    signs, separators) cannot be checked here without a Snowflake engine: it is reported as an
    error, never dropped.
    """

    id = "SL1099"
    name = "snowflake-to-number"
    title = "TO_NUMBER / TO_DECIMAL(s, p, s) become CAST(s AS DECIMAL(p, s)); a format is reported"
    node_types = (exp.ToNumber,)
    examples = (
        Example(
            before="SELECT TO_DECIMAL(s, 10, 2) FROM t", read="snowflake",
            after="SELECT CAST(CAST(s AS DECIMAL(38, 2)) AS DECIMAL(10, 2)) FROM t", diagnoses=True,
        ),
        Example(before="SELECT TO_NUMBER(s) FROM t", read="snowflake", after="SELECT CAST(s AS DECIMAL(38, 0)) FROM t"),
        Example(
            before="SELECT TRY_TO_NUMERIC(s, 5, 2) FROM t", read="snowflake",
            after="SELECT TRY_CAST(TRY_CAST(s AS DECIMAL(38, 2)) AS DECIMAL(5, 2)) FROM t",
        ),
        Example(
            before="SELECT TO_NUMBER(s, '$9,999.99') FROM t", read="snowflake",
            after="SELECT CAST(s AS DOUBLE) FROM t", diagnoses=True,
        ),
    )

    def apply(self, node: exp.Expr, ctx: RuleContext) -> exp.Expr | None:
        fmt = node.args.get("format")
        if fmt is not None:
            ctx.report(
                node,
                f"TO_NUMBER with the format {fmt.sql(ctx.read)} has no Flink form: Flink reads "
                "numbers only in plain notation",
                severity=Severity.ERROR,
                suggestion="strip the format's characters first (e.g. REGEXP_REPLACE(s, '[$,]', '')) "
                "and CAST the result AS DECIMAL(p, s), or register a Flink UDF with --functions",
            )
            return None
        precision = _int(node.args.get("precision"))
        scale = _int(node.args.get("scale"))
        precision = 38 if precision is None and node.args.get("precision") is None else precision
        scale = 0 if scale is None and node.args.get("scale") is None else scale
        if precision is None or scale is None:
            ctx.report(
                node,
                "TO_NUMBER with a non-literal precision or scale has no Flink form",
                severity=Severity.ERROR,
                suggestion="write the precision and scale as numbers",
            )
            return None
        # the string is read into DECIMAL(38, s) first where Flink would parse it loosely:
        # SL3029's check, the one place for every cast to such a DECIMAL
        to = exp.DataType.build(f"DECIMAL({precision}, {scale})")
        read: exp.Expr = (
            exp.TryCast(this=node.this.copy(), to=to, safe=True) if node.args.get("safe")  # NULL, not an error
            else exp.Cast(this=node.this.copy(), to=to)
        )
        if node.args.get("safe") or loose_target(to) is None:
            return read  # TRY_: NULL as Snowflake's; a wide DECIMAL: raises on overflow as Snowflake
        ctx.report(
            node,
            f"TO_NUMBER became CAST(... AS DECIMAL({precision}, {scale})), read through DECIMAL(38, {scale}): "
            f"a value too large for DECIMAL({precision}, {scale}) is NULL in Flink (Snowflake raises)",
            severity=Severity.WARNING,
            suggestion="use TRY_TO_NUMBER in the source if NULL is the wanted result",
        )
        return read


#: the strings Snowflake's TO_BOOLEAN reads that Flink's CAST(s AS BOOLEAN) does not (the
#: others, true / t / yes / y / 1 and false / f / no / n / 0 in any case, both read; checked
#: on Flink 2.3, which raises on any other string, as Snowflake does)
_SNOWFLAKE_ONLY_BOOLEANS = (("on", True), ("off", False))


class SnowflakeToBoolean(Rule):
    """Snowflake's ``TO_BOOLEAN(x)`` reads ``'true'``, ``'t'``, ``'yes'``, ``'y'``, ``'on'``,
    ``'1'`` as TRUE and ``'false'``, ``'f'``, ``'no'``, ``'n'``, ``'off'``, ``'0'`` as FALSE,
    in any case, and raises on any other string; a number is TRUE unless it is 0; a BOOLEAN is
    itself.  Flink's ``CAST(s AS BOOLEAN)`` reads the same strings but ``'on'`` / ``'off'``
    and raises on the others (checked on Flink 2.3; neither trims spaces), so ``'on'`` and
    ``'off'`` are tested first.  ``TRY_TO_BOOLEAN`` (NULL instead of raising) uses TRY_CAST.  A
    number (its declared type) becomes ``x <> 0``.  Checked on generated strings against the
    documented lists.
    """

    id = "SL1106"
    name = "snowflake-to-boolean"
    title = "TO_BOOLEAN / TRY_TO_BOOLEAN become CAST / TRY_CAST(s AS BOOLEAN), with 'on' / 'off'"
    node_types = (exp.ToBoolean,)
    examples = (
        Example(
            before="SELECT TO_BOOLEAN(s) FROM t", read="snowflake",
            after="SELECT CASE WHEN LOWER(s) = 'on' THEN TRUE WHEN LOWER(s) = 'off' THEN FALSE "
            "ELSE CAST(s AS BOOLEAN) END FROM t",
        ),
        Example(
            before="SELECT TRY_TO_BOOLEAN(i) FROM t", read="snowflake", types={"t": {"i": "INT"}},
            after="SELECT i <> 0 FROM t",
        ),
    )

    def apply(self, node: exp.Expr, ctx: RuleContext) -> exp.Expr | None:
        value = node.this
        declared = ctx.declared_type(value)
        if declared is not None and declared.is_type(exp.DataType.Type.BOOLEAN):
            return value.copy()
        if declared is not None and declared.is_type(*exp.DataType.NUMERIC_TYPES):
            return exp.NEQ(this=value.copy(), expression=exp.Literal.number(0))
        to = data_type("BOOLEAN")
        cast = exp.TryCast(this=value.copy(), to=to, safe=True) if node.args.get("safe") else exp.Cast(this=value.copy(), to=to)
        lowered = exp.Lower(this=value.copy())
        return exp.Case(
            ifs=[
                exp.If(this=exp.EQ(this=lowered.copy(), expression=exp.Literal.string(word)),
                       true=exp.Boolean(this=truth))
                for word, truth in _SNOWFLAKE_ONLY_BOOLEANS
            ],
            default=cast,
        )


class SnowflakeDateFromParts(Rule):
    """Snowflake's ``DATE_FROM_PARTS(y, m, d)`` rolls out-of-range parts over: month 13 is
    January of the next year, day 0 the last day of the month before, negative values count
    back.  That is January 1st of year ``y`` plus ``m - 1`` months plus ``d - 1`` days, which
    Flink computes with TIMESTAMPADD (adding months to a 1st never clamps a day); the counts
    are cast to INT, which TIMESTAMPADD requires (Snowflake parts are often NUMBER)."""

    id = "SL1100"
    name = "snowflake-date-from-parts"
    title = "DATE_FROM_PARTS(y, m, d) becomes TIMESTAMPADD of the parts from 2000-01-01"
    node_types = (exp.DateFromParts,)
    examples = (
        Example(
            before="SELECT DATE_FROM_PARTS(a, b, i) FROM t", read="snowflake",
            after="SELECT TIMESTAMPADD(DAY, CAST(i - 1 AS INT), TIMESTAMPADD(MONTH, CAST((a - 2000) * 12 + b - 1 "
            "AS INT), CAST('2000-01-01' AS DATE))) FROM t",
        ),
    )

    def apply(self, node: exp.Expr, ctx: RuleContext) -> exp.Expr | None:
        year, month, day = (node.args.get(k) for k in ("year", "month", "day"))
        if year is None or month is None or day is None:
            return None
        months = exp.Sub(
            this=exp.Add(
                this=exp.Mul(this=exp.Paren(this=exp.Sub(this=year.copy(), expression=exp.Literal.number(2000))),
                             expression=exp.Literal.number(12)),
                expression=month.copy(),
            ),
            expression=exp.Literal.number(1),
        )
        first = _fn("TIMESTAMPADD", exp.var("MONTH"), exp.cast(months, "INT"),
                    exp.cast(exp.Literal.string("2000-01-01"), "DATE"))
        days = exp.cast(exp.Sub(this=day.copy(), expression=exp.Literal.number(1)), "INT")
        return _fn("TIMESTAMPADD", exp.var("DAY"), days, first)


#: Snowflake's names for reading a wall-clock timestamp (TRY_: NULL instead of an error)
_TO_TIMESTAMP = {"to_timestamp": False, "to_timestamp_ntz": False, "try_to_timestamp_ntz": True}
_NUMBERS = exp.DataType.INTEGER_TYPES | exp.DataType.REAL_TYPES
_TEMPORAL = {exp.DType.DATE, *exp.DataType.TEMPORAL_TYPES}


class SnowflakeToTimestamp(Rule):
    """Snowflake's ``TO_TIMESTAMP_NTZ(x)`` (also ``TO_TIMESTAMP``, whose default is NTZ, and
    ``TRY_TO_TIMESTAMP_NTZ``) reads a string in its AUTO format, casts a DATE or a
    TIMESTAMP, and reads a number as seconds since the epoch.  Flink's ``TO_TIMESTAMP(s)``
    reads only ``yyyy-MM-dd HH:mm:ss``; ``CAST(s AS TIMESTAMP)`` also reads a date alone and
    fractional seconds, like Snowflake's ISO forms, and fails the job on a malformed string,
    as Snowflake raises (``TRY_`` becomes ``TRY_CAST``: NULL).  Snowflake's other AUTO forms
    (``'2024-01-01T10:00:00'``, RFC dates, epoch digits in a string) are not read by Flink's
    cast: a warning says so.  A number is reported (seconds since the epoch in UTC: Flink's
    ``TO_TIMESTAMP_LTZ(n, 0)`` depends on the session time zone); a format argument other
    than ``'AUTO'`` is reported.
    """

    id = "SL1101"
    name = "snowflake-to-timestamp"
    title = "TO_TIMESTAMP_NTZ(s) / TRY_TO_TIMESTAMP_NTZ(s) become CAST / TRY_CAST(s AS TIMESTAMP)"
    node_types = (exp.Anonymous,)
    examples = (
        Example(
            before="SELECT TO_TIMESTAMP_NTZ(s), TRY_TO_TIMESTAMP_NTZ(s) FROM t", read="snowflake",
            after="SELECT CAST(s AS TIMESTAMP), TRY_CAST(s AS TIMESTAMP) FROM t", diagnoses=True,
        ),
        Example(
            before="SELECT TO_TIMESTAMP_NTZ(d) FROM t", read="snowflake", types={"t": {"d": "DATE"}},
            after="SELECT CAST(d AS TIMESTAMP) FROM t",
        ),
        Example(
            before="SELECT TO_TIMESTAMP_NTZ(n) FROM t", read="snowflake", types={"t": {"n": "BIGINT"}},
            after="SELECT TO_TIMESTAMP_NTZ(n) FROM t", diagnoses=True,
        ),
    )

    def apply(self, node: exp.Expr, ctx: RuleContext) -> exp.Expr | None:
        name = str(node.name).lower()
        if name not in _TO_TIMESTAMP or ctx.read != "snowflake" or not 1 <= len(node.expressions) <= 2:
            return None
        value, *rest = node.expressions
        if rest and not (rest[0].is_string and rest[0].name.upper() == "AUTO"):
            ctx.report(
                node,
                f"{name.upper()} with the format {ctx.sql(rest[0])} is not translated: Snowflake's "
                "format elements have no checked Flink equivalent here",
                severity=Severity.ERROR,
                suggestion="write the Java pattern yourself: TO_TIMESTAMP(s, 'yyyy-MM-dd HH:mm:ss') "
                "(NULL on a mismatch)",
            )
            return None
        declared = ctx.declared_type(value)
        kind = declared.this if declared is not None else None
        if kind in _NUMBERS:
            ctx.report(
                node,
                f"{name.upper()} of a number reads seconds since the epoch (in UTC): Flink's "
                "TO_TIMESTAMP_LTZ(n, 0) gives that instant in the session time zone",
                severity=Severity.ERROR,
                suggestion="with the session time zone set to UTC, CAST(TO_TIMESTAMP_LTZ(n, 0) AS TIMESTAMP(3))",
            )
            return None
        if kind not in _TEMPORAL:
            ctx.report(
                node,
                f"{name.upper()} reads strings in Snowflake's AUTO format; Flink's cast reads "
                "'yyyy-MM-dd[ HH:mm:ss[.fff]]' only ('2024-01-01T10:00:00' and other AUTO forms "
                + ("are NULL)" if _TO_TIMESTAMP[name] else "fail the job)"),
                severity=Severity.WARNING,
                suggestion="check the inputs' form, or give the format: TO_TIMESTAMP(s, 'yyyy-MM-dd''T''HH:mm:ss')",
            )
        timestamp = data_type("TIMESTAMP")
        if _TO_TIMESTAMP[name] and kind not in _TEMPORAL:  # TRY_: NULL for a string it cannot read
            return exp.TryCast(this=value.copy(), to=timestamp, safe=True)
        return exp.Cast(this=value.copy(), to=timestamp)


class SnowflakeRegexpLike(Rule):
    """Snowflake's ``REGEXP_LIKE(s, re[, parameters])`` (also ``s RLIKE re``, ``s REGEXP re``)
    is TRUE when the pattern matches the *whole* string: Snowflake anchors it at both ends.
    Flink's ``REGEXP(s, re)`` (like Spark's rlike) is TRUE when any substring matches, so
    ``REGEXP_LIKE('xab', 'a.')`` is FALSE in Snowflake and ``REGEXP('xab', 'a.')`` TRUE.  The
    pattern is anchored for Java: ``\\A(?:re)\\z`` (a non-literal pattern through CONCAT), with
    the parameters as inline flags in front (``i`` → ``(?i)``, ``m`` → ``(?m)``, ``s`` →
    ``(?s)``, ``c`` clears ``i``; Flink's REGEXP takes no third argument).  Non-literal
    parameters are reported.
    """

    id = "SL1103"
    name = "snowflake-regexp-like-anchored"
    title = "REGEXP_LIKE / RLIKE (Snowflake, whole-string match) becomes REGEXP(s, '\\A(?:re)\\z')"
    node_types = (exp.RegexpLike,)
    examples = (
        Example(
            before="SELECT REGEXP_LIKE(s, 'a.'), s RLIKE 'v\\\\d+' FROM t", read="snowflake",
            after="SELECT REGEXP(s, '\\A(?:a.)\\z'), REGEXP(s, '\\A(?:v\\d+)\\z') FROM t",
        ),
        Example(
            before="SELECT REGEXP_LIKE(s, re, 'is') FROM t", read="snowflake",
            after="SELECT REGEXP(s, CONCAT('(?is)\\A(?:', re, ')\\z')) FROM t",
        ),
        Example(
            before="SELECT REGEXP_LIKE(s, 'a', flags) FROM t", read="snowflake",
            after="SELECT REGEXP(s, 'a', flags) FROM t", diagnoses=True,
        ),
    )

    def apply(self, node: exp.Expr, ctx: RuleContext) -> exp.Expr | None:
        if not node.args.get("full_match"):
            return None  # Spark's rlike: a substring match, as Flink's REGEXP
        flags = ""
        parameters = node.args.get("flag")
        if parameters is not None:
            if not (isinstance(parameters, exp.Literal) and parameters.is_string):
                ctx.report(
                    node,
                    "REGEXP_LIKE with non-literal parameters has no Flink form (they would become "
                    "inline regex flags)",
                    severity=Severity.ERROR,
                    suggestion="write the parameters as a string literal ('i', 'c', 'm', 's')",
                )
                return None
            flags = _java_flags(parameters.this)[0]  # the others (e: extract) do not change a match
        return _fn("REGEXP", node.this.copy(), _around(node.expression, flags + "\\A(?:", ")\\z"))
