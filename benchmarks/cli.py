"""The command line: wall time of ``greenslate --help``, ``balance`` and ``report add``, as typed.

Each command runs as a new process, the way a coordinator types it, on a SQLite store holding the
reference production with the demo's weeks of figures (``greenslate demo --no-serve``). One run of
each is a warm-up (Python writes its bytecode cache then, as on any first use), then N counted runs
taken in turn (help, balance, report add, help, ...), so that a change in the machine's load falls
on all three alike. Printed per command: the median, fastest and slowest wall time and the median
CPU time (user + system, from the operating system's accounting of the finished child). Beside
them, in the same turns, the floor: a bare Python that only imports the libraries a store command
cannot do without (click, SQLAlchemy's core and its SQLite dialect: the unit of work is a Core
connection, SQLAlchemy's ORM is not loaded; the settings are read without pydantic), and each
command's median over that floor's, which holds when the machine's speed drifts. Every
``report add`` stores a new figure (its own ``--ref``), checked afterwards.
Targets: ``--help`` under 0.3 s, ``balance`` and ``report add`` under 0.6 s (median wall).
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.common import Result

HELP_TARGET_S = 0.3
COMMAND_TARGET_S = 0.6
EXAMPLE = Path(__file__).resolve().parents[1] / "config" / "examples" / "feature-film.yaml"


def _greenslate() -> list[str]:
    """The installed console script beside this Python, as a user runs it; else ``python -m greenslate``."""
    script = Path(sys.executable).with_name("greenslate")
    return [str(script)] if script.exists() else [sys.executable, "-m", "greenslate"]


#: What a command on the store cannot avoid importing: the floor the commands are compared with.
FLOOR_IMPORTS = "import click, sqlalchemy, sqlalchemy.dialects.sqlite"


def _run_accounted(argv: list[str], env: dict[str, str]) -> tuple[float, float, str]:
    """One run: (wall s, CPU s, stdout), the CPU from ``wait4`` on the child."""
    started = time.perf_counter()
    process = subprocess.Popen(argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert process.stdout is not None and process.stderr is not None
    out = process.stdout.read()
    err = process.stderr.read()
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    process.stdout.close()
    process.stderr.close()
    if process.returncode != 0:
        raise RuntimeError(f"{' '.join(argv[1:])} failed ({process.returncode}): {err.decode()[-2000:]}")
    return wall, usage.ru_utime + usage.ru_stime, out.decode()


def _summary(runs: list[tuple[float, float, str]]) -> dict[str, float]:
    walls = [r[0] for r in runs]
    return {
        "runs": len(runs),
        "wall_median_s": round(statistics.median(walls), 3),
        "wall_min_s": round(min(walls), 3),
        "wall_max_s": round(max(walls), 3),
        "cpu_median_s": round(statistics.median(r[1] for r in runs), 3),
    }


def run(quick: bool) -> Result:
    from common.production_file import load_production_file

    runs = 3 if quick else 15
    result = Result("cli", quick)
    days = load_production_file(EXAMPLE).calendar.shooting_days()
    with tempfile.TemporaryDirectory(prefix="greenslate-bench-cli-") as tmp:
        env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        env.update(GREENSLATE_DATABASE_URL=f"sqlite:///{Path(tmp) / 'cli.sqlite3'}", XDG_DATA_HOME=tmp)
        gs = _greenslate()
        loaded = _run_accounted([*gs, "demo", "--no-serve"], env)[2]

        def report_add(i: int) -> list[str]:
            return [*gs, "report", "add", "feux-aube", "--member", "paul", "--kind", "meals",
                    "--meal", "vegetarian=30", "--meal", "chicken=40", "--day", days[-1 - i % 10].isoformat(),
                    "--ref", f"bench-cli-{i}"]

        commands = {
            "libraries_floor": lambda i: [sys.executable, "-c", FLOOR_IMPORTS],
            "help": lambda i: [*gs, "--help"],
            "balance": lambda i: [*gs, "balance", "feux-aube"],
            "report_add": report_add,
        }
        for argv in commands.values():  # warm-up: bytecode written, files in the page cache
            _run_accounted(argv(runs), env)
        timings: dict[str, list[tuple[float, float, str]]] = {name: [] for name in commands}
        for i in range(runs):
            for name, argv in commands.items():
                timings[name].append(_run_accounted(argv(i), env))
        stored = sum(r[2].startswith("stored report ") for r in timings["report_add"])
        balance_text = timings["balance"][-1][2]
    demo_line = next((ln for ln in loaded.splitlines() if ln.startswith("demo production")), "")
    result.sizes.update(runs_per_command=runs, store="SQLite file", production="feux-aube with the demo's figures",
                        demo_loaded=demo_line)
    for name in commands:
        result.figures[name] = _summary(timings[name])
    floor = result.figures["libraries_floor"]["wall_median_s"]
    for name in ("help", "balance", "report_add"):
        result.figures[f"{name}_over_floor"] = round(result.figures[name]["wall_median_s"] / floor, 2)
    result.figures["report_add_stored"] = stored
    result.figures["balance_names_its_factor_set"] = "Factor set" in balance_text
    result.target("help_median_wall_s", result.figures["help"]["wall_median_s"], HELP_TARGET_S, at_least=False)
    for name in ("balance", "report_add"):
        result.target(f"{name}_median_wall_s", result.figures[name]["wall_median_s"], COMMAND_TARGET_S,
                      at_least=False)
    how = "the greenslate console script of this Python" if len(gs) == 1 else "python -m greenslate"
    result.notes.append(f"commands run as {how}; bytecode cache allowed")
    return result


if __name__ == "__main__":
    r = run("--quick" in sys.argv)
    r.print()
    r.write()
