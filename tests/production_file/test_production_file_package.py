"""The production-file reader stays a package of modules that each read on their own."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import common.production_file as pf

ROOT = Path(__file__).resolve().parents[2]
MAX_MODULE_LINES = 500


def test_the_reader_is_a_package_of_short_modules() -> None:
    assert hasattr(pf, "__path__"), "common.production_file should be a package"
    modules = sorted(Path(pf.__path__[0]).glob("*.py"))
    assert len(modules) > 1
    long = {m.name: n for m in modules if (n := len(m.read_text(encoding="utf-8").splitlines())) > MAX_MODULE_LINES}
    assert not long, f"modules over {MAX_MODULE_LINES} lines: {long}"


def test_the_package_runs_as_a_command_that_prints_the_committed_schema() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "common.production_file", "--schema"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == (ROOT / "docs" / "production-file.schema.json").read_text(encoding="utf-8")
