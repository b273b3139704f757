"""The production file of what the dashboard shows: downloaded, loaded back, nothing changes."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

from click.testing import CliRunner
from sqlalchemy import func, select

from common.production_file import load_production_file, parse_production
from common.production_file.export import production_document, production_yaml
from greenslate.cli import main
from store.discord import GuildLink, save_link
from store.tables import emission_lines, members, productions, reports
from tests.dashboard.conftest import COORDINATOR, OUTSIDER, VIEWER, example_file


def test_the_example_file_reads_back_as_the_same_production() -> None:
    production = load_production_file(example_file())
    assert parse_production(production_yaml(production)) == production
    assert parse_production(production_document(production)) == production


def test_members_download_it_and_others_get_nothing(client_for: Any) -> None:
    for who in (COORDINATOR, VIEWER):
        response = client_for(who).get("/production-file/feux-aube")
        assert response.status_code == 200
        assert response.headers["Content-Disposition"] == 'attachment; filename="feux-aube.yaml"'
        assert "title: Les Feux de l'Aube" in response.get_data(as_text=True)
    assert client_for(OUTSIDER).get("/production-file/feux-aube").status_code == 404
    assert client_for(None).get("/production-file/feux-aube").status_code in (302, 401)


def _state(engine: Any) -> tuple[Any, ...]:
    with engine.connect() as conn:
        row = conn.execute(select(productions).where(productions.c.id == "feux-aube")).one()
        crew = conn.execute(select(members).where(members.c.production_id == "feux-aube")
                            .order_by(members.c.member_id)).all()
        counts = conn.execute(select(func.count()).select_from(reports)).scalar(), conn.execute(
            select(func.count()).select_from(emission_lines)).scalar()
    return tuple(row), [tuple(r) for r in crew], counts


def test_loading_the_downloaded_file_changes_nothing(client_for: Any, tmp_path: Path) -> None:
    seeded = client_for.seeded
    save_link(seeded.engine, GuildLink("feux-aube", 111111111111111111, 222222222222222222,
                                       333333333333333333, "Eco-referents"), now=dt.datetime.now(dt.UTC))
    client = client_for(COORDINATOR)
    first = client.get("/production-file/feux-aube").get_data()
    assert b"discord:" in first
    path = tmp_path / "feux-aube.yaml"
    path.write_bytes(first)
    with seeded.uow() as uow:
        shown = uow.productions.get("feux-aube")
    before = _state(seeded.engine)
    runner = CliRunner()
    result = runner.invoke(main, ["production", "load", str(path)],
                           env={"GREENSLATE_DATABASE_URL": seeded.app.settings.database_url},
                           catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert result.output.startswith("updated production feux-aube")
    with seeded.uow() as uow:
        assert uow.productions.get("feux-aube") == shown
    assert _state(seeded.engine) == before
    assert client.get("/production-file/feux-aube").get_data() == first


def test_production_load_refuses_a_file_that_would_orphan_figures(client_for: Any, tmp_path: Path) -> None:
    seeded = client_for.seeded
    text = client_for(COORDINATOR).get("/production-file/feux-aube").get_data(as_text=True)
    without_mb1 = re.sub(r"- id: mb1\n(  .*\n)+", "", text)
    without_mb1 = re.sub(r"- who: amina\n(  .*\n)+", "", without_mb1)
    assert "mb1" not in without_mb1.split("action_plan:")[0]
    path = tmp_path / "changed.yaml"
    path.write_text(without_mb1, encoding="utf-8")
    before = _state(seeded.engine)
    result = CliRunner().invoke(main, ["production", "load", str(path)],
                                env={"GREENSLATE_DATABASE_URL": seeded.app.settings.database_url})
    assert result.exit_code != 0
    assert "vehicles: vehicle 'mb1' has" in result.output and "stored figures; keep it" in result.output
    assert _state(seeded.engine) == before
