"""Snowflake ``TO_CHAR`` / ``TO_VARCHAR`` with a date / time format: Flink's DATE_FORMAT with the
format translated to Java's pattern letters.

Snowflake's format elements (case-insensitive: ``yyyy-mm-dd`` is ``YYYY-MM-DD``) map one to
one onto ``java.time.format.DateTimeFormatter`` letters, which Flink's ``DATE_FORMAT`` uses.
The rule translates a literal format whose every element is in :data:`ELEMENTS` and reports
the rest: a numeric format (``'999.99'``, ``'$9,990'``), an element without an exact Java
letter (``HH`` alone, ``TZH:TZM``, ``FF0``), a format that is not a literal.
"""

from __future__ import annotations

import re

from sqlglot import exp

from shiftleft.models import Severity
from shiftleft.rewrite import Example, Rule, RuleContext
from shiftleft.rewrite.context import DATE_TYPES, TEXT_TYPES, TIMESTAMP_TYPES
from shiftleft.sqlglot_objects import data_type

#: Snowflake date / time format element (upper case) -> Java DateTimeFormatter letters
ELEMENTS: dict[str, str] = {
    "YYYY": "yyyy",  # four-digit year
    "YY": "yy",  # two-digit year
    "MMMM": "MMMM",  # full month name (January)
    "MON": "MMM",  # abbreviated month name (Jan)
    "MM": "MM",  # two-digit month
    "DD": "dd",  # two-digit day of month
    "DY": "EEE",  # abbreviated day of week (Mon)
    "HH24": "HH",  # hour 00-23
    "HH12": "hh",  # hour 01-12
    "AM": "a",  # AM / PM (both spellings print the value's meridian)
    "PM": "a",
    "MI": "mm",  # minutes
    "SS": "ss",  # seconds
    "FF": "S" * 9,  # fractional seconds, nanoseconds (FF is FF9)
    **{f"FF{n}": "S" * n for n in range(1, 10)},
}
#: characters that stand for themselves in both languages
SEPARATORS = frozenset(" -/.,:;_")
#: elements tried longest first (MMMM before MM, HH24 before HH...)
_ELEMENT_RE = re.compile("|".join(sorted(map(re.escape, ELEMENTS), key=len, reverse=True)), re.IGNORECASE)
#: digits and signs of Snowflake's numeric format models (9, 0, $, X), outside FF1-FF9
_NUMERIC = re.compile(r"(?<!FF)[09$X]", re.IGNORECASE)
#: FF1..FF8 cut the fraction (as Java does); Snowflake's documentation does not say whether it rounds
_CUT = re.compile(r"FF[1-8]", re.IGNORECASE)


class FormatError(ValueError):
    """A Snowflake format that has no exact Java pattern (the message says which part)."""


def java_pattern(snowflake: str) -> str:
    """The Java ``DateTimeFormatter`` pattern of a Snowflake date / time format.

    Raises :class:`FormatError` naming the first part without an exact Java letter.
    """
    out: list[str] = []
    k = 0
    while k < len(snowflake):
        char = snowflake[k]
        if char == '"':  # quoted literal text
            end = snowflake.find('"', k + 1)
            if end < 0:
                raise FormatError("an unclosed double quote")
            text = snowflake[k + 1:end]
            out.append("'" + text.replace("'", "''") + "'" if text else "")
            k = end + 1
            continue
        if char in SEPARATORS:
            out.append(char)
            k += 1
            continue
        if char == "'":
            out.append("''")
            k += 1
            continue
        match = _ELEMENT_RE.match(snowflake, k)
        if match is None:
            word = re.match(r"[A-Za-z]+|.", snowflake[k:])
            assert word is not None
            raise FormatError(f"the element {word.group(0)!r}")
        out.append(ELEMENTS[match.group(0).upper()])
        k = match.end()
    return "".join(out)


class SnowflakeToCharFormat(Rule):
    """Snowflake's ``TO_CHAR(x, fmt)`` / ``TO_VARCHAR(x, fmt)`` of a date or timestamp formats it
    with Snowflake's format elements; Flink's ``DATE_FORMAT(ts, pattern)`` with Java's
    ``DateTimeFormatter`` letters.  A literal format maps element by element
    (:data:`ELEMENTS`: ``YYYY`` → ``yyyy``, ``MON`` → ``MMM``, ``DY`` → ``EEE``, ``HH24`` →
    ``HH``, ``MI`` → ``mm``, ``FF`` → ``SSSSSSSSS``; case-insensitive; ``"text"`` is quoted
    text; ``- / . , : ; _`` and spaces stand for themselves).  DATE_FORMAT takes a TIMESTAMP, so
    anything not declared as a TIMESTAMP is cast to ``TIMESTAMP(9)`` (a DATE is its midnight,
    a TIMESTAMP_LTZ is read in the session time zone, as Snowflake formats it).  ``FF1`` to
    ``FF8`` cut the fraction, which Snowflake's documentation does not specify: warned.
    Reported (error): a numeric format (``'999.99'``, ``'$9,990.00'``: Flink has no number
    formatting), a numeric input, a TIME or TIMESTAMP_TZ input, a format element without an
    exact Java letter (``HH`` alone, ``TZH:TZM``, ``FF0``, free words), a format that is not a
    literal.  Applies to the Snowflake reader only (Spark's ``to_char`` formats numbers).
    """

    id = "SL1102"
    name = "snowflake-to-char-format"
    title = "Snowflake TO_CHAR / TO_VARCHAR(x, 'YYYY-MM-DD...') becomes DATE_FORMAT with Java letters"
    node_types = (exp.ToChar,)
    examples = (
        Example(
            before="SELECT TO_VARCHAR(d, 'yyyy-mm-dd hh24:mi:ss') FROM t", read="snowflake",
            after="SELECT DATE_FORMAT(CAST(d AS TIMESTAMP(9)), 'yyyy-MM-dd HH:mm:ss') FROM t",
            types={"t": {"d": "DATE"}},
        ),
        Example(
            before="SELECT TO_CHAR(ts, 'DY, DD MON YYYY \"at\" HH12:MI AM') FROM t", read="snowflake",
            after="SELECT DATE_FORMAT(ts, 'EEE, dd MMM yyyy ''at'' hh:mm a') FROM t",
            types={"t": {"ts": "TIMESTAMP_NTZ"}},
        ),
        Example(
            before="SELECT TO_CHAR(n, '999.99') FROM t", read="snowflake",
            after="SELECT CAST(n AS STRING) FROM t", diagnoses=True,
        ),
    )

    def apply(self, node: exp.Expr, ctx: RuleContext) -> exp.Expr | None:
        fmt = node.args.get("format")
        if fmt is None or ctx.read.lower() != "snowflake":
            return None
        if not (isinstance(fmt, exp.Literal) and fmt.is_string):
            return self._report(node, ctx, "its format is not a string literal")
        value = node.this
        declared = ctx.declared_type(value)
        kind = declared.this if declared is not None else None
        if kind is not None and kind not in DATE_TYPES | TIMESTAMP_TYPES:
            if kind in (exp.DType.TIME, exp.DType.TIMETZ):
                return self._report(node, ctx, "Flink's DATE_FORMAT takes no TIME value")
            if kind in TEXT_TYPES:
                return self._report(node, ctx, "the input is a string, not a date or timestamp")
            return self._report(node, ctx, f"Flink has no number formatting (the input is {declared.sql()})")
        if kind == exp.DType.TIMESTAMPTZ:
            return self._report(node, ctx, "a TIMESTAMP_TZ keeps its own offset, which Flink's types do not")
        try:
            pattern = java_pattern(fmt.this)
        except FormatError as why:
            if _NUMERIC.search(fmt.this):
                return self._report(node, ctx, f"the numeric format {fmt.this!r} has no Flink form")
            return self._report(node, ctx, f"{why} of the format {fmt.this!r} has no exact Java letter")
        if _CUT.search(fmt.this):
            ctx.report(
                node,
                "FF1-FF8 became Java's S letters, which cut the fraction (not round it)",
                severity=Severity.WARNING,
                suggestion="use FF3 / FF6 / FF9 to match the timestamp's precision",
            )
        if kind not in (exp.DType.TIMESTAMP, exp.DType.TIMESTAMPNTZ, exp.DType.DATETIME):
            value = exp.Cast(this=value.copy(), to=data_type("TIMESTAMP(9)"))
        else:
            value = value.copy()
        return exp.Anonymous(this="DATE_FORMAT", expressions=[value, exp.Literal.string(pattern)])

    def _report(self, node: exp.Expr, ctx: RuleContext, why: str) -> None:
        ctx.report(
            node,
            f"TO_CHAR / TO_VARCHAR with this format has no exact Flink form: {why}",
            severity=Severity.ERROR,
            suggestion="for dates and timestamps use the elements YYYY YY MMMM MON MM DD DY HH24 HH12 AM MI SS "
            "FF[1-9] (Flink's DATE_FORMAT); format numbers by hand (ROUND, CAST, LPAD) or with a UDF "
            "registered with --functions",
        )
        return None


#: strftime codes of sqlglot's Snowflake reader (which turns a format into strftime as it
#: parses) -> Java DateTimeFormatter letters; longest first
_STRFTIME = {
    "%f_one": "S", "%f_two": "SS", "%f_three": "SSS", "%f_four": "S" * 4, "%f_five": "S" * 5,
    "%f_seven": "S" * 7, "%f_eight": "S" * 8, "%f_nine": "S" * 9,
    "%Y": "yyyy", "%y": "yy", "%B": "MMMM", "%b": "MMM", "%m": "MM", "%d": "dd", "%a": "EEE",
    "%H": "HH", "%I": "hh", "%M": "mm", "%S": "ss", "%f": "S" * 6, "%p": "a",
}
_STRFTIME_RE = re.compile("|".join(map(re.escape, sorted(_STRFTIME, key=len, reverse=True))) + r"|%[-:]?\w|[A-Za-z]+|.")


def java_from_strftime(strftime: str) -> str:
    """The Java pattern of a format the Snowflake reader turned into strftime: its codes become
    letters, its literal letters (``"T"`` in Snowflake) quoted text.  Raises :class:`FormatError`
    for a code without an exact Java letter (time zone offsets, FF0)."""
    out = []
    for match in _STRFTIME_RE.finditer(strftime):
        part = match.group(0)
        if part in _STRFTIME:
            out.append(_STRFTIME[part])
        elif part.startswith("%"):
            raise FormatError(f"the element {part!r} (a time zone offset or FF0)")
        elif part.isalpha():
            out.append(f"'{part}'")
        else:
            out.append("''" if part == "'" else part)
    return "".join(out)


class SnowflakeParseFormat(Rule):
    """Snowflake's ``TO_TIMESTAMP[_NTZ](s, fmt)`` / ``TO_DATE(s, fmt)`` (and ``TRY_`` forms) read
    a string with Snowflake's format elements.  sqlglot's reader turns the format into strftime
    codes, which the Flink writer maps back to Java letters only in part: ``FF3`` / ``FF9``
    became ``SSSSSS_three`` / ``SSSSSS_nine`` and a quoted ``"T"`` a bare ``T`` (a pattern letter
    in Java), both wrong patterns for Flink's ``TO_TIMESTAMP`` / ``TO_DATE``.  The rule writes the
    Java pattern itself: ``FFn`` → n ``S``, literal letters quoted (``'T'``), the other elements
    as SL1102 maps them.  Flink's ``TO_TIMESTAMP(s, f)`` is lenient (it also reads ISO strings
    that do not follow f, and clamps February 30th to the 29th) and ``TO_DATE(s, f)`` returns a
    garbage date for a mismatch (checked on Flink 2.3), so the value is kept only when
    ``DATE_FORMAT`` of it with the same pattern gives the string back, and a DATE is the
    TIMESTAMP's date: a strict parse.  A string that does not match is NULL, where Snowflake
    raises (``TRY_``: NULL too): warned.  Time zone elements (``TZH:TZM``) and
    ``TO_TIMESTAMP_TZ`` / ``_LTZ`` (a zone Flink's TIMESTAMP does not keep) are reported.
    """

    id = "SL1104"
    name = "snowflake-parse-format"
    title = "Snowflake TO_TIMESTAMP / TO_DATE(s, fmt) become TO_TIMESTAMP / TO_DATE with the Java pattern"
    node_types = (exp.StrToTime, exp.TsOrDsToDate, exp.StrToDate)
    examples = (
        Example(
            before="SELECT TRY_TO_TIMESTAMP(s, 'YYYY-MM-DD\"T\"HH24:MI:SS.FF3'), TRY_TO_DATE(s, 'MON DD, YYYY') FROM t",
            after="SELECT CASE WHEN DATE_FORMAT(TO_TIMESTAMP(s, 'yyyy-MM-dd''T''HH:mm:ss.SSS'), "
            "'yyyy-MM-dd''T''HH:mm:ss.SSS') = s THEN TO_TIMESTAMP(s, 'yyyy-MM-dd''T''HH:mm:ss.SSS') END, "
            "CASE WHEN DATE_FORMAT(TO_TIMESTAMP(s, 'MMM dd, yyyy'), 'MMM dd, yyyy') = s "
            "THEN CAST(TO_TIMESTAMP(s, 'MMM dd, yyyy') AS DATE) END FROM t",
            read="snowflake",
        ),
        Example(
            before="SELECT TO_TIMESTAMP_TZ(s, 'YYYY-MM-DD TZH:TZM') FROM t", read="snowflake",
            after="SELECT TO_TIMESTAMP(s, 'yyyy-MM-dd %:z') FROM t", diagnoses=True,
        ),
    )

    def apply(self, node: exp.Expr, ctx: RuleContext) -> exp.Expr | None:
        fmt = node.args.get("format")
        if ctx.read.lower() != "snowflake" or fmt is None:
            return None
        name = "TO_DATE" if isinstance(node, (exp.TsOrDsToDate, exp.StrToDate)) else "TO_TIMESTAMP"
        target = node.args.get("target_type")
        if not (isinstance(fmt, exp.Literal) and fmt.is_string):
            return self._report(node, ctx, "its format is not a string literal")
        if isinstance(target, exp.DataType) and target.this in (exp.DType.TIMESTAMPTZ, exp.DType.TIMESTAMPLTZ):
            return self._report(node, ctx, f"a {target.sql('snowflake')} keeps a time zone, which Flink's TIMESTAMP does not")
        try:
            pattern = java_from_strftime(fmt.this)
        except FormatError as why:
            return self._report(node, ctx, f"{why} has no exact Java letter")
        if not node.args.get("safe"):
            ctx.report(
                node,
                f"{name}(s, format): a string that does not match is NULL in Flink; Snowflake raises",
                severity=Severity.WARNING,
                suggestion="check the inputs' form, or filter the NULLs out",
            )
        java = exp.Literal.string(pattern)
        parsed = exp.Anonymous(this="TO_TIMESTAMP", expressions=[node.this.copy(), java])
        # Flink's TO_TIMESTAMP(s, f) is lenient (it reads ISO strings whatever f says and clamps
        # 02-30 to 02-29) and TO_DATE(s, f) gives a garbage date for a mismatch: a value counts
        # only when formatting it back gives the string (checked on Flink 2.3)
        same = exp.EQ(this=exp.Anonymous(this="DATE_FORMAT", expressions=[parsed.copy(), java.copy()]),
                      expression=node.this.copy())
        value: exp.Expr = parsed if name == "TO_TIMESTAMP" else exp.Cast(this=parsed, to=data_type("DATE"))
        return exp.Case(ifs=[exp.If(this=same, true=value)])

    def _report(self, node: exp.Expr, ctx: RuleContext, why: str) -> None:
        ctx.report(
            node,
            f"this Snowflake date / time parse has no exact Flink form: {why}",
            severity=Severity.ERROR,
            suggestion="parse with TO_TIMESTAMP(s, '<Java pattern>') after removing the offset, or "
            "register a Flink UDF with --functions",
        )
        return None
