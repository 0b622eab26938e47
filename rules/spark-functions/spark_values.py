"""Spark functions whose Flink namesake returns other values on ordinary input: array_contains
with NULLs, LIKE's default escape character, substr with a negative position or length, ascii
of non-ASCII text."""

from __future__ import annotations

from sqlglot import exp

from shiftleft.rewrite import Example, Rule, RuleContext

_SPARK_READERS = {"spark", "spark2", "databricks", "hive"}


def _fn(name: str, *args: exp.Expr) -> exp.Anonymous:
    return exp.Anonymous(this=name, expressions=list(args))


def _number(value: int) -> exp.Expr:
    literal = exp.Literal.number(abs(value))
    return exp.Neg(this=literal) if value < 0 else literal


def _int_literal(node: exp.Expr) -> int | None:
    """The value of an integer literal (``-2`` is a Neg of a literal), else None."""
    if isinstance(node, exp.Paren):
        return _int_literal(node.this)
    if isinstance(node, exp.Neg):
        inner = _int_literal(node.this)
        return None if inner is None else -inner
    if isinstance(node, exp.Literal) and not node.is_string and node.this.isdigit():
        return int(node.this)
    return None


def _extra_args(node: exp.Expr, known: set[str]) -> bool:
    """The call holds arguments beyond ``known`` (a reader kept more than the function takes):
    left alone, for the dropped-argument check (SL9006) to report."""
    return any(value not in (None, False, []) for key, value in node.args.items() if key not in known)


def _non_null_literals(array: exp.Expr) -> bool:
    """An ``array(...)`` of literals none of which is NULL: never NULL, holds no NULL."""
    return isinstance(array, exp.Array) and all(
        isinstance(e, exp.Literal) or (isinstance(e, exp.Neg) and isinstance(e.this, exp.Literal))
        for e in array.expressions
    )


class ArrayContainsNulls(Rule):
    """Spark's ``array_contains(arr, v)`` is NULL when v is NULL, and NULL when v is absent
    from an array that holds a NULL element (three-valued logic: the NULL might have been v).
    Flink's ARRAY_CONTAINS returns FALSE for an absent value whatever the array holds, and
    TRUE for a NULL v when the array holds a NULL (checked on PySpark 4 and Flink 2.3:
    ``array_contains(array(1, NULL), 2)`` is NULL in Spark, FALSE in Flink; ``NOT
    array_contains(...)`` then keeps rows Spark drops).  The translation tests those cases
    first: NULL for a NULL v or array, TRUE when Flink finds v, NULL when the array has fewer
    elements once its NULLs are removed, else FALSE.  An array literal of non-NULL values and
    a non-NULL literal value need none of the tests."""

    id = "SL1109"
    name = "array-contains-nulls"
    title = "array_contains(arr, v) is NULL for a NULL v, or an absent v beside a NULL element, as in Spark"
    node_types = (exp.ArrayContains,)
    examples = (
        Example(
            before="SELECT array_contains(arr, v) FROM t",
            after="SELECT CASE WHEN v IS NULL OR arr IS NULL THEN NULL WHEN ARRAY_CONTAINS(arr, v) THEN TRUE "
            "WHEN CARDINALITY(ARRAY_REMOVE(arr, NULL)) < CARDINALITY(arr) THEN NULL ELSE FALSE END FROM t",
        ),
        Example(
            before="SELECT array_contains(arr, 'x') FROM t",
            after="SELECT CASE WHEN arr IS NULL THEN NULL WHEN ARRAY_CONTAINS(arr, 'x') THEN TRUE "
            "WHEN CARDINALITY(ARRAY_REMOVE(arr, NULL)) < CARDINALITY(arr) THEN NULL ELSE FALSE END FROM t",
        ),
        Example(
            before="SELECT array_contains(array('a', 'b'), s) FROM t",
            after="SELECT CASE WHEN s IS NULL THEN NULL ELSE ARRAY_CONTAINS(ARRAY['a', 'b'], s) END FROM t",
        ),
        Example(
            before="SELECT array_contains(array(1, 2), 2) FROM t",
            after="SELECT ARRAY_CONTAINS(ARRAY[1, 2], 2) FROM t",
        ),
    )

    def apply(self, node: exp.Expr, ctx: RuleContext) -> exp.Expr | None:
        if ctx.read.lower() not in _SPARK_READERS or node.meta.get(self.id):
            return None
        if _extra_args(node, {"this", "expression"}):
            return None
        array, value = node.this, node.expression
        plain = exp.ArrayContains(this=array.copy(), expression=value.copy())
        plain.meta[self.id] = True
        unknowns: list[exp.Expr] = []
        if not (isinstance(value, exp.Literal) or _int_literal(value) is not None):
            unknowns.append(value)
        literal_array = _non_null_literals(array)
        if not literal_array:
            unknowns.append(array)
        if not unknowns:
            return plain
        missing = exp.or_(*(exp.Is(this=u.copy(), expression=exp.null()) for u in unknowns), copy=False)
        if literal_array:
            return exp.Case(ifs=[exp.If(this=missing, true=exp.null())], default=plain)
        without_nulls = _fn("CARDINALITY", _fn("ARRAY_REMOVE", array.copy(), exp.null()))
        holds_null = exp.LT(this=without_nulls, expression=_fn("CARDINALITY", array.copy()))
        return exp.Case(
            ifs=[
                exp.If(this=missing, true=exp.null()),
                exp.If(this=plain, true=exp.true()),
                exp.If(this=holds_null, true=exp.null()),
            ],
            default=exp.false(),
        )


class LikeBackslashEscape(Rule):
    r"""Spark's LIKE (and ILIKE, LIKE ANY / ALL) takes the backslash as its escape character
    when no ESCAPE clause is given: ``s LIKE 'a\\_%'`` matches an 'a' followed by a literal
    underscore.  Flink's LIKE has no default escape character: the backslash is an ordinary
    character there, so the same pattern matches other rows (checked on PySpark 4 and Flink
    2.3: 'a_' matches in Spark, not in Flink; 'a\\x' the reverse).  The rule writes Spark's
    escape out, ``ESCAPE '\'``, when the pattern is a literal holding a backslash or is not a
    literal (a column of patterns)."""

    id = "SL1110"
    name = "like-backslash-escape"
    title = "LIKE with a backslash in the pattern gets ESCAPE '\\' (Spark's default escape character)"
    phase = "check"  # also the LIKEs that ILIKE (SL1056) and LIKE ANY (SL3024) become
    node_types = (exp.Like,)
    examples = (
        Example(
            before=r"SELECT s LIKE 'a\\_%' FROM t",
            after=r"SELECT s LIKE 'a\_%' ESCAPE '\' FROM t",
        ),
        Example(before="SELECT s LIKE 'a_%' FROM t", after="SELECT s LIKE 'a_%' FROM t"),
        Example(before="SELECT s ILIKE p FROM t", after="SELECT LOWER(s) LIKE LOWER(p) ESCAPE '\\' FROM t"),
    )

    def apply(self, node: exp.Expr, ctx: RuleContext) -> exp.Expr | None:
        pattern = node.expression
        if ctx.read.lower() not in _SPARK_READERS or isinstance(node.parent, exp.Escape):
            return None
        if isinstance(pattern, (exp.Any, exp.All, exp.Null, exp.Escape)):
            return None
        text = pattern.this if isinstance(pattern, (exp.Lower, exp.Upper)) else pattern
        if isinstance(text, exp.Literal) and "\\" not in text.this:
            return None
        # the pattern becomes "p ESCAPE '\'" in place (the LIKE's own subtree)
        node.set("expression", exp.Escape(this=pattern.copy(), expression=exp.Literal.string("\\")))
        return node


def _non_negative(node: exp.Expr) -> bool:
    """A position or length known not to be negative: a literal, a character count or a
    1-based position (plus a non-negative literal)."""
    value = _int_literal(node)
    if value is not None:
        return value >= 0
    if isinstance(node, exp.Add):
        return _non_negative(node.this) and _non_negative(node.expression)
    return isinstance(node, (exp.Length, exp.StrPosition, exp.ArraySize))


class SubstrNegativeArguments(Rule):
    """Spark's ``substr(s, pos[, len])`` counts a negative pos from the end and keeps what lies
    inside the string when pos reaches before its start (``substr('ab', -3)`` is 'ab',
    ``substr('abc', -4, 2)`` is 'a'); a negative len gives ''.  Flink's SUBSTRING returns ''
    when a negative pos reaches before the start, and NULL for a negative length (checked on
    PySpark 4 and Flink 2.3), e.g. ``substr(email, 1, instr(email, '@') - 1)`` of an address
    without '@'.  The rule computes Spark's 0-based start (``CHAR_LENGTH(s) + pos`` for a
    negative pos), starts at its larger with 0 and shortens the length by what lies before the
    string, clamped at 0.  A pos and len known not to be negative (literals, positions,
    lengths) keep the plain SUBSTRING."""

    id = "SL1111"
    name = "substr-negative-arguments"
    title = "substr(s, pos, len) with a negative pos or len gives Spark's values"
    node_types = (exp.Substring,)
    examples = (
        Example(before="SELECT substr(s, 2, 3) FROM t", after="SELECT SUBSTRING(s FROM 2 FOR 3) FROM t"),
        Example(
            before="SELECT substr(s, -4) FROM t",
            after="SELECT SUBSTRING(s FROM GREATEST(CHAR_LENGTH(s) + -4, 0) + 1) FROM t",
        ),
        Example(
            before="SELECT substr(s, -4, 2) FROM t",
            after="SELECT SUBSTRING(s FROM GREATEST(CHAR_LENGTH(s) + -4, 0) + 1 "
            "FOR GREATEST(2 + LEAST(CHAR_LENGTH(s) + -4, 0), 0)) FROM t",
        ),
        Example(
            before="SELECT substr(s, 1, instr(s, '@') - 1) FROM t",
            after="SELECT SUBSTRING(s FROM 1 FOR GREATEST(POSITION('@' IN s) - 1, 0)) FROM t",
        ),
        Example(
            before="SELECT substr(s, p) FROM t",
            after="SELECT SUBSTRING(s FROM GREATEST(CASE WHEN p > 0 THEN p - 1 WHEN p < 0 "
            "THEN CHAR_LENGTH(s) + p ELSE p END, 0) + 1) FROM t",
        ),
    )

    def apply(self, node: exp.Expr, ctx: RuleContext) -> exp.Expr | None:
        if ctx.read.lower() not in _SPARK_READERS or node.meta.get(self.id):
            return None
        if _extra_args(node, {"this", "start", "length", "zero_start"}):
            return None
        start, length = node.args.get("start"), node.args.get("length")
        if start is None or (_non_negative(start) and (length is None or _non_negative(length))):
            return None
        text = node.this
        zero = exp.Literal.number(0)

        def greatest(*args: exp.Expr) -> exp.Expr:
            return exp.Greatest(this=args[0], expressions=list(args[1:]), ignore_nulls=False)

        if _non_negative(start):  # only the length can be negative
            out = exp.Substring(this=text.copy(), start=start.copy(), length=greatest(length.copy(), zero))
            out.meta[self.id] = True
            return out
        position = _int_literal(start)
        begin: exp.Expr  # Spark's 0-based start, before clamping at 0
        if position is not None:  # a negative literal
            begin = exp.Add(this=exp.Length(this=text.copy()), expression=_number(position))
        else:
            begin = exp.Case(
                ifs=[
                    exp.If(this=exp.GT(this=start.copy(), expression=zero.copy()),
                           true=exp.Sub(this=start.copy(), expression=exp.Literal.number(1))),
                    exp.If(this=exp.LT(this=start.copy(), expression=zero.copy()),
                           true=exp.Add(this=exp.Length(this=text.copy()), expression=start.copy())),
                ],
                default=start.copy(),  # 0, or NULL
            )
        first = exp.Add(this=greatest(begin.copy(), zero.copy()), expression=exp.Literal.number(1))
        count = None
        if length is not None:
            least = exp.Least(this=begin.copy(), expressions=[zero.copy()], ignore_nulls=False)
            count = greatest(exp.Add(this=length.copy(), expression=least), zero.copy())
        out = exp.Substring(this=text.copy(), start=first, length=count)
        out.meta[self.id] = True
        return out


def _hex_digit(hex_text: exp.Expr, index: int) -> exp.Expr:
    """The value (0-15) of the ``index``-th (1-based) digit of an upper-case hex string."""
    digit = exp.Substring(this=hex_text.copy(), start=exp.Literal.number(index), length=exp.Literal.number(1))
    found = exp.StrPosition(this=exp.Literal.string("0123456789ABCDEF"), substr=digit)
    return exp.Sub(this=found, expression=exp.Literal.number(1))


def _continuation(hex_text: exp.Expr, byte: int) -> exp.Expr:
    """The 6 payload bits of the ``byte``-th (0-based) UTF-8 byte, a continuation byte
    (0x80-0xBF: hex digits 8-B then any)."""
    high = exp.Sub(this=_hex_digit(hex_text, 2 * byte + 1), expression=exp.Literal.number(8))
    return exp.Add(this=exp.Mul(this=exp.paren(high), expression=exp.Literal.number(16)),
                   expression=_hex_digit(hex_text, 2 * byte + 2))


_EXAMPLE_TAIL = (
    "(POSITION(SUBSTRING(HEX(LEFT(s, 2)) FROM 3 FOR 1) IN '0123456789ABCDEF') - 1 - 8) * 16 + "
    "POSITION(SUBSTRING(HEX(LEFT(s, 2)) FROM 4 FOR 1) IN '0123456789ABCDEF') - 1 WHEN ASCII(s) < -16 THEN "
    "(ASCII(s) + 32) * 4096 + ((POSITION(SUBSTRING(HEX(LEFT(s, 2)) FROM 3 FOR 1) IN '0123456789ABCDEF') - 1 - 8) "
    "* 16 + POSITION(SUBSTRING(HEX(LEFT(s, 2)) FROM 4 FOR 1) IN '0123456789ABCDEF') - 1) * 64 + "
    "(POSITION(SUBSTRING(HEX(LEFT(s, 2)) FROM 5 FOR 1) IN '0123456789ABCDEF') - 1 - 8) * 16 + "
    "POSITION(SUBSTRING(HEX(LEFT(s, 2)) FROM 6 FOR 1) IN '0123456789ABCDEF') - 1 ELSE (ASCII(s) + 16) * 262144 + "
    "((POSITION(SUBSTRING(HEX(LEFT(s, 2)) FROM 3 FOR 1) IN '0123456789ABCDEF') - 1 - 8) * 16 + "
    "POSITION(SUBSTRING(HEX(LEFT(s, 2)) FROM 4 FOR 1) IN '0123456789ABCDEF') - 1) * 4096 + "
    "((POSITION(SUBSTRING(HEX(LEFT(s, 2)) FROM 5 FOR 1) IN '0123456789ABCDEF') - 1 - 8) * 16 + "
    "POSITION(SUBSTRING(HEX(LEFT(s, 2)) FROM 6 FOR 1) IN '0123456789ABCDEF') - 1) * 64 + "
    "(POSITION(SUBSTRING(HEX(LEFT(s, 2)) FROM 7 FOR 1) IN '0123456789ABCDEF') - 1 - 8) * 16 + "
    "POSITION(SUBSTRING(HEX(LEFT(s, 2)) FROM 8 FOR 1) IN '0123456789ABCDEF') - 1 END"
)


class AsciiCodePoint(Rule):
    """Spark's ``ascii(s)`` is the code point of the first character (233 for 'é', 128512 for
    an emoji); Flink's ASCII returns the first UTF-8 byte as a signed number (-61 for 'é'),
    the same only for ASCII text (checked on PySpark 4 and Flink 2.3).  The translation keeps
    ASCII for a first byte of 0-127 (and '' and NULL), and otherwise decodes the UTF-8 bytes
    of the first character from ``HEX(LEFT(s, 2))`` (two UTF-16 units hold a whole character):
    the lead byte's payload from ASCII (a 2-, 3- or 4-byte sequence by its range) and 6 bits
    from each continuation byte."""

    id = "SL1112"
    name = "ascii-code-point"
    title = "ascii(s) gives the first character's code point, as in Spark (not Flink's signed first byte)"
    node_types = (exp.Unicode, exp.Ascii)
    examples = (
        Example(before="SELECT ascii('A'), ascii('é'), ascii('') FROM t", after="SELECT 65, 233, 0 FROM t"),
        Example(
            before="SELECT ascii(s) FROM t",
            after="SELECT CASE WHEN ASCII(s) >= 0 THEN ASCII(s) WHEN ASCII(s) < -32 THEN (ASCII(s) + 64) * 64 + "
            + _EXAMPLE_TAIL + " FROM t",
        ),
    )

    def apply(self, node: exp.Expr, ctx: RuleContext) -> exp.Expr | None:
        if ctx.read.lower() not in _SPARK_READERS or not isinstance(node, exp.Ascii) or node.meta.get(self.id):
            return None
        if _extra_args(node, {"this"}):
            return None
        text = node.this
        if isinstance(text, exp.Literal) and text.is_string:  # computed here
            return exp.Literal.number(ord(text.this[0]) if text.this else 0)

        def first_byte() -> exp.Expr:
            call = exp.Ascii(this=text.copy())
            call.meta[self.id] = True
            return call

        hex_text = exp.Hex(this=exp.Left(this=text.copy(), expression=exp.Literal.number(2)))
        parts = [_continuation(hex_text, k) for k in (1, 2, 3)]

        def lead(offset: int, scale: int) -> exp.Expr:
            payload = exp.paren(exp.Add(this=first_byte(), expression=exp.Literal.number(offset)))
            return exp.Mul(this=payload, expression=exp.Literal.number(scale))

        def code(offset: int, count: int) -> exp.Expr:
            total: exp.Expr = lead(offset, 64 ** count)
            for k in range(count):
                tail = parts[k].copy()
                weight = 64 ** (count - 1 - k)
                total = exp.Add(this=total, expression=exp.Mul(this=exp.paren(tail), expression=exp.Literal.number(
                    weight)) if weight > 1 else tail)
            return total

        return exp.Case(
            ifs=[
                exp.If(this=exp.GTE(this=first_byte(), expression=exp.Literal.number(0)), true=first_byte()),
                exp.If(this=exp.LT(this=first_byte(), expression=_number(-32)), true=code(64, 1)),
                exp.If(this=exp.LT(this=first_byte(), expression=_number(-16)), true=code(32, 2)),
            ],
            default=code(16, 3),
        )


def _positive_literal(node: exp.Expr) -> bool:
    return isinstance(node, exp.Literal) and not node.is_string and float(node.this) > 0


class LogarithmDomain(Rule):
    """Spark's ``ln(x)`` / ``log(x)``, ``log10(x)``, ``log2(x)`` and ``log(b, x)`` are NULL for
    x <= 0 (and b <= 0); Flink's LN / LOG return -Infinity for 0 and NaN below (checked on
    PySpark 4 and Flink 2.3: ``ln(0)`` is NULL in Spark, -Infinity in Flink), values a sink or
    a later comparison takes as numbers.  The call becomes ``CASE WHEN x > 0 THEN LN(x) END``
    (no test for a positive literal).  log10 and log2 become Flink's LOG10 / LOG2: ``LOG(10,
    x)`` divides two logarithms and can be one unit in the last place off Spark's
    ``log10``.  (Spark computes with StrictMath, Flink with Math: a result can still differ in
    its last binary digit.)"""

    id = "SL1114"
    name = "logarithm-domain"
    title = "ln / log / log10 / log2 of a non-positive number are NULL, as in Spark (Flink: NaN, -Infinity)"
    node_types = (exp.Ln, exp.Log)
    examples = (
        Example(before="SELECT ln(x) FROM t", after="SELECT CASE WHEN x > 0 THEN LN(x) END FROM t"),
        Example(before="SELECT log10(x) FROM t", after="SELECT CASE WHEN x > 0 THEN LOG10(x) END FROM t"),
        Example(before="SELECT log(b, x) FROM t", after="SELECT CASE WHEN b > 0 AND x > 0 THEN LOG(b, x) END FROM t"),
        Example(before="SELECT log2(8) FROM t", after="SELECT LOG2(8) FROM t"),
    )

    def apply(self, node: exp.Expr, ctx: RuleContext) -> exp.Expr | None:
        if ctx.read.lower() not in _SPARK_READERS or node.meta.get(self.id):
            return None
        if isinstance(node, exp.Ln):
            if _extra_args(node, {"this"}):
                return None
            operands = [node.this]
            call: exp.Expr = exp.Ln(this=node.this.copy())
        else:
            if _extra_args(node, {"this", "expression"}) or node.expression is None:
                return None
            base, value = node.this, node.expression
            named = {"10": "LOG10", "2": "LOG2"}.get(base.this) if isinstance(base, exp.Literal) else None
            operands = [value] if named else [base, value]
            call = _fn(named, value.copy()) if named else exp.Log(this=base.copy(), expression=value.copy())
        call.meta[self.id] = True
        tests = [exp.GT(this=o.copy(), expression=exp.Literal.number(0)) for o in operands if not _positive_literal(o)]
        if not tests:
            return call
        return exp.Case(ifs=[exp.If(this=exp.and_(*tests, copy=False), true=call)])
