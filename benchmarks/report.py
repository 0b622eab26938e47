"""Output of the benchmark scripts: Markdown on stdout, the raw figures as JSON on request."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path


def parser(doc: str | None) -> argparse.ArgumentParser:
    """An argument parser with the module's docstring as help and ``--json PATH``."""
    p = argparse.ArgumentParser(description=doc, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--json", type=Path, help="also write the raw results here")
    return p


def emit(data: object, text: str, json_path: Path | None) -> int:
    """Write ``data`` to ``json_path`` (when given) and ``text`` to stdout; exit status 0."""
    if json_path:
        json_path.write_text(json.dumps(data, indent=2) + "\n")
    sys.stdout.write(text)
    return 0
