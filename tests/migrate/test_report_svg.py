"""Geometry of the lineage SVG: every edge starts on the border of its parent's box, ends on
the border of its child's box, and never runs under a box (issue 15: edges were drawn under
the boxes of the columns they crossed).  Checked on generated DAGs (long edges, fan-in and
fan-out, external parents, cycles) by sampling every segment of every path."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from hypothesis import given, settings
from hypothesis import strategies as st
from test_report import shop, table

from shiftleft.migration.models import Layer, MigrationResult, Status
from shiftleft.migration.report_svg import lineage_svg

SVG = "{http://www.w3.org/2000/svg}"
Box = tuple[float, float, float, float]  # x, y, width, height
_COMMAND = re.compile(r"([MLC])([^MLC]*)")


def _points(d: str) -> list[tuple[float, float]]:
    """Points along the path ``d`` (absolute M / L / C): the ends of every segment and 40
    samples of each segment."""
    points: list[tuple[float, float]] = []
    for command, args in _COMMAND.findall(d):
        xy = [float(v) for v in re.split(r"[ ,]+", args.strip())]
        pairs = list(zip(xy[::2], xy[1::2]))
        if command == "M":
            points.append(pairs[0])
            continue
        start = points[-1]
        for k in range(1, 41):
            t = k / 40
            if command == "L":
                (x1, y1), (x2, y2) = start, pairs[0]
                points.append((x1 + (x2 - x1) * t, y1 + (y2 - y1) * t))
            else:
                (x0, y0), (x1, y1), (x2, y2), (x3, y3) = start, *pairs
                u = 1 - t
                points.append(
                    (
                        u**3 * x0 + 3 * u * u * t * x1 + 3 * u * t * t * x2 + t**3 * x3,
                        u**3 * y0 + 3 * u * u * t * y1 + 3 * u * t * t * y2 + t**3 * y3,
                    )
                )
    return points


def _inside(point: tuple[float, float], box: Box, margin: float = 0.5) -> bool:
    x, y = point
    bx, by, bw, bh = box
    return bx + margin < x < bx + bw - margin and by + margin < y < by + bh - margin


def _on_border(point: tuple[float, float], box: Box) -> bool:
    x, y = point
    bx, by, bw, bh = box
    on_side = min(abs(x - bx), abs(x - bx - bw)) <= 0.5 and by <= y <= by + bh
    on_top = min(abs(y - by), abs(y - by - bh)) <= 0.5 and bx <= x <= bx + bw
    return on_side or on_top


def check_geometry(result: MigrationResult) -> int:
    """Assert the property for every edge of ``result``'s lineage; returns the edge count."""
    root = ET.fromstring(lineage_svg(result))
    width, height = float(root.get("width", 0)), float(root.get("height", 0))
    boxes: dict[str, Box] = {}
    for node in root.iter(f"{SVG}g"):
        if node.get("class") == "node":
            rect = node.find(f"{SVG}rect")
            assert rect is not None
            boxes[node.get("data-name", "")] = tuple(float(rect.get(k, 0)) for k in ("x", "y", "width", "height"))  # type: ignore[assignment]
    names = list(boxes)
    for i, a in enumerate(names):  # boxes do not overlap each other
        for b in names[i + 1 :]:
            (ax, ay, aw, ah), (bx, by, bw, bh) = boxes[a], boxes[b]
            assert ax + aw <= bx or bx + bw <= ax or ay + ah <= by or by + bh <= ay, (a, b)
    edges = [p for p in root.iter(f"{SVG}path") if p.get("class") == "edge"]
    for edge in edges:
        parent, child = edge.get("data-from", ""), edge.get("data-to", "")
        points = _points(edge.get("d", ""))
        assert _on_border(points[0], boxes[parent]), (parent, child, points[0], boxes[parent])
        assert _on_border(points[-1], boxes[child]), (parent, child, points[-1], boxes[child])
        for point in points:
            assert 0 <= point[0] <= width and 0 <= point[1] <= height, (parent, child, point)
            under = [n for n, box in boxes.items() if _inside(point, box)]
            assert not under, f"edge {parent} -> {child} runs under {under} at {point}"
    return len(edges)


def test_shop_edges_run_between_the_boxes() -> None:
    assert check_geometry(shop()) >= 6


def _result(n: int, reads: list[list[int]]) -> MigrationResult:
    names = [f"t{i}" + "x" * (i % 4) * 3 for i in range(n)]
    tables = []
    for i, name in enumerate(names):
        parents = [names[j] for j in reads[i] if j < n] + (["ext.raw"] if i % 5 == 4 else [])
        status = Status.DECLARED if not parents else Status.TRANSLATED
        tables.append(table(name, status, Layer.SOURCES if not parents else Layer.FACTS, parents))
    return MigrationResult(project="p", project_dir="p", read="spark", target="flink", tables=tables)


@settings(max_examples=120, deadline=None)
@given(st.integers(1, 14).flatmap(lambda n: st.tuples(st.just(n), st.lists(st.lists(st.integers(0, n - 1), max_size=4), min_size=n, max_size=n))))
def test_generated_lineages_edges_run_between_the_boxes(case: tuple[int, list[list[int]]]) -> None:
    """Any parents, so also long edges over many columns, back edges and cycles."""
    n, reads = case
    check_geometry(_result(n, reads))


def test_a_long_edge_goes_around_the_boxes_it_crosses() -> None:
    """a -> b -> c -> d and a -> d: the a -> d edge crosses the columns of b and c."""
    result = _result(4, [[], [0], [1], [2, 0]])
    assert check_geometry(result) == 4
