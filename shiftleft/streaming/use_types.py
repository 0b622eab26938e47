"""The type a column's use implies, for a column whose type nobody declared: the one inference
behind ``transpile(sources=True)``'s source tables and ``migrate``'s undeclared source columns.

Each use of a column says which types Flink accepts there (checked on Flink 2.3 over STRING,
DOUBLE, BIGINT and TIMESTAMP(3) columns) and which of them it prefers:

* a number only: summed, averaged, in arithmetic, COALESCEd / NULLIFed / a CASE branch beside a
  number (``nvl(c, 0)``: "Invalid function call: COALESCE(STRING, INT NOT NULL)"), ``=`` / ``<>``
  a number ("implicit type conversion between VARCHAR and INTEGER is not supported");
* a number preferred, a string accepted: ``<`` / ``>`` / ``BETWEEN`` a number (Flink coerces);
* a string only: the string functions (UPPER, TRIM, SUBSTRING, LPAD, POSITION, REGEXP_*, SPLIT,
  CHAR_LENGTH, CONCAT, ``||``, ...), LIKE, compared with a string literal, beside a string in
  COALESCE / CASE;
* TIMESTAMP(3): a time of day read from it (HOUR, EXTRACT, FLOOR ... TO), plus or minus an
  INTERVAL; preferred (a string accepted) as a date function's argument;
* a string preferred, a date or timestamp accepted: CAST to a date or timestamp (Flink does not
  cast a number to one); a string preferred, a number or boolean accepted: CAST to a number;
* DATE / TIMESTAMP(3): compared with one; BOOLEAN: a whole condition; a typed column's type:
  compared with it;
* an ARRAY only: the argument of UNNEST (BigQuery, Flink), Spark's explode / posexplode /
  inline (also in LATERAL VIEW): Flink unnests an ARRAY, MULTISET or MAP, not a STRING ("Cannot
  apply 'UNNEST' to arguments of type 'UNNEST(<VARCHAR>)'").  Its elements are typed by their
  own uses in the SELECT (:func:`_element_kind`): a STRUCT of the fields read from them
  (``e.id``, ``t.e.id``, or the columns Flink's ``UNNEST ... AS t(a, b)`` spreads them into),
  else the element's use (``x + 1``: DOUBLE), else STRING.  An element used both as a struct
  and as a value, or whose uses conflict, has no sound type: the use then accepts no type, so
  the caller reports the column.  (Snowflake's FLATTEN reads a VARIANT, JSON text in Flink:
  not an array use.)

:func:`decide` brings a column's uses together: the types every use accepts, the most specific
one preferred (timestamp, date, number, boolean, another declared type, string); when no type
suits them all, the uses conflict: the first use's preferred type in that order is taken,
and the caller reports the conflict (no declaration of the column can make the query plan).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import NamedTuple

from sqlglot import exp

NUMERIC = "DOUBLE"
TIMESTAMP = "TIMESTAMP(3)"
DATE = "DATE"
BOOLEAN = "BOOLEAN"
STRING = "STRING"

#: families, most specific first: the order a conflict or a choice is decided in
FAMILIES = ("timestamp", "date", "number", "boolean", "array", "other", "string")


class Use(NamedTuple):
    """What one use of a column asks of its type."""

    kind: str  #: the Flink type it prefers
    accepts: frozenset[str]  #: the families it plans with
    node: exp.Expr  #: the expression using the column (for its position and its words)


_NUMERIC_PARENTS = (
    exp.Sum, exp.Avg, exp.Stddev, exp.StddevPop, exp.StddevSamp, exp.Variance, exp.VariancePop,
    exp.Add, exp.Sub, exp.Mul, exp.Div, exp.IntDiv, exp.Mod, exp.Round, exp.Abs, exp.Neg,
)  # fmt: skip
#: calls whose first argument (``this``) Flink takes as a string only
_STRING_CALLS = (
    exp.Upper, exp.Lower, exp.Trim, exp.Substring, exp.Pad, exp.StrPosition, exp.RegexpExtract,
    exp.RegexpLike, exp.RegexpReplace, exp.RegexpSplit, exp.Split, exp.Length, exp.Initcap,
    exp.Like, exp.ILike, exp.Reverse, exp.Left, exp.Right,
)  # fmt: skip
#: calls each of whose arguments Flink takes as a string only
_STRING_ARGUMENTS = (exp.Concat, exp.ConcatWs, exp.DPipe)
#: the same, by name, where sqlglot reads them as anonymous calls (the Flink forms)
_STRING_NAMES = frozenset({"REGEXP_EXTRACT", "REGEXP", "SPLIT", "LPAD", "RPAD", "CHAR_LENGTH", "INSTR", "LOCATE", "SPLIT_INDEX"})
#: functions reading a time of day: HOUR(x), EXTRACT(HOUR FROM x), FLOOR(x TO HOUR)
_TIME_PARTS = (exp.Hour, exp.Minute, exp.Second, exp.TimestampTrunc)
#: (date / time function, the arguments that hold its date or timestamp): a string is cast
_TIME_ARGUMENTS: tuple[tuple[type[exp.Expr], tuple[str, ...]], ...] = (
    (exp.DateAdd, ("this",)), (exp.DateSub, ("this",)), (exp.TsOrDsAdd, ("this",)),
    (exp.TimestampAdd, ("this",)), (exp.TimestampSub, ("this",)), (exp.DatetimeAdd, ("this",)),
    (exp.DateDiff, ("this", "expression")), (exp.TimestampDiff, ("this", "expression")),
    (exp.DateTrunc, ("this",)), (exp.Extract, ("expression",)),
    (exp.Year, ("this",)), (exp.Month, ("this",)), (exp.Day, ("this",)),
    (exp.DayOfWeek, ("this",)), (exp.DayOfMonth, ("this",)), (exp.DayOfYear, ("this",)),
    (exp.WeekOfYear, ("this",)), (exp.Quarter, ("this",)), (exp.LastDay, ("this",)),
)  # fmt: skip
_DATETIME_TYPES = (exp.DataType.Type.DATE, exp.DataType.Type.TIMESTAMP, exp.DataType.Type.DATETIME,
                   exp.DataType.Type.TIMESTAMPLTZ, exp.DataType.Type.TIMESTAMPTZ)  # fmt: skip
_EQUALITIES = (exp.EQ, exp.NEQ, exp.NullSafeEQ, exp.NullSafeNEQ)
_ORDERINGS = (exp.GT, exp.GTE, exp.LT, exp.LTE)
#: a column that is a whole condition is a boolean (``not is_deleted``, ``where active``)
_CONDITIONS = (exp.Not, exp.And, exp.Or, exp.Where, exp.Having, exp.Xor)


def family(kind: str) -> str:
    """The family of a Flink type's spelling (``DOUBLE`` → number, ``VARCHAR(3)`` → string)."""
    head = kind.upper().split("(")[0].strip()
    if head.startswith("ARRAY"):
        return "array"
    if head in ("STRING", "VARCHAR", "CHAR", "TEXT"):
        return "string"
    if head in ("TIMESTAMP", "TIMESTAMP_LTZ", "DATETIME") or head.startswith("TIMESTAMP"):
        return "timestamp"
    if head == "DATE":
        return "date"
    if head == "BOOLEAN":
        return "boolean"
    if head in ("DOUBLE", "FLOAT", "REAL", "DECIMAL", "NUMERIC", "INT", "INTEGER", "BIGINT", "SMALLINT", "TINYINT"):
        return "number"
    return "other"


def _use(kind: str, node: exp.Expr, *others: str) -> Use:
    return Use(kind, frozenset((family(kind), *others)), node)


def _literal_type(value: exp.Expr) -> str | None:
    """The type of a literal sibling (a COALESCE argument, a CASE branch), else None."""
    while isinstance(value, exp.Paren):
        value = value.this
    if isinstance(value, exp.Literal):
        return STRING if value.is_string else NUMERIC
    if isinstance(value, exp.Boolean):
        return BOOLEAN
    return None


def _siblings(node: exp.Expr, parent: exp.Expr) -> tuple[list[exp.Expr], exp.Expr] | None:
    """(the other values, the expression whose value ``node``'s is) when ``parent`` passes
    ``node``'s value on: a COALESCE / NULLIF argument, a CASE / IF branch (not a condition)."""
    if isinstance(parent, exp.Coalesce):
        return [v for v in (parent.this, *parent.expressions) if v is not node], parent
    if isinstance(parent, exp.Nullif):
        return [v for v in (parent.this, parent.expression) if v is not node], parent
    if isinstance(parent, exp.If) and node is not parent.this:
        case = parent.parent
        if isinstance(case, exp.Case) and parent in (case.args.get("ifs") or []):
            return _branches(case, node), case
        return [v for v in (parent.args.get("true"), parent.args.get("false")) if v is not None and v is not node], parent
    if isinstance(parent, exp.Case) and node is parent.args.get("default"):
        return _branches(parent, node), parent
    return None


def _branches(case: exp.Case, node: exp.Expr) -> list[exp.Expr]:
    values = [b.args.get("true") for b in case.args.get("ifs") or []] + [case.args.get("default")]
    return [v for v in values if isinstance(v, exp.Expr) and v is not node]


def use_of(column: exp.Expr) -> tuple[exp.Expr, exp.Expr | None, str | None]:
    """(the operand, the expression using it, the type of a literal it is COALESCEd / NULLIFed
    with or a CASE branch beside it) of ``column``, looking through parentheses, COALESCE,
    NULLIF, MAX / MIN and CASE / IF branches."""
    node, parent = column, column.parent
    beside: str | None = None
    while parent is not None:
        if isinstance(parent, (exp.Paren, exp.Max, exp.Min)):
            node, parent = parent, parent.parent
            continue
        found = _siblings(node, parent)
        if found is None:
            break
        values, holder = found
        beside = beside or next((t for t in map(_literal_type, values) if t is not None), None)
        node, parent = holder, holder.parent
    return node, parent, beside


def _typed(other: exp.Expr, known: Mapping[str, Mapping[str, str]]) -> str | None:
    """The type ``other`` (the far side of a comparison) tells about a column."""
    while isinstance(other, exp.Paren):
        other = other.this
    if isinstance(other, (exp.Cast, exp.TryCast)) and other.to.this in (
        exp.DataType.Type.DATE, exp.DataType.Type.TIMESTAMP, exp.DataType.Type.DATETIME
    ):  # fmt: skip
        return DATE if other.to.this is exp.DataType.Type.DATE else TIMESTAMP
    if isinstance(other, exp.CurrentDate):
        return DATE
    if isinstance(other, (exp.CurrentTimestamp, exp.TimestampTrunc)):
        return TIMESTAMP
    if isinstance(other, exp.Literal):
        return STRING if other.is_string else NUMERIC
    if isinstance(other, exp.Boolean):
        return BOOLEAN
    if isinstance(other, exp.Column) and other.table:
        return None if other.table not in known else known[other.table].get(other.name.lower())
    return None


def _compared(operand: exp.Expr, parent: exp.Expr, known: Mapping[str, Mapping[str, str]]) -> Use | None:
    if isinstance(parent, exp.Between):
        low = parent.args.get("low")
        kind = _typed(low, known) if isinstance(low, exp.Expr) and parent.this is operand else None
        ordering = True
    else:
        other = parent.expression if parent.this is operand else parent.this
        kind, ordering = _typed(other, known), isinstance(parent, _ORDERINGS)
    if kind is None:
        return None
    if ordering and family(kind) == "number":
        return _use(kind, parent, "string")  # a string is coerced by < / > / BETWEEN
    return _use(kind, parent)


def use_type(column: exp.Column, known: Mapping[str, Mapping[str, str]] | None = None) -> Use | None:
    """What the use of ``column`` asks of its type (None: nothing); ``known``: the column types
    of the tables by alias, for a comparison with a typed column."""
    operand, parent, beside = use_of(column)
    found = _parent_use(operand, parent, known or {}, operand is not column)
    if found is None and beside is not None:
        return _use(beside, operand)
    return found


def _string_argument(operand: exp.Expr, parent: exp.Expr) -> bool:
    """Whether ``parent`` takes ``operand`` as a string only."""
    if isinstance(parent, _STRING_CALLS):
        return parent.this is operand
    if isinstance(parent, _STRING_ARGUMENTS):
        return True
    if isinstance(parent, exp.Anonymous):
        return parent.name.upper() in _STRING_NAMES and bool(parent.expressions) and parent.expressions[0] is operand
    # CONCAT_WS in Flink: ARRAY_JOIN(ARRAY[x, y], sep) joins strings only
    return isinstance(parent, exp.Array) and (
        isinstance(parent.parent, exp.ArrayToString)
        or (isinstance(parent.parent, exp.Anonymous) and parent.parent.name.upper() == "ARRAY_JOIN")
    )


def _parent_use(
    operand: exp.Expr, parent: exp.Expr | None, known: Mapping[str, Mapping[str, str]], wrapped: bool
) -> Use | None:
    """``wrapped``: ``operand`` holds the column (a COALESCE, a CASE), is not the column."""
    if parent is None:
        return None
    if isinstance(parent, (exp.Add, exp.Sub)) and any(
        isinstance(side, exp.Interval) for side in (parent.this, parent.expression)
    ):
        return _use(TIMESTAMP, parent, "date")
    if isinstance(parent, _NUMERIC_PARENTS) or (
        wrapped and isinstance(parent, (exp.Cast, exp.TryCast)) and parent.to.is_type(*exp.DataType.NUMERIC_TYPES)
    ):
        # (AVG(x) is AVG(CAST(x AS DOUBLE)): a branch of it mixes types unless x is a number)
        return _use(NUMERIC, parent)
    if isinstance(parent, (exp.Cast, exp.TryCast)):
        # Flink casts a string to anything, a number not to a date / timestamp, nor these to a number
        if parent.to.is_type(*_DATETIME_TYPES):
            return _use(STRING, parent, "date", "timestamp")
        if parent.to.is_type(*exp.DataType.NUMERIC_TYPES):
            return _use(STRING, parent, "number", "boolean")
        return None
    if isinstance(parent, (*_EQUALITIES, *_ORDERINGS, exp.Between)):
        return _compared(operand, parent, known)
    if _string_argument(operand, parent):
        return _use(STRING, parent)
    if _generator(operand, parent):
        return _array_use(parent, known)
    if isinstance(parent, _CONDITIONS) or (isinstance(parent, exp.If) and parent.this is operand):
        return _use(BOOLEAN, parent)
    if isinstance(parent, exp.Is) and isinstance(parent.expression, exp.Boolean):
        return _use(BOOLEAN, parent)
    if isinstance(parent, _TIME_PARTS) or (isinstance(parent, (exp.Floor, exp.Ceil)) and parent.args.get("to")):
        return _use(TIMESTAMP, parent)
    for func, keys in _TIME_ARGUMENTS:
        if isinstance(parent, func) and any(parent.args.get(k) is operand for k in keys):
            return _use(TIMESTAMP, parent, "date", "string")
    return None


def _generator(operand: exp.Expr, parent: exp.Expr) -> bool:
    """Whether ``parent`` unnests ``operand``: UNNEST's argument, or the argument of Spark's
    explode / posexplode / inline (not Snowflake's FLATTEN: ``LATERAL FLATTEN``, ``TABLE(FLATTEN
    (...))``, whose input is a VARIANT)."""
    if isinstance(parent, exp.Unnest):
        return any(e is operand for e in parent.expressions)
    if isinstance(parent, (exp.Explode, exp.ExplodeOuter, exp.Inline)) and parent.this is operand:
        holder = parent.parent
        return not isinstance(holder, exp.Table) and not (isinstance(holder, exp.Lateral) and not holder.args.get("view"))
    return False


class _Shape:
    """What the uses of an array's elements (or of one of their fields) ask of their type."""

    def __init__(self) -> None:
        self.uses: list[Use | None] = []
        self.fields: dict[str, tuple[str, _Shape]] = {}

    def field(self, name: str) -> _Shape:
        return self.fields.setdefault(name.lower(), (name, _Shape()))[1]

    def kind(self) -> tuple[str, bool]:
        """(the type, whether it suits every use)."""
        if not self.fields:
            kind, conflicts = decide(self.uses)
            return kind or STRING, not conflicts
        parts = [(name, shape.kind()) for name, shape in self.fields.values()]
        text = ", ".join(f"`{name.replace('`', '``')}` {kind}" for name, (kind, _) in parts)
        whole = any(u is not None for u in self.uses)  # a struct used as a value
        return f"ROW<{text}>", not whole and all(sound for _, (_, sound) in parts)


def _element_columns(generator: exp.Expr) -> tuple[str, list[str], bool]:
    """(the generator's table alias, the names of the columns its elements are read by, whether
    those are the elements' fields: Flink's ``UNNEST(a) AS t(x, y)`` and Spark's inline)."""
    holder = generator.parent if not isinstance(generator, exp.Unnest) else generator
    alias = holder.args.get("alias") if isinstance(holder, (exp.Unnest, exp.Lateral)) else None
    if not isinstance(alias, exp.TableAlias):
        return "", [], False
    offset = generator.args.get("offset") if isinstance(generator, exp.Unnest) else None
    names = [c.name for c in alias.columns if not (isinstance(offset, exp.Identifier) and c.name == offset.name)]
    if isinstance(generator, exp.Posexplode):
        names = names[1:]  # (pos, element)
    if isinstance(generator, exp.Unnest) and offset is True:
        names = names[:-1]  # WITH ORDINALITY AS t(x, n) of the other readers
    return alias.name, names, len(names) > 1 or isinstance(generator, exp.Inline)


#: (a SELECT reading the elements, the table alias they are read by, their column names, whether
#: those are the elements' fields)
_Readers = list[tuple[exp.Select, str, list[str], bool]]
#: how many SELECTs the elements of one array are followed through
_READERS = 16


def generated_names(select: exp.Select) -> set[str]:
    """The (lower-case) names of the columns the UNNESTs and LATERAL VIEWs of ``select`` make:
    their elements, fields and offsets, no table's columns."""
    names: set[str] = set()
    for node in select.find_all(exp.Unnest, exp.Lateral):
        if node.find_ancestor(exp.Select) is not select:
            continue
        alias = node.args.get("alias")
        if isinstance(alias, exp.TableAlias):
            names.update(c.name.lower() for c in alias.columns)
        offset = node.args.get("offset")
        if isinstance(offset, exp.Identifier):
            names.add(offset.name.lower())
    return names


def _outer_readers(select: exp.Select, name: str) -> _Readers:
    """The queries reading output ``name`` of ``select``: as a derived table, or as a CTE."""
    parent = select.parent
    if isinstance(parent, exp.Subquery):
        outer = parent.find_ancestor(exp.Select)
        return [(outer, parent.alias_or_name, [name], False)] if outer is not None else []
    if isinstance(parent, exp.CTE) and isinstance(parent.parent, exp.With) and parent.parent.parent is not None:
        return [
            (reader, table.alias_or_name, [name], False)
            for table in parent.parent.parent.find_all(exp.Table)
            if table.name.lower() == parent.alias_or_name.lower() and not table.db
            and (reader := table.find_ancestor(exp.Select)) is not None and not _inside(reader, parent)
        ]  # fmt: skip
    return []


def _element_readers(generator: exp.Expr) -> _Readers:
    """Where the elements of ``generator`` are read: its own SELECT, or (Spark's ``SELECT
    explode(a) AS x``) the queries reading that SELECT as a derived table or a CTE."""
    select = generator.find_ancestor(exp.Select)
    if select is None:
        return []
    if isinstance(generator.parent, exp.Alias) and not isinstance(generator, exp.Unnest):
        return _outer_readers(select, generator.parent.alias)
    table, names, spread = _element_columns(generator)
    return [(select, table, names, spread)] if names else []


def _element_kind(generator: exp.Expr, known: Mapping[str, Mapping[str, str]]) -> tuple[str, bool]:
    """(the element type, whether it suits every use) of the array ``generator`` unnests, from
    the uses of its elements where they are read (also through the derived tables and CTEs that
    pass an element on as one of their columns)."""
    root = _Shape()
    readers = _element_readers(generator)
    seen = 0
    while readers and seen < _READERS:
        select, table, names, spread = readers.pop(0)
        seen += 1
        lowered = [n.lower() for n in names]
        for column in select.find_all(exp.Column, bfs=False):  # (fields in the order of the text)
            parts = [p.name for p in column.parts]
            low = [p.lower() for p in parts]
            if table and len(low) > 1 and low[0] == table.lower() and low[1] in lowered:
                path = parts[1:]
            elif low[0] in lowered and not isinstance(column.this, exp.Star):
                path = parts
            else:
                continue
            if _inside(column, generator):  # (the generator's own argument)
                continue
            shape = root.field(names[lowered.index(path[0].lower())]) if spread else root
            for name in path[1:]:
                shape = shape.field(name)
            shape.uses.append(use_type(column, known))
            projected = column.parent if isinstance(column.parent, exp.Alias) else column
            if not spread and len(path) == 1 and projected.parent is select and projected.arg_key == "expressions":
                readers.extend(_outer_readers(select, projected.alias_or_name))  # passed on
    return root.kind()


def _inside(node: exp.Expr, ancestor: exp.Expr) -> bool:
    parent = node.parent
    while parent is not None and parent is not ancestor:
        parent = parent.parent
    return parent is ancestor


def _array_use(generator: exp.Expr, known: Mapping[str, Mapping[str, str]]) -> Use:
    element, sound = _element_kind(generator, known)
    return Use(f"ARRAY<{element}>", frozenset({"array"}) if sound else frozenset(), generator)


def _rank(use: Use) -> int:
    return FAMILIES.index(family(use.kind))


def decide(uses: Iterable[Use | None]) -> tuple[str | None, list[Use]]:
    """(the type of a column from its ``uses``, None when no use says anything; the uses that
    conflict with it: empty when one type suits every use)."""
    said = [u for u in uses if u is not None]
    if not said:
        return None, []
    common = frozenset(FAMILIES)
    for use in said:
        common &= use.accepts
    preferred = sorted(said, key=_rank)  # stable: the first use of a family wins
    if common:
        for use in preferred:
            if family(use.kind) in common:
                return use.kind, []
        chosen = next(f for f in FAMILIES if f in common)
        return (STRING if chosen == "string" else preferred[0].kind), []
    kind = preferred[0].kind
    return kind, [u for u in said if family(kind) not in u.accepts]
