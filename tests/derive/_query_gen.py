"""Hypothesis strategies composing Flink streaming queries from the operators the derivation
knows (up to depth 3) over the oracle's catalog (``a``, ``b`` append, ``u`` upsert)."""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import count

from hypothesis import strategies as st

_TYPES = {"id": "i", "k": "i", "v": "i", "s": "s", "ts": "t"}


@dataclass
class Rel:
    sql: str  # a table name or a query
    cols: dict[str, str]  # output column -> i (int) / s (string) / t (timestamp)
    ctes: list[tuple[str, str]] = field(default_factory=list)
    table: bool = False

    def source(self, alias: str) -> str:
        return f"{self.sql} AS {alias}" if self.table else f"({self.sql}) AS {alias}"

    def render(self) -> str:
        body = self.sql if not self.table else f"SELECT * FROM {self.sql}"
        if not self.ctes:
            return body
        return "WITH " + ", ".join(f"{n} AS ({q})" for n, q in self.ctes) + " " + body


class _Names:
    def __init__(self) -> None:
        self._n = count(1)

    def __call__(self, prefix: str) -> str:
        return f"{prefix}{next(self._n)}"


def _merge(*rels: Rel) -> list[tuple[str, str]]:
    seen: dict[str, str] = {}
    for rel in rels:
        for name, sql in rel.ctes:
            seen.setdefault(name, sql)
    return list(seen.items())


def _select(cols: dict[str, str], alias: str) -> str:
    return ", ".join(f"{alias}.`{c}` AS `{c}`" for c in cols)


def _of(cols: dict[str, str], kind: str) -> list[str]:
    return [c for c, t in cols.items() if t == kind]


@st.composite
def _project(draw, r: Rel, names: _Names) -> Rel:
    q = names("q")
    keep = draw(st.lists(st.sampled_from(list(r.cols)), min_size=1, max_size=len(r.cols), unique=True))
    keep = [c for c in r.cols if c in keep]
    items, cols = [], {}
    for c in keep:
        action = draw(st.sampled_from(["keep", "keep", "rename", "cast"]))
        if action == "rename":
            new = f"{c}_r"
            items.append(f"{q}.`{c}` AS `{new}`")
            cols[new] = r.cols[c]
        elif action == "cast" and r.cols[c] == "t":
            items.append(f"CAST({q}.`{c}` AS TIMESTAMP(3)) AS `{c}`")
            cols[c] = "t"
        else:
            items.append(f"{q}.`{c}` AS `{c}`")
            cols[c] = r.cols[c]
    where = ""
    ints = _of(r.cols, "i")
    if ints and draw(st.booleans()):
        where = f" WHERE {q}.`{draw(st.sampled_from(ints))}` > 1"
    return Rel(f"SELECT {', '.join(items)} FROM {r.source(q)}{where}", cols, r.ctes)


@st.composite
def _group(draw, r: Rel, names: _Names) -> Rel:
    q = names("q")
    plain = [c for c, t in r.cols.items() if t != "t"]
    if not plain:
        return Rel(f"SELECT COUNT(*) AS cnt FROM {r.source(q)}", {"cnt": "i"}, r.ctes)
    group = draw(st.lists(st.sampled_from(plain), min_size=1, max_size=2, unique=True))
    if {"window_start", "window_end"} <= set(r.cols) and draw(st.booleans()):
        # grouped on window columns that went through other operators (a window aggregation or not)
        group = ["window_start", "window_end", *group[:1]]
    shown = group if draw(st.integers(0, 3)) else group[1:]
    aggs = {"cnt": "COUNT(*)"}
    ints = [c for c in _of(r.cols, "i") if c not in group]
    if ints:
        aggs[f"sum_{ints[0]}"] = f"SUM({q}.`{ints[0]}`)"
    having = " HAVING COUNT(*) > 1" if draw(st.integers(0, 4)) == 0 else ""
    distinct = draw(st.integers(0, 4)) == 0
    if distinct:
        return Rel(f"SELECT DISTINCT {', '.join(f'{q}.`{c}` AS `{c}`' for c in group)} FROM {r.source(q)}",
                   {c: r.cols[c] for c in group}, r.ctes)
    items = [f"{q}.`{c}` AS `{c}`" for c in shown] + [f"{e} AS {n}" for n, e in aggs.items()]
    cols = {c: r.cols[c] for c in shown} | {n: "i" for n in aggs}
    by = ", ".join(f"{q}.`{c}`" for c in group)
    if draw(st.integers(0, 3)) == 0:  # grouped by an expression (a day, a prefix, a bucket), projected
        c = draw(st.sampled_from(list(r.cols)))
        expr = {"i": f"MOD({q}.`{c}`, 3)", "s": f"SUBSTRING({q}.`{c}`, 1, 1)", "t": f"CAST({q}.`{c}` AS DATE)"}[r.cols[c]]
        kind = "s" if r.cols[c] == "s" else "i" if r.cols[c] == "i" else "d"
        items.insert(0, f"{expr} AS `{c}_g`")
        cols = {f"{c}_g": kind} | cols
        by += f", {expr}"
    return Rel(f"SELECT {', '.join(items)} FROM {r.source(q)} GROUP BY {by}{having}", cols, r.ctes)


def _global(r: Rel, names: _Names) -> st.SearchStrategy[Rel]:
    q = names("q")
    ints = _of(r.cols, "i")
    extra = f", MAX({q}.`{ints[0]}`) AS mx" if ints else ""
    return st.just(Rel(f"SELECT COUNT(*) AS cnt{extra} FROM {r.source(q)}", {"cnt": "i", **({"mx": "i"} if ints else {})}, r.ctes))


def _join_cols(left: Rel, right: Rel) -> list[str]:
    return [c for c in left.cols if right.cols.get(c) == left.cols[c] == "i"]


@st.composite
def _join(draw, left: Rel, right: Rel, names: _Names) -> Rel:
    on = _join_cols(left, right)
    if not on:
        return left
    l, r, prefix = names("l"), names("r"), names("j") + "_"
    c = draw(st.sampled_from(on))
    side = draw(st.sampled_from(["", "", "LEFT ", "RIGHT ", "FULL "]))
    interval = "ts" in left.cols and "ts" in right.cols and draw(st.booleans())
    cond = f"{l}.`{c}` = {r}.`{c}`"
    if interval:
        cond += f" AND {r}.ts BETWEEN {l}.ts - INTERVAL '1' MINUTE AND {l}.ts + INTERVAL '1' MINUTE"
    picked = draw(st.lists(st.sampled_from(list(right.cols)), min_size=1, max_size=3, unique=True))
    cols = dict(left.cols) | {prefix + p: right.cols[p] for p in picked}
    items = _select(left.cols, l) + ", " + ", ".join(f"{r}.`{p}` AS `{prefix}{p}`" for p in picked)
    return Rel(f"SELECT {items} FROM {left.source(l)} {side}JOIN {right.source(r)} ON {cond}", cols, _merge(left, right))


@st.composite
def _temporal(draw, left: Rel, names: _Names) -> Rel:
    if "ts" not in left.cols or left.cols.get("id") != "i":
        return left
    l, d = names("l"), names("d")
    side = draw(st.sampled_from(["", "LEFT "]))
    return Rel(f"SELECT {_select(left.cols, l)}, {d}.v AS {d}_v FROM {left.source(l)} {side}JOIN u FOR SYSTEM_TIME AS OF {l}.ts AS {d} ON {l}.id = {d}.id",
               left.cols | {f"{d}_v": "i"}, left.ctes)


@st.composite
def _semi(draw, left: Rel, right: Rel, names: _Names) -> Rel:
    on = _join_cols(left, right)
    if not on:
        return left
    q, s = names("q"), names("s")
    c = draw(st.sampled_from(on))
    negated = "NOT " if draw(st.booleans()) else ""
    if draw(st.integers(0, 5)) == 0:  # uncorrelated: a join with an aggregate of the subquery
        cond = f"{negated}EXISTS (SELECT 1 FROM {right.source(s)} WHERE {s}.`{c}` > 1)"
    elif draw(st.booleans()):
        cond = f"{negated}EXISTS (SELECT 1 FROM {right.source(s)} WHERE {s}.`{c}` = {q}.`{c}`)"
    else:
        cond = f"{q}.`{c}` {negated}IN (SELECT {s}.`{c}` FROM {right.source(s)})"
    return Rel(f"SELECT {_select(left.cols, q)} FROM {left.source(q)} WHERE {cond}", left.cols, _merge(left, right))


@st.composite
def _setop(draw, left: Rel, right: Rel, names: _Names) -> Rel:
    common = [c for c in left.cols if right.cols.get(c) == left.cols[c]]
    if not common:
        return left
    cols = {c: left.cols[c] for c in draw(st.lists(st.sampled_from(common), min_size=1, unique=True))}
    op = draw(st.sampled_from(["UNION ALL", "UNION ALL", "UNION", "INTERSECT", "EXCEPT"]))
    l, r = names("l"), names("r")
    sql = f"SELECT {_select(cols, l)} FROM {left.source(l)} {op} SELECT {_select(cols, r)} FROM {right.source(r)}"
    return Rel(sql, cols, _merge(left, right))


def _as_table(r: Rel, names: _Names) -> tuple[str, list[tuple[str, str]]]:
    if r.table:
        return r.sql, r.ctes
    name = names("c")
    return name, [*r.ctes, (name, r.sql)]


def _tvf(kind: str, table: str, cols: dict[str, str]) -> str:
    if kind == "TUMBLE":
        return f"TABLE(TUMBLE(TABLE {table}, DESCRIPTOR(ts), INTERVAL '1' MINUTE))"
    if kind == "HOP":
        return f"TABLE(HOP(TABLE {table}, DESCRIPTOR(ts), INTERVAL '1' MINUTE, INTERVAL '2' MINUTE))"
    if kind == "CUMULATE":
        return f"TABLE(CUMULATE(TABLE {table}, DESCRIPTOR(ts), INTERVAL '1' MINUTE, INTERVAL '2' MINUTE))"
    part = "k" if cols.get("k") == "i" else "id" if cols.get("id") == "i" else None
    by = f" PARTITION BY {part}" if part else ""
    return f"TABLE(SESSION(TABLE {table}{by}, DESCRIPTOR(ts), INTERVAL '1' MINUTE))"


@st.composite
def _window(draw, r: Rel, names: _Names) -> Rel:
    if r.cols.get("ts") != "t":
        return r
    table, ctes = _as_table(r, names)
    kind = draw(st.sampled_from(["TUMBLE", "TUMBLE", "HOP", "CUMULATE", "SESSION"]))
    tvf = _tvf(kind, table, r.cols)
    w = names("w")
    shape = draw(st.sampled_from(["agg", "agg", "topn", "plain"]))
    ints = [c for c in _of(r.cols, "i")]
    if shape == "agg":
        group = ["window_start", "window_end"] + ([ints[0]] if ints and draw(st.booleans()) else [])
        with_time = draw(st.booleans())
        items = [f"{w}.`{g}` AS `{g}`" for g in group] + ([f"{w}.window_time AS window_time"] if with_time else []) + ["COUNT(*) AS cnt"]
        by = ", ".join(f"{w}.`{g}`" for g in group) + (f", {w}.window_time" if with_time else "")
        cols = {g: ("t" if g.startswith("window") else r.cols[g]) for g in group} | ({"window_time": "t"} if with_time else {}) | {"cnt": "i"}
        return Rel(f"SELECT {', '.join(items)} FROM {tvf} AS {w} GROUP BY {by}", cols, ctes)
    base = {c: t for c, t in r.cols.items() if c != "ts"} | {"window_start": "t", "window_end": "t", "window_time": "t"}
    inner = f"SELECT {_select(base, w)} FROM {tvf} AS {w}"
    if shape == "plain" or not ints:
        return Rel(inner, base, ctes)
    q = names("q")
    rn = draw(st.booleans())
    cols = base | ({"rn": "i"} if rn else {})
    shown = ", ".join(f"{q}.`{c}`" for c in cols)
    limit = draw(st.sampled_from(["= 1", "<= 3"]))
    return Rel(
        f"SELECT {shown} FROM (SELECT {_select(base, w)}, ROW_NUMBER() OVER (PARTITION BY {w}.window_start, {w}.window_end ORDER BY {w}.`{ints[0]}` DESC) AS rn FROM {tvf} AS {w}) AS {q} WHERE {q}.rn {limit}",
        cols, ctes)


@st.composite
def _rank(draw, r: Rel, names: _Names) -> Rel:
    q, i = names("q"), names("i")
    cols = list(r.cols)
    partition = draw(st.lists(st.sampled_from(cols), min_size=0, max_size=2, unique=True))
    if {"window_start", "window_end"} <= set(cols) and draw(st.booleans()):
        partition = ["window_start", "window_end"]
    order = draw(st.sampled_from(cols))
    desc = " DESC" if draw(st.booleans()) else ""
    limit = draw(st.sampled_from(["= 1", "= 1", "<= 3", "< 2", "= 2", "BETWEEN 2 AND 3"]))
    by = f"PARTITION BY {', '.join(f'{i}.`{p}`' for p in partition)} " if partition else ""
    window = f"ROW_NUMBER() OVER ({by}ORDER BY {i}.`{order}`{desc})"
    rn = draw(st.booleans())
    if draw(st.booleans()):  # QUALIFY
        extra = f", {window} AS rn" if rn else ""
        cond = f"rn {limit}" if rn else f"{window} {limit}"
        return Rel(f"SELECT {_select(r.cols, i)}{extra} FROM {r.source(i)} QUALIFY {cond}", r.cols | ({"rn": "i"} if rn else {}), r.ctes)
    shown = r.cols | ({"rn": "i"} if rn else {})
    return Rel(
        f"SELECT {', '.join(f'{q}.`{c}` AS `{c}`' for c in shown)} FROM (SELECT {_select(r.cols, i)}, {window} AS rn FROM {r.source(i)}) AS {q} WHERE {q}.rn {limit}",
        shown, r.ctes)


@st.composite
def _rank_join(draw, left: Rel, right: Rel, names: _Names) -> Rel:
    """``right`` ranked (ROW_NUMBER as rn), joined to ``left`` with the rank filtered in the
    WHERE or in the ON (Flink pushes the filter into the ranked input, reducing outer joins)."""
    on = _join_cols(left, right)
    if not on:
        return left
    l, r, i = names("l"), names("r"), names("i")
    key = draw(st.sampled_from(on))
    order = draw(st.sampled_from(list(right.cols)))
    desc = " DESC" if draw(st.booleans()) else ""
    ranked = (f"(SELECT {_select(right.cols, i)}, ROW_NUMBER() OVER (PARTITION BY {i}.`{key}` "
              f"ORDER BY {i}.`{order}`{desc}) AS rn FROM {right.source(i)}) AS {r}")
    side = draw(st.sampled_from(["", "", "LEFT ", "RIGHT ", "FULL "]))
    bound = f"{r}.rn {draw(st.sampled_from(['= 1', '= 1', '<= 2', '= 2']))}"
    in_on = side in ("", "LEFT ") and draw(st.booleans())
    cond = f"{l}.`{key}` = {r}.`{key}`" + (f" AND {bound}" if in_on else "")
    where = "" if in_on else f" WHERE {bound}"
    cols = dict(left.cols)
    items = [f"{l}.`{c}` AS `{c}`" for c in left.cols]
    for c in right.cols:
        if c not in cols:
            cols[c] = right.cols[c]
            items.append(f"{r}.`{c}` AS `{c}`")
    sql = f"SELECT {', '.join(items)} FROM {left.source(l)} {side}JOIN {ranked} ON {cond}{where}"
    return Rel(sql, cols, _merge(left, right))


@st.composite
def _fused(draw, left: Rel, right: Rel, names: _Names) -> Rel:
    """Shapes of real models: one SELECT joining ``left`` and ``right`` that also filters,
    aggregates or ranks the join (DISTINCT, GROUP BY with a CASE over aggregates, QUALIFY
    ROW_NUMBER, an anti join as LEFT JOIN ... IS NULL, JOIN ... USING), a LEFT JOIN to an
    aggregated subquery, a UNION ALL of two aggregations."""
    on = _join_cols(left, right)
    if not on:
        return left
    l, r = names("l"), names("r")
    c = draw(st.sampled_from(on))
    shape = draw(st.sampled_from(["distinct", "group", "qualify", "isnull", "using", "aggjoin", "unionagg", "chain"]))
    side = draw(st.sampled_from(["", "", "LEFT "]))
    join = f"{left.source(l)} {side}JOIN {right.source(r)} ON {l}.`{c}` = {r}.`{c}`"
    other = [x for x in right.cols if x != c]
    extra = draw(st.sampled_from(other)) if other else None
    ctes = _merge(left, right)
    if shape == "distinct":
        cols = {c: "i"} | ({f"r_{extra}": right.cols[extra]} if extra else {})
        shown = f"{l}.`{c}` AS `{c}`" + (f", {r}.`{extra}` AS `r_{extra}`" if extra else "")
        return Rel(f"SELECT DISTINCT {shown} FROM {join}", cols, ctes)
    if shape == "group":
        ints = [x for x in _of(right.cols, "i") if x != c]
        total = f"SUM({r}.`{ints[0]}`)" if ints else f"COUNT({r}.`{c}`)"
        by = [f"{l}.`{c}`"] + ([f"{r}.`{extra}`"] if extra and right.cols[extra] != "t" and draw(st.booleans()) else [])
        names_ = [c] + ([f"r_{extra}"] if len(by) > 1 else [])
        items = [f"{g} AS `{n}`" for g, n in zip(by, names_)]
        items += ["COUNT(*) AS cnt", f"CASE WHEN {total} > 1 THEN 'many' ELSE 'few' END AS size"]
        cols = {n: ("i" if n == c else right.cols[extra]) for n in names_} | {"cnt": "i", "size": "s"}
        return Rel(f"SELECT {', '.join(items)} FROM {join} GROUP BY {', '.join(by)}", cols, ctes)
    if shape == "qualify":
        order = draw(st.sampled_from(list(right.cols)))
        limit = draw(st.sampled_from(["= 1", "= 1", "<= 2"]))
        cols = dict(left.cols) | ({f"r_{extra}": right.cols[extra]} if extra else {})
        items = _select(left.cols, l) + (f", {r}.`{extra}` AS `r_{extra}`" if extra else "")
        return Rel(f"SELECT {items} FROM {join} QUALIFY ROW_NUMBER() OVER (PARTITION BY {l}.`{c}` "
                   f"ORDER BY {r}.`{order}` DESC) {limit}", cols, ctes)
    if shape == "isnull":
        return Rel(f"SELECT {_select(left.cols, l)} FROM {left.source(l)} LEFT JOIN {right.source(r)} "
                   f"ON {l}.`{c}` = {r}.`{c}` WHERE {r}.`{c}` IS NULL", dict(left.cols), ctes)
    if shape == "using":
        rest = [x for x in left.cols if x != c]
        items = [f"`{c}`"] + [f"{l}.`{x}` AS `{x}`" for x in rest] + ([f"{r}.`{extra}` AS `r_{extra}`"] if extra else [])
        cols = {c: "i"} | {x: left.cols[x] for x in rest} | ({f"r_{extra}": right.cols[extra]} if extra else {})
        return Rel(f"SELECT {', '.join(items)} FROM {left.source(l)} {side}JOIN {right.source(r)} USING (`{c}`)", cols, ctes)
    g = names("g")
    agg = f"SELECT {g}.`{c}` AS `{c}`, COUNT(*) AS cnt FROM {right.source(g)} GROUP BY {g}.`{c}`"
    if shape == "chain" and c in _TYPES:  # a third input joined in the same FROM (a table, or one aggregated)
        t = names("t")
        third = draw(st.sampled_from(["a", "u", f"(SELECT {c}, COUNT(*) AS cnt FROM b GROUP BY {c})"]))
        side2 = draw(st.sampled_from(["", "LEFT "]))
        picked = "cnt" if third.startswith("(") else "v"
        return Rel(f"SELECT {_select(left.cols, l)}, {t}.`{picked}` AS `t_{picked}` FROM {join} {side2}JOIN {third} AS {t} "
                   f"ON {l}.`{c}` = {t}.`{c}`", dict(left.cols) | {f"t_{picked}": "i"}, ctes)
    if shape == "aggjoin":
        return Rel(f"SELECT {_select(left.cols, l)}, {r}.cnt AS r_cnt FROM {left.source(l)} {side}JOIN ({agg}) AS {r} "
                   f"ON {l}.`{c}` = {r}.`{c}`", dict(left.cols) | {"r_cnt": "i"}, ctes)
    mine = f"SELECT {l}.`{c}` AS `{c}`, COUNT(*) AS cnt FROM {left.source(l)} GROUP BY {l}.`{c}`"
    return Rel(f"{mine} UNION ALL {agg}", {c: "i", "cnt": "i"}, ctes)


@st.composite
def _misc(draw, r: Rel, names: _Names) -> Rel:
    q = names("q")
    shape = draw(st.sampled_from(["over", "limit", "orderlimit", "unnest", "cte", "scalar", "project_scalar", "lag",
                                  "lateral"]))
    if shape == "lateral" and _of(r.cols, "i") and _of(r.cols, "i")[0] in _TYPES:  # decorrelated into a join
        c, x = _of(r.cols, "i")[0], names("x")
        other = draw(st.sampled_from(["a", "b", "u"]))
        body = f"LATERAL (SELECT MAX(y.v) AS m FROM {other} AS y WHERE y.`{c}` = {q}.`{c}`) AS {x}"
        join = draw(st.sampled_from([f", {body}", f" CROSS JOIN {body}", f" LEFT JOIN {body} ON TRUE"]))
        return Rel(f"SELECT {_select(r.cols, q)}, {x}.m AS m FROM {r.source(q)}{join}", r.cols | {"m": "i"}, r.ctes)
    if shape == "lag" and "ts" in r.cols and _of(r.cols, "i"):
        v = _of(r.cols, "i")[-1]
        part = f"PARTITION BY {q}.`{_of(r.cols, 'i')[0]}` " if draw(st.booleans()) else ""
        return Rel(f"SELECT {_select(r.cols, q)}, LAG({q}.`{v}`) OVER ({part}ORDER BY {q}.ts) AS prev_{v} FROM {r.source(q)}",
                   r.cols | {f"prev_{v}": "i"}, r.ctes)
    if shape == "project_scalar" and _of(r.cols, "i"):  # a scalar subquery projected: a LEFT join with its value
        v = _of(r.cols, "i")[0]
        other = draw(st.sampled_from(["a", "b", "u"]))
        corr = f" WHERE x.`{v}` = {q}.`{v}`" if v in _TYPES and draw(st.booleans()) else ""
        return Rel(f"SELECT {_select(r.cols, q)}, (SELECT MAX(x.v) FROM {other} AS x{corr}) AS top_v FROM {r.source(q)}",
                   r.cols | {"top_v": "i"}, r.ctes)
    if shape == "over" and "ts" in r.cols and _of(r.cols, "i"):
        v = _of(r.cols, "i")[-1]
        part = f"PARTITION BY {q}.`{_of(r.cols, 'i')[0]}` " if draw(st.booleans()) else ""
        frame = draw(st.sampled_from(["ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW",
                                      "RANGE BETWEEN INTERVAL '1' MINUTE PRECEDING AND CURRENT ROW"]))
        return Rel(f"SELECT {_select(r.cols, q)}, SUM({q}.`{v}`) OVER ({part}ORDER BY {q}.ts {frame}) AS run_{v} FROM {r.source(q)}",
                   r.cols | {f"run_{v}": "i"}, r.ctes)
    if shape == "scalar" and _of(r.cols, "i"):  # a scalar subquery: a join with its result
        v = _of(r.cols, "i")[0]
        other = draw(st.sampled_from(["a", "b", "u"]))
        return Rel(f"SELECT {_select(r.cols, q)} FROM {r.source(q)} WHERE {q}.`{v}` > (SELECT MIN(x.v) FROM {other} AS x)",
                   r.cols, r.ctes)
    if shape == "limit":
        return Rel(f"SELECT {_select(r.cols, q)} FROM {r.source(q)} LIMIT 5", r.cols, r.ctes)
    if shape == "orderlimit":
        col = draw(st.sampled_from(list(r.cols)))
        return Rel(f"SELECT {_select(r.cols, q)} FROM {r.source(q)} ORDER BY {q}.`{col}` LIMIT 5", r.cols, r.ctes)
    if shape == "unnest" and _of(r.cols, "s"):
        s = _of(r.cols, "s")[0]
        t = names("t")
        return Rel(f"SELECT {_select(r.cols, q)}, {t}.e AS e FROM {r.source(q)} CROSS JOIN UNNEST(ARRAY[{q}.`{s}`, 'x']) AS {t}(e)", r.cols | {"e": "s"}, r.ctes)
    name = names("c")
    body = f"SELECT * FROM {r.sql}" if r.table else r.sql
    return Rel(f"SELECT {_select(r.cols, q)} FROM {name} AS {q}", r.cols, [*r.ctes, (name, body)])


#: views of the oracle's catalog (their columns): derived once, read like tables
VIEWS = {
    "v_last": ({"id": "i", "k": "i", "v": "i", "ts": "t"},
               "SELECT id, k, v, ts FROM a QUALIFY ROW_NUMBER() OVER (PARTITION BY id ORDER BY ts DESC) = 1"),
    "v_first": ({"id": "i", "k": "i", "s": "s", "ts": "t"},
                "SELECT id, k, s, ts FROM b QUALIFY ROW_NUMBER() OVER (PARTITION BY id ORDER BY ts) = 1"),
    "v_agg": ({"k": "i", "cnt": "i"}, "SELECT k, COUNT(*) AS cnt FROM u GROUP BY k"),
    "v_proj": ({"id": "i", "v": "i", "s": "s", "ts": "t"}, "SELECT id, v, s, ts FROM u WHERE v > 0"),
}


def _leaf() -> st.SearchStrategy[Rel]:
    tables = st.sampled_from(["a", "b", "u", "a", "u"]).map(lambda t: Rel(t, dict(_TYPES), table=True))
    views = st.sampled_from(sorted(VIEWS)).map(lambda v: Rel(v, dict(VIEWS[v][0]), table=True))
    return st.one_of(tables, tables, tables, views)


@st.composite
def _window_join(draw, left: Rel, right: Rel, names: _Names) -> Rel:
    """Two window aggregations of the same TUMBLE joined on window_start / window_end."""
    if left.cols.get("ts") != "t" or right.cols.get("ts") != "t" or left.cols.get("id") != "i" or right.cols.get("id") != "i":
        return left
    lt, lc = _as_table(left, names)
    rt, rc = _as_table(right, names)
    l, r = names("l"), names("r")
    side = draw(st.sampled_from(["", "", "LEFT ", "FULL "]))
    agg = "SELECT window_start, window_end, id, COUNT(*) AS cnt FROM {} GROUP BY window_start, window_end, id"
    sql = (f"SELECT {l}.window_start AS window_start, {l}.window_end AS window_end, {l}.id AS id, {l}.cnt AS cnt, {r}.cnt AS r_cnt "
           f"FROM ({agg.format(_tvf('TUMBLE', lt, left.cols))}) AS {l} {side}JOIN ({agg.format(_tvf('TUMBLE', rt, right.cols))}) AS {r} "
           f"ON {l}.id = {r}.id AND {l}.window_start = {r}.window_start AND {l}.window_end = {r}.window_end")
    cols = {"window_start": "t", "window_end": "t", "id": "i", "cnt": "i", "r_cnt": "i"}
    return Rel(sql, cols, _merge(Rel("", {}, lc), Rel("", {}, rc)))


@st.composite
def relations(draw, depth: int = 3, names: _Names | None = None) -> Rel:
    names = names or _Names()
    if depth == 0 or draw(st.integers(0, 5)) == 0:
        return draw(_leaf())
    inner = draw(relations(depth - 1, names))
    op = draw(st.sampled_from(["project", "group", "global", "join", "temporal", "semi", "setop", "window", "window",
                               "rank", "rank", "misc", "wjoin", "rankjoin", "fused"]))
    if op in ("join", "semi", "setop", "wjoin", "rankjoin", "fused"):
        other = draw(relations(max(0, depth - 2), names))
        binary = {"join": _join, "semi": _semi, "setop": _setop, "wjoin": _window_join, "rankjoin": _rank_join,
                  "fused": _fused}
        return draw(binary[op](inner, other, names))
    unary = {"project": _project, "group": _group, "global": _global, "temporal": _temporal,
             "window": _window, "rank": _rank, "misc": _misc}
    return draw(unary[op](inner, names))


def queries() -> st.SearchStrategy[str]:
    return relations().map(lambda r: r.render())
