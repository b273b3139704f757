"""``report add`` for every kind of the whole footprint, and the balance's coverage, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from greenslate.cli import main

FOOTPRINT = Path(__file__).resolve().parents[1] / "fixtures" / "productions" / "whole-footprint.yaml"
DAY = ["--day", "2027-03-02"]


@pytest.fixture
def gs(db_url: str):
    runner = CliRunner()

    def run(*args: str) -> Result:
        return runner.invoke(main, list(args), env={"GREENSLATE_DATABASE_URL": db_url}, catch_exceptions=False)

    assert run("production", "load", str(FOOTPRINT)).exit_code == 0
    return run


def add(gs, *args: str) -> Result:
    return gs("report", "add", "feux-aube", "--member", "ines", *args, *DAY)


@pytest.mark.parametrize(("args", "said"), [
    (["--kind", "travel", "--mode", "train_tgv", "--km", "860", "--passengers", "3"],
     "2580 passenger-km on 2027-03-02, 7.559 kg CO2e"),  # 860 x 3 x 0.00293
    (["--kind", "travel", "--mode", "plane", "--from", "cdg", "--to", "NCE"],
     "789.3 passenger-km on 2027-03-02, 177.255 kg CO2e"),  # (694.3 + 95) km x 0.224572
    (["--kind", "accommodation", "--lodging", "hotel_midscale", "--nights", "12"],
     "12 night on 2027-03-02, 101.640 kg CO2e"),  # 12 x 8.47
    (["--kind", "grid_power", "--site", "studio", "--meter", "18 335"],
     "85 kWh on 2027-03-02, 3.918 kg CO2e"),  # (18335 - 18250) x 0.0461 = 3.9185, half-even
    (["--kind", "fuel", "--vehicle", "car3", "--litres", "45,5"],
     "45.5 litre on 2027-03-02, 144.235 kg CO2e"),  # 45.5 x 3.17
    (["--kind", "freight", "--vehicle-class", "rigid_large", "--tkm", "1500"],
     "1500 tonne-km on 2027-03-02, 253.500 kg CO2e"),  # 1500 x 0.169
    (["--kind", "purchases", "--item", "timber", "--quantity", "350", "--item", "costume_new", "--quantity", "4"],
     "4 item costume_new, 350 kg timber on 2027-03-02, 219.645 kg CO2e"),  # 350 x 0.26950416 + 4 x 31.32952201
    (["--kind", "post_production", "--item", "edit_suite_days", "--quantity", "5"],
     "5 day on 2027-03-02, 1.699 kg CO2e"),  # 5 x 0.33971102
])
def test_every_kind_is_added_by_hand_with_its_figure(gs, args: list[str], said: str) -> None:
    result = add(gs, *args)
    assert result.exit_code == 0, result.output
    assert said in result.output


@pytest.mark.parametrize(("args", "words"), [
    (["--kind", "fuel", "--vehicle", "mb1", "--litres", "40"], "measured by km"),
    (["--kind", "mileage", "--vehicle", "car3", "--km", "40"], "measured by litres"),
    (["--kind", "travel", "--mode", "plane", "--from", "CDG", "--to", "XXX"], "no airport with code 'XXX'"),
    (["--kind", "travel", "--mode", "plane", "--from", "CDG", "--to", "NCE", "--km", "700"], "not both"),
    (["--kind", "travel", "--km", "700"], "--mode"),
    (["--kind", "travel", "--mode", "coach", "--km", "12,345"], "--km"),
    (["--kind", "purchases", "--item", "gold", "--quantity", "1"], "unknown purchase item 'gold'"),
    (["--kind", "purchases", "--item", "timber"], "one quantity per item"),
    (["--kind", "grid_power", "--site", "studio", "--kwh", "30"], "give the meter reading"),
    (["--kind", "accommodation", "--lodging", "rental", "--nights", "2,5"], "not a whole number"),
])
def test_a_wrong_figure_is_refused_and_nothing_is_stored(gs, args: list[str], words: str) -> None:
    result = add(gs, *args)
    assert result.exit_code != 0
    assert words in result.output
    data = json.loads(gs("balance", "feux-aube", "--format", "json").output)
    assert data["total"]["kgco2e"] == 0 and data["coverage"]["measured"] == []


def test_the_balance_shows_its_coverage_and_a_projection_by_category(gs) -> None:
    add(gs, "--kind", "travel", "--mode", "train_tgv", "--km", "1000")
    add(gs, "--kind", "purchases", "--item", "steel", "--quantity", "100")
    data = json.loads(gs("balance", "feux-aube", "--format", "json").output)
    coverage = data["coverage"]
    assert coverage["measured"] == ["transport", "purchases"]
    assert coverage["forecast_only"] == ["energy", "catering", "waste", "accommodation", "post_production"]
    assert coverage["missing"] == []
    # forecast: transport 38 + purchases 48 of 38 + 9.5 + 14 + 1.2 + 22 + 48 + 3.5 = 136.2 t
    assert coverage["measured_share_of_forecast"] == round(86 / 136.2, 4)
    cats = {c["category"]: c for c in data["categories"]}
    # 2.93 kg of train on 2 shooting days done of 39: 2.93 / 2 x 39 = 57.135 kg
    assert cats["transport"]["projected_tco2e"] == 0.057
    # purchases are made in lumps: the forecast stands until the figures pass it
    assert cats["purchases"]["projected_tco2e"] == 48.0 and cats["purchases"]["measured"] is True
    assert cats["energy"]["measured"] is False


@pytest.mark.parametrize(("item", "words"), [
    ("paint", "no source gives paint per kg: give the money spent as spend_chemicals"),
    ("prop_rented", "give its material by kg"),
    ("spend_yachts", "no budget line 'spend_yachts' in factor set 2026.2; expected one of spend_air_transport,"),
])
def test_an_item_no_source_counts_is_refused_with_what_to_give_instead(gs, item: str, words: str) -> None:
    result = add(gs, "--kind", "purchases", "--item", item, "--quantity", "3")
    assert result.exit_code != 0 and words in result.output
    assert json.loads(gs("balance", "feux-aube", "--format", "json").output)["total"]["kgco2e"] == 0
