"""Read a dbt project from disk: ``dbt_project.yml``, model / snapshot / seed / macro files and
the ``schema.yml`` / ``sources.yml`` properties, into plain :class:`Node` records.

Nothing is rendered here (see :mod:`shiftleft.migration.render`); this module only knows dbt's
file conventions:

* project-level configs nest by folder under ``models:`` / ``seeds:`` / ``snapshots:``
  (``+materialized: view``), tags add up, the deepest setting wins;
  https://docs.getdbt.com/reference/model-configs
* properties files list ``models`` / ``seeds`` / ``snapshots`` (columns, ``data_type``,
  ``data_tests`` / ``tests``, ``constraints``, ``config``) and ``sources`` (tables,
  ``identifier``, ``loaded_at_field``, ``freshness``);
  https://docs.getdbt.com/reference/model-properties
* packages present under ``dbt_packages/`` contribute their macros.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

#: libyaml's safe loader when PyYAML has it (several times faster), else the pure-Python one
_SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

from shiftleft.errors import ConfigError

#: configs that dbt reads without a ``+`` prefix in dbt_project.yml
_KNOWN_CONFIGS = {
    "materialized",
    "enabled",
    "tags",
    "schema",
    "database",
    "alias",
    "unique_key",
    "incremental_strategy",
    "partition_by",
    "cluster_by",
    "on_schema_change",
    "persist_docs",
    "post-hook",
    "pre-hook",
    "post_hook",
    "pre_hook",
    "incremental_predicates",
    "merge_update_columns",
    "merge_exclude_columns",
    "full_refresh",
    "meta",
    "docs",
    "contract",
    "grants",
    "quote_columns",
    "column_types",
    "delimiter",
    "strategy",
    "updated_at",
    "check_cols",
    "target_schema",
    "target_database",
    "invalidate_hard_deletes",
    "hard_deletes",
    "snapshot_meta_column_names",
    "event_time",
    "group",
    "access",
    "file_format",
    "location_root",
}


@dataclass
class Column:
    """A column declared in a properties file."""

    name: str
    data_type: str | None = None
    tests: list[str] = field(default_factory=list)  #: generic test names (unique, not_null, ...)
    constraints: list[str] = field(default_factory=list)  #: constraint types (primary_key, ...)
    #: ``meta: {event_time: true}`` (or under ``config:``): the table's event time
    event_time: bool = False


def meta_event_time(entry: dict[str, Any]) -> bool:
    """A column entry marked ``meta: {event_time: true}`` (dbt >= 1.10: under ``config:``)."""
    config = entry.get("config") if isinstance(entry.get("config"), dict) else {}
    meta = {**(config.get("meta") or {}), **(entry.get("meta") or {})}  # type: ignore[union-attr]
    return isinstance(meta, dict) and meta.get("event_time") is True


@dataclass
class Node:
    """One dbt resource: a model, seed, snapshot or source table."""

    unique_id: str
    resource_type: str  #: model | seed | snapshot | source
    name: str
    package: str
    file_path: str | None = None  #: relative to the project, posix
    raw_code: str = ""
    folders: list[str] = field(default_factory=list)  #: folders below the resource path
    config: dict[str, Any] = field(default_factory=dict)
    columns: dict[str, Column] = field(default_factory=dict)
    #: model-level constraints: [(type, [columns])]
    constraints: list[tuple[str, list[str]]] = field(default_factory=list)
    #: sources: the source name, the table identifier and the freshness column (a model's
    #: identifier is its relation's, as generate_alias_name gives it: see migration.identity)
    source_name: str | None = None
    identifier: str | None = None
    loaded_at_field: str | None = None
    #: seeds: the CSV file
    seed_path: Path | None = None
    #: compiled input (a manifest): the rendered SQL and the parents' unique ids
    compiled_code: str | None = None
    depends_on: list[str] = field(default_factory=list)
    relation_name: str | None = None
    #: the schema / database of the relation (a source's as declared; a model's as
    #: generate_schema_name / generate_database_name give them)
    schema: str | None = None
    database: str | None = None
    #: the Flink table name when the identifier clashes (see migration.relations)
    flink_name: str | None = None
    #: why the node's file could not be read (bad encoding, too large, outside the project)
    problem: str | None = None

    @property
    def materialized(self) -> str:
        if self.resource_type in ("seed", "snapshot", "source"):
            return self.resource_type
        return str(self.config.get("materialized") or "view")

    @property
    def table_name(self) -> str:
        """The Flink table name: the alias / identifier when set, else the dbt name (qualified
        when it clashes with another relation's, see :mod:`shiftleft.migration.relations`)."""
        if self.flink_name:
            return self.flink_name
        if self.resource_type == "source":
            return self.identifier or self.name
        return str(self.identifier or self.config.get("alias") or self.name)

    @property
    def tags(self) -> list[str]:
        return [str(t) for t in _names(self.config.get("tags"))]


@dataclass
class MacroFile:
    package: str
    path: Path
    text: str
    problem: str | None = None


@dataclass
class DbtProject:
    """A dbt project as files: its nodes, macros and variables."""

    name: str
    root: Path
    profile: str | None
    vars: dict[str, Any]
    nodes: dict[str, Node]
    macros: list[MacroFile]
    packages: list[str]  #: names of the packages found under dbt_packages/
    dispatch: list[dict[str, Any]] = field(default_factory=list)
    #: read from a compiled manifest.json: models carry compiled_code, nothing is rendered
    compiled: bool = False
    #: unique ids of the nodes disabled (``enabled: false``) in dbt_project.yml or properties
    disabled: list[str] = field(default_factory=list)
    #: vars scoped to an installed package (``vars: {dbt_utils: {...}}``): not the project's
    package_vars: dict[str, dict[str, Any]] = field(default_factory=dict)
    #: files that could not be read (malformed YAML, outside the project...): the rest is read
    problems: list[str] = field(default_factory=list)
    #: ``on-run-start`` / ``on-run-end`` of dbt_project.yml: the SQL of each hook
    run_hooks: dict[str, list[str]] = field(default_factory=dict)
    #: packages that packages.yml / dependencies.yml declares but dbt_packages/ lacks:
    #: namespace -> the entry as written (``dbt-labs/dbt_utils``)
    missing_packages: dict[str, str] = field(default_factory=dict)
    #: model / seed / snapshot names defined by more than one file: name -> unique ids
    duplicates: dict[str, list[str]] = field(default_factory=dict)


#: the schema of dbt's ``target`` when rendering (no profile is read for it); its database is
#: the project's name
TARGET_SCHEMA = "main"

#: limits on what one project file may hold (a YAML alias bomb, a runaway generated file)
MAX_FILE_BYTES = 20_000_000
MAX_YAML_ALIASES = 10_000
_ALIAS = re.compile(r"(?:^|[\s\[{,:-])\*[A-Za-z0-9_-]+")


def read_text(path: Path, root: Path | None = None) -> str:
    """The text of a project file; ConfigError when it is outside ``root`` (a symbolic link
    out of the project), too large, or not UTF-8."""
    if root is not None:
        try:
            path.resolve().relative_to(root.resolve())
        except ValueError:
            raise ConfigError(
                f"{path}: leads outside the project ({path.resolve()}); not read"
            ) from None
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            raise ConfigError(f"{path}: larger than {MAX_FILE_BYTES} bytes; not read")
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError as e:
        raise ConfigError(f"{path}: not UTF-8 text (byte {e.start}); not read") from None
    except OSError as e:
        raise ConfigError(f"cannot read {path}: {e}") from None


def read_yaml(path: Path, root: Path | None = None) -> Any:
    """YAML content of ``path``; a syntax error becomes a ConfigError with the line."""
    text = read_text(path, root)
    if len(_ALIAS.findall(text)) > MAX_YAML_ALIASES:
        raise ConfigError(f"{path}: more than {MAX_YAML_ALIASES} YAML aliases; not read")
    try:
        return yaml.load(text, Loader=_SAFE_LOADER)
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark
        where = f" line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise ConfigError(f"{path}:{where}: not valid YAML ({e.problem})") from None
    except yaml.YAMLError as e:  # e.g. a control character (ReaderError: no line / column)
        raise ConfigError(f"{path}: not valid YAML ({str(e).splitlines()[0]})") from None
    except (OSError, UnicodeDecodeError) as e:
        raise ConfigError(f"cannot read {path}: {e}") from None


def _mapping(value: Any, where: str) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise ConfigError(f"{where}: expected a mapping, got {type(value).__name__}")
    return value


def _listed(value: Any, where: str) -> list[Any]:
    """A YAML list (None: empty); anything else is a ConfigError naming ``where``."""
    if value is None:
        return []
    if not isinstance(value, list):
        raise ConfigError(f"{where}: expected a list, got {type(value).__name__}")
    return value


def _names(value: Any) -> list[Any]:
    """Tags, hooks and the like: one value or a list of them (a mapping counts as one)."""
    if value is None or value == "":
        return []
    return list(value) if isinstance(value, list | tuple) else [value]


def is_enabled(config: dict[str, Any]) -> bool:
    """False when ``config`` has ``enabled: false`` (also the string ``"false"``)."""
    enabled = config.get("enabled", True)
    if isinstance(enabled, str):
        return enabled.strip().lower() not in ("false", "no", "0", "off")
    return enabled is None or bool(enabled)


def merge_config(into: dict[str, Any], new: dict[str, Any]) -> None:
    """dbt's config inheritance: tags add up, ``meta`` merges, everything else replaces."""
    for key, value in new.items():
        key = key.lstrip("+")
        if key == "tags":
            tags = _names(value)
            into["tags"] = [
                *into.get("tags", []),
                *(t for t in tags if t not in into.get("tags", [])),
            ]
        elif key == "meta" and isinstance(value, dict):
            into["meta"] = {**into.get("meta", {}), **value}
        elif key.replace("_", "-") in ("pre-hook", "post-hook"):  # hooks add up, as in dbt
            hooks = value if isinstance(value, list) else [value]
            name = key.replace("_", "-")
            into[name] = [*into.get(name, []), *(h for h in hooks if h not in (None, ""))]
        else:
            into[key] = value


def _project_config(tree: dict[str, Any], path: list[str]) -> dict[str, Any]:
    """The configs that apply to a resource at ``path`` ([package, *folders, name])."""
    config: dict[str, Any] = {}
    level: Any = tree
    for part in path:
        if not isinstance(level, dict):
            break
        merge_config(
            config, {k: v for k, v in level.items() if k.startswith("+") or k in _KNOWN_CONFIGS}
        )
        level = level.get(part)
    if isinstance(level, dict):
        merge_config(
            config, {k: v for k, v in level.items() if k.startswith("+") or k in _KNOWN_CONFIGS}
        )
    return config


def _paths(spec: dict[str, Any], key: str, default: str) -> list[str]:
    return [str(v) for v in _names(spec.get(key, [default]))]


def _tests(entries: Any) -> list[str]:
    """Generic test names: ``- unique``, ``- relationships: {...}``, ``- dbt_utils.x: {...}``
    and the ``- name: my_test`` / ``test_name: unique`` form."""
    names = []
    for entry in _names(entries):
        if isinstance(entry, str):
            names.append(entry)
        elif isinstance(entry, dict) and "test_name" in entry:
            names.append(str(entry["test_name"]))
        elif isinstance(entry, dict) and entry:
            names.append(str(next(iter(entry))))
    return [n.split(".")[-1] for n in names]


def _columns(entries: Any, where: str) -> dict[str, Column]:
    columns: dict[str, Column] = {}
    for entry in _listed(entries, f"{where}.columns"):
        if not isinstance(entry, dict) or "name" not in entry:
            raise ConfigError(f"{where}: each column needs a name")
        constraints = [
            str(c.get("type")) for c in _names(entry.get("constraints")) if isinstance(c, dict)
        ]
        data_type = entry.get("data_type")
        if isinstance(data_type, list | dict):
            raise ConfigError(f"{where}: column {entry['name']}: data_type must be a type name")
        columns[str(entry["name"])] = Column(
            name=str(entry["name"]),
            data_type=_text(data_type),
            tests=_tests(entry.get("data_tests", entry.get("tests"))),
            constraints=constraints,
            event_time=meta_event_time(entry),
        )
    return columns


_MACRO_FILE = re.compile(r"\.(sql|jinja)$")

#: ``{{ config(..., enabled=false, ...) }}`` with a literal true / false, in a model's file
_IN_FILE_ENABLED = re.compile(
    r"{{-?\s*config\s*\((?:[^()]|\([^()]*\))*?\benabled\s*=\s*(true|false)\b", re.IGNORECASE
)


def _enabled_here(node: Node) -> bool:
    """Whether ``node`` is enabled, as far as files tell without rendering.

    The model's own ``{{ config(enabled=...) }}`` wins over dbt_project.yml and properties
    files, as in dbt; only a literal true / false is read here.  Any other expression
    (``enabled=target.name == 'prod'``) is only known once the model is rendered: see
    ``Rendered.enabled`` in :mod:`shiftleft.migration.render`, which the caller has to check."""
    # (a snapshot file may hold several snapshots: its config is left to rendering)
    found = _IN_FILE_ENABLED.search(node.raw_code) if node.resource_type == "model" else None
    if found:
        node.config["enabled"] = found.group(1).lower() == "true"
    return is_enabled(node.config)


def _package_projects(root: Path, spec: dict[str, Any]) -> list[tuple[str, Path, dict[str, Any]]]:
    install = root / str(spec.get("packages-install-path", "dbt_packages"))
    found = []
    if install.is_dir():
        for folder in sorted(p for p in install.iterdir() if (p / "dbt_project.yml").is_file()):
            package_spec = _mapping(
                read_yaml(folder / "dbt_project.yml"), str(folder / "dbt_project.yml")
            )
            found.append((str(package_spec.get("name") or folder.name), folder, package_spec))
    return found


def load_project(root: Path, *, cli_vars: dict[str, Any] | None = None) -> DbtProject:
    """Read the dbt project in ``root`` (the folder holding ``dbt_project.yml``)."""
    root = Path(root)
    spec_path = root / "dbt_project.yml"
    if not spec_path.is_file():
        raise ConfigError(f"{root}: no dbt_project.yml here; give the folder of a dbt project")
    spec = _mapping(read_yaml(spec_path), str(spec_path))
    name = spec.get("name")
    if not isinstance(name, str) or not name:
        raise ConfigError(f"{spec_path}: the project needs a name")
    macros: list[MacroFile] = []
    packages = []
    installed = _package_projects(root, spec)
    for package, folder, package_spec in installed:
        packages.append(package)
        for macro_dir in _paths(package_spec, "macro-paths", "macros"):
            macros += _macro_files(package, folder / macro_dir)
    for macro_dir in _paths(spec, "macro-paths", "macros"):
        macros += _macro_files(name, root / macro_dir)
    variables, package_vars = _vars(spec, name, packages, cli_vars or {})

    nodes: dict[str, Node] = {}
    duplicates: dict[str, list[str]] = {}
    kinds = (("model", "model-paths", "models"), ("snapshot", "snapshot-paths", "snapshots"))
    for kind, key, default in kinds:
        tree = _mapping(spec.get(f"{kind}s"), f"{spec_path}: {kind}s")
        for base in _paths(spec, key, default):
            for file in sorted((root / base).rglob("*.sql")) if (root / base).is_dir() else []:
                rel = file.relative_to(root / base)
                folders = list(rel.parts[:-1])
                try:
                    text, problem = read_text(file, root), None
                except ConfigError as e:
                    text, problem = "", str(e)
                names = (
                    re.findall(r"{%-?\s*snapshot\s+(\w+)\s*-?%}", text)
                    if kind == "snapshot"
                    else [file.stem]
                )
                if kind == "model" and re.search(r"{%-?\s*snapshot\s", text):
                    names = re.findall(r"{%-?\s*snapshot\s+(\w+)\s*-?%}", text)
                    kind_here = "snapshot"
                else:
                    kind_here = kind
                for node_name in names:
                    uid = f"{kind_here}.{name}.{node_name}"
                    if uid in nodes:  # dbt refuses two resources of one name: both are kept
                        first, k = uid, 2
                        uid = f"{kind_here}.{name}.{'.'.join(folders) or '_'}.{node_name}"
                        while uid in nodes:
                            uid, k = f"{kind_here}.{name}.{k}.{node_name}", k + 1
                        duplicates.setdefault(node_name, [first]).append(uid)
                    node = Node(
                        unique_id=uid,
                        resource_type=kind_here,
                        name=node_name,
                        package=name,
                        file_path=(Path(base) / rel).as_posix(),
                        raw_code=text,
                        folders=folders,
                        config=_project_config(tree, [name, *folders, node_name]),
                        problem=problem,
                    )
                    nodes[node.unique_id] = node
    seeds_tree = _mapping(spec.get("seeds"), f"{spec_path}: seeds")
    for base in _paths(spec, "seed-paths", "seeds"):
        for file in sorted((root / base).rglob("*.csv")) if (root / base).is_dir() else []:
            rel = file.relative_to(root / base)
            folders = list(rel.parts[:-1])
            node = Node(
                unique_id=f"seed.{name}.{file.stem}",
                resource_type="seed",
                name=file.stem,
                package=name,
                file_path=(Path(base) / rel).as_posix(),
                folders=folders,
                config=_project_config(seeds_tree, [name, *folders, file.stem]),
                seed_path=file,
            )
            nodes[node.unique_id] = node

    by_name = {(n.resource_type, n.name): n for n in nodes.values()}
    problems: list[str] = []
    for base in {
        *_paths(spec, "model-paths", "models"),
        *_paths(spec, "seed-paths", "seeds"),
        *_paths(spec, "snapshot-paths", "snapshots"),
    }:
        for file in sorted((root / base).rglob("*.y*ml")) if (root / base).is_dir() else []:
            try:
                _read_properties(file, root, name, by_name, nodes)
            except ConfigError as e:  # one bad file is reported; the others are read
                problems.append(str(e))
    disabled = [uid for uid, node in nodes.items() if not _enabled_here(node)]
    for uid in disabled:
        del nodes[uid]
    dispatch = spec.get("dispatch") or []
    run_hooks = {
        key: [str(h) for h in _names(value) if h]
        for key in ("on-run-start", "on-run-end")
        if (value := spec.get(key))
    }
    return DbtProject(
        name=name,
        root=root,
        profile=_text(spec.get("profile")),
        vars=variables,
        nodes=nodes,
        macros=macros,
        packages=packages,
        dispatch=dispatch if isinstance(dispatch, list) else [],
        disabled=disabled,
        package_vars=package_vars,
        problems=problems,
        run_hooks=run_hooks,
        missing_packages=_missing_packages(
            [root, *(folder for _, folder, _ in installed)], name, packages, problems
        ),
        duplicates={k: [u for u in v if u in nodes] for k, v in duplicates.items()},
    )


def package_namespaces(entry: str) -> list[str]:
    """The names a package entry of packages.yml may be called by in templates:
    ``dbt-labs/dbt_utils`` -> dbt_utils, utils; ``https://github.com/x/dbt-audit-helper.git``
    -> dbt_audit_helper, audit_helper; ``../local/pkg`` -> pkg."""
    last = re.split(r"[/:\\]", entry.strip().rstrip("/"))[-1].removesuffix(".git")
    names = [last, last.replace("-", "_"), last.replace("-", "_").removeprefix("dbt_")]
    return [n for n in dict.fromkeys(names) if re.fullmatch(r"[A-Za-z_]\w*", n)]


def _missing_packages(
    roots: list[Path], project: str, installed: list[str], problems: list[str]
) -> dict[str, str]:
    """The packages that packages.yml / dependencies.yml of the project (and of the packages
    installed, which ``dbt deps`` installs too) declare and dbt_packages/ lacks."""
    missing: dict[str, str] = {}
    root = roots[0]
    for path in (r / f for r in roots for f in ("packages.yml", "dependencies.yml")):
        if not path.is_file():
            continue
        try:
            data = read_yaml(path, root if path.parent == root else None)
        except ConfigError as e:
            problems.append(str(e))
            continue
        entries = data.get("packages") if isinstance(data, dict) else None
        for entry in entries if isinstance(entries, list) else []:
            if not isinstance(entry, dict):
                continue
            kinds = ("package", "git", "local", "tarball", "private")
            spec = next((str(entry[k]) for k in kinds if entry.get(k)), None)
            if spec is None:
                continue
            names = [str(entry["name"])] if entry.get("name") else package_namespaces(spec)
            if not any(n in installed or n == project for n in names):
                for n in names:
                    missing.setdefault(n, spec)
    return missing


def _vars(
    spec: dict[str, Any], project: str, packages: list[str], cli_vars: dict[str, Any]
) -> tuple[dict[str, Any], dict[str, dict[str, Any]]]:
    """The vars the project's models see, and those scoped to other packages.

    ``vars: {x: 1, shop: {y: 2}, dbt_utils: {z: 3}}`` in project ``shop``: x and y (the
    project's scope wins over the global value), not z; ``--vars`` win over both."""
    variables = dict(_mapping(spec.get("vars"), "dbt_project.yml: vars"))
    package_vars = {
        p: variables.pop(p) for p in packages if p != project and isinstance(variables.get(p), dict)
    }
    scoped = variables.pop(project, None)
    if isinstance(scoped, dict):
        variables.update(scoped)
    variables.update(cli_vars)
    return variables, package_vars


def _macro_files(package: str, folder: Path) -> list[MacroFile]:
    if not folder.is_dir():
        return []
    files = []
    for f in sorted(folder.rglob("*")):
        if f.is_file() and _MACRO_FILE.search(f.name):
            try:
                files.append(MacroFile(package=package, path=f, text=read_text(f)))
            except ConfigError as e:  # reported with the macros that cannot be read
                files.append(MacroFile(package=package, path=f, text="", problem=str(e)))
    return files


def _read_properties(
    file: Path,
    root: Path,
    project: str,
    by_name: dict[tuple[str, str], Node],
    nodes: dict[str, Node],
) -> None:
    data = read_yaml(file, root)
    if not isinstance(data, dict):
        return
    where = file.relative_to(root).as_posix()
    for kind in ("model", "seed", "snapshot"):
        for entry in _listed(data.get(f"{kind}s"), f"{where}: {kind}s"):
            if not isinstance(entry, dict) or "name" not in entry:
                raise ConfigError(f"{where}: each entry of {kind}s needs a name")
            node = by_name.get((kind, str(entry["name"])))
            if node is None:
                continue  # properties of a disabled or missing node: dbt warns, so do we later
            merge_config(
                node.config, _mapping(entry.get("config"), f"{where}: {entry['name']}.config")
            )
            node.columns.update(_columns(entry.get("columns"), f"{where}: {entry['name']}"))
            for constraint in _names(entry.get("constraints")):
                if isinstance(constraint, dict):
                    node.constraints.append(
                        (
                            str(constraint.get("type")),
                            [str(c) for c in _names(constraint.get("columns"))],
                        )
                    )
    for source in _listed(data.get("sources"), f"{where}: sources"):
        if not isinstance(source, dict) or "name" not in source:
            raise ConfigError(f"{where}: each source needs a name")
        for table in _listed(source.get("tables"), f"{where}: source {source['name']}: tables"):
            if not isinstance(table, dict) or "name" not in table:
                raise ConfigError(f"{where}: each table of source {source['name']} needs a name")
            node = _source_table(source, table, project, where)
            nodes[node.unique_id] = node


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def _source_table(source: dict[str, Any], table: dict[str, Any], project: str, where: str) -> Node:
    """The node of one table of a source; the table's settings override the source's."""
    config: dict[str, Any] = {}
    for level in (source, table):
        merge_config(config, {"tags": _names(level.get("tags"))})
        merge_config(config, _mapping(level.get("config"), f"{where}: {level['name']}.config"))
    loaded_at = table.get("loaded_at_field", source.get("loaded_at_field"))
    loaded_at = config.get("loaded_at_field", loaded_at)  # dbt >= 1.10: under config
    return Node(
        unique_id=f"source.{project}.{source['name']}.{table['name']}",
        resource_type="source",
        name=str(table["name"]),
        package=project,
        file_path=where,
        source_name=str(source["name"]),
        identifier=table.get("identifier"),
        schema=_text(source.get("schema")),
        database=_text(source.get("database")),
        loaded_at_field=loaded_at,
        columns=_columns(table.get("columns"), f"{where}: {source['name']}.{table['name']}"),
        config=config,
    )
