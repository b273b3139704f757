"""docs/import.md describes every layout as declared in common/imports/layouts.py."""

from __future__ import annotations

from pathlib import Path

import pytest

from common.imports import LAYOUTS

DOC = (Path(__file__).resolve().parents[2] / "docs" / "import.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("kind", list(LAYOUTS), ids=str)
def test_every_column_of_every_layout_is_documented(kind) -> None:  # type: ignore[no-untyped-def]
    section = DOC.split(f"### `{kind.value}`\n", 1)[1].split("###", 1)[0]
    for column in LAYOUTS[kind].columns:
        assert f"| `{column.name}` | `{column.fr}` |" in section, (kind, column.name)
