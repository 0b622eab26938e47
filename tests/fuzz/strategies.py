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

from pathlib import Path

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


# -- random broken dbt projects (for ``migrate``) ----------------------------------------------

MODEL_NAMES = ["stg_a", "stg_b", "fct", "dim", "agg", "名前", "x" * 120, "select", "a.b", "with space"]
JINJA = [
    "{{ ref('stg_a') }}", "{{ ref('stg_b') }}", "{{ ref('fct') }}", "{{ ref('nosuch') }}", "{{ ref() }}",
    "{{ ref('pkg', 'stg_a') }}", "{{ ref(1) }}", "{{ source('app', 'events') }}", "{{ source('app', 'nosuch') }}",
    "{{ source('nosuch') }}", "{{ this }}", "{{ var('v') }}", "{{ var('v', 3) }}", "{{ env_var('NOSUCH') }}",
    "{{ env_var('HOME', 'x') }}", "{{ config(materialized='incremental', unique_key='id') }}",
    "{{ config(materialized='view') }}", "{{ config(materialized='ephemeral') }}", "{{ config(materialized=1) }}",
    "{{ config(materialized='snapshot') }}", "{{ config(**{}) }}", "{% if is_incremental() %} where ts > (select max(ts) from {{ this }}) {% endif %}",
    "{{ 1/0 }}", "{{ [1][5] }}", "{{ x.y.z }}", "{{ nosuch_macro() }}", "{{ my_macro(1) }}", "{% if %}", "{% endif %}",
    "{% for i in range(3) %}{{ i }},{% endfor %}", "{% for i in range(100000000) %}{% endfor %}",
    "{{ 'x' * 99999999 }}", "{% set q = run_query('select 1') %}{{ q }}", "{{ dbt_utils.star(ref('stg_a')) }}",
    "{{ dbt_utils.generate_surrogate_key(['a', 'b']) }}", "{{ adapter.get_columns_in_relation(this) }}",
    "{{ log('x') }}", "{{ exceptions.raise_compiler_error('boom') }}", "{{ return(1) }}", "{{", "}}", "{#", "#}",
    "{% macro m() %}{{ m() }}{% endmacro %}{{ m() }}", "{{ dbt.current_timestamp() }}", "{{ target.name }}",
    "{{ fromjson('{') }}", "{{ tojson(none) }}", "{{ modules.datetime.date.today() }}", "{% call statement('s') %}x{% endcall %}",
]
YAML_FILES = [
    "version: 2\nmodels:\n  - name: stg_a\n    columns:\n      - name: id\n        tests: [unique, not_null]\n",
    "version: 2\nmodels:\n  - name: fct\n    config: {materialized: incremental, unique_key: id}\n",
    "version: 2\nmodels: [\n", "version: 2\nmodels: 5\n", "- a\n- b\n", "", "\x00", "{{ jinja }}: x\n",
    "version: 2\nsources:\n  - name: app\n    tables: 7\n", "version: 2\nsources:\n  - tables: [{name: e}]\n",
    "version: 2\nmodels:\n  - name: stg_a\n    columns: [{name: 1, data_type: [x]}]\n",
    "a: &a [x, x]\nb: &b [*a, *a, *a, *a]\nc: [*b, *b, *b, *b]\n", "version: 2\nmodels:\n  - {}\n  - name: null\n",
    "version: 2\nseeds:\n  - name: s\n    config: {column_types: {a: nosuchtype}}\n",
    "version: 2\nsources:\n  - name: app\n    tables:\n      - name: events\n        loaded_at_field: ts\n        columns: [{name: ts, data_type: timestamp}, {name: id, data_type: bigint}]\n",
    "version: 2\nsnapshots:\n  - name: snap\n    config: {strategy: timestamp, unique_key: id}\n",
]
PROJECT_FILES = [
    "name: demo\nprofile: demo\n", "name: demo\nprofile: demo\nmodels:\n  demo:\n    +materialized: table\n",
    "name: demo\nvars: {v: 1}\nmodel-paths: [models, other]\n", "name: demo\nmodel-paths: ['../../etc']\n",
    "name: demo\nmacro-paths: [macros]\nseed-paths: [seeds]\nsnapshot-paths: [snapshots]\n", "", "name: [\n",
    "- x\n", "name: 7\n", "name: demo\nmodels: {demo: {+enabled: false}}\n", "name: demo\nmodels: 5\n",
    "name: demo\nversion: 2\nconfig-version: 99\nquoting: {identifier: true}\n", "\xff\xfe", "name: demo\non-run-start: ['{{ 1/0 }}']\n",
]
OTHER_FILES = {
    "macros/m.sql": ["{% macro my_macro(x) %}{{ x }} + 1{% endmacro %}", "{% macro my_macro( %}", "{% macro %}",
                     "{% macro generate_schema_name(c, n) %}{{ 1/0 }}{% endmacro %}",
                     "{% macro generate_alias_name(c, n) %}../../x{% endmacro %}", "{% macro ref(x) %}boom{% endmacro %}"],
    "seeds/s.csv": ["a,b\n1,2\n", "a,a\n1\n", "", "\"unterminated\n", "a\n" + "1\n" * 50, "\xe9\n"],
    "snapshots/snap.sql": [("{% snapshot snap %}{{ config(unique_key='id', strategy='timestamp', updated_at='ts') }}"
                            "select * from {{ source('app', 'events') }}{% endsnapshot %}"), "{% snapshot %}", "{% snapshot s %}"],
    "packages.yml": ["packages:\n  - package: dbt-labs/dbt_utils\n    version: 1.0.0\n", "packages: [\n", "packages: 3\n"],
    "profiles.yml": ["demo:\n  target: dev\n  outputs:\n    dev: {type: duckdb}\n", "demo: [\n", "demo:\n  outputs: 5\n"],
    "shiftleft.yml": ["layout:\n  sources: x\n", "layout: [\n", "layout:\n  sources: ../../\n", ""],
    "target/manifest.json": ["{", "[]", '{"nodes": 5}', '{"nodes": {"model.demo.x": {}}}', ""],
}


@st.composite
def _model_sql(draw: st.DrawFn) -> str:
    parts = []
    for _ in range(draw(st.integers(0, 6))):
        kind = draw(st.integers(0, 4))
        if kind == 0:
            parts.append(draw(st.sampled_from(JINJA)))
        elif kind == 1:
            parts.append(draw(_statement()))
        elif kind == 2:
            parts.append(draw(token_streams()))
        elif kind == 3:
            parts.append(f"select id, kind from {draw(st.sampled_from(JINJA[:9]))}")
        else:
            parts.append(draw(st.sampled_from(KEYWORDS + PUNCTUATION + NAMES + CONTROL + COMMENTS)))
    return " ".join(parts)


@st.composite
def _dbt_project(draw: st.DrawFn) -> dict[str, str | bytes]:
    files: dict[str, str | bytes] = {}
    if draw(st.integers(0, 9)):
        files["dbt_project.yml"] = draw(st.sampled_from(PROJECT_FILES))
    for name in draw(st.lists(st.sampled_from(MODEL_NAMES), max_size=5, unique=True)):
        folder = draw(st.sampled_from(["models", "models/staging", "models/marts/deep", "other"]))
        sql = draw(_model_sql())
        if draw(st.integers(0, 15)) == 0:
            files[f"{folder}/{name}.sql"] = sql.encode("utf-8") + b"\xff\xfe\xe9"
        else:
            files[f"{folder}/{name}.sql"] = sql
    for i in range(draw(st.integers(0, 3))):
        files[f"models/schema_{i}.yml"] = draw(st.sampled_from(YAML_FILES))
    for path in draw(st.lists(st.sampled_from(sorted(OTHER_FILES)), max_size=3, unique=True)):
        files[path] = draw(st.sampled_from(OTHER_FILES[path]))
    return files


def dbt_projects() -> st.SearchStrategy[dict[str, str | bytes]]:
    """A dbt project as ``{relative path: content}``: random models (SQL and Jinja, valid or not,
    refs to missing / cyclic models, bad encodings), broken YAML, macros, seeds, packages,
    manifests and layouts."""
    return _dbt_project()


def write_project(root: Path, files: dict[str, str | bytes]) -> Path:
    """Write ``files`` under ``root`` (created); returns ``root``."""
    root.mkdir(parents=True, exist_ok=True)
    for rel, content in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8", errors="surrogateescape")
    return root


def migrate_argv() -> st.SearchStrategy[list[str]]:
    """``shiftleft migrate`` options, valid and not (no ``--plan``: it starts a JVM)."""
    option = st.one_of(
        st.sampled_from([["--read", "spark"], ["--read", "nosuch"], ["--read", "snowflake"], ["--target", "confluent"],
                         ["--mode", "batch"], ["--format", "json"], ["--vars", "{v: 2}"], ["--vars", "[1"],
                         ["--vars", "7"], ["--force"], ["--jobs", "1"], ["--jobs", "0"], ["--layout", "/nonexistent"],
                         ["--rules", "/nonexistent"], ["--disable", "SL1001"], ["--fail-on", "warning"],
                         ["--fail-on", "error"], ["--fail-on", "x"], ["--no-progress"], ["--unknown"]]),
        st.text(max_size=8).map(lambda s: [s]),
    )
    return st.lists(option, max_size=4).map(lambda parts: [x for part in parts for x in part])
