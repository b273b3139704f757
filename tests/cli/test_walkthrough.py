"""The README's walk-through after ``make demo``: the demo keeps to its own store, each command works as
written, and what the commands write into a checkout stays out of git."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from greenslate.cli import main

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "config" / "examples" / "feature-film.yaml"


@pytest.fixture
def fresh_user(tmp_path: Path):
    """``greenslate`` as a new user runs it: no GREENSLATE_DATABASE_URL, a data folder of their own."""
    env = {"GREENSLATE_DATABASE_URL": None, "XDG_DATA_HOME": str(tmp_path / "data")}

    def run(*args: str, **extra_env: str) -> Result:
        return CliRunner().invoke(main, list(args), env={**env, **extra_env})

    return run, tmp_path / "data" / "greenslate"


def test_the_demo_keeps_to_a_store_of_its_own_and_the_walkthrough_then_works(fresh_user):
    gs, data = fresh_user
    demo = gs("demo", "--no-serve", "--weeks", "1")
    assert demo.exit_code == 0, demo.output
    assert f"The demo has a store of its own: {data / 'demo.sqlite3'}" in demo.output
    assert f"GREENSLATE_DATABASE_URL=sqlite:///{data / 'demo.sqlite3'} greenslate balance feux-aube" in demo.output
    assert not (data / "greenslate.sqlite3").exists()
    # The README's walk-through, on the user's own store.
    assert gs("production", "load", str(EXAMPLE)).exit_code == 0
    first = gs("report", "add", "feux-aube", "--member", "amina", "--kind", "mileage", "--vehicle", "mb1",
               "--odometer", "45 230", "--day", "2027-03-01")
    assert first.exit_code == 0, first.output
    assert first.output.startswith("stored report 1: 220 km on 2027-03-01")
    meals = gs("report", "add", "feux-aube", "--member", "paul", "--kind", "meals", "--meal", "vegetarian=30",
               "--meal", "chicken=40", "--day", "2027-03-01")
    assert meals.exit_code == 0, meals.output
    # The demo opens again as it said, with its figures.
    again = gs("production", "list", GREENSLATE_DATABASE_URL=f"sqlite:///{data / 'demo.sqlite3'}")
    assert again.exit_code == 0 and "feux-aube" in again.output
    assert "0 reports" not in again.output


def test_the_demo_uses_the_store_the_environment_names(fresh_user, tmp_path: Path):
    gs, data = fresh_user
    named = tmp_path / "named.sqlite3"
    demo = gs("demo", "--no-serve", "--weeks", "1", GREENSLATE_DATABASE_URL=f"sqlite:///{named}")
    assert demo.exit_code == 0, demo.output
    assert "store of its own" not in demo.output
    assert named.exists() and not (data / "demo.sqlite3").exists()


def test_user_add_without_a_terminal_says_to_use_password_stdin(fresh_user):
    gs, data = fresh_user
    gs("production", "load", str(EXAMPLE))
    result = gs("user", "add", "marc@example.org", "--production", "feux-aube", "--role", "coordinator")
    assert result.exit_code == 1
    assert "Aborted" not in result.output
    assert "--password-stdin" in result.output and result.output.startswith("error: marc@example.org is a new")
    piped = CliRunner().invoke(main, ["user", "add", "marc@example.org", "--production", "feux-aube", "--role",
                                      "coordinator", "--password-stdin"], input="a-long-enough-password\n",
                               env={"GREENSLATE_DATABASE_URL": None, "XDG_DATA_HOME": str(data.parent)})
    assert piped.exit_code == 0, piped.output


def test_the_first_account_of_a_fresh_install_needs_no_production_file(fresh_user):
    gs, data = fresh_user
    result = gs("user", "add", "lea@example.org", "--role", "coordinator")  # no terminal to ask in
    assert result.exit_code == 1
    assert "greenslate user add lea@example.org --role coordinator --password-stdin" in result.output
    made = CliRunner().invoke(main, ["user", "add", "lea@example.org", "--role", "coordinator", "--password-stdin"],
                              input="a-long-enough-password\n",
                              env={"GREENSLATE_DATABASE_URL": None, "XDG_DATA_HOME": str(data.parent)})
    assert made.exit_code == 0, made.output
    assert made.output.startswith("created account lea@example.org: may create productions. Sign in")
    viewer = gs("user", "add", "vera@example.org", "--role", "viewer")
    assert viewer.exit_code == 2 and "name it with --production" in viewer.output


@pytest.mark.skipif(shutil.which("git") is None or not (REPO / ".git").exists(), reason="not a git checkout")
@pytest.mark.parametrize(("path", "ignored"), [
    ("invites/crew-feux-aube-amina.png", True),
    ("feux-aube.xlsx", True),
    ("greenslate-feux-aube-2027-03-26.csv", True),
    ("greenslate-feux-aube-2027-03-26.json", True),
    ("config/factors/greenslate-2026.1.csv", False),
    ("config/factors/reference/emission-factors.csv", False),
    ("tests/dashboard/package.json", False),
])
def test_what_the_walkthrough_writes_into_a_checkout_is_ignored_by_git(path: str, ignored: bool):
    check = subprocess.run(["git", "check-ignore", "--no-index", "-q", path], cwd=REPO, check=False)
    assert check.returncode == (0 if ignored else 1)
