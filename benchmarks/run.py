"""Run the benchmarks: ``python -m benchmarks [--quick] [--only NAME ...]``.

Each prints its figures and writes ``benchmarks/results/<name>.json``. ``--quick`` runs the small
sizes CI uses to keep them working; without it they run at full size (by hand).
A benchmark that fails is reported and the others still run; the exit status is then 1.
"""

from __future__ import annotations

import argparse
import importlib
import sys
import time
import traceback
from collections.abc import Sequence
from pathlib import Path

from benchmarks.common import RESULTS_DIR

#: name -> module (each has ``run(quick: bool) -> Result``), in the order they run.
BENCHMARKS = {
    "fanout": "benchmarks.fanout",
    "many_bots": "benchmarks.many_bots",
    "replies": "benchmarks.replies",
    "shared_limit": "benchmarks.shared_limit",
    "ingestion": "benchmarks.ingestion",
    "dashboard_scale": "benchmarks.dashboard_scale",
    "memory": "benchmarks.memory",
    "import_file": "benchmarks.import_file",
    "cli": "benchmarks.cli",
    "scheduler_idle": "benchmarks.scheduler_idle",
}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes (what CI runs)")
    parser.add_argument("--only", nargs="+", choices=sorted(BENCHMARKS), help="run only these")
    parser.add_argument("--results", type=Path, default=RESULTS_DIR, help="where the JSON files go")
    args = parser.parse_args(argv)
    failed: list[str] = []
    for name, module_name in BENCHMARKS.items():
        if args.only and name not in args.only:
            continue
        started = time.perf_counter()
        print(f"-- {name}: running{' (quick)' if args.quick else ''}", flush=True)
        try:
            result = importlib.import_module(module_name).run(args.quick)
        except Exception:
            traceback.print_exc()
            failed.append(name)
            continue
        result.figures.setdefault("wall_seconds", round(time.perf_counter() - started, 1))
        result.print()
        path = result.write(args.results)
        print(f"  written to {path}", flush=True)
    if failed:
        print(f"\nfailed: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
