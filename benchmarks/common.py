"""What every benchmark shares: timing, percentiles, a throw-away PostgreSQL database, results files."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import platform
import secrets
import statistics
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy.engine import make_url

RESULTS_DIR = Path(__file__).resolve().parent / "results"
PG_URL_VARIABLE = "GREENSLATE_BENCH_PG_URL"
DEFAULT_PG_URL = "postgresql://postgres@127.0.0.1:5432/postgres"


def server_pg_url() -> str:
    """The PostgreSQL server where benchmarks create (and drop) their own databases."""
    return os.environ.get(PG_URL_VARIABLE) or os.environ.get("GREENSLATE_TEST_PG_URL") or DEFAULT_PG_URL


def percentile(values: Sequence[float], share: float) -> float:
    """The nearest-rank percentile (``share`` in 0..1) of ``values``; NaN-free, 0 for nothing."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(share * len(ordered) + 0.5)))
    return ordered[rank - 1]


def summary_ms(seconds: Sequence[float]) -> dict[str, float]:
    """p50, p95, p99, mean and max of durations given in seconds, in milliseconds."""
    ms = [s * 1000 for s in seconds]
    return {
        "count": len(ms),
        "p50_ms": round(percentile(ms, 0.50), 3),
        "p95_ms": round(percentile(ms, 0.95), 3),
        "p99_ms": round(percentile(ms, 0.99), 3),
        "mean_ms": round(statistics.fmean(ms), 3) if ms else 0.0,
        "max_ms": round(max(ms), 3) if ms else 0.0,
    }


def command_line() -> str:
    """The command as typed: ``python -m benchmarks --quick``, not the path of ``__main__.py``."""
    first, *rest = sys.argv
    if first.endswith("__main__.py"):
        first = f"-m {Path(first).parent.name}"
    elif first.endswith(".py") and Path(first).parent.name == "benchmarks":
        first = f"-m benchmarks.{Path(first).stem}"
    return " ".join(["python", first, *rest])


def machine() -> dict[str, Any]:
    return {
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "load_average_1_5_15_min": [round(x, 2) for x in os.getloadavg()],
    }


@dataclass
class Result:
    """One benchmark's figures: what it measured, at which size, and whether it met its target."""

    name: str
    quick: bool
    sizes: dict[str, Any] = field(default_factory=dict)
    figures: dict[str, Any] = field(default_factory=dict)
    targets: dict[str, dict[str, Any]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def target(self, name: str, value: float, limit: float, *, at_least: bool) -> None:
        """Record a target and whether this run met it (printed, never asserted by tests)."""
        met = value >= limit if at_least else value <= limit
        self.targets[name] = {"value": value, "limit": limit, "at_least": at_least, "met": met}

    def as_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "quick": self.quick,
            "at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "command": command_line(),
            "machine": machine(),
            "sizes": self.sizes,
            "figures": self.figures,
            "targets": self.targets,
            "notes": self.notes,
        }

    def write(self, directory: Path = RESULTS_DIR) -> Path:
        directory.mkdir(parents=True, exist_ok=True)
        path = directory / f"{self.name}.json"
        path.write_text(json.dumps(self.as_json(), indent=2, default=str) + "\n", encoding="utf-8")
        return path

    def print(self) -> None:
        print(f"\n== {self.name}{' (quick)' if self.quick else ''} ==")
        for key, value in self.sizes.items():
            print(f"  size  {key:<34} {value}")
        for key, value in self.figures.items():
            if isinstance(value, dict):
                print(f"  {key}:")
                for k, v in value.items():
                    print(f"        {k:<30} {v}")
            else:
                print(f"  {key:<40} {value}")
        for key, t in self.targets.items():
            sign = ">=" if t["at_least"] else "<="
            verdict = "met" if t["met"] else "NOT met"
            print(f"  target {key}: {t['value']} {sign} {t['limit']}: {verdict}")
        for note in self.notes:
            print(f"  note: {note}")


@contextlib.contextmanager
def scratch_pg_database(prefix: str = "greenslate_bench") -> Iterator[str]:
    """A new, migrated PostgreSQL database with a unique name; dropped on the way out."""
    from store.engine import make_engine
    from store.migrate import upgrade

    server_url = server_pg_url()
    name = f"{prefix}_{secrets.token_hex(5)}"
    server = make_engine(server_url, isolation_level="AUTOCOMMIT", pool_pre_ping=False)
    try:
        with server.connect() as conn:
            conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
        url = make_url(server_url).set(database=name).render_as_string(hide_password=False)
        try:
            upgrade(url)
            yield url
        finally:
            server.dispose()  # a fresh connection: the pooled one may have died (a server restart)
            with server.connect() as conn:
                conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        server.dispose()


@contextlib.contextmanager
def scratch_sqlite_database(directory: Path) -> Iterator[str]:
    """A new, migrated SQLite file in ``directory``."""
    from store.migrate import upgrade

    path = directory / f"bench-{secrets.token_hex(4)}.sqlite3"
    url = f"sqlite:///{path}"
    upgrade(url)
    try:
        yield url
    finally:
        for suffix in ("", "-wal", "-shm"):
            with contextlib.suppress(FileNotFoundError):
                Path(f"{path}{suffix}").unlink()
