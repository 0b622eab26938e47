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
* packages present under ``dbt_packages/`` contribute their macros, and their models, seeds
  and snapshots, which dbt builds with the project's (their configs and vars under the
  project's).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, NamedTuple

from shiftleft.errors import ConfigError
from shiftleft.migration.project_files import (
    _mapping,
    _read_properties,
    _text,
    read_text,
    read_yaml as read_yaml,
)
from shiftleft.migration.project_nodes import (
    TARGET_SCHEMA as TARGET_SCHEMA,
    Column as Column,
    DbtProject as DbtProject,
    MacroFile,
    Node as Node,
    _names,
    is_enabled as is_enabled,
    merge_config as merge_config,
    meta_event_time as meta_event_time,
)

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


#: the names dbt < 1.0 gave these keys (dbt 1.x still reads them, with a deprecation warning)
_LEGACY_KEYS = {
    "model-paths": "source-paths",
    "seed-paths": "data-paths",
    "packages-install-path": "modules-path",
}


def _setting(spec: dict[str, Any], key: str) -> Any:
    """``spec[key]``, or the value under the key's pre-1.0 name."""
    if key in spec:
        return spec[key]
    return spec.get(_LEGACY_KEYS.get(key, key))


def _paths(spec: dict[str, Any], key: str, default: str) -> list[str]:
    found = _setting(spec, key)
    return [str(v) for v in _names([default] if found is None else found)]


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
        merge_config(node.config, node.overrides)
    return is_enabled(node.config)


def _package_projects(root: Path, spec: dict[str, Any]) -> list[tuple[str, Path, dict[str, Any]]]:
    configured = _setting(spec, "packages-install-path")
    if configured is not None:
        install = root / str(configured)
    else:  # dbt < 1.0 installed packages into dbt_modules/
        install = next(
            (root / d for d in ("dbt_packages", "dbt_modules") if (root / d).is_dir()),
            root / "dbt_packages",
        )
    found = []
    if install.is_dir():
        for folder in sorted(p for p in install.iterdir() if (p / "dbt_project.yml").is_file()):
            package_spec = _mapping(
                read_yaml(folder / "dbt_project.yml"), str(folder / "dbt_project.yml")
            )
            found.append((str(package_spec.get("name") or folder.name), folder, package_spec))
    return found


class _Tree(NamedTuple):
    """The files of one package (or of the project itself) whose resources are read."""

    folder: Path
    spec: dict[str, Any]  #: its dbt_project.yml
    package: str
    prefix: str  #: of its file paths in the project (``dbt_packages/github/``, or none)


def _configs(specs: list[dict[str, Any]], kind: str, path: list[str]) -> list[dict[str, Any]]:
    """A resource's dbt_project.yml configs: the package's own, then the root project's
    (``models: {github: {+schema: x}}`` in the project wins over the package's)."""
    return [
        _project_config(_mapping(spec.get(kind), f"dbt_project.yml: {kind}"), path) for spec in specs
    ]


def _node_config(configs: list[dict[str, Any]]) -> dict[str, Any]:
    config: dict[str, Any] = {}
    for found in configs:
        merge_config(config, found)
    return config


def _read_nodes(
    tree: _Tree,
    specs: list[dict[str, Any]],
    nodes: dict[str, Node],
    duplicates: dict[str, list[str]],
    problems: list[str],
) -> None:
    """Add the models, snapshots and seeds of ``tree`` to ``nodes``, with their properties."""
    root, spec, name = tree.folder, tree.spec, tree.package
    read_here: dict[str, Node] = {}
    kinds = (("model", "model-paths", "models"), ("snapshot", "snapshot-paths", "snapshots"))
    for kind, key, default in kinds:
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
                        file_path=tree.prefix + (Path(base) / rel).as_posix(),
                        raw_code=text,
                        folders=folders,
                        problem=problem,
                    )
                    configs = _configs(specs, f"{kind}s", [name, *folders, node_name])
                    node.config, node.overrides = _node_config(configs), _overrides(configs)
                    nodes[node.unique_id] = read_here[node.unique_id] = node
    for base in _paths(spec, "seed-paths", "seeds"):
        for file in sorted((root / base).rglob("*.csv")) if (root / base).is_dir() else []:
            rel = file.relative_to(root / base)
            folders = list(rel.parts[:-1])
            node = Node(
                unique_id=f"seed.{name}.{file.stem}",
                resource_type="seed",
                name=file.stem,
                package=name,
                file_path=tree.prefix + (Path(base) / rel).as_posix(),
                folders=folders,
                seed_path=file,
            )
            configs = _configs(specs, "seeds", [name, *folders, file.stem])
            node.config, node.overrides = _node_config(configs), _overrides(configs)
            nodes[node.unique_id] = read_here[node.unique_id] = node

    by_name = {(n.resource_type, n.name): n for n in read_here.values()}
    before = set(nodes)
    described: dict[str, str] = {}
    for base in sorted({  # in one order whatever the hash seed: the first description is kept
        *_paths(spec, "model-paths", "models"),
        *_paths(spec, "seed-paths", "seeds"),
        *_paths(spec, "snapshot-paths", "snapshots"),
    }):
        for file in sorted((root / base).rglob("*.y*ml")) if (root / base).is_dir() else []:
            try:
                _read_properties(file, root, name, by_name, nodes, described, problems)
            except ConfigError as e:  # one bad file is reported; the others are read
                problems.append(str(e))
    for node in read_here.values():  # the root project's configs win over properties files
        merge_config(node.config, node.overrides)
    for uid in set(nodes) - before:  # sources: their file in the project
        nodes[uid].file_path = tree.prefix + (nodes[uid].file_path or "")


def _overrides(configs: list[dict[str, Any]]) -> dict[str, Any]:
    """The root project's configs of a package's node (the last of two), none for its own."""
    return configs[-1] if len(configs) > 1 else {}


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
    problems: list[str] = []
    _read_nodes(_Tree(root, spec, name, ""), [spec], nodes, duplicates, problems)
    for package, folder, package_spec in installed:
        if package != name:  # dbt builds the models, seeds and snapshots of its packages too
            prefix = folder.relative_to(root) if folder.is_relative_to(root) else folder
            where = _Tree(folder, package_spec, package, prefix.as_posix() + "/")
            _read_nodes(where, [package_spec, spec], nodes, duplicates, problems)
            package_vars[package] = _package_scope(
                (package_spec, spec), package, name, packages, cli_vars or {}
            )
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
        duplicates={  # a disabled twin does not count (dbt ignores it)
            k: kept for k, v in duplicates.items() if len(kept := [u for u in v if u in nodes]) > 1
        },
        versions={
            name: _text(spec.get("version")),
            **{package: _text(package_spec.get("version")) for package, _, package_spec in installed},
        },
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


def _package_scope(
    specs: tuple[dict[str, Any], dict[str, Any]],
    package: str,
    project: str,
    packages: list[str],
    cli_vars: dict[str, Any],
) -> dict[str, Any]:
    """The vars a package's own models see (``specs``: the package's dbt_project.yml, then the
    project's), lowest first: the package's global vars and those it scopes to itself, the
    project's global vars, the project's vars scoped to the package, ``--vars``.
    https://docs.getdbt.com/docs/build/project-variables#variable-precedence"""
    scopes = {package, project, *packages}
    seen: dict[str, Any] = {}
    for spec in specs:
        declared = _mapping(spec.get("vars"), "dbt_project.yml: vars")
        seen.update(
            {k: v for k, v in declared.items() if not (isinstance(v, dict) and k in scopes)}
        )
        if isinstance(declared.get(package), dict):
            seen.update(declared[package])
    seen.update(cli_vars)
    return seen


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
