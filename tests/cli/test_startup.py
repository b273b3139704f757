"""A command imports what it needs when it runs, and a current store is only checked, not migrated.

Each check runs the real ``greenslate`` command in a fresh interpreter and reads which modules it
imported (``sys.modules`` at exit): what a command does not import, it cannot spend time loading.
The wall times themselves are measured in ``benchmarks/cli.py``, not here.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from store import migrate

EXAMPLE = Path(__file__).resolve().parents[2] / "config" / "examples" / "feature-film.yaml"

#: Runs ``greenslate ARGS`` as the console script does, then prints the modules it imported.
RUN_AND_LIST = """
import atexit, json, sys
atexit.register(lambda: print("MODULES " + json.dumps(sorted(sys.modules)), file=sys.stderr))
from greenslate.cli import main
main(sys.argv[1:])
"""

FRAMEWORKS = {"dash", "plotly", "flask", "telegram", "discord", "aiohttp", "apscheduler"}


def _run(url: str, *args: str) -> tuple[subprocess.CompletedProcess[str], set[str]]:
    """The finished command, and the modules and top-level packages it imported."""
    env = {**os.environ, "GREENSLATE_DATABASE_URL": url}
    done = subprocess.run([sys.executable, "-c", RUN_AND_LIST, *args], capture_output=True, text=True,
                          env=env, timeout=120, check=False)
    line = next(ln for ln in done.stderr.splitlines() if ln.startswith("MODULES "))
    modules = set(json.loads(line.removeprefix("MODULES ")))
    return done, modules | {m.split(".")[0] for m in modules}


def test_help_imports_no_framework_and_no_store(tmp_path: Path) -> None:
    done, modules = _run(f"sqlite:///{tmp_path / 'never-opened.sqlite3'}", "--help")
    assert done.returncode == 0, done.stderr
    assert "report" in done.stdout and "balance" in done.stdout
    assert not modules & (FRAMEWORKS | {"sqlalchemy", "alembic", "pydantic", "pydantic_settings", "argon2"})
    assert not (tmp_path / "never-opened.sqlite3").exists()


@pytest.mark.parametrize("command", [["report", "add", "--help"], ["balance", "--help"], ["run", "--help"]])
def test_a_command_s_help_imports_no_framework(tmp_path: Path, command: list[str]) -> None:
    done, modules = _run(f"sqlite:///{tmp_path / 'never-opened.sqlite3'}", *command)
    assert done.returncode == 0, done.stderr
    assert "Usage:" in done.stdout
    assert not modules & (FRAMEWORKS | {"sqlalchemy", "alembic"})


def test_commands_on_a_current_store_do_not_start_the_migrations(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'gs.sqlite3'}"
    done, modules = _run(url, "production", "load", str(EXAMPLE))
    assert done.returncode == 0, done.stderr
    assert "alembic" in modules  # a new store is created by the migrations
    assert migrate.is_up_to_date(url)

    done, modules = _run(url, "report", "add", "feux-aube", "--member", "amina", "--kind", "mileage",
                         "--vehicle", "mb1", "--odometer", "45230", "--day", "2027-03-01")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("stored report 1:")
    assert not modules & (FRAMEWORKS | {"alembic", "argon2"})
    assert "sqlalchemy.dialects.postgresql" not in modules  # its insert is the SQLite dialect's
    assert not modules & {"pydantic", "pydantic_settings"}  # the store's URL is read without them
    assert "sqlalchemy.orm" not in modules  # the unit of work is SQLAlchemy Core's connection
    assert "babel" not in modules  # the member's texts and number formats are for a refused figure

    done, modules = _run(url, "balance", "feux-aube", "--format", "json")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["total"]["kgco2e"] == 71.418  # 220 km x 0.324626, as the bots store it
    assert not modules & (FRAMEWORKS | {"alembic", "argon2"})
    assert "sqlalchemy" in modules and "sqlalchemy.dialects.sqlite" in modules
    assert "sqlalchemy.orm" not in modules
    assert "babel" not in modules
    assert not modules & {"pydantic", "pydantic_settings"}
    # PostgreSQL's dialect is loaded only where PostgreSQL is used
    assert "sqlalchemy.dialects.postgresql" not in modules


def test_a_store_behind_the_code_is_still_migrated_by_a_command(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'old.sqlite3'}"
    migrate.upgrade(url, "0001")
    assert not migrate.is_up_to_date(url)
    done, modules = _run(url, "production", "list")
    assert done.returncode == 0, done.stderr
    assert "alembic" in modules
    assert migrate.is_up_to_date(url)
    assert migrate.current(url) == migrate.head()


def test_the_export_formats_listed_without_the_store_are_the_exporter_s() -> None:
    from common import exports
    from greenslate.cli.dashboard import EXPORT_FORMATS

    assert EXPORT_FORMATS == exports.FORMATS
