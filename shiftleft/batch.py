"""Translate many SQL files at once, in parallel worker processes.

This is the engine of project-scale runs: each file is an independent :func:`transpile`
call, so files are spread over a process pool (one process per core by default) and results
come back in input order, identical to a sequential run.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from shiftleft.errors import ConfigError, InputError
from shiftleft.files import write_atomically
from shiftleft.models import TranspileResult
from shiftleft.pipeline import transpile


class FileResult(BaseModel):
    """The translation of one file: a result, or the input error that stopped it."""

    path: str
    output: str | None = None  # where the Flink SQL was written, when an output folder was given
    result: TranspileResult | None = None
    error: str | None = None  # an InputError message (unreadable SQL or file)

    @property
    def ok(self) -> bool:
        return self.error is None and self.result is not None and self.result.ok


def collect_sql_files(paths: Iterable[str | Path]) -> list[Path]:
    """The given files plus every ``*.sql`` under the given directories, sorted, no duplicates."""
    found: dict[Path, None] = {}
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found.update(dict.fromkeys(sorted(p for p in path.rglob("*.sql") if p.is_file())))
        elif path.is_file():
            found[path] = None
        else:
            raise ConfigError(f"no such file or directory: {path}")
    return list(found)


def _translate(path: Path, options: Mapping[str, Any]) -> FileResult:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        return FileResult(path=str(path), error=f"cannot read {path}: {e}")
    try:
        return FileResult(path=str(path), result=transpile(text, **options))
    except InputError as e:
        return FileResult(path=str(path), error=str(e))


def _translate_chunk(args: tuple[list[Path], Mapping[str, Any]]) -> list[FileResult]:
    paths, options = args
    return [_translate(p, options) for p in paths]


def _output_path(path: Path, root: Path, out_dir: Path) -> Path:
    relative = path.resolve().relative_to(root)
    target = (out_dir / relative).resolve()
    if out_dir.resolve() not in target.parents:  # pragma: no cover - relative_to already ensures it
        raise ConfigError(f"output path {target} would leave {out_dir}")
    return target


def transpile_files(
    paths: Sequence[str | Path],
    *,
    out_dir: str | Path | None = None,
    jobs: int | None = None,
    **options: Any,
) -> list[FileResult]:
    """Translate every SQL file in ``paths`` (files or directories, recursively).

    Args:
        paths: files and/or directories of ``*.sql`` files.
        out_dir: when given, each file's Flink SQL is written there (atomically), under the
            same relative path as the input has below the inputs' common folder.
        jobs: worker processes (default: the number of CPUs; 1 runs in this process).
        options: passed to :func:`shiftleft.transpile` (``read``, ``target``, ``mode``,
            ``schema``, ``rules`` as pack paths, ``disable``, ``pretty``).

    Returns:
        one :class:`FileResult` per file, in the sorted input order, whatever ``jobs`` is.
    """
    files = collect_sql_files(paths)
    if not files:
        return []
    # Validate options once, here, rather than once per file in the workers.
    transpile("", **options)
    workers = max(1, min(jobs or os.cpu_count() or 1, len(files)))
    if workers == 1:
        results = [_translate(p, options) for p in files]
    else:
        size = max(1, len(files) // (workers * 4))
        chunks = [(files[i : i + size], dict(options)) for i in range(0, len(files), size)]
        with ProcessPoolExecutor(max_workers=workers) as pool:
            results = [r for chunk in pool.map(_translate_chunk, chunks) for r in chunk]
    if out_dir is not None:
        out = Path(out_dir)
        root = Path(os.path.commonpath([p.resolve().parent for p in files]))
        for item in results:
            if item.result is not None:
                target = _output_path(Path(item.path), root, out)
                write_atomically(target, item.result.sql.encode("utf-8"))
                item.output = str(target)
    return results
