"""Modules small enough to read in one sitting: none of the product's modules grows past 500 lines.

Alembic revisions are left out: each is one change, generated.
"""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("base", "benchmarks", "bots", "common", "config", "dashboard", "domain", "greenslate",
            "scheduler", "sensitisation", "store")
MAX_LINES = 500


def modules() -> list[Path]:
    return sorted(
        path.relative_to(ROOT)
        for package in PACKAGES
        for path in (ROOT / package).rglob("*.py")
        if "migrations" not in path.parts
    )


def test_the_product_has_modules_to_check() -> None:
    assert Path("store/telegram.py") in modules()


@pytest.mark.parametrize("module", modules(), ids=str)
def test_no_module_is_over_500_lines(module: Path) -> None:
    lines = len((ROOT / module).read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_LINES, f"{module} has {lines} lines: split it along what it holds"
