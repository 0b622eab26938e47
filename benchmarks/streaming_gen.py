"""Generated streaming-shaped Spark queries: windows, deduplication, Top-N, interval and
regular joins, aggregations, CTEs and nested queries over event-time tables, with the Spark
functions the rules translate.  Deterministic for a seed; a new seed gives queries no rule
was tuned on (the benchmark's "unseen" corpus).

    python benchmarks/streaming_gen.py --count 5 --seed 7     # print a few
"""

from __future__ import annotations

import argparse
import random
import sys

#: tables, their columns and event-time column: what the generated queries read
TABLES = {
    "orders": ("order_id", "customer_id", "amount", "status", "region", "order_ts"),
    "payments": ("payment_id", "order_id", "paid", "method", "pay_ts"),
    "clicks": ("click_id", "user_id", "url", "referrer", "click_ts"),
    "shipments": ("shipment_id", "order_id", "carrier", "ship_ts"),
}
EVENT_TIME = {"orders": "order_ts", "payments": "pay_ts", "clicks": "click_ts", "shipments": "ship_ts"}

_SCALAR = (
    "nvl({c}, 0)",
    "coalesce({c}, 'n/a')",
    "upper(trim({c}))",
    "datediff({t}, {t})",
    "date_add({t}, {n})",
    "regexp_extract({c}, '([a-z]+)-([0-9]+)', {g})",
    "split({c}, ',')[0]",
    "size(split({c}, ','))",
    "if({c} > {n}, 'big', 'small')",
    "CASE WHEN {c} IS NULL THEN 'none' WHEN {c} > {n} THEN 'hi' ELSE 'lo' END",
    "CAST({c} AS DOUBLE) / {n}",
    "concat_ws('-', {c}, {c})",
    "get_json_object({c}, '$.a.b')",
    "substring({c}, {g}, {n})",
    "date_format({t}, 'yyyy-MM-dd')",
    "unix_timestamp({t})",
    "instr({c}, 'x')",
    "lpad({c}, {n}, '0')",
)
_AGG = ("count(*)", "sum({c})", "avg({c})", "max({c})", "min({c})", "count(DISTINCT {c})", "collect_list({c})", "approx_count_distinct({c})")


class _Gen:
    def __init__(self, seed: int) -> None:
        self.r = random.Random(seed)

    def table(self) -> str:
        return self.r.choice(sorted(TABLES))

    def col(self, table: str, alias: str = "") -> str:
        cols = [c for c in TABLES[table] if c != EVENT_TIME[table]]
        return (f"{alias}." if alias else "") + self.r.choice(cols)

    def scalar(self, table: str, alias: str = "") -> str:
        form = self.r.choice(_SCALAR)
        ts = (f"{alias}." if alias else "") + EVENT_TIME[table]
        return form.format(c=self.col(table, alias), t=ts, n=self.r.randint(1, 30), g=self.r.randint(1, 2))

    def projections(self, table: str, alias: str = "", k: int | None = None) -> list[str]:
        k = k or self.r.randint(2, 7)
        return [f"{self.scalar(table, alias)} AS e{i}" for i in range(k)]

    def where(self, table: str, alias: str = "") -> str:
        conds = [
            f"{self.col(table, alias)} IS NOT NULL",
            f"{self.col(table, alias)} != '{self.r.choice(['x', 'cancelled', 'test'])}'",
            f"{self.col(table, alias)} IN ({', '.join(str(self.r.randint(0, 99)) for _ in range(self.r.randint(2, 6)))})",
            f"{self.col(table, alias)} LIKE '%{self.r.choice(['a', 'eu', 'web'])}%'",
        ]
        return " AND ".join(self.r.sample(conds, self.r.randint(1, 3)))

    # -- query shapes ----------------------------------------------------------------------

    def filter_map(self) -> str:
        t = self.table()
        return f"SELECT {', '.join([EVENT_TIME[t], *self.projections(t)])} FROM {t} WHERE {self.where(t)}"

    def tumbling(self) -> str:
        t = self.table()
        key = self.col(t)
        size = self.r.choice(["1 minute", "10 minutes", "1 hour", "1 day"])
        aggs = ", ".join(f"{a.format(c=self.col(t))} AS a{i}" for i, a in enumerate(self.r.sample(_AGG, 3)))
        if self.r.random() < 0.5:  # window(...) grouped by position (sqlglot reads no GROUP BY window(...))
            bucket, group = f"window({EVENT_TIME[t]}, '{size}')", "1, 2"
        else:
            bucket = f"date_trunc('hour', {EVENT_TIME[t]})"
            group = f"{bucket}, {key}"
        return f"SELECT {bucket} AS w, {key}, {aggs} FROM {t} WHERE {self.where(t)} GROUP BY {group}"

    def dedup(self) -> str:
        t = self.table()
        key = self.col(t)
        order = self.r.choice(["DESC", ""])
        cols = ", ".join(self.projections(t))
        return (
            f"SELECT * FROM (SELECT {cols}, {key}, row_number() OVER (PARTITION BY {key} ORDER BY "
            f"{EVENT_TIME[t]} {order}) AS rn FROM {t}) WHERE rn = 1"
        )

    def top_n(self) -> str:
        t = self.table()
        key, val = self.col(t), self.col(t)
        return (
            f"SELECT {key}, {val}, rk FROM (SELECT *, rank() OVER (PARTITION BY {key} ORDER BY {val} DESC) AS rk "
            f"FROM {t} WHERE {self.where(t)}) WHERE rk <= {self.r.randint(2, 10)}"
        )

    def interval_join(self) -> str:
        return (
            "SELECT o.order_id, o.amount, p.paid, p.method, datediff(p.pay_ts, o.order_ts) AS d "
            "FROM orders AS o JOIN payments AS p ON o.order_id = p.order_id "
            f"AND p.pay_ts BETWEEN o.order_ts AND o.order_ts + INTERVAL {self.r.randint(1, 48)} HOURS "
            f"WHERE {self.where('orders', 'o')}"
        )

    def regular_join(self) -> str:
        side = self.r.choice(["", "LEFT ", "LEFT SEMI ", "LEFT ANTI "])
        right = ["s.carrier"] if "SEMI" not in side and "ANTI" not in side else []
        cols = ", ".join(["o.order_id", *self.projections("orders", "o", 3), *right])
        return f"SELECT {cols} FROM orders AS o {side}JOIN shipments AS s ON o.order_id = s.order_id WHERE {self.where('orders', 'o')}"

    def aggregate(self) -> str:
        t = self.table()
        key = self.col(t)
        aggs = ", ".join(f"{a.format(c=self.col(t))} AS a{i}" for i, a in enumerate(self.r.sample(_AGG, 4)))
        return f"SELECT {key}, {aggs} FROM {t} GROUP BY {key} HAVING count(*) > {self.r.randint(1, 9)}"

    def cte_pipeline(self) -> str:
        t = self.table()
        inner = ", ".join([EVENT_TIME[t], self.col(t), *self.projections(t, k=3)])
        return (
            f"WITH base AS (SELECT {inner} FROM {t} WHERE {self.where(t)}), "
            f"enriched AS (SELECT *, {self.scalar(t)} AS extra FROM base) "
            f"SELECT e0, count(*) AS n, max(extra) AS top FROM enriched GROUP BY e0"
        )

    def lateral(self) -> str:
        return (
            "SELECT c.user_id, tag, nvl(c.referrer, 'direct') AS ref FROM clicks AS c "
            "LATERAL VIEW explode(split(c.url, '/')) parts AS tag WHERE c.user_id IS NOT NULL"
        )

    def insert(self) -> str:
        return f"INSERT INTO sink_{self.r.randint(0, 999)} " + self.r.choice([self.filter_map, self.aggregate, self.dedup])()

    def query(self) -> str:
        shape = self.r.choice(
            [
                self.filter_map,
                self.tumbling,
                self.dedup,
                self.top_n,
                self.interval_join,
                self.regular_join,
                self.aggregate,
                self.cte_pipeline,
                self.lateral,
                self.insert,
            ]
        )
        return shape()


def streaming_queries(count: int, seed: int = 0) -> list[str]:
    """``count`` generated queries (deterministic for ``seed``)."""
    gen = _Gen(seed)
    return [gen.query() for _ in range(count)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--count", type=int, default=10)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    for q in streaming_queries(args.count, args.seed):
        print(q + ";")
    return 0


if __name__ == "__main__":
    sys.exit(main())
