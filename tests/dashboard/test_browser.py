"""The dashboard in Debian's headless Chromium, driven by Playwright, checked by axe-core.

Needs ``/usr/bin/chromium`` and axe-core installed next to this file
(``npm ci --prefix tests/dashboard``). Screenshots of every page go to
``test-artifacts/screenshots/``.
"""

from __future__ import annotations

import csv
import io
import json
import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from base import vocabulary
from common.presenters import tonnes
from domain.usecases import get_balance
from tests.dashboard.conftest import AXE, COORDINATOR, OUTSIDER, SCREENSHOTS, UPSTREAM_VIOLATIONS, VIEWER, Seeded

pytestmark = pytest.mark.browser

PAGES = {"overview": "/", "plan": "/plan", "reporting": "/reporting", "practices": "/practices",
         "data": "/data", "exports": "/exports"}


def signed_in(browser: Any, base: str, who: tuple[str, str], **context: Any) -> Any:
    page = browser.new_context(accept_downloads=True, viewport={"width": 1280, "height": 900}, **context).new_page()
    page.set_default_timeout(20_000)
    page.goto(base + "/")
    page.get_by_label(re.compile("e-mail|Email", re.I)).fill(who[0])
    page.get_by_label(re.compile("Mot de passe|Password")).fill(who[1])
    page.get_by_role("button", name=re.compile("Se connecter|Sign in")).click()
    page.wait_for_selector("#main h1")
    return page


def open_page(page: Any, base: str, path: str, production: str = "feux-aube") -> None:
    page.goto(f"{base}{path}?production={production}")
    page.wait_for_selector("#main h1")
    page.wait_for_load_state("networkidle")


def french_number(text: str) -> Decimal:
    """The leading number of ``text`` as written in French: ``11 464,304 t CO2e`` -> 11464.304."""
    match = re.match(r"\s*(-?\d[\d\u202f\xa0 ]*(?:,\d+)?)", text)
    assert match, text
    return Decimal(re.sub(r"[\u202f\xa0 ]", "", match.group(1)).replace(",", "."))


def test_overview_figures_equal_the_balance(live: tuple[Seeded, str], browser: Any) -> None:
    seeded, base = live
    page = signed_in(browser, base, COORDINATOR)
    open_page(page, base, "/")
    assert page.get_attribute("html", "lang") == "fr"
    bal = get_balance(seeded.uow(), seeded.app.factor_set_version, "feux-aube")
    assert french_number(page.inner_text("#kpi-total")) == tonnes(bal.total_kgco2e)
    assert french_number(page.inner_text("#kpi-projected")) == tonnes(bal.projected_total_kgco2e)
    assert french_number(page.inner_text("#kpi-per-day")) == tonnes(bal.per_shooting_day_kgco2e)
    assert french_number(page.inner_text("#kpi-forecast")) == tonnes(bal.forecast_kgco2e)
    table = page.locator("#chart-categories-table tbody tr")
    assert table.count() == len(bal.categories) == 7
    for i, figure in enumerate(bal.categories):
        measured = table.nth(i).locator("td").nth(1).inner_text()
        assert french_number(measured) == tonnes(figure.kgco2e)
    # every chart has a text summary and its data as a table
    for chart in ("chart-categories", "chart-days"):
        assert page.locator(f"#{chart}-summary").inner_text().strip()
        assert page.locator(f"#{chart}-table tbody tr").count() > 0
    assert "16" in page.inner_text(".context")  # the French reference, as context
    page.context.close()


def test_overview_reads_the_coverage_of_the_demos_balance(live: tuple[Seeded, str], browser: Any) -> None:
    """The coverage block in words: which categories have figures, which only a forecast, the share measured;
    and the category table says each category's coverage beside its colour."""
    seeded, base = live
    page = signed_in(browser, base, COORDINATOR)
    open_page(page, base, "/")
    coverage = get_balance(seeded.uow(), seeded.app.factor_set_version, "feux-aube").coverage
    assert page.inner_text("#coverage h2") == "Ce que couvre le bilan"
    lines = [li.strip() for li in page.locator("#coverage-lines li").all_inner_texts()]
    names = {"transport": "Transport", "energy": "Énergie", "catering": "Restauration", "waste": "Déchets",
             "accommodation": "Hébergement", "purchases": "Achats", "post_production": "Post-production"}
    assert coverage.measured  # the demo has figures
    assert lines[0] == "Postes avec des chiffres mesurés : " + ", ".join(names[c] for c in coverage.measured) + "."
    if coverage.forecast_only:
        assert ", ".join(names[c] for c in coverage.forecast_only) in lines[1]
    share = coverage.measured_share_of_forecast
    assert share is not None
    assert lines[-1] == f"Les postes mesurés représentent {round(share * 100)} % de la prévision."
    rows = page.locator("#chart-categories-table tbody tr")
    statuses = {rows.nth(i).locator("td").nth(0).inner_text(): rows.nth(i).locator("td").nth(4).inner_text()
                for i in range(rows.count())}
    assert all(statuses[names[c]] == "Mesuré" for c in coverage.measured)
    assert all(statuses[names[c]] == "Ni chiffre ni prévision" for c in coverage.missing)
    page.context.close()


def test_switch_production_and_change_an_action_status(live: tuple[Seeded, str], browser: Any) -> None:
    seeded, base = live
    page = signed_in(browser, base, COORDINATOR)
    open_page(page, base, "/plan")
    page.get_by_role("link", name="Court de nuit").click()
    page.wait_for_selector("#main h1:has-text('Court de nuit')")
    assert "production=court-nuit" in page.url
    assert page.locator("#plan-save").count() == 0  # only a viewer there
    page.get_by_role("link", name="Les Feux de l'Aube").click()
    page.wait_for_selector("#main h1:has-text('Feux')")
    page.get_by_label(re.compile("^A3 ·")).check()
    page.get_by_label("Réalisée").check()
    page.get_by_label("Reproductible").check()
    page.get_by_label("Note (facultative)").fill("Navettes partagées tenues")
    page.get_by_role("button", name="Enregistrer le statut").click()
    page.wait_for_selector("#plan-message .message.success")
    assert "A3" in page.inner_text("#plan-message")
    assert "Reproductible" in page.inner_text("#plan-outcomes")
    with seeded.uow() as uow:
        action = uow.productions.get("feux-aube").action("A3")
    assert action.status.value == "done" and action.outcome is not None and action.outcome.value == "reproducible"
    page.reload()
    page.wait_for_selector("#plan-table")
    row = page.locator("#plan-table tbody tr", has_text="A3")
    assert "Réalisée" in row.inner_text()
    page.context.close()


def test_keyboard_reaches_and_operates_everything(live: tuple[Seeded, str], browser: Any) -> None:
    _seeded, base = live
    page = signed_in(browser, base, COORDINATOR)
    open_page(page, base, "/plan")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip-link"
    page.keyboard.press("Enter")
    assert page.evaluate("location.hash") == "#main"
    reached = set()
    for _ in range(60):
        page.keyboard.press("Tab")
        reached.add(page.evaluate("document.activeElement.id || document.activeElement.textContent.trim()"))
    assert "plan-save" in reached and "plan-note" in reached
    page.focus("#plan-action input[value='A4']")
    page.keyboard.press("Space")
    page.focus("#plan-status input[value='in_progress']")
    page.keyboard.press("Space")
    page.focus("#plan-save")
    page.keyboard.press("Enter")
    page.wait_for_selector("#plan-message .message.success")
    assert "A4" in page.inner_text("#plan-message")
    page.context.close()


def test_exports_download_and_read_back(live: tuple[Seeded, str], browser: Any) -> None:
    seeded, base = live
    bal = get_balance(seeded.uow(), seeded.app.factor_set_version, "feux-aube")
    page = signed_in(browser, base, COORDINATOR)
    open_page(page, base, "/exports")
    files = {}
    for fmt in ("xlsx", "csv", "json"):
        with page.expect_download() as info:
            page.click(f"#download-{fmt}")
        files[fmt] = Path(info.value.path()).read_bytes()
        assert info.value.suggested_filename.endswith(f".{fmt}")
    # the CSV in the French convention: a byte order mark, ";" and a decimal comma
    assert files["csv"].startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(files["csv"].decode("utf-8-sig")), delimiter=";"))
    data = json.loads(files["json"])
    wb = openpyxl.load_workbook(io.BytesIO(files["xlsx"]))
    for figure in bal.categories:
        section = figure.category.value
        in_csv = [Decimal(r["kg CO2e"].replace(",", ".")) for r in rows
                  if r["Catégorie"] == vocabulary.category(section, "fr")]
        assert sum(in_csv) == figure.kgco2e
        assert sum(Decimal(r["kgco2e"]) for r in data["sections"][section]) == figure.kgco2e
    summary = {r[0]: r for r in wb.worksheets[0].iter_rows(values_only=True) if r and r[0]}
    assert Decimal(str(summary["Total"][2])) == tonnes(bal.total_kgco2e)
    page.context.close()


def test_another_productions_data_cannot_be_reached(live: tuple[Seeded, str], browser: Any) -> None:
    _seeded, base = live
    page = signed_in(browser, base, OUTSIDER)
    for path in PAGES.values():
        open_page(page, base, path, production="feux-aube")
        text = page.inner_text("body")
        assert "Page introuvable" in text and "Feux de l" not in text and "Amina" not in text
    for fmt in ("xlsx", "csv", "json"):
        response = page.request.get(f"{base}/download/feux-aube/{fmt}")
        assert response.status == 404 and b"Feux" not in response.body()
    assert page.locator("a", has_text="Les Feux de l'Aube").count() == 0
    page.context.close()


def test_viewer_sees_no_status_form(live: tuple[Seeded, str], browser: Any) -> None:
    _seeded, base = live
    page = signed_in(browser, base, VIEWER)
    open_page(page, base, "/plan")
    assert page.get_attribute("html", "lang") == "en"
    assert page.locator("#plan-save").count() == 0
    assert "read only" in page.inner_text("#main")
    page.context.close()


def _axe(page: Any) -> list[dict[str, Any]]:
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [v for v in result["violations"] if v["impact"] in ("serious", "critical")]


#: A phone on set, a laptop, a desk screen.
WIDTHS = (390, 1366, 1920)


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("lang", ["fr", "en"])
def test_axe_finds_no_serious_violation_on_any_page(
    live: tuple[Seeded, str], browser: Any, lang: str, width: int
) -> None:
    _seeded, base = live
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    # axe-core is injected as an inline script, which the dashboard's Content-Security-Policy
    # rightly blocks: this context lets the test's own script in (the policy has its own test).
    page = browser.new_context(viewport={"width": width, "height": 900}, bypass_csp=True).new_page()
    page.set_default_timeout(20_000)
    page.goto(f"{base}/login?lang={lang}")
    assert page.get_attribute("html", "lang") == lang
    found = {"login": _axe(page)}
    page.screenshot(path=str(SCREENSHOTS / f"login-{lang}-{width}.png"), full_page=True)
    page.fill("#email", COORDINATOR[0])
    page.fill("#password", COORDINATOR[1])
    page.click("button[type=submit]")
    page.wait_for_selector("#main h1")
    for name, path in PAGES.items():
        page.goto(f"{base}{path}?production=feux-aube&lang={lang}")
        page.wait_for_selector("#main h1")
        page.wait_for_load_state("networkidle")
        assert page.get_attribute("html", "lang") == lang
        found[name] = _axe(page)
        page.screenshot(path=str(SCREENSHOTS / f"{name}-{lang}-{width}.png"), full_page=True)
        check_layout(page, name, width)
    page.goto(f"{base}/no-such-page?lang={lang}")
    page.wait_for_selector("#main h1")
    found["notfound"] = _axe(page)
    unexpected = {
        name: [f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
               for v in violations if v["id"] not in UPSTREAM_VIOLATIONS]
        for name, violations in found.items()
    }
    assert unexpected == {name: [] for name in found}
    page.context.close()


def _right_edge(page: Any, selector: str) -> float:
    return float(page.evaluate(f"document.querySelector({selector!r}).getBoundingClientRect().right"))


def check_layout(page: Any, name: str, width: int) -> None:
    """The page keeps to the screen; wide tables scroll in their own frame; what matters is in view."""
    scroll, client = page.evaluate("[document.documentElement.scrollWidth, document.documentElement.clientWidth]")
    assert scroll <= client, f"{name} at {width} px: the page scrolls sideways ({scroll} > {client})"
    if width < 640:  # a phone: each table row is a card, nothing to scroll sideways, even in a table
        wide = page.evaluate(
            "Array.from(document.querySelectorAll('.table-wrap')).filter(w => w.scrollWidth > w.clientWidth + 1)"
            ".map(w => w.getAttribute('aria-label'))"
        )
        assert wide == [], f"{name} at {width} px: tables wider than the screen: {wide}"
    if width >= 1366 and name == "plan":
        # progress, gap, status and outcome are in view without scrolling the table
        for column in (3, 4, 5, 6):
            right = _right_edge(page, f"#plan-table thead th:nth-child({column})")
            assert right <= width, f"plan column {column} ends at {right} px, beyond {width}"
        assert page.inner_text("#plan-table thead th:nth-child(4)") in ("Écart à la cible", "Gap to target")
    if width >= 1366 and name == "data":
        # the last column ends inside the table's frame: not cut off
        assert _right_edge(page, "#data-table thead th:last-child") <= _right_edge(page, "#data-table") + 1
        assert _right_edge(page, "#data-table") <= _right_edge(page, "#main") + 1
    if width == 1920:
        main = float(page.evaluate("document.querySelector('#main').getBoundingClientRect().width"))
        assert main > 1600, f"{name}: the content uses {main} px of a 1920 px screen"


def test_pages_render_and_callbacks_run_under_the_content_security_policy(
    live: tuple[Seeded, str], browser: Any
) -> None:
    _seeded, base = live
    page = signed_in(browser, base, VIEWER)
    violations: list[str] = []
    page.on("console", lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None)
    page.add_init_script(
        "document.addEventListener('securitypolicyviolation', e =>"
        " (window.__csp = window.__csp || []).push(e.violatedDirective + ' ' + e.sourceFile + ':' + e.lineNumber));"
    )
    policies = []
    page.on("response", lambda r: policies.append(r.headers.get("content-security-policy")) if r.url.startswith(
        base) and r.request.resource_type == "document" else None)
    for path in PAGES.values():
        open_page(page, base, path)
        assert page.locator("#main h1").inner_text(), path
        violations.extend(page.evaluate("window.__csp || []"))
    open_page(page, base, "/data")
    page.locator("#data-kind input[value='meals']").check()
    page.get_by_role("button", name=re.compile("Apply|Appliquer")).click()
    page.wait_for_selector("#data-count:has-text('21')")
    open_page(page, base, "/")
    assert page.locator(".js-plotly-plot .main-svg").count() > 0, "Plotly drew its charts"
    violations.extend(page.evaluate("window.__csp || []"))
    assert policies and all(policies), "every page came with its policy"
    assert violations == [], "\n".join(violations)
    page.context.close()


def test_import_templates_download_from_the_exports_page(live: tuple[Seeded, str], browser: Any) -> None:
    from common.imports import LAYOUTS
    from domain.model import ReportKind

    _seeded, base = live
    page = signed_in(browser, base, COORDINATOR)
    open_page(page, base, "/exports")
    assert page.locator("a.template-link").count() == 2 * len(LAYOUTS)
    lang = page.get_attribute("#template-meals-csv", "href").rsplit("lang=", 1)[1]  # the page's language
    with page.expect_download() as info:
        page.click("#template-meals-csv")
    assert info.value.suggested_filename == f"greenslate-meals-{lang}.csv"
    header, example = Path(info.value.path()).read_bytes().decode("utf-8-sig").splitlines()
    delimiter = ";" if lang == "fr" else ","
    assert header.split(delimiter) == LAYOUTS[ReportKind.MEALS].headers(lang)
    assert example.split(delimiter)[:4] == ["2027-03-01", "paul", "vegetarian", "30"]
    with page.expect_download() as info:
        page.click("#template-mileage-xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(Path(info.value.path()).read_bytes())).active
    assert [c.value for c in sheet[1]] == LAYOUTS[ReportKind.MILEAGE].headers(lang)
    page.context.close()
