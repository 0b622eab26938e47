"""Support for Python rule files: sharing helper modules inside a rule pack.

A rule pack is a directory, not a Python package, so a rule file cannot ``import`` a sibling
helper module.  :func:`pack_module` loads a sibling ``_name.py`` once per process under a
stable module name and returns it::

    from shiftleft.rewrite.packs import pack_module

    H = pack_module(__file__, "_helpers")   # rules/streaming/_helpers.py
"""

from __future__ import annotations

import importlib.util
import re
import sys
from pathlib import Path
from types import ModuleType

from shiftleft.errors import RuleDefinitionError


def pack_module(rule_file: str, name: str) -> ModuleType:
    """The helper module ``name`` (e.g. ``"_helpers"``) beside ``rule_file``, loaded once."""
    path = Path(rule_file).with_name(f"{name}.py")
    pack = re.sub(r"\W", "_", path.parent.name)
    module_name = f"shiftleft_rulepack_{pack}_{name}"
    module = sys.modules.get(module_name)
    if module is not None:
        return module
    spec = importlib.util.spec_from_file_location(module_name, path)
    if spec is None or spec.loader is None or not path.is_file():
        raise RuleDefinitionError(f"{rule_file}: no helper module {path.name} in its pack")
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module
    try:
        spec.loader.exec_module(module)
    except Exception:
        sys.modules.pop(module_name, None)
        raise
    return module
