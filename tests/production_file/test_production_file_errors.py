"""Broken production files: each problem is located by a path and said in plain English.

Every case is the reference example with one edit, so each test shows the one line that is wrong.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from common.production_file import load_production_file, parse_production
from domain.errors import ProductionFileError

# The reference file as it was before the whole footprint: these edits name its lines and positions.
EXAMPLE = Path(__file__).resolve().parents[1] / "fixtures" / "productions" / "feature-film-four-kinds.yaml"
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "productions"
NAME = "broken.yaml"


@pytest.fixture(scope="module")
def example() -> str:
    return EXAMPLE.read_text(encoding="utf-8")


def edit(text: str, old: str, new: str) -> str:
    assert old in text, f"the example no longer contains {old!r}"
    return text.replace(old, new)


def problem_in(text: str) -> ProductionFileError:
    with pytest.raises(ProductionFileError) as info:
        parse_production(text, NAME)
    return info.value


# (case, text to replace, replacement, where, a key phrase of the problem)
CASES = [
    ("missing version", "version: 1\n", "", "version", "required field 'version' is missing"),
    ("wrong version", "version: 1\n", "version: 2\n", "version", "unsupported version 2"),
    ("version as text", "version: 1\n", 'version: "1"\n', "version", "unsupported version '1'"),
    (
        "missing required field",
        '  title: "Les Feux de l\'Aube"\n',
        "",
        "production.title",
        "required field 'title' is missing",
    ),
    (
        "unknown field",
        "role: gaffer,",
        "role: gaffer, colour: red,",
        "crew[3].colour",
        "unknown field 'colour'; expected one of: id, name, role, channel",
    ),
    (
        "misspelt field",
        "  timezone: Europe/Paris",
        "  time_zone: Europe/Paris",
        "production.time_zone",
        "unknown field 'time_zone'; did you mean 'timezone'?",
    ),
    (
        "wrong type: text for a number",
        "odometer_start: 45010",
        "odometer_start: lots",
        "vehicles[0].odometer_start",
        "expected a number, got 'lots'",
    ),
    (
        "wrong type: a list for a section",
        "reminders:\n  after_minutes: 120 ",
        "reminders: [1]\nxreminders:\n  after_minutes: 120 ",
        "reminders",
        "expected a mapping",
    ),
    (
        "wrong type: a number for a name",
        'name: "Paul Martin"',
        "name: 42",
        "crew[2].name",
        "expected text, got 42",
    ),
    (
        "empty value",
        '  title: "Les Feux de l\'Aube"',
        "  title:",
        "production.title",
        "expected text, got nothing",
    ),
    (
        "unknown production type",
        "type: feature_film",
        "type: feature",
        "production.type",
        "unknown production type 'feature'; did you mean 'feature_film'? Expected one of: ad_shoot, "
        "feature_film, tv_series, documentary, animation_series",
    ),
    (
        "unknown role",
        "role: gaffer",
        "role: electrician",
        "crew[3].role",
        "unknown role 'electrician'; expected one of: driver, caterer, gaffer",
    ),
    (
        "bad timezone",
        "timezone: Europe/Paris",
        "timezone: Europe/Pari",
        "production.timezone",
        "unknown time zone 'Europe/Pari'; did you mean 'Europe/Paris'?",
    ),
    (
        "end before start",
        "end: 2027-04-23",
        "end: 2027-02-23",
        "production.calendar.end",
        "the shoot ends (2027-02-23) before it starts (2027-03-01)",
    ),
    (
        "date that does not exist",
        "start: 2027-03-01",
        "start: 2027-02-30",
        "production.calendar.start",
        "'2027-02-30' is not a date that exists",
    ),
    (
        "unknown weekday",
        "shooting_days: [mon, tue",
        "shooting_days: [monday, tue",
        "production.calendar.shooting_days[0]",
        "unknown weekday 'monday'; did you mean 'mon'?",
    ),
    (
        "day off outside the calendar",
        "days_off: [2027-04-05]",
        "days_off: [2027-05-05]",
        "production.calendar.days_off[0]",
        "day off 2027-05-05 is outside the calendar (2027-03-01 to 2027-04-23)",
    ),
    (
        "no shooting day",
        "shooting_days: [mon, tue, wed, thu, fri]",
        "shooting_days: []",
        "production.calendar",
        "the calendar has no shooting day",
    ),
    (
        "sensitisation outside the calendar",
        "on: 2027-03-05",
        "on: 2027-05-05",
        "sensitisation[3].on",
        "2027-05-05 is outside the calendar",
    ),
    (
        "unknown crew member in an assignment",
        "{who: karim,",
        "{who: karin,",
        "assignments[1].who",
        "unknown crew member 'karin'; did you mean 'karim'?",
    ),
    (
        "unknown action owner",
        "owner: sam",
        "owner: samuel",
        "action_plan[3].owner",
        "unknown crew member 'samuel'",
    ),
    (
        "duplicate crew id",
        "{id: karim,",
        "{id: amina,",
        "crew[1].id",
        "duplicate crew member id 'amina' (already used by crew[0])",
    ),
    (
        "duplicate vehicle id",
        "{id: car2,",
        "{id: mb1,",
        "vehicles[1].id",
        "duplicate vehicle id 'mb1'",
    ),
    (
        "duplicate generator id",
        "{id: g2,",
        "{id: g1,",
        "generators[1].id",
        "duplicate generator id 'g1'",
    ),
    ("duplicate action id", "id: A2", "id: A1", "action_plan[1].id", "duplicate action id 'A1'"),
    (
        "unknown vehicle factor",
        "factor: van_fr_impactco2",
        "factor: van_fr_impactco3",
        "vehicles[0].factor",
        "unknown emission factor 'van_fr_impactco3'; did you mean 'van_fr_impactco2'?",
    ),
    (
        "unknown fuel factor",
        "fuel_factor: gnr_fr",
        "fuel_factor: gnr",
        "generators[0].fuel_factor",
        "unknown emission factor 'gnr'",
    ),
    (
        "unknown meal factor",
        "beef: meal_beef_fr",
        "beef: meal_beef",
        "meal_types.beef",
        "unknown emission factor 'meal_beef'; did you mean 'meal_beef_fr'?",
    ),
    (
        "unknown waste factor",
        "cardboard: waste_cardboard_recycling_fr",
        "cardboard: waste_carton_recycling_fr",
        "waste_streams.cardboard",
        "did you mean 'waste_cardboard_recycling_fr'?",
    ),
    (
        "vehicle factor per passenger-km",
        "factor: van_fr_impactco2",
        "factor: coach_fr",
        "vehicles[0].factor",
        "emission factor 'coach_fr' is per passenger-km, but a vehicle needs a factor per vehicle-km",
    ),
    (
        "fuel factor per vehicle-km",
        "fuel_factor: hvo100_fr",
        "fuel_factor: van_fr_impactco2",
        "generators[1].fuel_factor",
        "is per vehicle-km, but a fuel needs a factor per litre",
    ),
    (
        "meal factor per litre",
        "fish: meal_fish_white_fr",
        "fish: gnr_fr",
        "meal_types.fish",
        "is per litre, but a meal type needs a factor per meal",
    ),
    (
        "waste factor per meal",
        "plastic: waste_pet_recycling_fr",
        "plastic: meal_vegan_fr",
        "waste_streams.plastic",
        "is per meal, but a waste stream needs a factor per kg or tonne",
    ),
    (
        "French and UK waste factors mixed",
        "plastic: waste_pet_recycling_fr",
        "plastic: waste_plastics_recycling_uk",
        "waste_streams.plastic",
        "use factors of one family",
    ),
    (
        "mileage without a vehicle",
        "report: mileage, vehicle: car2, ",
        "report: mileage, ",
        "assignments[1].vehicle",
        "a mileage report needs a vehicle",
    ),
    (
        "mileage with an unknown vehicle",
        "vehicle: car2,",
        "vehicle: car3,",
        "assignments[1].vehicle",
        "unknown vehicle 'car3'; did you mean 'car2'?",
    ),
    (
        "generator report without a generator",
        "generator: g2, ",
        "",
        "assignments[4].generator",
        "a generator_hours report needs a generator",
    ),
    (
        "generator report with an unknown generator",
        "generator: g2,",
        "generator: g9,",
        "assignments[4].generator",
        "unknown generator 'g9'",
    ),
    (
        "mode that does not fit the report",
        "vehicle: mb1, mode: odometer",
        "vehicle: mb1, mode: meter",
        "assignments[0].mode",
        "mode 'meter' does not apply to a mileage report; expected one of: odometer, distance",
    ),
    (
        "weekly without a weekday",
        "frequency: weekly, weekday: fri,",
        "frequency: weekly,",
        "assignments[5].weekday",
        "a weekly report needs a weekday",
    ),
    (
        "weekly on a day without shooting",
        "weekday: fri",
        "weekday: sun",
        "assignments[5].weekday",
        "'sun' is not a shooting day",
    ),
    (
        "weekday on a daily report",
        "report: meals, frequency: daily,",
        "report: meals, frequency: daily, weekday: mon,",
        "assignments[2].weekday",
        "weekday is only for weekly reports",
    ),
    (
        "same report assigned twice",
        "generator: g2",
        "generator: g1",
        "assignments[4]",
        "the same report is assigned twice (already at assignments[3])",
    ),
    (
        "generator with neither litres_per_hour nor rated_kva and load",
        "rated_kva: 125, load: 0.50, ",
        "",
        "generators[0]",
        "a generator needs litres_per_hour, or rated_kva and load",
    ),
    (
        "generator with a rating but no load",
        "rated_kva: 125, load: 0.50,",
        "rated_kva: 125,",
        "generators[0].load",
        "rated_kva is given but load is missing",
    ),
    (
        "generator bigger than the consumption table",
        "rated_kva: 250,",
        "rated_kva: 1000,",
        "generators[1].rated_kva",
        "1000 kVA is 800 kW (kVA x 0.8), outside the consumption table",
    ),
    (
        "generator load below the consumption table",
        "load: 0.25",
        "load: 0.1",
        "generators[1].load",
        "load 0.1 is outside the consumption table",
    ),
    (
        "generator load as a percentage",
        "load: 0.50",
        "load: 50",
        "generators[0].load",
        "load is a fraction of the rated output, e.g. 0.5 for 50 %",
    ),
    (
        "unknown indicator",
        "indicator: vehicle_km",
        "indicator: kilometres",
        "action_plan[2].indicator",
        "unknown indicator 'kilometres'; expected one of: vehicle_km, generator_litres",
    ),
    (
        "share written as a percentage",
        "target: 0.60",
        "target: 60",
        "action_plan[3].target",
        "sorted_waste_share is a share between 0 and 1",
    ),
    (
        "time out of range",
        'at: "15:00"',
        'at: "25:00"',
        "assignments[2].at",
        "'25:00' is not a time of day; expected HH:MM between 00:00 and 23:59",
    ),
    (
        "sensitisation to neither all nor a role",
        "to: gaffer",
        "to: gafers",
        "sensitisation[2].to",
        "unknown recipient 'gafers'; did you mean 'gaffer'? Expected 'all' or a role",
    ),
    (
        "a key written twice",
        "  language: fr                       #",
        "  language: en\n  language: fr                       #",
        "line 13, column 3",
        "the key 'language' appears twice in the same mapping (first on line 12)",
    ),
    (
        "bad YAML",
        "  - {id: paul,",
        "  - {id: paul,,",
        "line 27, column 15",
        "not valid YAML",
    ),
]


@pytest.mark.parametrize(("old", "new", "where", "phrase"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_a_broken_file_names_where_and_what(example: str, old: str, new: str, where: str, phrase: str) -> None:
    error = problem_in(edit(example, old, new))
    assert error.file == NAME
    assert error.where == where
    assert phrase in error.problem
    assert str(error).startswith(f"{NAME}: ")


@pytest.mark.parametrize(
    ("text", "phrase"),
    [
        ("", "got an empty file"),
        ("- a list\n- of things\n", "got a list"),
        ("just words\n", "got 'just words'"),
        ("42\n", "got 42"),
    ],
    ids=["empty", "a list", "a word", "a number"],
)
def test_a_file_that_is_not_a_mapping(text: str, phrase: str) -> None:
    error = problem_in(text)
    assert error.where == ""
    assert "expected a mapping with version, production, crew" in error.problem
    assert phrase in error.problem


def test_bad_yaml_gives_line_and_column() -> None:
    error = problem_in('version: 1\nproduction:\n  id: "unclosed\n  title: x\n')
    assert error.where.startswith("line ")
    assert ", column " in error.where
    assert error.problem.startswith("not valid YAML: ")


def test_tabs_are_not_indentation() -> None:
    error = problem_in("version: 1\nproduction:\n\tid: x\n")
    assert error.where == "line 3, column 1"
    assert "'\\t'" in error.problem


def test_not_utf8() -> None:
    with pytest.raises(ProductionFileError, match="not UTF-8"):
        parse_production(b"version: 1\ntitle: \xe9t\xe9\n", NAME)


def test_a_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "nowhere.yaml"
    with pytest.raises(ProductionFileError) as info:
        load_production_file(path)
    assert info.value.file == str(path)
    assert "cannot read the file" in info.value.problem
    assert str(info.value).startswith(str(path))


def test_the_problem_says_on_which_line(example: str) -> None:
    error = problem_in(edit(example, "factor: van_fr_impactco2", "factor: van_fr_impactco3"))
    assert error.problem.endswith("(line 35)")


def test_every_problem_is_reported_one_per_line_in_file_order(example: str) -> None:
    text = edit(example, "owner: sam", "owner: nobody")
    text = edit(text, "{who: karim,", "{who: karin,")
    text = edit(text, "type: feature_film", "type: feature")
    error = problem_in(text)
    lines = str(error).splitlines()
    # The type is a shape problem: the file's shape is reported first, on its own.
    assert lines == [f"{NAME}: production.type: {error.problem}"]
    error = problem_in(edit(text, "type: feature", "type: feature_film"))
    lines = str(error).splitlines()
    assert [line.split(": ")[1] for line in lines] == ["assignments[1].who", "action_plan[3].owner"]
    assert all(line.startswith(f"{NAME}: ") for line in lines)
    assert error.where == "assignments[1].who"
    assert [p.where for p in error.problems] == ["assignments[1].who", "action_plan[3].owner"]


def test_an_impossible_calendar_does_not_also_flag_every_date(example: str) -> None:
    error = problem_in(edit(example, "end: 2027-04-23", "end: 2027-02-23"))
    assert [p.where for p in error.problems] == ["production.calendar.end"]


def test_a_misspelt_field_is_one_problem_not_two(example: str) -> None:
    error = problem_in(edit(example, "  timezone: Europe/Paris", "  timezon: Europe/Paris"))
    assert [p.where for p in error.problems] == ["production.timezon"]


def test_a_calendar_over_five_years_is_a_typo(example: str) -> None:
    error = problem_in(edit(example, "end: 2027-04-23", "end: 2207-04-23"))
    assert error.where == "production.calendar.end"
    assert "check the years" in error.problem


def test_meals_reported_without_meal_types(example: str) -> None:
    start = example.index("meal_types:")
    end = example.index("waste_streams:")
    error = problem_in(example[:start] + example[end:])
    assert error.where == "assignments[2].report"
    assert "no meal_types are declared" in error.problem


def test_a_default_weekly_frequency_still_needs_a_weekday(example: str) -> None:
    error = problem_in(edit(example, "report: meals, frequency: daily,", "report: meals,"))
    assert error.where == "assignments[2].weekday"
    assert "(the default for a feature_film) needs a weekday" in error.problem


def test_the_sensitisation_message_must_be_in_the_library(example: str) -> None:
    with pytest.raises(ProductionFileError) as info:
        parse_production(edit(example, "veggie-day", "no-such-message-yet"), NAME)
    assert info.value.where == "sensitisation[0].message"


def test_a_fixture_file_on_disk() -> None:
    with pytest.raises(ProductionFileError) as info:
        load_production_file(FIXTURES / "unknown-crew.yaml")
    assert info.value.where == "assignments[0].who"
    assert "unknown crew member 'bob'" in info.value.problem


LAUGHS = "version: 1\na: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{name}: &{name} [{', '.join([f'*{previous}'] * 10)}]\n"
    for previous, name in zip("abcdefgh", "bcdefghi", strict=True)
)


@pytest.mark.parametrize(
    "text",
    [LAUGHS + "crew: [*i]\n", "version: 1\nproduction: &a [*a]\n", "[" * 5000 + "]" * 5000],
    ids=["aliases expanding to a billion values", "an alias loop", "nesting 5000 deep"],
)
def test_files_that_expand_without_end_are_refused_quickly(text: str) -> None:
    error = problem_in(text)
    assert "nested too deep" in error.problem or "too deeply" in error.problem


def test_a_number_written_as_text_is_read_as_the_bots_read_it(example: str) -> None:
    """``"45 010"`` and ``"45010,5"`` are clear; ``"45,010"`` could be 45 010 or 45.01 and is refused, as in chat."""
    spaced = parse_production(edit(example, "odometer_start: 45010", 'odometer_start: "45 010"'), NAME)
    assert spaced.vehicle("mb1").odometer_start == 45010
    french = parse_production(edit(example, "odometer_start: 45010", 'odometer_start: "45010,5"'), NAME)
    assert str(french.vehicle("mb1").odometer_start) == "45010.5"
    problem = problem_in(edit(example, "odometer_start: 45010", 'odometer_start: "45,010"'))
    assert problem.where == "vehicles[0].odometer_start"
    assert "'45,010' can be read as 45010 or as 45.01" in problem.problem
