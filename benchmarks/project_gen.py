"""A deterministic synthetic dbt project of N models, for the ``shiftleft migrate`` benchmark.

    python benchmarks/project_gen.py OUT_DIR --models 2000 [--seed 0]

The project is shaped like a Kimball warehouse on Spark (``read="spark"``; it has no
profiles.yml): ``models/staging/<domain>/`` views over ``{{ source(...) }}`` tables,
``models/intermediate/<domain>/`` models joining, aggregating, deduplicating or enriching one
to three earlier models (a few ephemeral), ``models/marts/<domain>/`` dimensions and facts
(some incremental, with an ``{% if is_incremental() %}`` filter) and report views.  It has a
sources .yml (about one table per 20 models, columns typed, some with ``loaded_at_field``), a
schema.yml per folder (``unique`` / ``not_null`` tests on keys), project macros, project vars
and a seed.  Every ``ref`` names an earlier model, so the DAG is acyclic; its longest path is
eight models (``stg -> int -> int -> int -> dim -> fct -> fct -> rpt``).

Every model outputs the same core columns (``CORE``), so any model can read any earlier one;
each adds a few derived columns of its own.  This module plans the DAG and writes the files;
``project_models.py`` holds the SQL of each kind of model.
"""

from __future__ import annotations

import argparse
import random
import re
import shutil
from pathlib import Path

from project_models import (
    Model,
    aggregate_sql,
    dedupe_sql,
    dim_sql,
    enrich_sql,
    fact_sql,
    join_sql,
    report_sql,
    staging_sql,
)

PROJECT = "synthetic_shop"
DOMAINS = ("sales", "marketing", "finance", "web", "logistics", "support", "inventory", "billing")
ENTITIES = (
    "orders",
    "payments",
    "customers",
    "sessions",
    "shipments",
    "invoices",
    "tickets",
    "refunds",
)
SOURCE_COLUMNS = (
    ("id", "bigint"),
    ("customer_id", "bigint"),
    ("amount_cents", "bigint"),
    ("quantity", "int"),
    ("status", "string"),
    ("channel", "string"),
    ("email", "string"),
    ("tags", "array<string>"),
    ("payload", "string"),
    ("created_at", "timestamp"),
    ("updated_at", "timestamp"),
)
#: share of the models at each depth of the DAG: (level, kind, share)
LEVELS = (
    (1, "stg", 0.25),
    (2, "int", 0.15),
    (3, "int", 0.12),
    (4, "int", 0.10),
    (5, "dim", 0.13),
    (6, "fct", 0.13),
    (7, "fct", 0.07),
    (8, "rpt", 0.05),
)

MACROS = {
    "cents_to_dollars.sql": """\
{#- An integer amount in cents as a decimal amount in dollars. -#}
{% macro cents_to_dollars(column_name, precision=2) -%}
    cast({{ column_name }} / 100.0 as decimal(18, {{ precision }}))
{%- endmacro %}
""",
    "amount_band.sql": """\
{#- A size band of an amount column, as a CASE expression. -#}
{% macro amount_band(column_name, large=1000, medium=100) -%}
    case
        when {{ column_name }} >= {{ large }} then 'large'
        when {{ column_name }} >= {{ medium }} then 'medium'
        else 'small'
    end
{%- endmacro %}
""",
}


def _counts(models: int) -> list[tuple[int, str, int]]:
    """How many models at each level: at least one per level, ``models`` in all."""
    counts = [max(1, int(models * share)) for _, _, share in LEVELS]
    counts[0] += models - sum(counts)  # staging takes the rounding
    if counts[0] < 1:
        raise ValueError(f"a project needs at least {len(LEVELS)} models, not {models}")
    return [(level, kind, n) for (level, kind, _), n in zip(LEVELS, counts)]


def _plan(models: int, rnd: random.Random) -> tuple[list[Model], list[tuple[str, str, bool]]]:
    """The models (in DAG order) and the source tables (source name, table, has loaded_at)."""
    n_sources = max(3, models // 20)
    sources = [
        (
            f"raw_{DOMAINS[i % len(DOMAINS)]}",
            f"{ENTITIES[(i // len(DOMAINS)) % len(ENTITIES)]}_{i:04d}",
            i % 2 == 0,
        )
        for i in range(n_sources)
    ]
    by_level: dict[int, list[Model]] = {}
    plan: list[Model] = []
    for level, kind, count in _counts(models):
        for _ in range(count):
            i = len(plan)
            domain = DOMAINS[rnd.randrange(len(DOMAINS))]
            m = Model(i, f"{kind}_{domain}_{i:05d}", kind, level, domain)
            before = [x for lv in range(1, level) for x in by_level.get(lv, [])]
            previous = by_level.get(level - 1, [])
            if kind == "int":
                variant = ("join", "aggregate", "dedupe", "enrich")[i % 4]
                m.materialized = "ephemeral" if i % 17 == 0 else ""
                n_parents = rnd.choice((2, 2, 3)) if variant == "join" else 1
            elif kind in ("dim", "fct"):
                variant = kind
                m.materialized = "incremental" if i % 3 == 0 else ""
                n_parents = 2 if level != 7 else 1
            elif kind == "rpt":
                variant = "rpt"
                n_parents = 2
            else:
                variant = "stg"
                n_parents = 0
            if n_parents:
                first = rnd.choice(previous)  # one parent on the level above: depth
                m.parents = [first.name]
                pool = [x for x in before if x.name != first.name and x.materialized != "ephemeral"]
                if kind == "rpt":  # report views read a fact and a dimension
                    pool = [x for x in before if x.kind == "dim"]
                if kind == "fct" and level == 6:  # facts join a dimension-level model
                    pool = [x for x in before if x.kind in ("int", "dim") and x.level >= 3]
                while len(m.parents) < n_parents and pool:
                    other = rnd.choice(pool)
                    if other.name not in m.parents:
                        m.parents.append(other.name)
                    pool = [x for x in pool if x.name not in m.parents]
                if (
                    len(m.parents) < n_parents
                ):  # nothing else to read: fall back to a 1-parent model
                    variant = "enrich" if kind == "int" else variant
            m.sql = {
                "stg": lambda m=m: staging_sql(m, sources[m.index % len(sources)][:2], rnd),
                "join": lambda m=m: join_sql(m) if len(m.parents) > 1 else enrich_sql(m),
                "aggregate": lambda m=m: aggregate_sql(m),
                "dedupe": lambda m=m: dedupe_sql(m),
                "enrich": lambda m=m: enrich_sql(m),
                "dim": lambda m=m: dim_sql(m) if len(m.parents) > 1 else enrich_sql(m),
                "fct": lambda m=m: fact_sql(m) if len(m.parents) > 1 or m.level == 7 else enrich_sql(m),
                "rpt": lambda m=m: report_sql(m) if len(m.parents) > 1 else enrich_sql(m),
            }[variant]()
            if m.materialized == "ephemeral":
                m.sql = "{{ config(materialized='ephemeral') }}\n\n" + m.sql
            by_level.setdefault(level, []).append(m)
            plan.append(m)
    return plan, sources


def _sources_yml(sources: list[tuple[str, str, bool]]) -> str:
    out = ["version: 2", "", "sources:"]
    for source_name in dict.fromkeys(s for s, _, _ in sources):
        out += [f"  - name: {source_name}", f"    schema: {source_name}", "    tables:"]
        for _, table, loaded in (s for s in sources if s[0] == source_name):
            out.append(f"      - name: {table}")
            if loaded:
                out.append("        loaded_at_field: updated_at")
            out.append("        columns:")
            for column, data_type in SOURCE_COLUMNS:
                out += [f"          - name: {column}", f"            data_type: {data_type}"]
    return "\n".join(out) + "\n"


def _schema_yml(models: list[Model]) -> str:
    out = ["version: 2", "", "models:"]
    for m in models:
        out += [f"  - name: {m.name}", f"    description: synthetic {m.kind} model {m.index}"]
        if m.kind == "rpt":
            continue
        out += [
            "    columns:",
            "      - name: id",
            "        data_tests: [unique, not_null]",
            "      - name: customer_id",
            "        data_tests: [not_null]",
        ]
    return "\n".join(out) + "\n"


DBT_PROJECT = f"""\
name: {PROJECT}
version: "1.0.0"
config-version: 2
profile: {PROJECT}

model-paths: ["models"]
seed-paths: ["seeds"]
macro-paths: ["macros"]

vars:
  default_channel: web
  excluded_status: test
  fx_rate: 1.0
  grace_days: 30

models:
  {PROJECT}:
    staging:
      +materialized: view
    intermediate:
      +materialized: table
    marts:
      +materialized: table

seeds:
  {PROJECT}:
    channel_groups:
      +column_types:
        channel: string
        channel_group: string
"""
SEED = (
    "channel,channel_group\nweb,online\napp,online\nstore,offline\nphone,offline\npartner,partner\n"
)


def generate_project(root: Path, models: int, seed: int = 0) -> Path:
    """Write a synthetic dbt project of ``models`` models into ``root`` (replaced if it
    exists) and return ``root``.  The same arguments always give the same files."""
    root = Path(root)
    if root.exists():
        shutil.rmtree(root)
    rnd = random.Random(seed)
    plan, sources = _plan(models, rnd)
    (root / "macros").mkdir(parents=True)
    (root / "seeds").mkdir()
    (root / "dbt_project.yml").write_text(DBT_PROJECT)
    for name, text in MACROS.items():
        (root / "macros" / name).write_text(text)
    (root / "seeds" / "channel_groups.csv").write_text(SEED)
    (root / "models" / "staging").mkdir(parents=True)
    (root / "models" / "staging" / "sources.yml").write_text(_sources_yml(sources))
    folders: dict[str, list[Model]] = {}
    for m in plan:
        folder = root / m.folder
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"{m.name}.sql").write_text(m.sql)
        folders.setdefault(m.folder, []).append(m)
    for folder, members in folders.items():
        (root / folder / "schema.yml").write_text(_schema_yml(members))
    return root


REF = re.compile(r"""\bref\(\s*['"](\w+)['"]\s*\)""")


def refs(sql: str) -> list[str]:
    """The model names a model's SQL refs."""
    return REF.findall(sql)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("out", type=Path)
    parser.add_argument("--models", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    generate_project(args.out, args.models, args.seed)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
