"""``LLMConfig``: how (and whether) the LLM fallback talks to an Ollama server."""

from __future__ import annotations

import os
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

DEFAULT_HOST = "http://127.0.0.1:11434"
DEFAULT_MODEL = "qwen2.5-coder:32b"


def default_cache_dir() -> Path:
    """``$SHIFTLEFT_CACHE_DIR/llm`` when set, else ``$XDG_CACHE_HOME/shiftleft/llm``
    (``~/.cache/shiftleft/llm``), next to the connector-jar cache."""
    base = os.environ.get("SHIFTLEFT_CACHE_DIR")
    if base:
        return Path(base).expanduser() / "llm"
    xdg = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(xdg).expanduser() / "shiftleft" / "llm"


class LLMConfig(BaseModel):
    """Settings of the LLM fallback (immutable, picklable, so it can go to worker processes).

    ``host`` and ``cache_dir`` left as None are resolved when used (:meth:`resolved_host`,
    :meth:`resolved_cache_dir`), from ``OLLAMA_HOST`` / ``SHIFTLEFT_CACHE_DIR``.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    enabled: bool = Field(default=True, description="False: the fallback is not run at all")
    host: str | None = Field(
        default=None, description=f"Ollama server; None: $OLLAMA_HOST, else {DEFAULT_HOST}"
    )
    model: str = Field(default=DEFAULT_MODEL, min_length=1, description="Ollama model name")
    timeout_s: float = Field(default=60, gt=0, description="Limit for one chat request, seconds")
    max_retries: int = Field(
        default=2, ge=0, le=10, description="Extra attempts per node after a rejected answer"
    )
    stream: bool = Field(default=False, description="Use Ollama's streamed (NDJSON) chat API")
    cache_dir: Path | None = Field(
        default=None,
        description="Answer cache; None: $SHIFTLEFT_CACHE_DIR/llm, else ~/.cache/shiftleft/llm",
    )
    use_cache: bool = Field(default=True, description="Read and write the on-disk answer cache")
    max_requests: int = Field(
        default=200, ge=0, description="Budget: chat requests one run (one fallback) may send"
    )
    budget_s: float = Field(
        default=1800, gt=0, description="Budget: total seconds one run may spend waiting for answers"
    )
    breaker_failures: int = Field(
        default=3, ge=1, description="Stop asking after this many failed requests in a row"
    )

    def resolved_host(self) -> str:
        """The server to talk to: ``host``, else ``$OLLAMA_HOST``, else the local default."""
        return self.host or os.environ.get("OLLAMA_HOST") or DEFAULT_HOST

    def resolved_cache_dir(self) -> Path:
        """The cache directory: ``cache_dir``, else :func:`default_cache_dir`."""
        return Path(self.cache_dir).expanduser() if self.cache_dir is not None else default_cache_dir()
