"""Every quantity has a physical range and every text a length, checked when the file is read.

A typo such as ``1e30`` is refused where it is written, with its place in the file, instead of
loading and making the balance, the plan, the exports or a generator's reports fail later. A file
too large for any production is refused before it is parsed.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from common import production_file as pf
from common.production_file import load_production_file, parse_production
from domain.errors import ProductionFileError

# The reference file as it was before the whole footprint: these edits name its lines and positions.
EXAMPLE = Path(__file__).resolve().parents[1] / "fixtures" / "productions" / "feature-film-four-kinds.yaml"
NAME = "bounds.yaml"
G1 = '{id: g1, label: "Groupe 125 kVA", rated_kva: 125, load: 0.50, fuel_factor: gnr_fr}'
MB1 = "odometer_start: 45010"


@pytest.fixture(scope="module")
def example() -> str:
    return EXAMPLE.read_text(encoding="utf-8")


def edit(text: str, old: str, new: str) -> str:
    assert old in text, f"the example no longer contains {old!r}"
    return text.replace(old, new, 1)


def refused(text: str) -> ProductionFileError:
    with pytest.raises(ProductionFileError) as info:
        parse_production(text, NAME)
    return info.value


HUGE = "9" * 4000
HUGER = "9" * 5000  # more digits than Python reads as an int

# (case, text to replace, replacement, where)
OUT_OF_RANGE = [
    ("forecast 1.0e25", "transport: 38.0", "transport: 1.0e25", "production.forecast_tco2e.transport"),
    ("forecast negative", "waste: 1.2", "waste: -1", "production.forecast_tco2e.waste"),
    ("action target 1e30", "target: 0.30", "target: 1e30", "action_plan[0].target"),
    ("action baseline quoted", "baseline: 3000", 'baseline: "1e400000"', "action_plan[1].baseline"),
    ("odometer of 4,000 digits", MB1, f"odometer_start: {HUGE}", "vehicles[0].odometer_start"),
    ("odometer of 5,000 digits", MB1, f"odometer_start: {HUGER}", "vehicles[0].odometer_start"),
    ("odometer 1e400", MB1, "odometer_start: 1e400", "vehicles[0].odometer_start"),
    ("odometer of 1e-400000", MB1, "odometer_start: 1e-400000", "vehicles[0].odometer_start"),
    ("odometer too precise", MB1, "odometer_start: 45010.0000001", "vehicles[0].odometer_start"),
    ("litres per hour 1e400000", G1, '{id: g1, label: G, litres_per_hour: "1e400000", fuel_factor: gnr_fr}',
     "generators[0].litres_per_hour"),
    ("litres per hour 5000", G1, "{id: g1, label: G, litres_per_hour: 5000, fuel_factor: gnr_fr}",
     "generators[0].litres_per_hour"),
    ("kVA 1e30", "rated_kva: 125", "rated_kva: 1e30", "generators[0].rated_kva"),
    ("hour meter 1e12", G1, "{id: g1, label: G, litres_per_hour: 20, fuel_factor: gnr_fr, "
     "hour_meter_start: 1e12}", "generators[0].hour_meter_start"),
    ("escalation of 4,000 digits", "escalate_after_missed: 2", f"escalate_after_missed: {HUGE}",
     "reminders.escalate_after_missed"),
    ("escalation of 5,000 digits", "escalate_after_missed: 2", f"escalate_after_missed: {HUGER}",
     "reminders.escalate_after_missed"),
]


@pytest.mark.parametrize(("old", "new", "where"), [c[1:] for c in OUT_OF_RANGE], ids=[c[0] for c in OUT_OF_RANGE])
def test_a_quantity_out_of_its_range_is_refused_where_it_is_written(example, old, new, where):
    error = refused(edit(example, old, new))
    assert error.where == where
    assert "(line " in error.problem
    assert len(str(error)) < 400, "a long value is shortened in the message"


def test_the_message_says_the_range_and_the_unit(example):
    error = refused(edit(example, MB1, "odometer_start: 1.0e25"))
    expected = f"must be between 0 and {pf.MAX_ODOMETER_KM}, got 1E+25 (an odometer reading, in km)"
    assert error.problem.startswith(expected)


def test_values_at_the_edges_of_their_ranges_load(example):
    text = edit(example, MB1, f"odometer_start: {pf.MAX_ODOMETER_KM}")
    text = edit(text, "transport: 38.0", f"transport: {pf.MAX_FORECAST_TCO2E}")
    text = edit(text, G1, f"{{id: g1, label: G, litres_per_hour: {pf.MAX_LITRES_PER_HOUR}, fuel_factor: gnr_fr, "
                          f"hour_meter_start: {pf.MAX_HOUR_METER}}}")
    text = edit(text, "baseline: 3000", "baseline: 0.000001")
    text = edit(text, "target: 2700", f"target: {pf.MAX_INDICATOR_VALUE}")
    production = parse_production(text, NAME)
    assert production.vehicles[0].odometer_start == pf.MAX_ODOMETER_KM
    assert production.generators[0].litres_per_hour == pf.MAX_LITRES_PER_HOUR


# (case, text to replace, replacement, where)
TOO_LONG = [
    ("title", "title: \"Les Feux de l'Aube\"", "title: " + "x" * 900_000, "production.title"),
    ("crew name", '"Amina Diallo"', "A" * 201, "crew[0].name"),
    ("vehicle kind", "kind: minibus", "kind: " + "m" * 201, "vehicles[0].kind"),
    ("objective", '"Serve a vegetarian option every day and reach 30 % vegetarian meals"', "o" * 1001,
     "action_plan[0].objective"),
    ("note", "    target: 0.30\n", "    target: 0.30\n    note: " + "n" * 1001 + "\n", "action_plan[0].note"),
    ("discord role", "sensitisation:\n", 'discord: {guild: 1, digest_channel: 2, practices_channel: 3, role: "'
     + "r" * 101 + '"}\nsensitisation:\n', "discord.role"),
]


@pytest.mark.parametrize(("old", "new", "where"), [c[1:] for c in TOO_LONG], ids=[c[0] for c in TOO_LONG])
def test_every_text_has_a_length_bound(example, old, new, where):
    error = refused(edit(example, old, new))
    assert error.where == where
    assert "is too long" in error.problem
    assert len(str(error)) < 400


def test_a_file_over_the_size_bound_is_refused_before_it_is_parsed(example, tmp_path):
    # Past the bound, the file is not parsed at all: the broken YAML at its end is never reached.
    path = tmp_path / "huge.yaml"
    path.write_text(example + "huge: [" + "0, " * (pf.MAX_FILE_BYTES // 3) + "\n  : : broken", encoding="utf-8")
    with pytest.raises(ProductionFileError) as info:
        load_production_file(path)
    assert "at most 1,000,000 bytes" in info.value.problem
    with pytest.raises(ProductionFileError) as info:
        parse_production(path.read_text(encoding="utf-8"), NAME)
    assert "at most 1,000,000 bytes" in info.value.problem


def test_a_ten_megabyte_title_is_refused_by_the_size_bound(example):
    error = refused(edit(example, "title: \"Les Feux de l'Aube\"", "title: " + "t" * 10_000_000))
    assert "at most 1,000,000 bytes" in error.problem


def test_many_small_values_are_refused_as_they_are_read(example):
    # Under the size bound but more values than any production: reading stops at the bound, long
    # before the broken YAML at the end of the list.
    count = pf.MAX_VALUES + 10
    text = edit(example, "version: 1\n", "version: 1\nextra: [" + "0," * count + "\n  : : broken\n")
    assert len(text) < pf.MAX_FILE_BYTES
    error = refused(text)
    assert f"more than {pf.MAX_VALUES} values" in error.problem


@pytest.mark.parametrize("where", ["top", "meal type"])
def test_a_long_key_is_shortened_in_the_message(example, where):
    key = '? "' + "k" * 900_000 + '"\n'
    if where == "top":
        text = edit(example, "version: 1\n", "version: 1\n" + key + ": 1\n")
    else:
        text = edit(example, "  vegan: meal_vegan_fr", "  " + key + "  : meal_vegan_fr")
    error = refused(text)
    assert len(str(error)) < 400
    assert "(900000 characters)" in str(error)
