"""A content-addressed on-disk cache of LLM answers.

The key of a request is the SHA-256 of its canonical JSON (model, messages, format, options),
so the same question to the same model is asked once, ever: a re-run of a migration makes no
calls and gets byte-identical output.  One JSON file per answer, ``<dir>/<k[:2]>/<k>.json``,
written atomically (temporary file + rename), so parallel workers and interrupted runs never
leave a half-written entry.  A corrupt or unreadable entry is a miss; a cache that cannot be
written is logged and otherwise ignored.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

logger = logging.getLogger(__name__)

#: bump when the entry layout or the key recipe changes
CACHE_VERSION = 1


def request_key(
    model: str,
    messages: Sequence[Mapping[str, str]],
    format: Mapping[str, Any] | None,
    options: Mapping[str, Any] | None,
    rules: str = "",
) -> str:
    """The hex SHA-256 of the request's canonical JSON (sorted keys, no spaces).

    ``rules``: a fingerprint of the rule set and shiftleft version; an answer validated under
    other rules is asked again rather than reused."""
    payload = {
        "v": CACHE_VERSION,
        "rules": rules,
        "model": model,
        "messages": [dict(m) for m in messages],
        "format": format,
        "options": options,
    }
    text = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class AnswerCache:
    """Raw answer texts (the model's message content) by request key."""

    def __init__(self, directory: Path) -> None:
        self.directory = Path(directory)

    def path(self, key: str) -> Path:
        return self.directory / key[:2] / f"{key}.json"

    def get(self, key: str) -> str | None:
        """The cached answer for ``key``, or None (missing, unreadable, or not ours)."""
        path = self.path(key)
        try:
            entry = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return None
        except (OSError, ValueError) as e:
            logger.warning("ignoring unreadable LLM cache entry %s: %s", path, e)
            return None
        if not isinstance(entry, dict) or entry.get("key") != key or not isinstance(entry.get("content"), str):
            logger.warning("ignoring malformed LLM cache entry %s", path)
            return None
        return entry["content"]

    def put(self, key: str, content: str, *, model: str, messages: Sequence[Mapping[str, str]]) -> None:
        """Store ``content`` under ``key`` atomically; the request is kept for auditing."""
        path = self.path(key)
        entry = {"key": key, "version": CACHE_VERSION, "model": model, "messages": list(messages), "content": content}
        text = json.dumps(entry, sort_keys=True, indent=1, ensure_ascii=False) + "\n"
        tmp: str | None = None
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=".tmp-", suffix=".json", dir=path.parent)
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                f.write(text)
            os.replace(tmp, path)
            tmp = None
        except OSError as e:
            logger.warning("could not write the LLM cache entry %s: %s", path, e)
        finally:
            if tmp is not None:
                try:
                    os.unlink(tmp)
                except OSError:
                    pass
