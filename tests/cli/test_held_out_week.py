"""A held-out week: one figure of every kind, entered by hand, against a balance computed by hand.

The expected kg CO2e are written here from the factors' published values (the source of each is on
its line), never by calling the engine; ``balance --format json`` must give them to the gram, on
SQLite and PostgreSQL.
"""

from __future__ import annotations

import json
from decimal import ROUND_HALF_EVEN, Decimal
from pathlib import Path

from click.testing import CliRunner

from greenslate.cli import main

FOOTPRINT = Path(__file__).resolve().parents[1] / "fixtures" / "productions" / "whole-footprint.yaml"

WEEK = [
    # Monday 1 March 2027
    ("2027-03-01", "amina", ["--kind", "mileage", "--vehicle", "mb1", "--odometer", "45 230"]),
    ("2027-03-01", "paul", ["--kind", "meals", "--meal", "vegetarian=30", "--meal", "beef=10"]),
    ("2027-03-01", "lea", ["--kind", "generator_hours", "--generator", "g1", "--hours", "6"]),
    ("2027-03-01", "ines", ["--kind", "travel", "--mode", "plane", "--from", "CDG", "--to", "NCE",
                            "--passengers", "2"]),
    # Tuesday
    ("2027-03-02", "lea", ["--kind", "generator_litres", "--generator", "g2", "--litres", "100"]),
    ("2027-03-02", "ines", ["--kind", "travel", "--mode", "train_tgv", "--km", "860", "--passengers", "3"]),
    ("2027-03-02", "ines", ["--kind", "accommodation", "--lodging", "hotel_midscale", "--zone", "fr",
                            "--nights", "12"]),
    # Wednesday
    ("2027-03-03", "lea", ["--kind", "grid_power", "--site", "studio", "--meter", "18 335"]),
    ("2027-03-03", "karim", ["--kind", "fuel", "--vehicle", "car3", "--litres", "45,5"]),
    ("2027-03-03", "ines", ["--kind", "freight", "--vehicle-class", "rigid_large", "--tkm", "1500"]),
    # Thursday
    ("2027-03-04", "ines", ["--kind", "purchases", "--item", "timber", "--quantity", "350", "--item", "costume_new",
                            "--quantity", "4", "--item", "spend_set_construction", "--quantity", "2000"]),
    # Friday
    ("2027-03-05", "sam", ["--kind", "waste", "--waste", "residual=50"]),
    ("2027-03-05", "ines", ["--kind", "post_production", "--item", "edit_suite_days", "--quantity", "5",
                            "--item", "storage_tb_months", "--quantity", "2"]),
]

D = Decimal
BY_HAND = {
    "transport": (
        (D(45230) - D(45010)) * D("0.324626")  # van_fr_impactco2, ADEME Impact CO2 'utilitaire' (minibus proxy)
        + (D("694.3") + 95) * 2 * D("0.224572")  # CDG-NCE great circle + 95 km (ISO 14083), 2 people,
        #                                          flight_shorthaul_fr, Impact CO2 'avion-courtcourrier'
        + D(860) * 3 * D("0.00293")  # train_tgv_fr, Impact CO2 'tgv'
        + D("45.5") * D("3.17")  # diesel_road_fr, arrêté du 26 avril 2017
        + D(1500) * D("0.169")  # freight_rigid_large_tkm, ADEME Base Carbone V23.6 ID 43716
    ),
    "energy": (
        6 * D("15.5") * D("3.17")  # g1: 125 kVA x 0.8 = 100 kW at 50 % load: 15.5 L/h; gnr_fr 3.17
        + 100 * D("0.54")  # g2 refuelled: hvo100_fr 0.54 kg/L
        + (D(18335) - D(18250)) * D("0.0461")  # electricity_fr_2025, ADEME Base Empreinte
    ),
    "catering": 30 * D("0.85") + 10 * D("4.97"),  # meal_vegetarian_fr, meal_beef_fr (ADEME, Agribalyse 3.2)
    "waste": 50 * D("0.374"),  # waste_residual_incineration_fr
    "accommodation": 12 * D("8.47"),  # accommodation_hotel_midscale_fr: ADEME 2020 hotels, 3*
    "purchases": (
        350 * D("0.26950416")  # material_timber_kg: DESNZ 2025 material use, wood, per tonne / 1000
        + 4 * D("31.32952201")  # costume_new_item: mean of Impact CO2's 19 garments
        + 2000 * D("0.245")  # spend_set_construction_eur: ADEME Base Carbone V23.6 monetary ratio
    ),
    "post_production": 5 * D("0.33971102") + 2 * D("0.01961118"),  # edit_suite_day, storage_tb_month
}


def gram(value: Decimal) -> float:
    return float(value.quantize(Decimal("0.001"), rounding=ROUND_HALF_EVEN))


def test_a_week_of_every_kind_comes_out_of_the_balance_as_computed_by_hand(db_url: str) -> None:
    runner = CliRunner()

    def gs(*args: str):  # type: ignore[no-untyped-def]
        return runner.invoke(main, list(args), env={"GREENSLATE_DATABASE_URL": db_url}, catch_exceptions=False)

    assert gs("production", "load", str(FOOTPRINT)).exit_code == 0
    for day, member, args in WEEK:
        result = gs("report", "add", "feux-aube", "--member", member, "--day", day, *args)
        assert result.exit_code == 0, (args, result.output)
    data = json.loads(gs("balance", "feux-aube", "--format", "json").output)
    cats = {c["category"]: c for c in data["categories"]}
    for category, expected in BY_HAND.items():
        assert cats[category]["kgco2e"] == gram(expected), category
        assert round(cats[category]["kgco2e"]) == round(expected), category  # to the unit, as the issue asks
    assert data["total"]["kgco2e"] == gram(sum(BY_HAND.values(), Decimal(0)))
    assert data["coverage"]["measured"] == list(BY_HAND)
    assert data["coverage"]["measured_share_of_forecast"] == 1.0
    used = {f["key"] for f in data["factors"]}
    assert {"flight_shorthaul_fr", "accommodation_hotel_midscale_fr", "electricity_fr_2025", "diesel_road_fr",
            "freight_rigid_large_tkm", "spend_set_construction_eur", "storage_tb_month"} <= used
    assert {f["factor_set_version"] for f in data["factors"]} == {"2026.2"}


def test_the_week_exports_by_carbon_clap_category_with_each_figure_traced(db_url: str, tmp_path: Path) -> None:
    runner = CliRunner()

    def gs(*args: str):  # type: ignore[no-untyped-def]
        return runner.invoke(main, list(args), env={"GREENSLATE_DATABASE_URL": db_url}, catch_exceptions=False)

    gs("production", "load", str(FOOTPRINT))
    for day, member, args in WEEK:
        gs("report", "add", "feux-aube", "--member", member, "--day", day, *args)
    out = tmp_path / "week.json"
    assert gs("export", "feux-aube", "--format", "json", "--out", str(out)).exit_code == 0
    data = json.loads(out.read_text(encoding="utf-8"))
    clap = {c["category"]: Decimal(c["kgco2e"]) for c in data["carbon_clap"]}
    assert list(clap) == ["production", "filming_locations", "set_design", "hair_makeup_costume", "transport",
                          "production_logistics", "technical_equipment", "post_production"]
    # Set design: the timber and the set-construction budget line; HMC: the new costumes
    assert clap["set_design"] == (350 * D("0.26950416") + 2000 * D("0.245")).quantize(D("0.001"))
    assert clap["hair_makeup_costume"] == (4 * D("31.32952201")).quantize(D("0.001"))
    assert clap["transport"] == BY_HAND["transport"].quantize(D("0.001"))
    # Régie: meals, nights and waste; technical equipment: generators and the grid
    assert clap["production_logistics"] == (BY_HAND["catering"] + BY_HAND["accommodation"]
                                            + BY_HAND["waste"]).quantize(D("0.001"))
    assert clap["technical_equipment"] == BY_HAND["energy"].quantize(D("0.001"))
    assert clap["post_production"] == BY_HAND["post_production"].quantize(D("0.001"))
    assert clap["production"] == clap["filming_locations"] == 0
    rows = [r for section in data["sections"].values() for r in section]
    assert all(r["quantity"] and r["unit"] and r["factor_key"] and r["factor_source"]
               and r["factor_set_version"] == "2026.2" and r["carbon_clap"] for r in rows)
    spend = next(r for r in rows if r["item"] == "spend_set_construction")
    assert (spend["quantity"], spend["unit"], spend["method"]) == ("2000", "eur", "estimated")
    leg = next(r for r in rows if r["item"] == "plane:CDG:NCE")
    assert (leg["label"], leg["mode"], leg["unit"]) == ("CDG-NCE", "plane", "passenger-km")
