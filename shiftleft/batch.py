"""Translate many SQL files at once, in parallel worker processes.

This is the engine of project-scale runs: each file is an independent :func:`transpile`
call, so files are spread over a process pool (one process per core by default) and results
come back in input order, identical to a sequential run.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from shiftleft.errors import ConfigError, OutputError, ShiftleftError
from shiftleft.files import OutputLock, check_output_dir, remove_stale_temps, write_atomically
from shiftleft.models import TranspileResult
from shiftleft.options import TranspileOptions
from shiftleft.pipeline import transpile


class FileResult(BaseModel):
    """The translation of one file: a result, or the input error that stopped it."""

    path: str
    output: str | None = None  # where the Flink SQL was written, when an output folder was given
    result: TranspileResult | None = None
    error: str | None = None  # an InputError message (unreadable SQL or file)
    code: str | None = None  # the error's code (SL0001, ...)
    line: int | None = None  # where the error is, when known
    column: int | None = None

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


def _translate(path: Path, options: TranspileOptions) -> FileResult:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        return FileResult(path=str(path), error=f"cannot read {path}: {e}", code="SL0002")
    try:
        return FileResult(path=str(path), result=transpile(text, options))
    except ShiftleftError as e:  # this file is reported; the others are still translated
        return FileResult(path=str(path), error=str(e), code=e.code, line=e.line, column=e.column)


def _translate_chunk(args: tuple[list[Path], TranspileOptions]) -> list[FileResult]:
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
    options: TranspileOptions | None = None,
    *,
    out_dir: str | Path | None = None,
    jobs: int | None = None,
    progress: Callable[[int, int, str], None] | None = None,
    **kwargs: Any,
) -> list[FileResult]:
    """Translate every SQL file in ``paths`` (files or directories, recursively).

    Args:
        paths: files and/or directories of ``*.sql`` files.
        out_dir: when given, each file's Flink SQL is written there (atomically, as soon as it
            is translated), under the same relative path as the input has below the inputs'
            common folder.  It must not be an input, inside an input folder, or a file; it is
            locked for the run (a concurrent run on it raises :class:`OutputError`).
        jobs: worker processes (default: the number of CPUs; 1 runs in this process).
        progress: called with (done, total, path) after each file.
        options, kwargs: the options of :func:`shiftleft.transpile` (a
            :class:`~shiftleft.options.TranspileOptions` and / or its fields as keywords).

    Returns:
        one :class:`FileResult` per file, in the sorted input order, whatever ``jobs`` is.
    """
    opts = TranspileOptions.of(options, **kwargs)  # checked once, here, not per file in the workers
    files = collect_sql_files(paths)
    if out_dir is not None:
        check_output_dir(Path(out_dir), [Path(p) for p in paths])
    if not files:
        return []
    if out_dir is None:
        return list(_iterate(files, jobs, opts, progress))
    out = Path(out_dir)
    root = Path(os.path.commonpath([p.resolve().parent for p in files]))
    targets = {str(p): _output_path(p, root, out) for p in files}
    inputs = {p.resolve() for p in files}
    clash = next((t for t in targets.values() if t in inputs), None)
    if clash is not None:
        raise OutputError(f"--out {out} would overwrite the input {clash}", file=str(out), hint="choose another output folder")
    with OutputLock(out):
        remove_stale_temps(out)
        results = []
        for item in _iterate(files, jobs, opts, progress):
            if item.result is not None:
                target = targets[item.path]
                write_atomically(target, item.result.sql.encode("utf-8"))
                item.output = str(target)
            results.append(item)
    return results


def _iterate(
    files: list[Path], jobs: int | None, options: TranspileOptions, progress: Callable[[int, int, str], None] | None
) -> Iterator[FileResult]:
    """The files' results in input order, each as soon as it (and those before it) is done."""
    workers = max(1, min(jobs or os.cpu_count() or 1, len(files)))
    done = 0
    if workers == 1:
        for path in files:
            item = _translate(path, options)
            done += 1
            if progress is not None:
                progress(done, len(files), item.path)
            yield item
        return
    size = max(1, len(files) // (workers * 4))
    chunks = [(files[i : i + size], options) for i in range(0, len(files), size)]
    with ProcessPoolExecutor(max_workers=workers) as pool:
        for chunk in pool.map(_translate_chunk, chunks):
            for item in chunk:
                done += 1
                if progress is not None:
                    progress(done, len(files), item.path)
                yield item
