"""Time and peak memory of ``shiftleft transpile`` on one large script (default 10 MB).

    python benchmarks/script_memory.py                 # 10 MB, streaming and batch mode
    python benchmarks/script_memory.py --mb 1 --mode batch

The script (statements of ``scaling.long_script``: INSERT, aggregation, join, view) is
written to a temporary file and translated by the command line in a fresh process, output to
a file; the figures are that process's wall time, CPU time and peak RSS (``wait4``).  The CLI
translates a script this large one statement at a time (shiftleft.stream).
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import report
from scaling import long_script


def write_script(path: Path, megabytes: float) -> int:
    """Write a script of about ``megabytes`` MB to ``path``; returns its size in bytes."""
    per_statement = len(long_script(400)) / 400
    text = long_script(max(1, int(megabytes * 1_000_000 / per_statement)))
    path.write_text(text)
    return len(text.encode())


def run_cli(script: Path, mode: str, out: Path) -> dict:
    """One ``shiftleft transpile`` process: wall / CPU seconds, peak RSS, progress lines."""
    command = [sys.executable, "-m", "shiftleft", "transpile", str(script), "--mode", mode]
    with out.open("w") as stdout, (out.parent / f"{out.name}.err").open("w") as stderr:
        start = time.perf_counter()
        proc = subprocess.Popen(command, stdout=stdout, stderr=stderr)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    errors = (out.parent / f"{out.name}.err").read_text().splitlines()
    return {
        "mode": mode,
        "exit": proc.returncode,
        "wall_s": round(wall, 1),
        "cpu_s": round(usage.ru_utime + usage.ru_stime, 1),
        "peak_rss_mib": round(usage.ru_maxrss / 1024, 1),
        "output_bytes": out.stat().st_size,
        "progress_lines": sum(1 for line in errors if "statements translated" in line),
    }


def run(megabytes: float, modes: list[str]) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        script = Path(tmp) / "big.sql"
        size = write_script(script, megabytes)
        rows = [run_cli(script, mode, Path(tmp) / f"out-{mode}.sql") for mode in modes]
    return {"bytes": size, "runs": rows}


def markdown(result: dict) -> str:
    out = [
        "| script | mode | wall (s) | CPU (s) | peak RSS (MiB, target ≤ 300) | progress lines | exit |",
        "|---|---|---:|---:|---:|---:|---:|",
    ]
    for r in result["runs"]:
        out.append(
            f"| {result['bytes'] / 1e6:.1f} MB | {r['mode']} | {r['wall_s']} | {r['cpu_s']} | {r['peak_rss_mib']} | {r['progress_lines']} | {r['exit']} |"
        )
    return "\n".join(out) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = report.parser(__doc__)
    parser.add_argument("--mb", type=float, default=10.0, help="script size in MB (default 10)")
    parser.add_argument("--mode", action="append", choices=["streaming", "batch"], help="default: both")
    args = parser.parse_args(argv)
    result = run(args.mb, args.mode or ["streaming", "batch"])
    return report.emit(result, markdown(result), args.json)


if __name__ == "__main__":
    sys.exit(main())
