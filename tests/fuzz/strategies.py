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


def _expressions(names: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    leaves = st.one_of(names, st.sampled_from(LITERALS))

    def extend(inner: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
        return st.one_of(
            st.tuples(inner, st.sampled_from(["+", "-", "*", "/", "%", "=", "!=", "<", "AND", "OR", "||"]), inner).map(" ".join),
            st.tuples(st.sampled_from(FUNCTIONS), st.lists(inner, max_size=3)).map(lambda p: f"{p[0]}({', '.join(p[1])})"),
            st.tuples(inner, inner, inner).map(lambda p: f"CASE WHEN {p[0]} THEN {p[1]} ELSE {p[2]} END"),
            inner.map(lambda e: f"({e})"),
            inner.map(lambda e: f"NOT {e}"),
            st.tuples(inner, st.sampled_from(["INT", "STRING", "DOUBLE", "DECIMAL(10, 2)", "DATE", "TIMESTAMP", "ARRAY<INT>"])).map(
                lambda p: f"CAST({p[0]} AS {p[1]})"
            ),
            inner.map(lambda e: f"{e} IS NULL"),
            st.tuples(inner, inner).map(lambda p: f"{p[0]} IN ({p[1]}, 1)"),
            inner.map(lambda e: f"arr[{e}]"),
            st.tuples(st.sampled_from(["sum", "count", "row_number", "lag"]), inner).map(
                lambda p: f"{p[0]}({p[1]}) OVER (PARTITION BY a ORDER BY ts)"
            ),
            inner.map(lambda e: f"transform(arr, x -> {e})"),
        )

    return st.recursive(leaves, extend, max_leaves=12)


def queries() -> st.SearchStrategy[str]:
    names = identifiers()
    expr = _expressions(st.sampled_from(["a", "b", "ts", "arr", "t.a", "u.b", "value", "`select`"]))
    select_list = st.lists(st.tuples(expr, st.one_of(st.none(), names)), min_size=1, max_size=4).map(
        lambda items: ", ".join(e if alias is None else f"{e} AS {alias}" for e, alias in items)
    )
    tables = st.sampled_from(["t", "u", "t AS x", "(SELECT a, b FROM t) AS s", "t JOIN u ON t.a = u.a",
                              "t LEFT JOIN u ON t.a = u.a", "t LATERAL VIEW explode(arr) e AS x"])
    tail = st.sampled_from(["", " WHERE a > 1", " GROUP BY a", " GROUP BY a HAVING count(*) > 1", " ORDER BY a",
                            " LIMIT 10", " DISTRIBUTE BY a", " SORT BY a", " CLUSTER BY b", " ORDER BY ts LIMIT 5"])
    select = st.tuples(select_list, tables, tail).map(lambda p: f"SELECT {p[0]} FROM {p[1]}{p[2]}")
    combined = st.one_of(
        select,
        st.tuples(select, st.sampled_from(["UNION ALL", "UNION", "EXCEPT"]), select).map(" ".join),
        select.map(lambda q: f"WITH c AS ({q}) SELECT * FROM c"),
        select.map(lambda q: f"INSERT INTO sink {q}"),
        select.map(lambda q: f"INSERT OVERWRITE TABLE sink {q}"),
        select.map(lambda q: f"CREATE TABLE s AS {q}"),
        select.map(lambda q: f"CREATE TEMPORARY VIEW v AS {q}"),
    )
    return st.lists(combined, min_size=1, max_size=3).map(";\n".join)


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
