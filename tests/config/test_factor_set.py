"""The shipped factor set: complete, sourced, and faithful to the reference tables it was built from."""

from __future__ import annotations

import csv
from decimal import Decimal
from pathlib import Path

from config.factors import CURRENT_VERSION, available_versions, load_consumption_table, load_factor_set

#: The sourced tables the factor set was built from, kept in the repository beside it.
REFERENCE = Path(__file__).resolve().parents[2] / "config" / "factors" / "reference"
UNITS = {"vehicle-km", "passenger-km", "meal", "litre", "kg", "tonne", "kWh", "room-night", "m3",
         "night", "tonne-km", "item", "eur", "day", "TB-month"}


def test_current_version_is_shipped():
    assert CURRENT_VERSION in available_versions()


def test_every_factor_is_sourced_with_a_value_unit_and_year():
    factors = load_factor_set()
    assert len(factors) > 100
    for key in factors:
        f = factors.get(key)
        assert f.kgco2e_per_unit > 0, key
        assert f.unit in UNITS, key
        assert f.source.strip() and f.source != "not found", key
        assert len(f.year) <= 8, key


def test_proxies_are_marked_with_a_note():
    factors = load_factor_set()
    van = factors.get("van_fr_impactco2")
    assert van.proxy and "minibus" in van.proxy_note
    assert not factors.get("meal_beef_fr").proxy


def test_values_match_the_reference_table():
    path = REFERENCE / "emission-factors.csv"
    factors = load_factor_set()
    with path.open(encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            if not row["kgco2e_per_unit"].strip():
                assert row["key"] not in factors  # looked for, not found: never invented
                continue
            assert factors.get(row["key"]).kgco2e_per_unit == Decimal(row["kgco2e_per_unit"]), row["key"]


def test_consumption_table_matches_the_reference():
    path = REFERENCE / "generator-consumption.csv"
    table = load_consumption_table()
    with path.open(encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            for load in ("25", "50", "75", "100"):
                expected = Decimal(row[f"lph_load_{load}"])
                assert table.litres_per_hour(Decimal(row["kw"]), Decimal(load) / 100) == expected


def test_set_2026_2_keeps_every_2026_1_factor_unchanged():
    old, new = load_factor_set("2026.1"), load_factor_set("2026.2")
    assert CURRENT_VERSION == "2026.2"
    for key in old:
        assert new.get(key).kgco2e_per_unit == old.get(key).kgco2e_per_unit, key
        assert new.get(key).source == old.get(key).source, key


def test_the_additions_are_in_2026_2_as_sourced():
    path = REFERENCE / "emission-factors-2026.2-additions.csv"
    if not path.exists():
        return
    new = load_factor_set("2026.2")
    with path.open(encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            if not row["kgco2e_per_unit"].strip():
                assert row["key"] not in new  # looked for, not found: never invented
                continue
            assert new.get(row["key"]).kgco2e_per_unit == Decimal(row["kgco2e_per_unit"]), row["key"]
            assert new.get(row["key"]).source == row["source"], row["key"]
