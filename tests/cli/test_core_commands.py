"""The core commands as a coordinator types them, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from greenslate.cli import main

EXAMPLE = Path(__file__).resolve().parents[2] / "config" / "examples" / "feature-film.yaml"


@pytest.fixture
def gs(db_url: str):
    runner = CliRunner()

    def run(*args: str) -> Result:
        return runner.invoke(main, list(args), env={"GREENSLATE_DATABASE_URL": db_url}, catch_exceptions=False)

    return run


def test_figures_entered_by_hand_give_the_hand_calculated_balance(gs):
    assert gs("production", "load", str(EXAMPLE)).exit_code == 0
    day = ["--day", "2027-03-01"]
    for args in (
        ["--member", "amina", "--kind", "mileage", "--vehicle", "mb1", "--odometer", "45 230"],
        ["--member", "karim", "--kind", "mileage", "--vehicle", "car2", "--odometer", "12100"],
        ["--member", "paul", "--kind", "meals", "--meal", "vegetarian=30", "--meal", "chicken=40",
         "--meal", "beef=10"],
        ["--member", "lea", "--kind", "generator_hours", "--generator", "g1", "--hours", "6"],
        ["--member", "lea", "--kind", "generator_hours", "--generator", "g2", "--hours", "4"],
        ["--member", "sam", "--kind", "waste", "--waste", "residual=50", "--waste", "biowaste=20",
         "--waste", "cardboard=15", "--waste", "plastic=5"],
    ):
        result = gs("report", "add", "feux-aube", *args, *day)
        assert result.exit_code == 0, result.output
    result = gs("balance", "feux-aube", "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    cats = {c["category"]: c for c in data["categories"]}
    # mb1: 220 km x 0.324626; car2: 100 km x 0.067365
    assert cats["transport"]["kgco2e"] == 78.154
    # g1: 6 h x 15.5 L/h (100 kW, 50 % load) x 3.17 GNR; g2: 4 h x 17.8 L/h (200 kW, 25 %) x 0.54 HVO
    assert cats["energy"]["kgco2e"] == 333.258
    # 30 x 0.85 + 40 x 1.46 + 10 x 4.97
    assert cats["catering"]["kgco2e"] == 133.6
    # 50 x 0.374 + 20 x 0.14 + 15 x 0.992 + 5 x 0.662
    assert cats["waste"]["kgco2e"] == 39.69
    assert data["total"]["kgco2e"] == 584.702
    assert data["total"]["forecast_tco2e"] == 136.2  # 38 + 9.5 + 14 + 1.2 + 22 + 48 + 3.5
    assert data["shooting_days"] == {"total": 39, "done": 1}
    # the four day-by-day categories: 584.702 kg a day x 39 days; purchases and post-production: their
    # forecast (48 + 3.5 t), larger than their figures (none yet)
    assert data["total"]["projected_tco2e"] == 74.303
    assert data["factor_set_version"] == "2026.2"
    van = next(f for f in data["factors"] if f["key"] == "van_fr_impactco2")
    assert van["proxy"] is True and "ADEME" in van["source"]


def test_balance_table_and_csv(gs):
    gs("production", "load", str(EXAMPLE))
    gs("report", "add", "feux-aube", "--member", "amina", "--kind", "mileage", "--vehicle", "mb1",
       "--odometer", "45230", "--day", "2027-03-01")
    table = gs("balance", "feux-aube")
    assert "transport" in table.output and "(proxy)" in table.output
    csv_out = gs("balance", "feux-aube", "--format", "csv").output.splitlines()
    assert csv_out[0] == "category,kgco2e,tco2e,forecast_tco2e,factor_set_version"
    assert csv_out[1].startswith("transport,71.418,0.071,38.0,2026.2")


def test_same_reference_is_stored_once(gs):
    gs("production", "load", str(EXAMPLE))
    args = ["report", "add", "feux-aube", "--member", "paul", "--kind", "meals", "--meal", "beef=10",
            "--day", "2027-03-01", "--ref", "sheet-12"]
    assert "stored report" in gs(*args).output
    again = gs(*args)
    assert again.exit_code == 0 and "nothing added" in again.output
    assert json.loads(gs("balance", "feux-aube", "--format", "json").output)["total"]["kgco2e"] == 49.7


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--member", "amina", "--kind", "mileage", "--vehicle", "mb1", "--odometer", "abc"], "Je n'ai pas compris"),
        (["--member", "amina", "--kind", "mileage", "--vehicle", "mb1", "--odometer", "45000"], "below the starting"),
        (["--member", "amina", "--kind", "mileage", "--vehicle", "zz", "--km", "4"], "unknown vehicle"),
        (["--member", "nobody", "--kind", "mileage", "--vehicle", "mb1", "--km", "4"], "no crew member"),
        (["--member", "paul", "--kind", "meals", "--meal", "pizza=3"], "unknown meal type"),
        (["--member", "paul", "--kind", "meals", "--meal", "beef=-3"], "ne peut pas être négatif"),
        (["--member", "paul", "--kind", "meals", "--meal", "beef"], "NAME=NUMBER"),
        (["--member", "amina", "--kind", "mileage", "--vehicle", "mb1", "--odometer", "47000"], "--confirm"),
    ],
)
def test_bad_figures_are_refused_in_one_line_and_change_nothing(gs, args, message):
    gs("production", "load", str(EXAMPLE))
    result = gs("report", "add", "feux-aube", *args, "--day", "2027-03-01")
    assert result.exit_code == 1
    assert message in result.output
    assert "Traceback" not in result.output
    assert json.loads(gs("balance", "feux-aube", "--format", "json").output)["total"]["kgco2e"] == 0


def test_unusual_jump_is_stored_once_confirmed(gs):
    gs("production", "load", str(EXAMPLE))
    result = gs("report", "add", "feux-aube", "--member", "amina", "--kind", "mileage", "--vehicle", "mb1",
                "--odometer", "47000", "--day", "2027-03-01", "--confirm")
    assert result.exit_code == 0, result.output
    assert "1990 km" in result.output


def test_broken_file_is_refused_with_its_place_and_the_store_is_unchanged(gs, tmp_path):
    gs("production", "load", str(EXAMPLE))
    before = gs("production", "list").output
    broken = tmp_path / "broken.yaml"
    broken.write_text(EXAMPLE.read_text(encoding="utf-8").replace("vehicle: car2", "vehicle: car9"), encoding="utf-8")
    result = gs("production", "load", str(broken))
    assert result.exit_code == 1
    assert "broken.yaml" in result.output and "assignments[1].vehicle" in result.output
    assert "Traceback" not in result.output
    assert gs("production", "list").output == before


def test_a_broken_file_is_explained_in_french_when_asked(gs, tmp_path):
    broken = tmp_path / "broken.yaml"
    broken.write_text(EXAMPLE.read_text(encoding="utf-8").replace("vehicle: car2", "vehicle: car9"), encoding="utf-8")
    english = gs("production", "load", str(broken))
    french = gs("production", "load", "--lang", "fr", str(broken))
    assert english.exit_code == french.exit_code == 1
    assert "assignments[1].vehicle: unknown vehicle 'car9'; did you mean 'car3'?" in english.output
    assert "assignments[1].vehicle: 'car9' n'existe pas (véhicule). Vouliez-vous dire 'car3' ?" in french.output
    assert "(ligne " in french.output and "(line " not in french.output


def test_loading_twice_keeps_reports(gs):
    gs("production", "load", str(EXAMPLE))
    gs("report", "add", "feux-aube", "--member", "paul", "--kind", "meals", "--meal", "beef=10", "--day",
       "2027-03-01")
    again = gs("production", "load", str(EXAMPLE))
    assert again.exit_code == 0 and "updated" in again.output
    listing = gs("production", "list").output
    assert "feux-aube" in listing and "1 reports" in listing


def test_unknown_production_is_one_clear_line(gs):
    result = gs("balance", "nope")
    assert result.exit_code == 1
    assert result.output.strip().startswith("error:") and "nope" in result.output


def test_a_discord_section_links_the_production_on_load(gs, tmp_path):
    with_discord = tmp_path / "with-discord.yaml"
    with_discord.write_text(
        EXAMPLE.read_text(encoding="utf-8")
        + "\ndiscord: {guild: 111, digest_channel: 222, practices_channel: 333, role: Eco-référent}\n",
        encoding="utf-8",
    )
    result = gs("production", "load", str(with_discord))
    assert result.exit_code == 0, result.output
    assert "linked to Discord server 111" in result.output
    links = gs("discord", "links").output
    assert "feux-aube" in links and "111" in links


def test_rebuild_sums_puts_drifted_dashboard_sums_back_to_the_lines(gs, db_url):
    from sqlalchemy import func, select, update

    from store.engine import make_engine
    from store.tables import daily_emissions, emission_lines, subject_emissions

    assert gs("production", "load", str(EXAMPLE)).exit_code == 0
    for odometer, day in (("45 230", "2027-03-01"), ("45 400", "2027-03-02")):
        assert gs("report", "add", "feux-aube", "--member", "amina", "--kind", "mileage", "--vehicle", "mb1",
                  "--odometer", odometer, "--day", day).exit_code == 0
    engine = make_engine(db_url)
    try:
        def totals() -> tuple[object, object, object]:
            with engine.connect() as conn:
                return tuple(conn.scalar(select(func.sum(t.c.kgco2e))) for t in
                             (emission_lines, daily_emissions, subject_emissions))  # type: ignore[return-value]

        lines, daily, subject = totals()
        assert lines == daily == subject and lines > 0
        with engine.begin() as conn:  # drift, as a bulk load writing lines directly would leave it
            conn.execute(update(daily_emissions).values(kgco2e=0))
            conn.execute(subject_emissions.delete())
        assert totals() != (lines, lines, lines)
        result = gs("db", "rebuild-sums", "--production", "feux-aube")
        assert result.exit_code == 0, result.output
        assert result.output.startswith("sums rebuilt from the emission lines for feux-aube: daily_emissions 2 rows")
        assert totals() == (lines, lines, lines)
    finally:
        engine.dispose()
    unknown = gs("db", "rebuild-sums", "--production", "nope")
    assert unknown.exit_code != 0 and "nope" in unknown.output


def test_a_production_at_the_edges_of_every_range_still_gives_balance_plan_and_exports(gs, tmp_path):
    # The ranges of the production file are what the carbon arithmetic is known to hold: at their
    # edges, reports, the balance, the plan and every export still work.
    from common import production_file as pf

    text = EXAMPLE.read_text(encoding="utf-8")
    for old, new in [
        ("odometer_start: 45010", f"odometer_start: {pf.MAX_ODOMETER_KM - 1000}"),
        ("transport: 38.0", f"transport: {pf.MAX_FORECAST_TCO2E}"),
        ("energy: 9.5", "energy: 0.000001"),
        ('{id: g1, label: "Groupe 125 kVA", rated_kva: 125, load: 0.50, fuel_factor: gnr_fr}',
         f'{{id: g1, label: "G1", litres_per_hour: {pf.MAX_LITRES_PER_HOUR}, fuel_factor: gnr_fr}}'),
        ("baseline: 3000", "baseline: 0.000001"),
        ("target: 2700", f"target: {pf.MAX_INDICATOR_VALUE}"),
        ("baseline: 5000", f"baseline: {pf.MAX_INDICATOR_VALUE}"),
        ("target: 4000", "target: 0.000001"),
    ]:
        assert old in text, old
        text = text.replace(old, new, 1)
    path = tmp_path / "edges.yaml"
    path.write_text(text, encoding="utf-8")
    assert gs("production", "load", str(path)).exit_code == 0
    day = ["--day", "2027-03-01"]
    for args in (
        ["--member", "amina", "--kind", "mileage", "--vehicle", "mb1", "--odometer", str(pf.MAX_ODOMETER_KM),
         "--confirm"],
        ["--member", "lea", "--kind", "generator_hours", "--generator", "g1", "--hours", "24"],
    ):
        result = gs("report", "add", "feux-aube", *args, *day)
        assert result.exit_code == 0, result.output
    for command in (["balance", "feux-aube", "--format", "json"], ["plan", "feux-aube"],
                    *(["export", "feux-aube", "--format", fmt, "--out", str(tmp_path / f"e.{fmt}")]
                      for fmt in ("xlsx", "csv", "json"))):
        result = gs(*command)
        assert result.exit_code == 0, (command, result.output)
    energy = next(c for c in json.loads(gs("balance", "feux-aube", "--format", "json").output)["categories"]
                  if c["category"] == "energy")
    assert energy["kgco2e"] == 76080.0  # 24 h x 1,000 L/h x 3.17 kg CO2e per litre of GNR
