"""Optional LLM fallback: ask a local Ollama model to translate what no rule could.

Off by default; enabled with ``shiftleft.transpile(sql, llm=True)`` or
``llm=LLMConfig(...)``.  The ``ollama`` client (extra ``shiftleft[llm]``) is imported only when
a request is actually made.  See ``docs/llm.md``.
"""

from __future__ import annotations

from shiftleft.llm.config import DEFAULT_HOST, DEFAULT_MODEL, LLMConfig

__all__ = ["DEFAULT_HOST", "DEFAULT_MODEL", "LLMConfig"]
