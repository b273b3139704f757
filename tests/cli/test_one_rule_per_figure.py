"""The command line follows the bots' rules: one number parser, whole meals, each type once, one figure
per reference, the odometer's last word on a vehicle's km, and a plan that never prints ``None``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from greenslate.cli import main

EXAMPLE = Path(__file__).resolve().parents[2] / "config" / "examples" / "feature-film.yaml"
MILEAGE = ["--member", "amina", "--kind", "mileage", "--vehicle", "mb1"]
MEALS = ["--member", "paul", "--kind", "meals"]


@pytest.fixture
def gs(sqlite_db_url: str):
    runner = CliRunner()

    def run(*args: str) -> Result:
        return runner.invoke(main, list(args), env={"GREENSLATE_DATABASE_URL": sqlite_db_url},
                             catch_exceptions=False)

    assert run("production", "load", str(EXAMPLE)).exit_code == 0
    return run


def add(gs, *args: str, day: str = "2027-03-01") -> Result:
    return gs("report", "add", "feux-aube", *args, "--day", day)


def total(gs) -> float:
    return json.loads(gs("balance", "feux-aube", "--format", "json").output)["total"]["kgco2e"]


def test_an_ambiguous_number_is_refused_with_the_bots_explanation(gs):
    result = add(gs, *MILEAGE, "--odometer", "45,230")
    assert result.exit_code == 1
    assert result.output == ("error: --odometer: « 45,230 » peut se lire de deux façons : 45\u202f230 ou 45,23. "
                             "Écrivez le nombre sans point ni virgule. Par exemple : 45\u202f130\n")
    assert total(gs) == 0
    assert add(gs, *MILEAGE, "--odometer", "45 230").exit_code == 0  # the clear forms are read as by the bot
    assert add(gs, *MILEAGE, "--odometer", "45230,5", day="2027-03-02").exit_code == 0


def test_hints_are_written_the_members_way(gs):
    french = add(gs, "--member", "lea", "--kind", "generator_hours", "--generator", "g1", "--hours", "six")
    assert french.exit_code == 1 and french.output.endswith("Par exemple : 6,5\n")
    english = add(gs, "--member", "sam", "--kind", "waste", "--waste", "residual=lots")  # Sam reads English
    assert english.exit_code == 1
    assert english.output == ('error: --waste: I did not understand "lots". Type only the number. '
                              "For example: residual=12.5\n")


def test_meals_are_whole_and_each_type_is_given_once(gs):
    half = add(gs, *MEALS, "--meal", "vegetarian=12,5")
    assert half.exit_code == 1 and "Un nombre de repas est un nombre entier." in half.output
    twice = add(gs, *MEALS, "--meal", "vegetarian=30", "--meal", "vegetarian=40")
    assert twice.exit_code == 1 and "Vous avez donné « vegetarian » deux fois." in twice.output
    assert total(gs) == 0


def test_the_same_reference_with_another_figure_is_refused_with_both_and_how_to_correct(gs):
    first = add(gs, *MILEAGE, "--odometer", "45230", "--ref", "sheet-7")
    assert first.exit_code == 0
    before = total(gs)
    again = add(gs, *MILEAGE, "--odometer", "45300", "--ref", "sheet-7")
    assert again.exit_code == 1
    assert "odometer 45230 for mb1 on 2027-03-01" in again.output  # stored
    assert "odometer 45300 for mb1 on 2027-03-01" in again.output  # given now
    assert "greenslate report correct 1" in again.output
    assert total(gs) == before
    fixed = gs("report", "correct", "1", "--odometer", "45300")
    assert fixed.exit_code == 0 and fixed.output.startswith("corrected by report 2: 290 km on 2027-03-01")
    assert total(gs) > before


def test_a_vehicles_km_come_from_its_odometer_once_it_has_readings(gs):
    assert add(gs, *MILEAGE, "--km", "100").exit_code == 0  # no reading yet: a distance counts
    reading = add(gs, *MILEAGE, "--odometer", "45210", day="2027-03-02")  # 200 km since the start, 100 of them given
    assert reading.exit_code == 0 and reading.output.startswith("stored report 2: 100 km on 2027-03-02")
    distance = add(gs, *MILEAGE, "--km", "50", day="2027-03-03")
    assert distance.exit_code == 1 and "counted by its odometer" in distance.output
    km = json.loads(gs("balance", "feux-aube", "--format", "json").output)["categories"]
    assert next(c for c in km if c["category"] == "transport")["kgco2e"] == pytest.approx(200 * 0.324626, abs=1e-3)


def test_a_plan_with_no_figure_yet_says_so_and_never_prints_none(gs):
    add(gs, *MEALS, "--meal", "vegetarian=30", "--meal", "chicken=40")  # meals only: the rest has no figure
    plan = gs("plan", "feux-aube").output
    assert "None" not in plan
    assert "1000" not in plan
    lines = plan.splitlines()
    generator = lines[lines.index(next(ln for ln in lines if ln.startswith("A2 "))) + 1]
    assert generator.strip() == "generator_litres: baseline 3000.0, target 2700.0; no figure yet"
    data = json.loads(gs("plan", "feux-aube", "--format", "json").output)
    a2 = next(r for r in data if r["id"] == "A2")
    assert (a2["current"], a2["progress_pct"], a2["on_track"]) == (None, None, None)


def test_a_mileage_figure_without_a_vehicle_names_the_vehicles_not_none(gs):
    result = add(gs, "--member", "amina", "--kind", "mileage", "--km", "12")
    assert result.exit_code == 1
    assert "None" not in result.output
    assert "say which vehicle the figure is for: one of mb1, car2" in result.output
