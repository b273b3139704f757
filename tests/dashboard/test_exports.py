"""Exports read back: XLSX (openpyxl), CSV and JSON add up to the balance, figure for figure."""

from __future__ import annotations

import csv
import io
import json
from decimal import Decimal

import openpyxl
import pytest
from click.testing import CliRunner

from base import vocabulary
from common import export_rows, exports, localised_exports
from common.presenters import kg
from domain.model import Category
from domain.usecases import get_balance
from greenslate.cli import main
from tests.dashboard.conftest import Seeded

SECTION_SHEETS_FR = {"transport": "Transport", "energy": "Énergie", "catering": "Repas",
                     "waste": "Déchets", "accommodation": "Hébergement", "purchases": "Achats",
                     "post_production": "Post-production"}


def _balance(seeded: Seeded):  # type: ignore[no-untyped-def]
    return get_balance(seeded.uow(), seeded.app.factor_set_version, seeded.production.id)


def test_xlsx_sheets_add_up_to_the_balance(seeded: Seeded) -> None:
    export = exports.build_export(seeded.engine, seeded.production, seeded.app.catalogue.factors)
    wb = openpyxl.load_workbook(io.BytesIO(exports.render(export, "xlsx", "fr")))
    assert wb.sheetnames == ["Synthèse", "Carbon'Clap", *SECTION_SHEETS_FR.values(), "Facteurs"]
    bal = _balance(seeded)
    for section, sheet in SECTION_SHEETS_FR.items():
        rows = list(wb[sheet].iter_rows(values_only=True))
        header = rows[0]
        kg_col = header.index("kg CO2e")
        version_col = header.index("Version du jeu de facteurs")
        source_col = header.index("Source du facteur")
        total = sum(Decimal(str(r[kg_col])) for r in rows[1:])
        figure = next(c for c in bal.categories if c.category is Category(section))
        assert abs(total - figure.kgco2e) < Decimal("0.001"), section
        assert all(r[version_col] == "2026.2" and r[source_col] for r in rows[1:])
    transport = list(wb["Transport"].iter_rows(values_only=True))
    by_vehicle = {r[0]: r for r in transport[1:]}
    with seeded.uow() as uow:
        mb1_km = sum((ln.quantity for ln in uow.lines.for_production("feux-aube") if ln.subject == "mb1"), Decimal(0))
    assert mb1_km > 0
    assert by_vehicle["mb1"][2:6] == ("minibus", "diesel", mb1_km, "km")
    summary = {r[0]: r for r in wb["Synthèse"].iter_rows(values_only=True) if r and r[0]}
    assert Decimal(str(summary["Total"][1])) == kg(bal.total_kgco2e)
    factors = list(wb["Facteurs"].iter_rows(values_only=True))
    assert {r[0] for r in factors[1:]} == {t.factor_key for t in bal.traces}


def test_csv_and_json_hold_the_same_rows(seeded: Seeded) -> None:
    export = exports.build_export(seeded.engine, seeded.production, seeded.app.catalogue.factors)
    bal = _balance(seeded)
    rows = list(csv.DictReader(io.StringIO(exports.render(export, "csv").decode("utf-8"))))
    data = json.loads(exports.render(export, "json"))
    for c in bal.categories:
        csv_total = sum(Decimal(r["kgco2e"]) for r in rows if r["section"] == c.category.value)
        json_total = sum(Decimal(r["kgco2e"]) for r in data["sections"][c.category.value])
        assert csv_total == json_total == c.kgco2e
    assert data["total"]["kgco2e"] == float(kg(bal.total_kgco2e))
    meals = {r["item"]: r for r in rows if r["section"] == "catering"}
    assert set(meals) == {"beef", "chicken", "fish", "vegan", "vegetarian"}
    assert all(r["factor_key"] and r["factor_source"] and r["factor_set_version"] for r in rows)
    generators = [r for r in rows if r["section"] == "energy"]
    assert {r["method"] for r in generators} == {"measured", "estimated"}  # refuels and hours-based


@pytest.mark.parametrize("fmt", exports.FORMATS)
def test_export_command_writes_the_same_file(
    seeded: Seeded, fmt: str, tmp_path, monkeypatch: pytest.MonkeyPatch  # type: ignore[no-untyped-def]
) -> None:
    monkeypatch.setenv("GREENSLATE_DATABASE_URL", seeded.app.settings.database_url)
    out = tmp_path / f"export.{fmt}"
    result = CliRunner().invoke(main, ["export", "feux-aube", "--format", fmt, "--out", str(out)])
    assert result.exit_code == 0, result.output
    export = exports.build_export(seeded.engine, seeded.production, seeded.app.catalogue.factors)
    if fmt == "csv":
        assert out.read_bytes() == localised_exports.to_csv(export, "fr")  # the French convention by default
    elif fmt == "json":
        written = json.loads(out.read_text(encoding="utf-8"))
        expected = json.loads(exports.to_json(export))
        written.pop("generated_at"), expected.pop("generated_at")
        assert written == expected
    else:
        wb = openpyxl.load_workbook(out)
        assert [list(r) for r in wb["Transport"].iter_rows(values_only=True)] == [
            list(r) for r in openpyxl.load_workbook(io.BytesIO(exports.to_xlsx(export)))["Transport"].iter_rows(
                values_only=True)
        ]


def test_export_of_an_unknown_production_fails_cleanly(seeded: Seeded, tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("GREENSLATE_DATABASE_URL", seeded.app.settings.database_url)
    out = tmp_path / "x.csv"
    result = CliRunner().invoke(main, ["export", "nowhere", "--format", "csv", "--out", str(out)])
    assert result.exit_code == 1 and "nowhere" in result.output and not out.exists()


def test_user_add_command(seeded: Seeded, monkeypatch: pytest.MonkeyPatch) -> None:
    from store.users import membership, verify

    monkeypatch.setenv("GREENSLATE_DATABASE_URL", seeded.app.settings.database_url)
    result = CliRunner().invoke(
        main, ["user", "add", "Nina@example.org", "--production", "court-nuit", "--role", "coordinator",
               "--password-stdin"], input="nina-long-password\n",
    )
    assert result.exit_code == 0, result.output
    assert "nina-long-password" not in result.output
    user = verify(seeded.engine, "nina@example.org", "nina-long-password")
    assert user is not None and membership(seeded.engine, user.id, "court-nuit").can_edit  # type: ignore[union-attr]
    bad = CliRunner().invoke(main, ["user", "add", "x@example.org", "--production", "court-nuit", "--role",
                                    "admin", "--password-stdin"], input="whatever-long\n")
    assert bad.exit_code != 0


FORMULAS = {"title": "=HYPERLINK(\"http://x.example\",\"click\")", "label": "+1+2",
            "kind": "-2+3", "fuel": "@SUM(A1:A9)"}


def test_cells_a_spreadsheet_would_run_as_formulas_stay_text(client_for) -> None:  # type: ignore[no-untyped-def]
    from common.production_file import parse_production
    from domain.usecases import load_production
    from tests.dashboard.conftest import COORDINATOR, example_file

    text = example_file().read_text(encoding="utf-8")
    text = text.replace("title: \"Les Feux de l'Aube\"", f"title: '{FORMULAS['title']}'")
    text = text.replace('label: "Minibus MB-1", kind: minibus, fuel: diesel',
                        f"label: '{FORMULAS['label']}', kind: '{FORMULAS['kind']}', fuel: '{FORMULAS['fuel']}'")
    seeded = client_for.seeded
    load_production(seeded.uow(), parse_production(text))
    client = client_for(COORDINATOR)

    rows = read_csv(client.get("/download/feux-aube/csv").data, "fr")
    mb1 = next(r for r in rows if r["Poste"] == "mb1")
    assert (mb1["Libellé"], mb1["Mode"], mb1["Carburant"]) == ("'+1+2", "'-2+3", "'@SUM(A1:A9)")
    assert all(not v.startswith(export_rows.FORMULA_STARTS) for r in rows for v in r.values() if v)

    wb = openpyxl.load_workbook(io.BytesIO(client.get("/download/feux-aube/xlsx").data))
    cells = [c for ws in wb.worksheets for line in ws.iter_rows() for c in line if c.value is not None]
    assert not [c.coordinate for c in cells if c.data_type == "f"], "no cell is a formula"
    texts = {c.value for c in cells if isinstance(c.value, str)}
    assert {"'" + FORMULAS["title"], "'+1+2", "'-2+3", "'@SUM(A1:A9)"} <= texts


def read_csv(data: bytes, lang: str) -> list[dict[str, str]]:
    """A CSV written for a person: a byte order mark, then ``;`` in French and ``,`` in English."""
    assert data.startswith(b"\xef\xbb\xbf"), "a UTF-8 byte order mark first"
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig")), delimiter=";" if lang == "fr" else ","))


def french_decimal(text: str) -> Decimal:
    assert "." not in text and " " not in text, text
    return Decimal(text.replace(",", "."))


def test_french_csv_opens_in_a_french_spreadsheet_and_adds_up(seeded: Seeded) -> None:
    export = exports.build_export(seeded.engine, seeded.production, seeded.app.catalogue.factors)
    data = exports.render(export, "csv", "fr")
    rows = read_csv(data, "fr")
    assert list(rows[0]) == [export_rows.HEADERS["fr"][f] for f in export_rows.FIELDS]
    bal = _balance(seeded)
    names = {c.value: vocabulary.category(c.value, "fr") for c in Category}
    for c in bal.categories:
        total = sum(french_decimal(r["kg CO2e"]) for r in rows if r["Catégorie"] == names[c.category.value])
        assert total == c.kgco2e, c.category
    meals = {r["Poste"]: r for r in rows if r["Catégorie"] == "Restauration"}
    assert set(meals) == {"bœuf", "poulet", "poisson", "végétalien", "végétarien"}
    assert {r["Unité"] for r in meals.values()} == {"repas"}
    assert {r["Unité du facteur"] for r in meals.values()} == {"repas"}
    energy = [r for r in rows if r["Catégorie"] == "Énergie"]
    assert {r["Méthode"] for r in energy} == {"mesuré", "estimé"}
    assert {r["Unité"] for r in energy} == {"litres", "kWh"}  # generators, and the grid meter
    assert {r["Approximation"] for r in rows} <= {"oui", "non"}
    assert any("," in r["Quantité"] for r in rows)  # decimals with a comma


def test_english_csv_uses_commas_and_points(seeded: Seeded) -> None:
    export = exports.build_export(seeded.engine, seeded.production, seeded.app.catalogue.factors)
    rows = read_csv(exports.render(export, "csv", "en"), "en")
    bal = _balance(seeded)
    total = sum(Decimal(r["kg CO2e"]) for r in rows)
    assert total == bal.total_kgco2e
    catering = {r["Item"] for r in rows if r["Category"] == "Catering"}
    assert catering == {"beef", "chicken", "fish", "vegan", "vegetarian"}
    assert {r["Unit"] for r in rows if r["Category"] == "Catering"} == {"meals"}


def test_xlsx_has_widths_number_formats_real_dates_and_french_words(seeded: Seeded) -> None:
    import datetime as dt

    export = exports.build_export(seeded.engine, seeded.production, seeded.app.catalogue.factors)
    wb = openpyxl.load_workbook(io.BytesIO(exports.render(export, "xlsx", "fr")))
    summary = wb["Synthèse"]
    as_of = next(r for r in summary.iter_rows() if r[0].value == "Arrêté au")[1]
    assert isinstance(as_of.value, dt.datetime) and as_of.value.date() == export.balance.as_of
    assert as_of.number_format == "dd/mm/yyyy"
    categories = [r[0].value for r in summary.iter_rows(min_row=9, max_row=15)]
    assert categories == ["Transport", "Énergie", "Restauration", "Déchets", "Hébergement", "Achats",
                          "Post-production"]
    repas = wb["Repas"]
    header = [c.value for c in repas[1]]
    rows = [[c.value for c in r] for r in repas.iter_rows(min_row=2)]
    assert {r[header.index("Poste")] for r in rows} == {"bœuf", "poulet", "poisson", "végétalien", "végétarien"}
    assert {r[header.index("Approximation")] for r in rows} <= {"oui", "non"}
    quantity = repas.cell(2, header.index("Quantité") + 1)
    assert isinstance(quantity.value, int | float) and quantity.number_format == "#,##0"  # meals: whole
    energy = wb["Énergie"]
    eh = [c.value for c in energy[1]]
    litres = next(r for r in range(2, energy.max_row + 1)
                  if str(energy.cell(r, eh.index("Unité") + 1).value).startswith("litre"))
    assert energy.cell(litres, eh.index("Quantité") + 1).number_format == "#,##0.00"  # litres: 2 decimals
    assert energy.cell(litres, eh.index("kg CO2e") + 1).number_format == "#,##0.000"
    for ws in wb.worksheets:  # every column wide enough for its longest text (up to a bound)
        for index, column in enumerate(ws.iter_cols(), start=1):
            longest = max((len(c.value) for c in column if isinstance(c.value, str)), default=0)
            width = ws.column_dimensions[openpyxl.utils.get_column_letter(index)].width
            assert width >= min(localised_exports.MAX_WIDTH, longest), (ws.title, index, width, longest)
    assert wb["Facteurs"].column_dimensions["B"].width > 30  # the descriptions are long
    source = wb["Facteurs"]
    assert [c.value for c in source[1]][:3] == ["Facteur", "Description", "kg CO2e par unité"]


def test_export_command_takes_the_language(seeded: Seeded, tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("GREENSLATE_DATABASE_URL", seeded.app.settings.database_url)
    out = tmp_path / "export.csv"
    result = CliRunner().invoke(main, ["export", "feux-aube", "--format", "csv", "--out", str(out),
                                       "--language", "en"])
    assert result.exit_code == 0, result.output
    rows = read_csv(out.read_bytes(), "en")
    assert "Category" in rows[0] and "kg CO2e" in rows[0]
