"""Benchmark corpora: TPC-H / TPC-DS query text, dbt-style models, generated streaming queries,
models rendered from real dbt projects, synthetic scaled queries."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent


@dataclass(frozen=True)
class Corpus:
    name: str
    read: str
    queries: tuple[str, ...]
    #: extra transpile arguments (e.g. event_time) for shiftleft's side
    options: dict = field(default_factory=dict)

    @property
    def size(self) -> int:
        return sum(len(q) for q in self.queries)


def tpc_queries(suite: str) -> Corpus:
    """The 22 TPC-H or 99 TPC-DS queries shipped in DuckDB's extension wheels (DuckDB SQL)."""
    try:
        import duckdb
        from duckdb_extensions import import_extension
    except ImportError as e:  # pragma: no cover - the bench extra is missing
        raise SystemExit(f"the {suite} corpus needs: pip install -e '.[bench]' ({e})") from None
    con = duckdb.connect()
    import_extension(suite, con=con)
    con.sql(f"LOAD {suite}")
    rows = con.sql(f"SELECT query FROM {suite}_queries() ORDER BY query_nr").fetchall()
    return Corpus(suite, "duckdb", tuple(r[0].strip().rstrip(";") for r in rows))


def dbt_models() -> Corpus:
    """Rendered dbt-style Spark SQL models written for this repository (Kimball layers)."""
    files = sorted((HERE / "corpus" / "dbt_models").glob("*.sql"))
    return Corpus("dbt-models", "spark", tuple(f.read_text() for f in files))


_COLUMN_EXPRS = (
    "nvl(c{j}, 0) AS c{j}",
    "datediff(d{j}, d0) AS days{j}",
    "upper(trim(s{j})) AS s{j}",
    "CASE WHEN c{j} > {j} THEN 'hi' ELSE 'lo' END AS band{j}",
    "regexp_extract(s{j}, '([a-z]+)', 1) AS word{j}",
    "CAST(c{j} AS DOUBLE) / 3 AS third{j}",
    "size(arr{j}) AS n{j}",
    "coalesce(s{j}, 'x') || '-' || c{j} AS key{j}",
)


def synthetic_query(scale: int) -> str:
    """A Spark query whose size grows linearly with ``scale``: ``scale`` CTEs of 8 mapped
    columns each, joined together, with a filter per CTE."""
    ctes = []
    for i in range(scale):
        cols = ",\n    ".join(e.format(j=j) for j, e in enumerate(_COLUMN_EXPRS))
        ctes.append(f"cte{i} AS (\n  SELECT id, {cols}\n  FROM src{i}\n  WHERE c0 != {i} AND s1 IS NOT NULL\n)")
    joins = "\n".join(f"JOIN cte{i} ON cte{i}.id = cte0.id" for i in range(1, scale))
    select = ", ".join(f"cte{i}.c{i % 8}" for i in range(scale))
    return f"WITH {', '.join(ctes)}\nSELECT cte0.id, {select}\nFROM cte0\n{joins}"


def synthetic(scale: int) -> Corpus:
    return Corpus(f"synthetic-{scale}x", "spark", (synthetic_query(scale),))


def streaming(count: int, seed: int) -> Corpus:
    """``count`` generated streaming-shaped queries (streaming_gen.py), with their event-time
    columns declared to shiftleft (the rules then classify windows and joins)."""
    from streaming_gen import EVENT_TIME, streaming_queries

    return Corpus(f"streaming-gen (seed {seed})", "spark", tuple(streaming_queries(count, seed)), {"event_time": EVENT_TIME})


#: public dbt projects to render when present (exported read-only copies; their SQL is never
#: stored in this repository: the models are rendered at benchmark time)
DBT_PROJECTS = (
    "/tmp/proj/jaffle-shop",
    "/tmp/proj/databricks_dbt_demo_project",
    "/tmp/proj/dbt_shopify",
    "/tmp/proj/mattermost-data-warehouse/transform/mattermost-analytics",
)


def dbt_rendered(projects: list[str] | tuple[str, ...] = DBT_PROJECTS) -> Corpus | None:
    """The rendered SQL of every model of the given dbt projects that exist here
    (``shiftleft.migrate(project, None)``, nothing written), in the projects' dialect; None
    when no project is there."""
    import shiftleft

    queries: list[str] = []
    names: list[str] = []
    read = None
    for project in projects:
        if not Path(project).is_dir():
            continue
        result = shiftleft.migrate(project, None)
        if read not in (None, result.read):
            continue  # one dialect per corpus
        read = result.read
        names.append(result.project)
        queries += [t.rendered_sql for t in result.tables if t.rendered_sql]
    if not queries or read is None:
        return None
    return Corpus(f"dbt-rendered ({', '.join(names)})", read, tuple(queries))
