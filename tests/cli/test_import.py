"""``greenslate import`` and ``greenslate template`` as the production office uses them, on SQLite and
PostgreSQL: every refused file leaves the store exactly as it was, and says where and why."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from greenslate.cli import main
from store.engine import make_engine
from store.tables import daily_emissions, emission_lines, report_values, reports, subject_emissions

EXAMPLE = Path(__file__).resolve().parents[2] / "config" / "examples" / "feature-film.yaml"
WHOLE = Path(__file__).resolve().parents[1] / "fixtures" / "productions" / "whole-footprint.yaml"
KINDS = ("mileage", "meals", "generator_hours", "generator_litres", "waste")
ALL_KINDS = (*KINDS, "travel", "accommodation", "grid_power", "fuel", "freight", "purchases", "post_production")

Gs = Callable[..., Result]


@pytest.fixture
def gs(db_url: str) -> Gs:
    runner = CliRunner()

    def run(*args: str) -> Result:
        return runner.invoke(main, list(args), env={"GREENSLATE_DATABASE_URL": db_url}, catch_exceptions=False)

    assert run("production", "load", str(EXAMPLE)).exit_code == 0
    return run


@pytest.fixture
def state(db_url: str) -> Callable[[], dict[str, object]]:
    """Everything an import can write: row counts and the balance's total."""

    def read() -> dict[str, object]:
        engine = make_engine(db_url)
        try:
            with engine.connect() as conn:
                counts = {t.name: conn.execute(select(func.count()).select_from(t)).scalar_one()
                          for t in (reports, report_values, emission_lines, daily_emissions, subject_emissions)}
                counts["kg"] = conn.execute(select(func.coalesce(func.sum(emission_lines.c.kgco2e), 0))).scalar_one()
        finally:
            engine.dispose()
        return counts

    return read


def write(path: Path, text: str, *, bom: bool = False) -> Path:
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8"))
    return path


def total_kg(gs: Gs) -> float:
    return float(json.loads(gs("balance", "feux-aube", "--format", "json").output)["total"]["kgco2e"])


def refused(gs: Gs, state: Callable[[], dict[str, object]], *args: str) -> str:
    """Run an import that must be refused: exit 1, the store unchanged; the error text."""
    before = state()
    result = gs("import", "feux-aube", *args)
    assert result.exit_code == 1, result.output
    assert state() == before
    return result.stderr


# -- good files ----------------------------------------------------------------------------------


def test_a_french_file_imported_twice_is_stored_once(gs, state, tmp_path):
    # semicolons, a byte-order mark, French headers, a decimal comma and a space between thousands
    file = write(tmp_path / "gazole.csv", (
        "date;membre;vehicule;compteur;reference\n"
        "2027-03-01;amina;mb1;45 230;F-1\n"
        "02/03/2027;amina;mb1;45 330;F-2\n"
        "\n"
        "2027-03-01;karim;car2;12 100;F-3\n"
    ), bom=True)
    first = gs("import", "feux-aube", str(file))
    assert first.exit_code == 0, first.stderr
    assert "Lignes lues : 3. Nouvelles : 3. Corrigées : 0. Déjà là : 0." in first.output
    # mb1: 220 + 100 km x 0.324626; car2: 100 km x 0.067365
    assert total_kg(gs) == pytest.approx(320 * 0.324626 + 100 * 0.067365, abs=0.001)
    after_first = state()
    assert after_first["reports"] == 3

    again = gs("import", "feux-aube", str(file), "--lang", "en")
    assert again.exit_code == 0, again.stderr
    assert "Rows read: 3. New: 0. Corrected: 0. Already there: 3. Added: 0 kg CO2e." in again.output
    assert state() == after_first


def test_a_changed_figure_under_a_known_reference_corrects_it(gs, state, tmp_path):
    meals = "date,member,meal_type,count,ref\n2027-03-01,paul,beef,10,M-1\n2027-03-01,paul,vegetarian,30,M-2\n"
    assert gs("import", "feux-aube", str(write(tmp_path / "m.csv", meals))).exit_code == 0
    assert total_kg(gs) == pytest.approx(10 * 4.97 + 30 * 0.85)
    fixed = write(tmp_path / "m2.csv", meals.replace("beef,10", "beef,12"))
    result = gs("import", "feux-aube", str(fixed), "--lang", "en")
    assert result.exit_code == 0, result.stderr
    assert "New: 0. Corrected: 1. Already there: 1." in result.output
    assert total_kg(gs) == pytest.approx(12 * 4.97 + 30 * 0.85)
    assert state()["reports"] == 3  # the history keeps the first figure, superseded
    # the corrected file again: nothing new
    assert "Corrected: 0. Already there: 2." in gs("import", "feux-aube", str(fixed), "--lang", "en").output
    assert state()["reports"] == 3


def test_a_known_reference_moved_to_another_day_is_refused(gs, state, tmp_path):
    gs("import", "feux-aube", str(write(tmp_path / "m.csv", "date,member,meal_type,count,ref\n"
                                        "2027-03-01,paul,beef,10,M-1\n")))
    moved = write(tmp_path / "m2.csv", "date,member,meal_type,count,ref\n2027-03-02,paul,beef,10,M-1\n")
    err = refused(gs, state, str(moved), "--lang", "en")
    assert "m2.csv, row 2, column A (date): The reference « M-1 » is stored with 2027-03-01. " \
           "This row says 2027-03-02." in err


def test_check_reads_every_row_against_the_store_and_stores_nothing(gs, state, tmp_path):
    file = write(tmp_path / "w.csv", "date,member,stream,kg,ref\n2027-03-05,sam,residual,\"12,5\",W-1\n")
    before = state()
    result = gs("import", "feux-aube", str(file), "--check", "--lang", "en")
    assert result.exit_code == 0, result.stderr
    assert "All are right. Nothing is stored yet. New: 1." in result.output
    assert state() == before


def test_the_member_option_fills_in_who_the_figures_come_from(gs, tmp_path):
    file = write(tmp_path / "g.csv", "date,generator,hours,ref\n2027-03-01,g1,6,G-1\n")
    result = gs("import", "feux-aube", str(file), "--member", "lea", "--kind", "generator_hours")
    assert result.exit_code == 0, result.stderr
    # 6 h x 15.5 L/h (100 kW at 50 %) x 3.17 kg CO2e per litre of GNR
    assert total_kg(gs) == pytest.approx(6 * 15.5 * 3.17, abs=0.001)


@pytest.mark.parametrize("lang", ["fr", "en"])
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_every_template_imports_into_the_reference_production(gs, state, tmp_path, fmt, lang):
    for kind in ALL_KINDS:
        out = tmp_path / f"{kind}.{fmt}"
        assert gs("template", kind, "--lang", lang, "--out", str(out)).exit_code == 0
        result = gs("import", "feux-aube", str(out), "--lang", "en")  # the kind is told by the header
        assert result.exit_code == 0, (kind, result.stderr)
        assert "New: 1." in result.output
    assert state()["reports"] == len(ALL_KINDS)


def test_a_workbook_with_several_sheets_is_read_from_the_one_named(gs, tmp_path):
    book = Workbook()
    first = book.active
    first.title = "Notes"
    first.append(["nothing to import here"])
    sheet = book.create_sheet("Repas")
    sheet.append(["Date", "Membre", "Type repas", "Nombre", "Référence"])
    sheet.append([__import__("datetime").date(2027, 3, 1), "paul", "chicken", 40, "R-1"])
    book.save(tmp_path / "compta.xlsx")
    result = gs("import", "feux-aube", str(tmp_path / "compta.xlsx"), "--sheet", "repas")
    assert result.exit_code == 0, result.stderr
    assert total_kg(gs) == pytest.approx(40 * 1.46)


# -- refused files -------------------------------------------------------------------------------


def test_a_wrong_header_is_refused_with_the_column(gs, state, tmp_path):
    file = write(tmp_path / "k.csv", "date,member,vehicle,odometre,ref\n2027-03-01,amina,mb1,45230,K-1\n")
    err = refused(gs, state, str(file), "--kind", "mileage", "--lang", "en")
    assert "k.csv, row 1, column D (odometre): The column « odometre » is not in the layout for mileage." in err
    assert "k.csv, row 1: Add the column odometer or km." in err
    err_fr = refused(gs, state, str(file))
    assert "k.csv, ligne 1 : Je ne sais pas quels chiffres contient ce fichier." in err_fr


def test_a_bad_number_is_refused_in_the_users_language(gs, state, tmp_path):
    file = write(tmp_path / "n.csv", "date;membre;vehicule;compteur;reference\n2027-03-01;amina;mb1;45,230;N-1\n"
                 "2027-03-02;amina;mb1;beaucoup;N-2\n")
    err = refused(gs, state, str(file), "--lang", "fr")
    assert "Rien n'est importé. Problèmes trouvés : 2." in err
    assert "n.csv, ligne 2, colonne D (compteur) : « 45,230 » peut se lire de deux façons" in err
    assert "n.csv, ligne 3, colonne D (compteur) : « beaucoup » n'est pas un nombre." in err
    err_en = refused(gs, state, str(file), "--lang", "en")
    assert "n.csv, row 2, column D (compteur): « 45,230 » can be read two ways: 45,230 or 45.23." in err_en


def test_an_unknown_vehicle_or_member_is_refused_with_what_the_production_has(gs, state, tmp_path):
    file = write(tmp_path / "v.csv", "date,member,vehicle,odometer,ref\n2027-03-01,amina,mb1,45230,V-1\n"
                 "2027-03-02,amina,bus7,45300,V-2\n2027-03-02,zoe,car2,12100,V-3\n")
    err = refused(gs, state, str(file), "--lang", "en")
    assert "Problems found: 2." in err
    assert "v.csv, row 3, column C (vehicle): « bus7 » is not a vehicle of this production. " \
           "The vehicles: mb1, car2" in err
    assert "v.csv, row 4, column B (member): « zoe » is not in the crew of this production." in err


def test_an_empty_file_is_refused(gs, state, tmp_path):
    assert "e.csv : Le fichier est vide." in refused(gs, state, str(write(tmp_path / "e.csv", "")))
    header_only = write(tmp_path / "h.csv", "date,member,meal_type,count,ref\n")
    assert "h.csv, row 1: The file has a header but no figures." in refused(gs, state, str(header_only), "--lang",
                                                                            "en")


def test_a_reference_given_twice_is_refused(gs, state, tmp_path):
    file = write(tmp_path / "d.csv", "date,member,meal_type,count,ref\n2027-03-01,paul,beef,10,D-1\n"
                 "2027-03-01,paul,chicken,20,D-1\n")
    err = refused(gs, state, str(file), "--lang", "en")
    assert "d.csv, row 3, column E (ref): The reference « D-1 » is also on row 2." in err


def test_a_workbook_without_the_sheet_named_is_refused(gs, state, tmp_path):
    out = tmp_path / "w.xlsx"
    gs("template", "waste", "--out", str(out))
    err = refused(gs, state, str(out), "--sheet", "Déchets", "--lang", "en")
    assert "w.xlsx: There is no sheet named « Déchets ». The sheets are: waste." in err


def test_one_wrong_row_among_many_stores_none_of_them(gs, state, tmp_path):
    lines = ["date,member,meal_type,count,ref"]
    lines += [f"2027-03-{1 + i % 28:02d},paul,vegetarian,{20 + i},R-{i}" for i in range(100)]
    lines[56] = "2027-03-20,paul,sushi,25,R-55"  # row 57 of the file: a meal type the production has not
    err = refused(gs, state, str(write(tmp_path / "many.csv", "\n".join(lines) + "\n")), "--lang", "en")
    assert err.splitlines() == [
        "Nothing imported. Problems found: 1.",
        "many.csv, row 57, column C (meal_type): « sushi » is not a meal type of this production. "
        "The types: vegetarian, vegan, chicken, beef, fish.",
    ]
    assert state()["reports"] == 0


def test_a_reading_below_the_stored_one_is_refused_as_the_bot_refuses_it(gs, state, tmp_path):
    gs("report", "add", "feux-aube", "--member", "amina", "--kind", "mileage", "--vehicle", "mb1",
       "--odometer", "45300", "--day", "2027-03-02")
    file = write(tmp_path / "o.csv", "date,member,vehicle,odometer,ref,confirm\n"
                 "2027-03-03,amina,mb1,45200,O-1,\n2027-03-04,amina,mb1,47000,O-2,\n")
    err = refused(gs, state, str(file), "--lang", "en")
    assert "o.csv, row 2, column D (odometer): This reading is below the last one: 45,300." in err
    assert "o.csv, row 3, column D (odometer): 1,700 km is more than usual. The usual top is 800 km. " \
           "If it is right, write yes in the column « confirm »." in err


def test_a_file_that_is_no_spreadsheet_is_refused(gs, state, tmp_path):
    (tmp_path / "x.xlsx").write_bytes(b"PK\x03\x04 not really a workbook")
    assert "x.xlsx: I cannot read this file." in refused(gs, state, str(tmp_path / "x.xlsx"), "--lang", "en")


def test_the_workbook_template_has_the_header_and_an_example(gs, tmp_path):
    out = tmp_path / "t.xlsx"
    gs("template", "mileage", "--lang", "fr", "--out", str(out))
    rows = list(load_workbook(out).active.iter_rows(values_only=True))
    assert rows[0] == ("date", "membre", "vehicule", "compteur", "km", "reference", "confirme")
    assert rows[1][1:4] == ("amina", "mb1", 45230)


# -- the whole footprint's kinds -----------------------------------------------------------------


def test_a_travel_agencys_export_is_imported_leg_by_leg(gs, state, tmp_path):
    file = write(tmp_path / "agence.csv", (
        "Date;Voyageur;Mode;Départ;Arrivée;km;Passagers;Référence\n"
        "01/03/2027;A. Diallo;train_tgv;PLY;MSC;750;2;AG-1\n"
        "02/03/2027;Équipe son;coach;;;120,5;;AG-2\n"
    ))
    result = gs("import", "feux-aube", str(file), "--member", "marc", "--lang", "en")
    assert result.exit_code == 0, result.stderr
    # TGV: 750 km x 2 passengers x 0.00293; coach: 120.5 km x 1 x 0.03756 (factor set 2026.2)
    assert total_kg(gs) == pytest.approx(750 * 2 * 0.00293 + 120.5 * 0.03756, abs=0.001)
    assert "Already there: 2." in gs("import", "feux-aube", str(file), "--member", "marc", "--lang", "en").output


def test_a_travel_leg_with_a_wrong_mode_or_half_its_places_is_refused(gs, state, tmp_path):
    file = write(tmp_path / "legs.csv", "date,traveller,mode,from,to,km,ref\n"
                 "2027-03-01,B,bike,,,12,L-1\n2027-03-01,C,coach,PLY,,,L-2\n2027-03-01,D,train_ter,,,,L-3\n")
    err = refused(gs, state, str(file), "--member", "marc", "--lang", "en")
    assert "legs.csv, row 2, column C (mode): « bike » is not one of the choices: train_tgv, " \
           "train_intercites, train_ter, coach, plane, ferry." in err
    assert "legs.csv, row 3: Give both places of the leg: from and to. Or give only the km." in err
    assert "legs.csv, row 4, column F (km): Give the km of the leg. Or give its two places." in err


def test_columns_that_fit_two_kinds_need_the_kind(gs, state, tmp_path):
    file = write(tmp_path / "achats.csv", "date,member,item,quantity,ref\n2027-03-01,marc,timber,350,P-1\n")
    err = refused(gs, state, str(file), "--lang", "en")
    assert "achats.csv, row 1: These columns fit several kinds of figures: purchases, post_production. " \
           "Say which with --kind." in err
    err = refused(gs, state, str(file), "--lang", "en", "--kind", "post_production")
    assert "achats.csv, row 2, column C (item): « timber » is not one of the choices: edit_suite_days, " \
           "grading_suite_days, storage_tb_months." in err


def test_a_leg_given_by_two_places_gets_its_km_from_the_places_table(gs, db_url, tmp_path):
    file = write(tmp_path / "legs.csv", "date,traveller,mode,from,to,km,ref\n"
                 "2027-03-01,A,train_tgv,PLY,MSC,,P-1\n2027-03-02,B,plane,ORY,NCE,,P-2\n"
                 "2027-03-03,C,train_tgv,PLY,MRS,,P-3\n")
    err = gs("import", "feux-aube", str(file), "--member", "marc", "--lang", "en").stderr
    # MRS is Marseille's airport, not a station: a train leg cannot name it
    assert "legs.csv, row 4, column E (to): I do not know the place « MRS » for this way of travelling." in err
    write(file, file.read_text().replace("PLY,MRS,,P-3\n", "PLY,MSC,800,P-3\n"))
    assert gs("import", "feux-aube", str(file), "--member", "marc", "--lang", "en").exit_code == 0
    engine = make_engine(db_url)
    try:
        with engine.connect() as conn:
            legs = dict(conn.execute(select(reports.c.source_ref, report_values.c.quantity)
                                     .join(report_values, report_values.c.report_id == reports.c.id)
                                     .where(report_values.c.item == "km")).all())
    finally:
        engine.dispose()
    # Paris Gare de Lyon to Marseille Saint-Charles is about 660 km as the crow flies; rail: x 1.2
    assert 1.2 * 655 < float(legs["feux-aube:travel:P-1"]) < 1.2 * 665
    # Orly to Nice is about 675 km as the crow flies; a flight adds 95 km
    assert 675 + 95 - 10 < float(legs["feux-aube:travel:P-2"]) < 675 + 95 + 10
    assert float(legs["feux-aube:travel:P-3"]) == 800  # km given with the places: the km given


def test_a_workbook_problem_names_the_spreadsheets_own_row_and_a_stray_value_is_refused(gs, state, tmp_path):
    book = Workbook()
    sheet = book.active
    sheet.title = "waste"
    sheet.append([])  # the header on row 3, after two empty rows, as spreadsheets often have it
    sheet.append([])
    sheet.append(["date", "member", "stream", "kg", "ref"])
    sheet.append([__import__("datetime").date(2027, 3, 5), "sam", "residual", 12.5, "W-1"])
    sheet.append([])
    sheet.append([__import__("datetime").date(2027, 3, 6), "sam", "residual", "douze", "W-2"])
    sheet.append([__import__("datetime").date(2027, 3, 7), "sam", "residual", 3, "W-3", "note"])
    book.save(tmp_path / "dechets.xlsx")
    err = refused(gs, state, str(tmp_path / "dechets.xlsx"), "--lang", "en")
    assert "dechets.xlsx, row 6, column D (kg): « douze » is not a number." in err
    assert "dechets.xlsx, row 7, column F: « note » is in a column without a title." in err


def whole_footprint_file(tmp_path: Path) -> Path:
    """The production file with every kind (a vehicle measured by litres, the studio's meter), plus a
    mains hook-up given in kWh."""
    text = WHOLE.read_text(encoding="utf-8")
    text = text.replace(
        "  - {id: studio, label: \"Compteur du studio\", mode: meter, meter_start: 18250}\n",
        "  - {id: studio, label: \"Compteur du studio\", mode: meter, meter_start: 18250}\n"
        "  - {id: castle, label: \"Branchement château\", mode: kwh}\n", 1)
    assert "castle" in text
    path = tmp_path / "whole.yaml"
    path.write_text(text, encoding="utf-8")
    return path



@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_every_kinds_template_imports_with_its_hand_computed_figure(gs, state, tmp_path, fmt):
    assert gs("production", "load", str(whole_footprint_file(tmp_path))).exit_code == 0
    for kind in ALL_KINDS:
        out = tmp_path / f"greenslate-{kind}.{fmt}"
        assert gs("template", kind, "--lang", "fr", "--out", str(out)).exit_code == 0
        result = gs("import", "feux-aube", str(out), "--lang", "en")
        assert result.exit_code == 0, (kind, result.stderr)
    assert state()["reports"] == len(ALL_KINDS)
    cats = {c["category"]: c["kgco2e"]
            for c in json.loads(gs("balance", "feux-aube", "--format", "json").output)["categories"]}
    # accommodation: 12 nights x 8.47 (accommodation_hotel_midscale_fr)
    assert cats["accommodation"] == pytest.approx(12 * 8.47, abs=0.001)
    # purchases: 350 kg of timber x 0.26950416 (material_timber_kg)
    assert cats["purchases"] == pytest.approx(350 * 0.26950416, abs=0.001)
    # post-production: 20 edit suite days x 0.33971102 (edit_suite_day)
    assert cats["post_production"] == pytest.approx(20 * 0.33971102, abs=0.001)


def test_a_vehicle_measured_by_litres_takes_no_mileage_row(gs, state, tmp_path):
    assert gs("production", "load", str(whole_footprint_file(tmp_path))).exit_code == 0
    file = write(tmp_path / "km.csv", "date,member,vehicle,km,ref\n2027-03-02,karim,car3,80,K-1\n")
    err = refused(gs, state, str(file), "--lang", "fr")
    assert "km.csv, ligne 2, colonne C (vehicle) : Le véhicule car3 est compté en litres dans le fichier " \
           "de production." in err
    fuel = write(tmp_path / "fuel.csv", "date,member,vehicle,litres,ref\n2027-03-02,karim,car3,\"85,4\",C-1\n")
    assert gs("import", "feux-aube", str(fuel)).exit_code == 0
    # 85.4 litres x 3.17 (diesel_road_fr)
    assert total_kg(gs) == pytest.approx(85.4 * 3.17, abs=0.001)


def test_grid_readings_count_like_an_odometer_and_a_site_read_in_kwh_takes_kwh(gs, state, tmp_path):
    assert gs("production", "load", str(whole_footprint_file(tmp_path))).exit_code == 0
    wrong = write(tmp_path / "castle.csv", "date,member,site,meter,kwh,ref\n2027-03-02,lea,castle,5300,,S-1\n")
    err = refused(gs, state, str(wrong), "--lang", "en")
    assert "castle.csv, row 2, column D (meter): The site castle is read as kwh in the production file." in err
    file = write(tmp_path / "grid.csv", "date,member,site,meter,kwh,ref\n2027-03-02,lea,studio,18700,,S-1\n"
                 "2027-03-03,lea,studio,18950,,S-2\n2027-03-03,lea,castle,,320,S-3\n")
    assert gs("import", "feux-aube", str(file)).exit_code == 0
    # studio: 450 then 250 kWh from its readings (start 18 250), castle: 320 kWh; x 0.0461 (electricity_fr_2025)
    assert total_kg(gs) == pytest.approx((450 + 250 + 320) * 0.0461, abs=0.001)


def test_an_older_spreadsheets_windows_1252_file_is_read_and_check_refuses_as_import_does(gs, state, tmp_path):
    text = "Date;Membre;Flux;Kg;Référence\n05/03/2027;sam;résiduel;12,5;D-1\n"
    file = tmp_path / "dechets.csv"
    file.write_bytes(text.encode("cp1252"))
    err = refused(gs, state, str(file), "--check", "--lang", "fr")
    assert "dechets.csv, ligne 2, colonne C (Flux) : « résiduel » n'est pas un type de déchet de cette production." \
        in err
    file.write_bytes(text.replace("résiduel", "residual").encode("cp1252"))
    assert gs("import", "feux-aube", str(file)).exit_code == 0
    assert total_kg(gs) == pytest.approx(12.5 * 0.374, abs=0.001)  # waste_residual_incineration_fr


def test_readings_of_one_day_follow_each_other_in_the_files_order(gs, state, tmp_path):
    # each reading is 500 km past the one above it; from the first to the last of the day is 1,000 km
    file = write(tmp_path / "day.csv", "date,member,vehicle,odometer,ref\n2027-03-02,amina,mb1,45100,J-1\n"
                 "2027-03-02,amina,mb1,45600,J-2\n2027-03-02,amina,mb1,46100,J-3\n")
    result = gs("import", "feux-aube", str(file), "--lang", "en")
    assert result.exit_code == 0, result.stderr
    assert total_kg(gs) == pytest.approx((46100 - 45010) * 0.324626, abs=0.001)  # van_fr_impactco2


def test_choices_may_be_written_in_the_words_the_bot_reads(gs, tmp_path):
    file = write(tmp_path / "agence.csv",
                 "Date;Mode;km;Référence\n03/03/2027;TGV;750;W-1\n04/03/2027;Autocar;120;W-2\n")
    result = gs("import", "feux-aube", str(file), "--member", "marc", "--kind", "travel", "--lang", "en")
    assert result.exit_code == 0, result.stderr
    # 750 passenger-km x 0.00293 (train_tgv_fr) + 120 x 0.03756 (coach_fr)
    assert total_kg(gs) == pytest.approx(750 * 0.00293 + 120 * 0.03756, abs=0.001)
    nights = write(tmp_path / "hotel.csv",
                   "date,member,lodging,zone,nights,ref\n2027-03-05,marc,Milieu,France,12,H-1\n")
    assert gs("import", "feux-aube", str(nights)).exit_code == 0
    assert total_kg(gs) == pytest.approx(750 * 0.00293 + 120 * 0.03756 + 12 * 8.47, abs=0.001)


def test_a_place_may_be_named_as_the_places_table_names_it(gs, db_url, tmp_path):
    file = write(tmp_path / "noms.csv", "date;mode;depart;arrivee;reference\n"
                 "2027-03-01;train_tgv;Paris Gare de Lyon;marseille saint-charles;N-1\n"
                 "2027-03-02;train_tgv;PLY;MSC;N-2\n")
    result = gs("import", "feux-aube", str(file), "--member", "marc", "--lang", "en")
    assert result.exit_code == 0, result.stderr
    engine = make_engine(db_url)
    try:
        with engine.connect() as conn:
            legs = conn.execute(select(reports.c.subject, report_values.c.quantity)
                                .join(report_values, report_values.c.report_id == reports.c.id)
                                .order_by(reports.c.id)).all()
    finally:
        engine.dispose()
    assert legs[0] == legs[1] and legs[0][0] == "train_tgv:PLY:MSC"  # by name and by code: the same leg


def test_a_purchase_the_factor_set_cannot_count_is_refused_with_what_to_give(gs, state, tmp_path):
    file = write(tmp_path / "achats-purchases.csv", "date,member,item,quantity,ref\n"
                 "2027-03-01,marc,paint,12,P-1\n2027-03-01,marc,spend_yachts,1000,P-2\n2027-03-01,marc,Bois,100,P-3\n")
    err = refused(gs, state, str(file), "--lang", "en")
    assert "achats-purchases.csv, row 2, column C (item): « paint » cannot be counted: no source gives its " \
           "emission factor. Give the money spent on it as a budget line." in err
    assert "achats-purchases.csv, row 3, column C (item): « spend_yachts » is not a budget line of the factor " \
           "set. The budget lines: spend_air_transport," in err
    assert "row 4" not in err  # « Bois » is timber, as the bot reads it
