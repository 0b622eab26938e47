"""Kimball layout: layer / product inference, shiftleft.yml overrides, safe paths."""

from __future__ import annotations

import os
from pathlib import Path, PurePosixPath

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shiftleft.errors import ConfigError
from shiftleft.migration.layout import (
    Inside,
    LayoutConfig,
    ddl_path,
    definition_path,
    dml_path,
    infer_layer,
    infer_product,
    load_layout_config,
    resolve_inside,
    safe_name,
    table_folder,
)
from shiftleft.migration.models import Layer


@pytest.mark.parametrize(
    ("name", "kwargs", "expected"),
    [
        ("orders", {"tags": ["nightly", "fact"]}, Layer.FACTS),
        ("orders", {"tags": ["Dimension"]}, Layer.DIMENSIONS),
        ("orders", {"tags": ["layer:views"], "folders": ["staging"]}, Layer.VIEWS),
        ("orders", {"tags": ["staging"]}, Layer.SOURCES),
        ("raw_orders", {"resource_type": "seed"}, Layer.SOURCES),
        ("orders", {"resource_type": "source", "folders": ["marts"]}, Layer.SOURCES),
        ("orders_snapshot", {"resource_type": "snapshot"}, Layer.DIMENSIONS),
        ("orders", {"folders": ["marts", "facts"]}, Layer.FACTS),
        ("orders", {"folders": ["staging", "dims"]}, Layer.DIMENSIONS),  # deepest first
        ("orders", {"folders": ["int"]}, Layer.INTERMEDIATES),
        ("orders", {"folders": ["views"], "materialized": "table"}, Layer.VIEWS),
        ("orders", {"folders": ["Raw"]}, Layer.SOURCES),
        ("stg_shop__orders", {"folders": ["marts"]}, Layer.SOURCES),
        ("src_orders", {}, Layer.SOURCES),
        ("int_orders_joined", {}, Layer.INTERMEDIATES),
        ("dim_customer", {}, Layer.DIMENSIONS),
        ("shop_dim_customer", {}, Layer.DIMENSIONS),
        ("fct_orders", {"materialized": "view"}, Layer.FACTS),
        ("fact_orders", {}, Layer.FACTS),
        ("shop_fct_orders", {}, Layer.FACTS),
        ("orders_fct", {}, Layer.FACTS),
        ("orders_per_day", {"materialized": "view"}, Layer.VIEWS),
        ("orders_per_day", {"materialized": "incremental"}, Layer.INTERMEDIATES),
        ("interval_stats", {}, Layer.INTERMEDIATES),  # "int" is a prefix only with "_"
    ],
)
def test_infer_layer(name: str, kwargs: dict, expected: Layer) -> None:
    assert infer_layer(name, **kwargs) is expected


def test_layer_overrides_first_match_in_file_order() -> None:
    config = LayoutConfig(
        layers={
            "path:models/legacy": "views",
            "tag:lookup*": "dim",
            "fct_*": Layer.INTERMEDIATES,
            "fct_orders": Layer.FACTS,
        }
    )
    assert config.layers["tag:lookup*"] is Layer.DIMENSIONS
    kw = {"folders": ["facts"], "tags": [], "file_path": "models/marts/fct_orders.sql"}
    assert infer_layer("fct_orders", config=config, **kw) is Layer.INTERMEDIATES
    kw["tags"] = ["lookups"]
    assert infer_layer("fct_orders", config=config, **kw) is Layer.DIMENSIONS
    kw["file_path"] = "models\\legacy\\old\\fct_orders.sql"
    assert infer_layer("fct_orders", config=config, **kw) is Layer.VIEWS
    assert infer_layer("fct_x", config=config, resource_type="source") is Layer.INTERMEDIATES


def test_unknown_layer_tag_is_an_error() -> None:
    with pytest.raises(ConfigError, match="layer:facts"):
        infer_layer("orders", tags=["layer:cubes"])


@pytest.mark.parametrize(
    ("name", "kwargs", "expected"),
    [
        ("orders", {"tags": ["product:Sales-EU"], "folders": ["shop"]}, "sales_eu"),
        ("orders", {"folders": ["models", "marts", "Core", "Finance", "x"]}, "finance"),
        ("stg_jaffle_shop__orders", {"folders": ["staging"]}, "jaffle_shop"),
        ("base_erp__items", {}, "erp"),
        ("stg_orders", {}, "my_proj"),
        ("orders", {"folders": ["marts", "日本"]}, "my_proj"),
    ],
)
def test_infer_product(name: str, kwargs: dict, expected: str) -> None:
    assert infer_product(name, project_name="My-Proj", **kwargs) == expected


def test_product_overrides_and_default() -> None:
    config = LayoutConfig(
        products={"tag:pii": "privacy", "path:models/shop/*": "Shop", "dim_*": "common"},
        default_product="Shared",
    )
    kw = {"project_name": "proj", "config": config}
    assert infer_product("dim_x", tags=["pii"], folders=["finance"], **kw) == "privacy"
    assert infer_product("dim_x", file_path="models/shop/a/dim_x.sql", **kw) == "shop"
    assert infer_product("dim_x", **kw) == "common"
    assert infer_product("orders", folders=["marts"], **kw) == "shared"


def test_load_layout_config(tmp_path: Path) -> None:
    assert load_layout_config(None, tmp_path) == LayoutConfig()
    (tmp_path / "shiftleft.yml").write_text(
        "llm: {model: x}\n"
        "layout:\n"
        "  layers: {'fct_*': fct, 'tag:daily': views, 'path:models/a/*': dimensions}\n"
        "  products: {orders: sales}\n"
        "  default_product: core_data\n"
    )
    config = load_layout_config(None, tmp_path)
    assert list(config.layers) == ["fct_*", "tag:daily", "path:models/a/*"]
    assert list(config.layers.values()) == [Layer.FACTS, Layer.VIEWS, Layer.DIMENSIONS]
    assert config.products == {"orders": "sales"}
    assert config.default_product == "core_data"
    (tmp_path / "other.yml").write_text("other: 1\n")
    assert load_layout_config(tmp_path / "other.yml", tmp_path) == LayoutConfig()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("layout:\n  layers:\n    fct_*: cubes\n", r"layers\.fct_\*: unknown layer 'cubes'"),
        ("layout:\n  layers: [facts]\n", r"layout\.layers must be a mapping"),
        ("layout: facts\n", r"'layout' must be a mapping"),
        ("- layout\n", "must be a mapping"),
        ("layout:\n  layerz: {}\n", r"unknown key layout\.layerz"),
        ("layout:\n  products: {x: '..'}\n", r"layout\.products\.x: '\.\.' cannot be used"),
        ("layout:\n  default_product: 3\n", "default_product: the product must be a string"),
        ("layout:\n  layers: {a: facts\n", "line 3: invalid YAML"),
    ],
)
def test_layout_config_errors(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "shiftleft.yml"
    path.write_text(text)
    with pytest.raises(ConfigError, match=message) as info:
        load_layout_config(path, tmp_path)
    assert str(path) in str(info.value)


def test_missing_given_layout_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not found"):
        load_layout_config(tmp_path / "nope.yml", tmp_path)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("../../etc", "etc"),
        ("a/b", "a_b"),
        ("Orders v2!", "Orders_v2"),
        ("naïve café", "na_ve_caf"),
    ],
)
def test_safe_name(text: str, expected: str) -> None:
    assert safe_name(text) == expected


@pytest.mark.parametrize("text", ["..", ".", "", "___", "日本", "/"])
def test_safe_name_refuses(text: str) -> None:
    with pytest.raises(ConfigError, match="cannot be used as a folder name"):
        safe_name(text)


def test_table_paths() -> None:
    assert table_folder(Layer.FACTS, "shop", "fct_orders") == PurePosixPath("facts/shop/fct_orders")
    assert str(ddl_path(Layer.SOURCES, "a/b", "../x")) == "sources/a_b/x/sql-scripts/ddl.x.sql"
    assert str(dml_path(Layer.VIEWS, "s", "v")) == "views/s/v/sql-scripts/dml.v.sql"
    definition = definition_path(Layer.DIMENSIONS, "s", "d")
    assert str(definition) == "dimensions/s/d/pipeline_definition.json"
    with pytest.raises(ConfigError):
        table_folder(Layer.FACTS, "..", "x")


def test_resolve_inside(tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert resolve_inside(out, "facts/a/b.sql") == out.resolve() / "facts" / "a" / "b.sql"
    assert resolve_inside(out, PurePosixPath("x.json")) == out.resolve() / "x.json"
    for bad, why in [
        ("../x.sql", r"'\.\.'"),
        ("facts/../../x", r"'\.\.'"),
        ("/etc/passwd", "absolute"),
        ("C:/x", "absolute"),
        ("", "empty"),
    ]:
        with pytest.raises(ConfigError, match=why):
            resolve_inside(out, bad)


def test_resolve_inside_refuses_symlinked_folder(tmp_path: Path) -> None:
    out, outside = tmp_path / "out", tmp_path / "outside"
    (out / "facts").mkdir(parents=True)
    outside.mkdir()
    os.symlink(outside, out / "facts" / "shop")
    with pytest.raises(ConfigError, match="symbolic link"):
        resolve_inside(out, "facts/shop/t/ddl.t.sql")
    os.symlink(out / "facts", out / "alias")  # a link that stays inside is fine
    assert resolve_inside(out, "alias/x.sql") == out.resolve() / "alias" / "x.sql"


_NAMES = ["a", "b", "c"]
#: links to make below the output folder: (their path, where they lead)
_LINKS = st.lists(
    st.tuples(st.lists(st.sampled_from(_NAMES), min_size=1, max_size=3),
              st.sampled_from(["inside", "outside", "dangling"])),
    max_size=3,
)


def _linked_folder(root: Path, links: list[tuple[list[str], str]], folders: tuple[str, ...]) -> Path:
    """``root/out`` with the folders ``folders`` and the ``links`` (to ``out/a``, to
    ``root/outside``, or nowhere) that can be made."""
    out, outside = root / "out", root / "outside"
    outside.mkdir()
    (out.joinpath(*folders)).mkdir(parents=True)
    for parts, kind in links:
        link = out.joinpath(*parts)
        if link.exists() or link.is_symlink() or not link.parent.is_dir():
            continue
        to = {"inside": out / "a", "outside": outside, "dangling": root / "nowhere"}[kind]
        os.symlink(to, link)
    return out


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    links=_LINKS,
    relative=st.lists(st.sampled_from(_NAMES), min_size=1, max_size=4),
)
def test_resolve_inside_refuses_exactly_what_resolves_outside(
    tmp_path_factory: pytest.TempPathFactory, links: list[tuple[list[str], str]], relative: list[str]
) -> None:
    """Generated folders with links (to a folder inside, outside, or nowhere) at
    any depth: resolve_inside refuses a path exactly when the path, resolved, leaves the
    output folder (it resolves only paths that hold a link)."""
    out = _linked_folder(tmp_path_factory.mktemp("links"), links, ("a", "b"))
    base = out.resolve()
    real = base.joinpath(*relative).resolve()
    escapes = real != base and base not in real.parents
    if escapes:
        with pytest.raises(ConfigError, match="symbolic link"):
            resolve_inside(out, "/".join(relative))
    else:
        assert resolve_inside(out, "/".join(relative)) == base.joinpath(*relative)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    links=_LINKS,
    paths=st.lists(st.lists(st.sampled_from(_NAMES), min_size=1, max_size=4), min_size=1, max_size=6),
)
def test_a_run_resolves_its_paths_as_resolve_inside_does(
    tmp_path_factory: pytest.TempPathFactory, links: list[tuple[list[str], str]], paths: list[list[str]]
) -> None:
    """The writer's :class:`Inside` (the output folder resolved once, folders known to be no
    link not read again) answers every path of a run as :func:`resolve_inside` does, over
    generated folders and links, the folders of each answered path created in between (as
    the writer creates them)."""
    out = _linked_folder(tmp_path_factory.mktemp("run"), links, ("a",))
    inside = Inside(out)
    for relative in paths:
        text = "/".join(relative)
        try:
            expected: Path | str = resolve_inside(out, text)
        except ConfigError as e:
            expected = str(e)
        try:
            got: Path | str = inside(text)
        except ConfigError as e:
            got = str(e)
        assert got == expected
        if isinstance(expected, Path) and not expected.parent.exists():
            try:
                expected.parent.mkdir(parents=True)
            except OSError:
                pass  # through a dangling link: nothing to create


def test_a_symbolic_link_loop_is_a_config_error(tmp_path: Path) -> None:
    """A link loop in the output folder is refused as ShiftleftError, not a RuntimeError."""
    from shiftleft.errors import ConfigError
    from shiftleft.migration.layout import resolve_inside

    (tmp_path / "loop").symlink_to(tmp_path / "loop")
    with pytest.raises(ConfigError):
        resolve_inside(tmp_path, "loop/x.sql")
