"""Writes the pipelines folder without ever losing a user's edit.

Every file shiftleft writes is recorded, with the SHA-256 of its content, in
``<out>/.shiftleft/state.json``.  A later run overwrites a file only when its content is
still the one recorded (nobody edited it); an edited file, or one shiftleft never wrote, is
left alone and reported as :attr:`FileAction.KEPT` (``force=True`` overwrites it).  Files
are written atomically: a temporary file in the same folder, fsynced, then renamed; the
fsyncs are grouped (:class:`~shiftleft.files.AtomicBatch`: a batch of temporary files
fsynced back to back, then renamed), and :meth:`PipelineWriter.finish` renames the last
batch before it saves the state.

Kill safety: before each file is written, its new hash is appended to
``<out>/.shiftleft/journal.jsonl``; :meth:`PipelineWriter.finish` folds the journal into
``state.json`` and removes it.  A run killed at any point leaves files whose content is
either the recorded one or a journalled one, both known to be shiftleft's, so the next run
overwrites them as a clean run would (it does not mistake them for user edits), and it
removes the temporary files the killed run left.  The output folder is locked for the run
(:class:`~shiftleft.files.OutputLock`): a second concurrent run is refused.
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
from pathlib import Path, PurePosixPath
from typing import BinaryIO

from shiftleft.errors import ConfigError
from shiftleft.files import AtomicBatch, OutputLock, remove_stale_temps, write_atomically
from shiftleft.migration.layout import Inside
from shiftleft.migration.models import FileAction, FileRecord

STATE_FILE = ".shiftleft/state.json"
JOURNAL_FILE = ".shiftleft/journal.jsonl"
STATE_VERSION = 1


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _mode(path: Path) -> int | None:
    """``path``'s ``st_mode``, the link's own when it is one; None when there is nothing."""
    try:
        return os.lstat(path).st_mode
    except (FileNotFoundError, NotADirectoryError):
        return None


class PipelineWriter:
    """Writes files under ``out_dir`` for one migration run, keeping user edits.

    Call :meth:`write` / :meth:`write_json` for each file, then :meth:`finish` to save the
    state; :meth:`stale` lists files of the previous run this run did not produce.
    """

    def __init__(self, out_dir: Path, *, force: bool = False) -> None:
        self.out_dir = Path(out_dir)
        self.force = force
        self._inside = Inside(self.out_dir)  # resolves the paths of the run below out_dir
        self._lock = OutputLock(self.out_dir).acquire()
        try:
            remove_stale_temps(self.out_dir)
            self._previous: dict[str, str] = self._read_state()
            #: hashes a killed run journalled: its files, though not in the state yet
            self._journalled: dict[str, set[str]] = self._read_journal()
        except BaseException:
            self._lock.release()
            raise
        self._state: dict[str, str] = {}
        self._records: dict[str, FileRecord] = {}
        self._journal: BinaryIO | None = None
        self._batch = AtomicBatch()

    @property
    def journal_path(self) -> Path:
        return self._inside(JOURNAL_FILE)

    def _read_journal(self) -> dict[str, set[str]]:
        found: dict[str, set[str]] = {}
        try:
            lines = self.journal_path.read_text(encoding="utf-8", errors="replace").splitlines()
        except FileNotFoundError:
            return found
        for line in lines:  # the last line may be cut short by the kill: skip what is not JSON
            try:
                entry = json.loads(line)
                found.setdefault(str(entry["path"]), set()).add(str(entry["sha256"]))
            except (ValueError, KeyError, TypeError):
                continue
        return found

    def _is_ours(self, key: str, current: bytes) -> bool:
        """Whether the bytes on disk are what shiftleft wrote there (recorded or journalled)."""
        digest = _sha256(current)
        return digest == self._previous.get(key) or digest in self._journalled.get(key, ())

    def _journal_write(self, key: str, digest: str) -> None:
        if self._journal is None:
            path = self.journal_path
            path.parent.mkdir(parents=True, exist_ok=True)
            self._journal = open(path, "ab")  # kept open for the run
        self._journal.write((json.dumps({"path": key, "sha256": digest}) + "\n").encode("utf-8"))
        self._journal.flush()  # in the OS before the file is replaced: survives a SIGKILL

    @property
    def state_path(self) -> Path:
        """``<out_dir>/.shiftleft/state.json``."""
        return self._inside(STATE_FILE)

    def _read_state(self) -> dict[str, str]:
        path = self.state_path
        if not path.exists():
            return {}
        try:
            state = json.loads(path.read_text(encoding="utf-8"))
            files = state["files"] if isinstance(state, dict) else None
            if (
                not isinstance(state, dict)
                or state.get("version") != STATE_VERSION
                or not isinstance(files, dict)
                or not all(isinstance(k, str) and isinstance(v, str) for k, v in files.items())
            ):
                raise ValueError(f"not {{'version': {STATE_VERSION}, 'files': {{path: sha256}}}}")
        except (OSError, ValueError, KeyError) as exc:
            if self.force:
                return {}
            raise ConfigError(
                f"the state file {path} is corrupt ({exc}); delete it (existing files are then "
                "kept as if edited by you) or rerun with force to overwrite every file"
            ) from None
        return dict(files)

    def write(self, relative: str, text: str) -> FileRecord:
        """Write ``text`` (UTF-8, newlines as given) to ``out_dir / relative``.

        Returns the record: WRITTEN, UNCHANGED (same bytes on disk) or KEPT (the file on disk
        was edited, or not written by shiftleft, and ``force`` is off: left untouched).
        Raises :class:`ConfigError` for a path leaving ``out_dir``, a symbolic link, a folder,
        a path inside ``.shiftleft/``, or a path already written in this run.
        """
        key = PurePosixPath(str(relative).replace("\\", "/")).as_posix()
        target = self._inside(key)
        if key.split("/")[0] == ".shiftleft":
            raise ConfigError(f"refusing to write {key!r}: .shiftleft/ holds shiftleft's state")
        if key in self._records:
            raise ConfigError(
                f"{key} is written twice in one run: two tables map to the same folder; "
                "give one of them another name or product in shiftleft.yml"
            )
        mode = _mode(target)  # one lstat: a link, a folder, a file or nothing
        if mode is not None and (stat.S_ISLNK(mode) or stat.S_ISDIR(mode)):
            kind = "a symbolic link" if stat.S_ISLNK(mode) else "a folder"
            raise ConfigError(f"refusing to write {target}: it is {kind}; remove it and rerun")
        data = text.encode("utf-8")
        action = FileAction.WRITTEN
        if mode is not None:
            current = target.read_bytes()
            recorded = self._previous.get(key)
            if current == data:
                action = FileAction.UNCHANGED
            elif not self.force and not self._is_ours(key, current):
                if recorded is not None:
                    self._state[key] = recorded  # still protected on the next run
                return self._record(key, FileAction.KEPT)
        digest = _sha256(data)
        if action is FileAction.WRITTEN:
            self._journal_write(key, digest)
            self._batch.write(target, data)
        self._state[key] = digest
        return self._record(key, action)

    def write_json(self, relative: str, data: object) -> FileRecord:
        """Write ``data`` as indented JSON with sorted keys and a final newline."""
        return self.write(relative, json.dumps(data, indent=2, sort_keys=True) + "\n")

    def _record(self, key: str, action: FileAction) -> FileRecord:
        record = FileRecord(path=key, action=action)
        self._records[key] = record
        return record

    def records(self) -> list[FileRecord]:
        """The records of this run so far, sorted by path."""
        return [self._records[k] for k in sorted(self._records)]

    def finish(self) -> list[FileRecord]:
        """Save the state (the files of this run) atomically; return this run's records
        sorted by path."""
        self._batch.flush()  # the files in place before the state that records them
        state = {"version": STATE_VERSION, "files": dict(sorted(self._state.items()))}
        write_atomically(self.state_path, (json.dumps(state, indent=2) + "\n").encode("utf-8"))
        self.close()
        self.journal_path.unlink(missing_ok=True)
        self._lock.release()
        return [self._records[k] for k in sorted(self._records)]

    def close(self) -> None:
        """Close the journal and drop the files not renamed yet (the lock is released by
        :meth:`finish`, or when the process ends)."""
        self._batch.discard()
        if self._journal is not None:
            self._journal.close()
            self._journal = None

    def stale(self) -> list[str]:
        """Paths the previous run wrote that this run did not produce and that still exist
        (e.g. of a removed model), sorted.  They are not deleted."""
        return sorted(
            key
            for key in {*self._previous, *self._journalled}
            if key not in self._records and os.path.lexists(self.out_dir / key)
        )


__all__ = ["STATE_FILE", "PipelineWriter"]
