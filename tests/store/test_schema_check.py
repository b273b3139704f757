"""The cheap schema check commands make before opening the store: right without running Alembic."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import text

from store import migrate
from store.engine import make_engine


def test_the_revision_files_read_without_running_them_give_alembic_s_heads() -> None:
    assert migrate.code_heads() == frozenset(migrate.head().split(", "))


def test_a_revision_file_s_ids_are_read_from_their_lines_or_not_at_all(tmp_path: Path) -> None:
    merge = tmp_path / "0013_merge.py"
    merge.write_text('"""Merge.\n\nRevision ID: 0013\nRevises: 0012a, 0012b\n"""\n'
                     'from collections.abc import Sequence\n\n'
                     'revision: str = "0013"  # the merge\n'
                     'down_revision: str | Sequence[str] | None = ("0012a", "0012b")\n'
                     'branch_labels = None\n', encoding="utf-8")
    assert migrate._assignments(merge) == {"revision": "0013", "down_revision": ("0012a", "0012b")}
    split = tmp_path / "0014_split.py"
    split.write_text('revision = "0014"\ndown_revision = (\n    "0013",\n)\n', encoding="utf-8")
    assert migrate._assignments(split) == {}  # not a literal on its line: the heads are left to Alembic


def test_a_current_store_is_up_to_date_through_a_url_and_through_an_engine(db_url: str) -> None:
    assert migrate.is_up_to_date(db_url)
    engine = make_engine(db_url)
    try:
        assert migrate.is_up_to_date(engine)
        with engine.connect() as conn:
            assert migrate.stored_heads(conn) == migrate.code_heads()
    finally:
        engine.dispose()


def test_a_new_store_and_a_store_behind_are_not_up_to_date(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'gs.sqlite3'}"
    assert not migrate.is_up_to_date(url)  # no alembic_version table at all
    migrate.upgrade(url, "0001")
    assert not migrate.is_up_to_date(url)
    migrate.upgrade(url)
    assert migrate.is_up_to_date(url)


def test_a_store_stamped_with_a_revision_the_code_does_not_know_is_not_up_to_date(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'gs.sqlite3'}"
    migrate.upgrade(url)
    engine = make_engine(url)
    try:
        with engine.begin() as conn:
            conn.execute(text("UPDATE alembic_version SET version_num = 'from_another_branch'"))
        assert not migrate.is_up_to_date(engine)
    finally:
        engine.dispose()
