"""Where each migrated table goes in the Kimball pipelines folder.

``pipelines/<layer>/<product>/<table>/`` holds ``sql-scripts/ddl.<table>.sql``,
``sql-scripts/dml.<table>.sql`` and ``pipeline_definition.json``.  The layer and the product
are inferred from the dbt node (tags, folders, name, materialization) unless the ``layout:``
section of ``shiftleft.yml`` says otherwise::

    layout:
      layers: {fct_*: facts, "tag:lookup": dimensions, "path:models/legacy/*": views}
      products: {"path:models/shop/*": shop}
      default_product: shared

Pattern keys are a model name or :mod:`fnmatch` glob, ``tag:<glob>`` (any tag of the node
matches) or ``path:<glob>`` (the model file, relative to the dbt project, ``/``-separated;
a plain folder such as ``path:models/legacy`` also matches every file below it).  The first
matching key in file order wins.
"""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Mapping, Sequence
from fnmatch import fnmatchcase
from pathlib import Path, PurePosixPath, PureWindowsPath
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, field_validator

from shiftleft.errors import ConfigError
from shiftleft.migration.models import Layer

#: Every word naming a layer (in tags, ``layer:<x>`` tags and shiftleft.yml), lowercase.
LAYER_WORDS: dict[str, Layer] = {
    **dict.fromkeys(("sources", "source", "staging"), Layer.SOURCES),
    **dict.fromkeys(("intermediates", "intermediate"), Layer.INTERMEDIATES),
    **dict.fromkeys(("dimensions", "dimension", "dim"), Layer.DIMENSIONS),
    **dict.fromkeys(("facts", "fact", "fct"), Layer.FACTS),
    **dict.fromkeys(("views", "view"), Layer.VIEWS),
}
_FOLDER_LAYERS: dict[str, Layer] = {
    **dict.fromkeys(("staging", "stg", "source", "sources", "base", "raw"), Layer.SOURCES),
    **dict.fromkeys(("intermediate", "intermediates", "int"), Layer.INTERMEDIATES),
    **dict.fromkeys(("dimension", "dimensions", "dims", "dim"), Layer.DIMENSIONS),
    **dict.fromkeys(("fact", "facts", "fct"), Layer.FACTS),
    **dict.fromkeys(("view", "views"), Layer.VIEWS),
}
_NAME_PREFIXES: tuple[tuple[str, Layer], ...] = (
    *((p, Layer.SOURCES) for p in ("stg_", "src_", "base_", "raw_")),
    ("int_", Layer.INTERMEDIATES),
    ("dim_", Layer.DIMENSIONS),
    *((p, Layer.FACTS) for p in ("fct_", "fact_")),
)
#: Matched inside ``name + "_"``, so ``orders_fct`` counts like ``orders_fct_daily``.
_NAME_INFIXES: tuple[tuple[str, Layer], ...] = (
    ("_dim_", Layer.DIMENSIONS),
    ("_fct_", Layer.FACTS),
    ("_fact_", Layer.FACTS),
)
#: Folder names that organise a dbt project and so never name a product.
ORGANISING_FOLDERS: frozenset[str] = frozenset(
    (
        *("staging", "stg", "intermediate", "intermediates", "int", "marts", "mart", "core"),
        *("base", "source", "sources", "raw", "fact", "facts", "fct", "dimension"),
        *("dimensions", "dim", "dims", "view", "views", "models", "snapshots", "seeds"),
    )
)
_UNSAFE = re.compile(r"[^A-Za-z0-9_]+")


def _layer_of(word: object) -> Layer | None:
    """The layer a word names (``facts``, ``fct``, ``Layer.FACTS``...), or None."""
    if isinstance(word, Layer):
        return word
    return LAYER_WORDS.get(word.strip().lower()) if isinstance(word, str) else None


class LayoutConfig(BaseModel):
    """The ``layout:`` section of ``shiftleft.yml``: layer and product overrides."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    layers: dict[str, Layer] = {}
    products: dict[str, str] = {}
    default_product: str | None = None

    @field_validator("layers", mode="before")
    @classmethod
    def _layer_aliases(cls, value: Any) -> Any:
        """Accept every layer word (``fct``, ``dimension``...), not only the folder names."""
        if isinstance(value, Mapping):
            return {k: _layer_of(v) or v for k, v in value.items()}
        return value


def _matches(pattern: str, name: str, tags: Sequence[str], file_path: str | None) -> bool:
    """Whether a layout key (name glob, ``tag:<glob>`` or ``path:<glob>``) selects a node."""
    if pattern.startswith("tag:"):
        return any(fnmatchcase(t, pattern[4:]) for t in tags)
    if pattern.startswith("path:"):
        if file_path is None:
            return False
        path, glob = file_path.replace("\\", "/"), pattern[5:]
        return fnmatchcase(path, glob) or fnmatchcase(path, glob.rstrip("/") + "/*")
    return fnmatchcase(name, pattern)


def _first_match(
    table: Mapping[str, Any], name: str, tags: Sequence[str], file_path: str | None
) -> Any:
    return next((v for k, v in table.items() if _matches(k, name, tags, file_path)), None)


def infer_layer(
    name: str,
    *,
    folders: Sequence[str] = (),
    tags: Sequence[str] = (),
    materialized: str = "table",
    resource_type: str = "model",
    file_path: str | None = None,
    config: LayoutConfig | None = None,
) -> Layer:
    """The Kimball layer of a dbt node.

    In order: a ``layout.layers`` key; a tag naming a layer (``fact``, ``dim``...) or
    ``layer:<x>``; sources and seeds are sources, snapshots (SCD2 tables) dimensions; the
    folders, deepest first; the name (``stg_``, ``int_``, ``dim_``, ``fct_``, ``x_dim_y``...);
    a view materialization; else intermediates.  ``folders`` lists the model's folders from
    the project root down.  Raises :class:`ConfigError` for a ``layer:<x>`` tag naming no layer.
    """
    config = config or LayoutConfig()
    found = _first_match(config.layers, name, tags, file_path)
    if found is not None:
        return found
    for tag in tags:
        if tag.lower().startswith("layer:"):
            layer = _layer_of(tag[6:])
            if layer is None:
                raise ConfigError(
                    f"model {name!r} has the tag {tag!r}, which names no layer: use one of "
                    f"layer:{', layer:'.join(x.value for x in Layer)}"
                )
            return layer
        if (layer := _layer_of(tag)) is not None:
            return layer
    if resource_type in ("source", "seed"):
        return Layer.SOURCES
    if resource_type == "snapshot":
        return Layer.DIMENSIONS
    for folder in reversed(folders):
        if (layer := _FOLDER_LAYERS.get(folder.lower())) is not None:
            return layer
    lowered = name.lower()
    for prefix, layer in _NAME_PREFIXES:
        if lowered.startswith(prefix):
            return layer
    for infix, layer in _NAME_INFIXES:
        if infix in lowered + "_":
            return layer
    return Layer.VIEWS if materialized == "view" else Layer.INTERMEDIATES


def infer_product(
    name: str,
    *,
    folders: Sequence[str] = (),
    tags: Sequence[str] = (),
    file_path: str | None = None,
    project_name: str,
    config: LayoutConfig | None = None,
) -> str:
    """The data product (second folder level) of a dbt node, a lowercase safe name.

    In order: a ``layout.products`` key; a ``product:<x>`` tag; the first folder that is not
    an organising word (``staging``, ``marts``, ``core``...); the ``<source>`` of a
    ``stg_<source>__<table>`` / ``base_<source>__<table>`` name; ``default_product``; the
    project name.
    """
    config = config or LayoutConfig()
    found = _first_match(config.products, name, tags, file_path)
    if found is None:
        found = next((t[8:] for t in tags if t.lower().startswith("product:") and t[8:]), None)
    if found is None:
        found = next(
            (f for f in folders if f.lower() not in ORGANISING_FOLDERS and _usable(f)), None
        )
    if found is None:
        lowered = name.lower()
        for prefix in ("stg_", "base_"):
            rest = lowered[len(prefix) :]
            if lowered.startswith(prefix) and "__" in rest and _usable(rest.split("__")[0]):
                found = rest.split("__")[0]
                break
    if found is None:
        found = config.default_product or project_name
    return safe_name(found).lower()


def _usable(text: str) -> bool:
    """Whether :func:`safe_name` accepts ``text``."""
    return bool(_UNSAFE.sub("_", text).strip("_"))


def safe_name(text: str) -> str:
    """``text`` as one folder name: runs of characters other than ``[A-Za-z0-9_]`` become
    ``_``, leading and trailing ``_`` are dropped.  Raises :class:`ConfigError` when nothing
    is left (so the result is never empty, ``.`` or ``..``)."""
    cleaned = _UNSAFE.sub("_", text).strip("_")
    if not cleaned:
        raise ConfigError(
            f"{text!r} cannot be used as a folder name: it has no ASCII letter or digit; "
            "rename it, or map it to another name in the layout section of shiftleft.yml"
        )
    return cleaned


def table_folder(layer: Layer, product: str, name: str) -> PurePosixPath:
    """``<layer>/<product>/<name>``, the product and name made safe with :func:`safe_name`."""
    return PurePosixPath(Layer(layer).value, safe_name(product), safe_name(name))


def ddl_path(layer: Layer, product: str, name: str) -> PurePosixPath:
    """``<table folder>/sql-scripts/ddl.<name>.sql``."""
    return table_folder(layer, product, name) / "sql-scripts" / f"ddl.{safe_name(name)}.sql"


def dml_path(layer: Layer, product: str, name: str) -> PurePosixPath:
    """``<table folder>/sql-scripts/dml.<name>.sql``."""
    return table_folder(layer, product, name) / "sql-scripts" / f"dml.{safe_name(name)}.sql"


def definition_path(layer: Layer, product: str, name: str) -> PurePosixPath:
    """``<table folder>/pipeline_definition.json``."""
    return table_folder(layer, product, name) / "pipeline_definition.json"


def _has_link(base: Path, parts: Sequence[str], plain: set[str] | None = None) -> bool:
    """Whether a folder or file of ``base / parts`` below ``base`` (resolved already) is a
    symbolic link: without one, the path resolves to itself (one ``lstat`` per part, where
    resolving it reads every folder from the root).  What cannot be read is no link, as
    :meth:`Path.resolve` takes it.  ``plain``: folders found to be no link earlier (not read
    again), to which those found now are added."""
    path = str(base)
    for part in parts:
        path = os.path.join(path, part)
        if plain is not None and path in plain:
            continue
        try:
            mode = os.lstat(path).st_mode
        except OSError:
            continue
        if stat.S_ISLNK(mode):
            return True
        if plain is not None and stat.S_ISDIR(mode):
            plain.add(path)
    return False


def resolve_inside(out_dir: Path, relative: str | PurePosixPath) -> Path:
    """The absolute path of ``out_dir / relative``, refusing to leave ``out_dir``.

    Raises :class:`ConfigError` when ``relative`` is empty, absolute, holds ``..``, or
    resolves (symlinks followed, parent folders included) outside ``out_dir``.
    """
    return Inside(out_dir, remember=False)(relative)


class Inside:
    """:func:`resolve_inside` for the many paths one run writes below ``out_dir``: the folder
    is resolved once (on the first path), and with ``remember`` each existing folder below it
    that is no symbolic link is read once, not once per file written in it."""

    def __init__(self, out_dir: Path, *, remember: bool = True) -> None:
        self.out_dir = Path(out_dir)
        self._base: Path | None = None
        self._plain: set[str] | None = set() if remember else None

    def __call__(self, relative: str | PurePosixPath) -> Path:
        text = str(relative)
        rel = PurePosixPath(text.replace("\\", "/"))
        why = None
        if rel.is_absolute() or PureWindowsPath(text).anchor:
            why = "it is an absolute path"
        elif ".." in rel.parts:
            why = "it contains '..'"
        elif not rel.parts:
            why = "it is empty"
        try:
            if self._base is None:
                self._base = self.out_dir.resolve()
            base = self._base
            target = base.joinpath(*rel.parts)
            if why is None and _has_link(base, rel.parts, self._plain):
                real = target.resolve()
                if real != base and base not in real.parents:
                    why = f"it resolves to {real} through a symbolic link"
        except (RuntimeError, OSError) as e:  # a symbolic-link loop (RuntimeError before Python 3.13)
            raise ConfigError(
                f"refusing to write {text!r}: its path cannot be resolved ({e}); remove the symbolic link loop"
            ) from None
        if why is not None:
            raise ConfigError(
                f"refusing to write {text!r}: {why}; output files must stay inside {base} "
                "(remove the symbolic link or choose another output folder)"
            )
        return target


def load_layout_config(path: Path | None, project_dir: Path) -> LayoutConfig:
    """Read the ``layout:`` section of a ``shiftleft.yml``.

    With ``path`` None, ``project_dir / "shiftleft.yml"`` is read when it exists (defaults
    otherwise); a given ``path`` must exist.  Other top-level keys are ignored.  Raises
    :class:`ConfigError` naming the file and the key for anything invalid.
    """
    if path is None:
        path = Path(project_dir) / "shiftleft.yml"
        if not path.is_file():
            return LayoutConfig()
    elif not Path(path).is_file():
        raise ConfigError(f"layout file not found: {path}; check the path given")
    try:
        document = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}: " if mark is not None else ""
        problem = getattr(exc, "problem", None) or exc
        raise ConfigError(f"{path}: {where}invalid YAML ({problem}); fix its syntax") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read the layout file {path}: {exc}") from None
    if document is None:
        return LayoutConfig()
    if not isinstance(document, dict):
        raise ConfigError(f"{path}: the file must be a mapping with a 'layout:' key")
    section = document.get("layout")
    if section is None:
        return LayoutConfig()
    if not isinstance(section, dict):
        raise ConfigError(f"{path}: 'layout' must be a mapping (layers, products, default_product)")
    unknown = sorted(str(k) for k in section if k not in LayoutConfig.model_fields)
    if unknown:
        raise ConfigError(
            f"{path}: unknown key layout.{unknown[0]}; the keys are layers, products, "
            "default_product"
        )
    layers: dict[str, Layer] = {}
    for key, value in _mapping(section.get("layers"), path, "layers").items():
        layer = _layer_of(value)
        if layer is None:
            raise ConfigError(
                f"{path}: layout.layers.{key}: unknown layer {value!r}; use one of "
                f"{', '.join(x.value for x in Layer)}"
            )
        layers[key] = layer
    products: dict[str, str] = {}
    for key, value in _mapping(section.get("products"), path, "products").items():
        products[key] = _product(value, path, f"layout.products.{key}")
    default = section.get("default_product")
    return LayoutConfig(
        layers=layers,
        products=products,
        default_product=None if default is None else _product(default, path, "default_product"),
    )


def _mapping(value: object, path: Path, key: str) -> dict[str, object]:
    """A ``layout.<key>`` mapping with non-empty string pattern keys."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise ConfigError(f"{path}: layout.{key} must be a mapping of pattern: value")
    for pattern in value:
        if not isinstance(pattern, str) or not pattern.split(":", 1)[-1].strip():
            raise ConfigError(
                f"{path}: layout.{key}: the pattern {pattern!r} is not a model name or glob, "
                "tag:<tag> or path:<glob>; quote it as a non-empty string"
            )
    return value


def _product(value: object, path: Path, key: str) -> str:
    """A product name from the file, checked to be usable as a folder name."""
    if not isinstance(value, str):
        raise ConfigError(f"{path}: {key}: the product must be a string, not {value!r}")
    try:
        safe_name(value)
    except ConfigError as exc:
        raise ConfigError(f"{path}: {key}: {exc}") from None
    return value


__all__ = [
    "Inside",
    "LayoutConfig",
    "ddl_path",
    "definition_path",
    "dml_path",
    "infer_layer",
    "infer_product",
    "load_layout_config",
    "resolve_inside",
    "safe_name",
    "table_folder",
]
