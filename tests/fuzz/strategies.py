"""Hypothesis strategies for hostile SQL and command lines.

* :func:`token_streams`: random sequences of SQL tokens (keywords, operators, literals,
  quoted and unicode names, placeholders, comments, control characters);
* :func:`queries`: grammar-shaped Spark queries with nested expressions, Spark functions,
  CASE, subqueries, set operations, joins and Spark-only clauses;
* :func:`deep`: nesting of parentheses / calls / subqueries / CASE up to past the limit;
* :func:`identifiers`: long, quoted, reserved and unicode names;
* :func:`argv`: ``shiftleft`` command lines mixing valid and invalid options.
"""

from __future__ import annotations

from hypothesis import strategies as st

KEYWORDS = [
    "SELECT", "FROM", "WHERE", "GROUP BY", "HAVING", "ORDER BY", "LIMIT", "JOIN", "LEFT JOIN",
    "LEFT SEMI JOIN", "LEFT ANTI JOIN", "CROSS JOIN", "ON", "USING", "AS", "WITH", "UNION ALL", "UNION",
    "INTERSECT", "EXCEPT", "CASE", "WHEN", "THEN", "ELSE", "END", "AND", "OR", "NOT", "IN", "IS", "NULL",
    "BETWEEN", "LIKE", "RLIKE", "EXISTS", "OVER", "PARTITION BY", "ROWS BETWEEN", "UNBOUNDED PRECEDING",
    "CURRENT ROW", "LATERAL VIEW", "explode", "INSERT INTO", "INSERT OVERWRITE TABLE", "CREATE TABLE",
    "CREATE VIEW", "DROP TABLE", "ALTER TABLE", "CACHE TABLE", "DISTRIBUTE BY", "SORT BY", "CLUSTER BY",
    "PIVOT", "UNPIVOT", "FOR", "AT TIME ZONE", "INTERVAL", "DAY", "HOUR", "TIMESTAMP", "DATE", "CAST",
    "TRY_CAST", "DISTINCT", "ALL", "QUALIFY", "WINDOW", "TABLESAMPLE", "VALUES", "MERGE INTO", "USING delta",
    "LOCATION", "PARTITIONED BY", "TBLPROPERTIES", "SET", "USE", "DESCRIBE", "SHOW TABLES", "EXPLAIN",
]
PUNCTUATION = ["(", ")", ",", ";", ".", "*", "+", "-", "/", "%", "=", "==", "!=", "<>", "<", ">=", "||",
               "::", ":", "[", "]", "{", "}", "->", "=>", "?", "${x}", "@v", "#", "$1", "&", "|", "^", "~"]
LITERALS = ["1", "0", "-1", "2.5", "1e999999", "1e-400", "99999999999999999999999999999999999999999",
            "'x'", "''", "'it''s'", '"dq"', "`bq`", "X'0F'", "TRUE", "FALSE", "NULL", "'2024-01-01'",
            "DATE '2024-01-01'", "TIMESTAMP '2024-01-01 00:00:00'", "INTERVAL 1 DAY", "1L", "1BD", "0x1F"]
NAMES = ["a", "b", "t", "u", "ts", "arr", "m", "value", "date", "`select`", "t.a", "u.*", "x1", "é", "名前",
         "`名 前`", '"quoted name"', "_", "a" * 300]
FUNCTIONS = ["nvl", "datediff", "date_add", "date_format", "split", "regexp_extract", "size", "collect_list",
             "collect_set", "count", "sum", "avg", "max", "min", "first", "last", "length", "substr",
             "concat_ws", "get_json_object", "from_json", "to_date", "to_timestamp", "unix_timestamp",
             "coalesce", "if", "transform", "filter", "aggregate", "exists", "array", "map", "named_struct",
             "struct", "percentile_approx", "row_number", "rank", "lead", "lag", "levenshtein", "my_udf",
             "window", "date_trunc", "explode", "posexplode", "current_timestamp", "rand", "uuid"]
CONTROL = ["\x00", "\x01", "\x1b[31m", "\x7f", "\u202e", "\u200b", "\ufeff", "\r", "\t", "\x0c"]
COMMENTS = ["-- c\n", "/* c */", "/*+ BROADCAST(t) */", "/* unterminated", "--\n"]

token = st.one_of(
    st.sampled_from(KEYWORDS),
    st.sampled_from(PUNCTUATION),
    st.sampled_from(LITERALS),
    st.sampled_from(NAMES),
    st.sampled_from(FUNCTIONS).map(lambda f: f + "("),
    st.sampled_from(CONTROL),
    st.sampled_from(COMMENTS),
    st.text(min_size=1, max_size=6),
)


def token_streams() -> st.SearchStrategy[str]:
    return st.lists(token, max_size=40).map(" ".join)


def identifiers() -> st.SearchStrategy[str]:
    plain = st.from_regex(r"[A-Za-z_][A-Za-z0-9_]{0,400}", fullmatch=True)
    unicode = st.text(st.characters(blacklist_categories=["Cs", "Cc"], blacklist_characters="`"), min_size=1, max_size=50)
    return st.one_of(plain, unicode.map(lambda s: f"`{s}`"), st.sampled_from(NAMES))


COLUMNS = ["a", "b", "ts", "arr", "t.a", "u.b", "value", "`select`"]
BINARY = ["+", "-", "*", "/", "%", "=", "!=", "<", "AND", "OR", "||"]
TYPES = ["INT", "STRING", "DOUBLE", "DECIMAL(10, 2)", "DATE", "TIMESTAMP", "ARRAY<INT>"]
TABLES = ["t", "u", "t AS x", "(SELECT a, b FROM t) AS s", "t JOIN u ON t.a = u.a",
          "t LEFT JOIN u ON t.a = u.a", "t LATERAL VIEW explode(arr) e AS x"]
TAILS = ["", " WHERE a > 1", " GROUP BY a", " GROUP BY a HAVING count(*) > 1", " ORDER BY a",
         " LIMIT 10", " DISTRIBUTE BY a", " SORT BY a", " CLUSTER BY b", " ORDER BY ts LIMIT 5"]


def _expression(draw: st.DrawFn, budget: int) -> str:
    """A random expression of at most ``budget`` nodes (drawn with ``draw``)."""
    if budget <= 1 or draw(st.integers(0, 3)) == 0:
        return draw(st.sampled_from(COLUMNS + LITERALS))
    kind = draw(st.integers(0, 10))
    sub = lambda: _expression(draw, budget // 2)
    if kind == 0:
        return f"{sub()} {draw(st.sampled_from(BINARY))} {sub()}"
    if kind == 1:
        args = [sub() for _ in range(draw(st.integers(0, 3)))]
        return f"{draw(st.sampled_from(FUNCTIONS))}({', '.join(args)})"
    if kind == 2:
        return f"CASE WHEN {sub()} THEN {sub()} ELSE {sub()} END"
    if kind == 3:
        return f"({sub()})"
    if kind == 4:
        return f"NOT {sub()}"
    if kind == 5:
        return f"CAST({sub()} AS {draw(st.sampled_from(TYPES))})"
    if kind == 6:
        return f"{sub()} IS NULL"
    if kind == 7:
        return f"{sub()} IN ({sub()}, 1)"
    if kind == 8:
        return f"arr[{sub()}]"
    if kind == 9:
        return f"{draw(st.sampled_from(['sum', 'count', 'row_number', 'lag']))}({sub()}) OVER (PARTITION BY a ORDER BY ts)"
    return f"transform(arr, x -> {sub()})"


@st.composite
def _select(draw: st.DrawFn) -> str:
    items = []
    for _ in range(draw(st.integers(1, 4))):
        expr = _expression(draw, 16)
        alias = draw(st.one_of(st.none(), st.sampled_from(NAMES)))
        items.append(expr if alias is None else f"{expr} AS {alias}")
    return f"SELECT {', '.join(items)} FROM {draw(st.sampled_from(TABLES))}{draw(st.sampled_from(TAILS))}"


@st.composite
def _statement(draw: st.DrawFn) -> str:
    q = draw(_select())
    form = draw(st.integers(0, 6))
    if form == 1:
        return f"{q} {draw(st.sampled_from(['UNION ALL', 'UNION', 'EXCEPT']))} {draw(_select())}"
    return [q, q, f"WITH c AS ({q}) SELECT * FROM c", f"INSERT INTO sink {q}", f"INSERT OVERWRITE TABLE sink {q}",
            f"CREATE TABLE s AS {q}", f"CREATE TEMPORARY VIEW v AS {q}"][form]


def queries() -> st.SearchStrategy[str]:
    return st.lists(_statement(), min_size=1, max_size=3).map(";\n".join)


def deep() -> st.SearchStrategy[str]:
    shapes = {
        "paren": lambda d: "SELECT " + "(" * d + "a" + ")" * d + " FROM t",
        "call": lambda d: "SELECT " + "nvl(" * d + "a" + ", 1)" * d + " FROM t",
        "subquery": lambda d: "SELECT a FROM " + "(SELECT a FROM " * d + "t" + ") x" * d,
        "case": lambda d: "SELECT " + "CASE WHEN a THEN " * d + "1" + " END" * d + " FROM t",
        "not": lambda d: "SELECT a FROM t WHERE " + "NOT " * d + "a",
        "neg": lambda d: "SELECT " + "-" * d + "a FROM t",
        "union": lambda d: " UNION ALL ".join(f"SELECT {i} AS a FROM t" for i in range(d * 4)),
        "unbalanced": lambda d: "SELECT " + "(" * d + "a FROM t",
        "array": lambda d: "SELECT " + "array(" * d + "1" + ")" * d + " FROM t",
    }
    return st.tuples(st.sampled_from(sorted(shapes)), st.integers(0, 300)).map(lambda p: shapes[p[0]](p[1]))


def argv() -> st.SearchStrategy[list[str]]:
    option = st.one_of(
        st.sampled_from([["--read", "spark"], ["--read", "nosuch"], ["--read", "duckdb"], ["--target", "confluent"],
                         ["--target", "bad"], ["--mode", "batch"], ["--format", "json"], ["--format", "yaml"],
                         ["--pretty"], ["--fail-on", "warning"], ["--fail-on", "never"], ["--event-time", "t=ts"],
                         ["--event-time", "nonsense"], ["--state-ttl", "1d"], ["--state-ttl", "soon"],
                         ["--now-policy", "error"], ["--sink", "out"], ["--sink", ""], ["--disable", "SL1001"],
                         ["--disable", "SL0000"], ["--jobs", "0"], ["--jobs", "-3"], ["--jobs", "x"], ["--schema"],
                         ["--rules", "/nonexistent"], ["--debug"], ["-v"], ["--"], ["--unknown-flag"]]),
        st.text(max_size=10).map(lambda s: [s]),
    )
    return st.lists(option, max_size=5).map(lambda parts: [x for part in parts for x in part])
