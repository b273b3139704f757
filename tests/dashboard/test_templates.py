"""The import templates served by the dashboard: one per kind and format, to members of the production only."""

from __future__ import annotations

import io

import openpyxl
import pytest

from common.imports import LAYOUTS
from tests.dashboard.conftest import COORDINATOR, OUTSIDER


@pytest.mark.parametrize("kind", [k.value for k in LAYOUTS])
def test_every_kind_has_a_csv_and_a_workbook_template(client_for, kind: str) -> None:  # type: ignore[no-untyped-def]
    client = client_for(COORDINATOR)
    csv_file = client.get(f"/template/feux-aube/{kind}/csv?lang=en")
    assert csv_file.status_code == 200
    assert csv_file.headers["Content-Disposition"] == f'attachment; filename="greenslate-{kind}-en.csv"'
    header, example = csv_file.get_data().decode("utf-8-sig").splitlines()
    assert header == ",".join(LAYOUTS[next(k for k in LAYOUTS if k.value == kind)].headers("en"))
    assert example.startswith("2027-03-01,")
    book = client.get(f"/template/feux-aube/{kind}/xlsx?lang=fr")
    assert book.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(book.data)).active
    assert sheet.title == kind and sheet.max_row == 2


def test_templates_are_for_members_of_the_production_only(client_for) -> None:  # type: ignore[no-untyped-def]
    assert client_for(OUTSIDER).get("/template/feux-aube/meals/csv").status_code == 404
    assert client_for(None).get("/template/feux-aube/meals/csv").status_code in (302, 401, 404)
    assert client_for(COORDINATOR).get("/template/feux-aube/nothing/csv").status_code == 404
    assert client_for(COORDINATOR).get("/template/feux-aube/meals/pdf").status_code == 404
