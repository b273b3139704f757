"""The coordinator's workspace in Chromium, as a coordinator who has never seen a YAML file: create a
production, build its crew and plan, import a calendar, print invites, then move a shooting day
mid-shoot; at 390, 1366 and 1920 px, in French and English, with axe-core on every page."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import pytest

from store.telegram import TelegramStore
from tests.dashboard.conftest import AXE, COORDINATOR, SCREENSHOTS, UPSTREAM_VIOLATIONS, VIEWER, Seeded

pytestmark = pytest.mark.browser

SETUP_PAGES = ["/setup", "/setup/production", "/setup/calendar", "/setup/crew", "/setup/vehicles",
               "/setup/generators", "/setup/meal_types", "/setup/waste_streams", "/setup/assignments",
               "/setup/action_plan", "/setup/import", "/setup/invites", "/setup/accounts", "/setup/new"]


@pytest.fixture(autouse=True)
def _bot_name(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GREENSLATE_TELEGRAM_BOT_USERNAME", "greenslate_test_bot")


def _signed_in(browser: Any, base: str, who: tuple[str, str], width: int, lang: str) -> Any:
    # bypass_csp lets axe-core's injected script in; the policy itself is tested in test_browser.py
    context = browser.new_context(viewport={"width": width, "height": 900}, bypass_csp=True, accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(20_000)
    page.goto(f"{base}/login?lang={lang}")
    page.fill("#email", who[0])
    page.fill("#password", who[1])
    page.click("button[type=submit]")
    page.wait_for_selector("#main h1")
    return page


def _check(page: Any, name: str, found: dict[str, list[str]]) -> None:
    """axe-core finds nothing serious, nothing scrolls sideways, and a screenshot is kept."""
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    found[name] = [f"{v['id']}: {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
                   for v in result["violations"]
                   if v["impact"] in ("serious", "critical") and v["id"] not in UPSTREAM_VIOLATIONS]
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    if overflow > 0:
        found[name].append(f"the page scrolls sideways by {overflow} px")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"setup-{name}.png"), full_page=True)


def _save(page: Any) -> None:
    page.locator("form.setup-form button[type=submit]").click()
    page.wait_for_load_state("load")


def _ics(path: Path, start: dt.date, end: dt.date, moved_from: dt.date, moved_to: dt.date) -> Path:
    from icalendar import Calendar, Event  # the calendar import's library, when the test runs

    cal = Calendar()
    cal.add("prodid", "-//production office//EN")
    cal.add("version", "2.0")
    for i, (summary, first, after) in enumerate([
        ("Tournage bloc 1", start, end + dt.timedelta(days=1)),
        ("Relâche", moved_from, moved_from + dt.timedelta(days=1)),
        ("Tournage rattrapage", moved_to, moved_to + dt.timedelta(days=1)),
    ]):
        event = Event()
        event.add("uid", f"{i}@office")
        event.add("summary", summary)
        event.add("dtstart", first)
        event.add("dtend", after)
        cal.add_component(event)
    path.write_bytes(cal.to_ical())
    return path


def _typed(day: dt.date, lang: str) -> str:
    """A date as a coordinator types it on a page in ``lang`` (the format the page's hint gives)."""
    return day.strftime("%d/%m/%Y") if lang == "fr" else day.isoformat()


WALKS = [("fr", 390), ("en", 1366), ("fr", 1920)]
WORDS = {
    "fr": {"new": "Créer une production", "created": "La production est créée", "saved": "Enregistré",
           "crew": "Équipe", "problems": "Le changement n'est pas enregistré", "added": "Nouveaux jours de tournage",
           "import": "Importer le calendrier de tournage", "preview": "Voir ce qui changerait",
           "invites": "Invitations de l'équipe", "make": "Faire la feuille de service",
           "same_target": "L'objectif est égal au point de départ"},
    "en": {"new": "Create a production", "created": "The production is created", "saved": "Saved",
           "crew": "Crew", "problems": "The change was not saved", "added": "New shooting days",
           "import": "Import the shooting calendar", "preview": "Show what would change",
           "invites": "Crew invites and call sheet", "make": "Make the call sheet",
           "same_target": "the target equals the baseline"},
}


@pytest.mark.parametrize(("lang", "width"), WALKS)
def test_a_coordinator_sets_up_and_runs_a_shoot(
    live: tuple[Seeded, str], browser: Any, tmp_path: Path, lang: str, width: int
) -> None:
    seeded, base = live
    words = WORDS[lang]
    pid = f"tournage-{lang}-{width}"
    found: dict[str, list[str]] = {}
    page = _signed_in(browser, base, COORDINATOR, width, lang)
    tag = f"{lang}-{width}"

    # create the production
    page.goto(f"{base}/setup?production=feux-aube&lang={lang}")
    page.get_by_role("link", name=words["new"]).click()
    page.wait_for_selector("#new-0-id")
    _check(page, f"new-{tag}", found)
    page.fill("#new-0-id", pid)
    page.fill("#new-0-title", f"Tournage {lang} {width}")
    page.fill("#new-0-start", _typed(dt.date(2027, 5, 3), lang))
    page.fill("#new-0-end", _typed(dt.date(2027, 5, 28), lang))
    _save(page)
    assert words["created"] in page.inner_text("#main")
    _check(page, f"index-{tag}", found)

    # the crew, one line at a time
    page.get_by_role("link", name=words["crew"], exact=True).click()
    for i, (mid, name, role) in enumerate([("ines", "Inès Laroche", "driver"), ("tom", "Tom Girard", "caterer")]):
        page.fill(f"#crew-{i}-id", mid)
        page.fill(f"#crew-{i}-name", name)
        page.select_option(f"#crew-{i}-role", role)
        page.select_option(f"#crew-{i}-channel", "telegram")
        _save(page)
        assert words["saved"] in page.inner_text("#main")
    _check(page, f"crew-{tag}", found)

    # a vehicle, meals, who reports what
    page.goto(f"{base}/setup/vehicles?production={pid}&lang={lang}")
    page.fill("#vehicles-0-id", "v1")
    page.fill("#vehicles-0-label", "Minibus 1")
    page.select_option("#vehicles-0-factor", "van_fr_impactco2")
    _save(page)
    page.goto(f"{base}/setup/meal_types?production={pid}&lang={lang}")
    page.fill("#meal_types-0-name", "vegetarian")
    page.select_option("#meal_types-0-factor", "meal_vegetarian_fr")
    _save(page)
    page.goto(f"{base}/setup/assignments?production={pid}&lang={lang}")
    for i, (who, report) in enumerate([("ines", "mileage"), ("tom", "meals")]):
        page.select_option(f"#assignments-{i}-who", who)
        page.select_option(f"#assignments-{i}-report", report)
        if report == "mileage":
            page.select_option(f"#assignments-{i}-vehicle", "v1")
        page.select_option(f"#assignments-{i}-frequency", "daily")  # a feature film's default is weekly
        page.fill(f"#assignments-{i}-at", "19:30")
        _save(page)
        assert words["saved"] in page.inner_text("#main"), page.locator(".field-error, .message").all_inner_texts()
    _check(page, f"assignments-{tag}", found)

    # the plan: the loader's message beside the field first, then saved
    page.goto(f"{base}/setup/action_plan?production={pid}&lang={lang}")
    for field, value in (("id", "A1"), ("objective", "Share the minibus"), ("means", "One run a day"),
                         ("baseline", "5000"), ("target", "5000")):
        page.fill(f"#action_plan-0-{field}", value)
    page.select_option("#action_plan-0-theme", "transport")
    page.select_option("#action_plan-0-owner", "ines")
    page.select_option("#action_plan-0-indicator", "vehicle_km")
    _save(page)
    assert words["problems"] in page.inner_text("#main")
    assert page.get_attribute("#action_plan-0-target", "aria-invalid") == "true"
    assert words["same_target"] in page.inner_text("#action_plan-0-target-error")
    assert page.get_attribute("#action_plan-0-target-error", "lang") is None  # the page's own language
    _check(page, f"plan-error-{tag}", found)
    page.fill("#action_plan-0-target", "4000")
    _save(page)
    assert words["saved"] in page.inner_text("#main")

    # import the calendar: a preview, then saved
    page.goto(f"{base}/setup?production={pid}&lang={lang}")
    page.get_by_role("link", name=words["import"]).click()
    page.set_input_files("#calendar-file", str(_ics(tmp_path / "planning.ics", dt.date(2027, 5, 3),
                                                     dt.date(2027, 5, 28), dt.date(2027, 5, 13),
                                                     dt.date(2027, 5, 15))))
    page.get_by_role("button", name=words["preview"]).click()
    page.wait_for_selector("ul.changes")
    changes = page.inner_text("ul.changes")
    assert words["added"] in changes and _typed(dt.date(2027, 5, 15), lang) in changes
    _check(page, f"import-preview-{tag}", found)
    _save(page)
    assert words["saved"] in page.inner_text("#main")
    with seeded.uow() as uow:
        cal = uow.productions.get(pid).calendar
    assert cal.is_shooting_day(dt.date(2027, 5, 15)) and not cal.is_shooting_day(dt.date(2027, 5, 13))

    # print the invites
    page.goto(f"{base}/setup?production={pid}&lang={lang}")
    page.get_by_role("link", name=words["invites"]).click()
    _check(page, f"invites-{tag}", found)
    page.get_by_role("button", name=words["make"]).click()
    page.wait_for_selector(".callsheet")
    assert page.locator(".invite-card img").count() == 2
    links = re.findall(r"start=([\w-]+)", page.inner_text(".callsheet"))
    store = TelegramStore(seeded.engine)
    assert sorted(store.invite(t).member_id for t in links) == ["ines", "tom"]  # type: ignore[union-attr]
    _check(page, f"callsheet-{tag}", found)

    # mid-shoot, Thursday 20 May moves to Saturday 22 May
    page.goto(f"{base}/setup/calendar?production={pid}&lang={lang}")
    days_off = page.input_value("#calendar-0-days_off")
    page.fill("#calendar-0-days_off", f"{days_off}, {_typed(dt.date(2027, 5, 20), lang)}")
    page.fill("#calendar-0-extra_days", page.input_value("#calendar-0-extra_days") + ", 2027-05-22")  # ISO too
    _save(page)
    assert words["saved"] in page.inner_text("#main")
    _check(page, f"calendar-{tag}", found)
    with seeded.uow() as uow:
        cal = uow.productions.get(pid).calendar
    assert cal.is_shooting_day(dt.date(2027, 5, 22)) and not cal.is_shooting_day(dt.date(2027, 5, 20))

    # and the file of it all loads back as the same production
    with page.expect_download() as info:
        page.goto(f"{base}/setup?production={pid}&lang={lang}")
        page.locator(f"a[href='/production-file/{pid}']").click()
    from common.production_file import load_production_file

    with seeded.uow() as uow:
        assert load_production_file(info.value.path()) == uow.productions.get(pid)
    assert found == {name: [] for name in found}
    page.context.close()


@pytest.mark.parametrize("width", [390, 1366, 1920])
@pytest.mark.parametrize("lang", ["fr", "en"])
def test_every_setup_page_passes_axe_at_every_width(
    live: tuple[Seeded, str], browser: Any, lang: str, width: int
) -> None:
    _seeded, base = live
    found: dict[str, list[str]] = {}
    for who, name in ((COORDINATOR, "coordinator"), (VIEWER, "viewer")):
        page = _signed_in(browser, base, who, width, lang)
        for path in SETUP_PAGES:
            page.goto(f"{base}{path}?production=feux-aube&lang={lang}")
            page.wait_for_selector("#main h1")
            assert page.get_attribute("html", "lang") == lang
            _check(page, f"{name}{path.replace('/', '-')}-{lang}-{width}", found)
        page.context.close()
    page = browser.new_context(viewport={"width": width, "height": 900}, bypass_csp=True).new_page()
    page.goto(f"{base}/join/not-a-token?lang={lang}")
    _check(page, f"join-{lang}-{width}", found)
    page.context.close()
    assert found == {name: [] for name in found}


FIRST = {"fr": {"welcome": "Bienvenue. Votre compte n’a pas encore de production.",
                "bad_date": "Ce n’est pas une date : 31/02/2027.",
                "none": "Votre compte n’ouvre encore aucune production."},
         "en": {"welcome": "Welcome. Your account has no production yet.",
                "bad_date": "This is not a date: 2027-02-31.",
                "none": "Your account does not open any production yet."}}


@pytest.mark.parametrize(("lang", "width"), [("fr", 390), ("en", 1366)])
def test_a_fresh_account_signs_in_and_creates_its_first_production(
    live: tuple[Seeded, str], browser: Any, lang: str, width: int
) -> None:
    from store.users import add_user, membership, revoke_membership, verify

    seeded, base = live
    words, first = WORDS[lang], FIRST[lang]
    email, password = f"premiere-{lang}@example.org", "first-account-pass-1"
    add_user(seeded.engine, email, password, None, "coordinator", language=lang)  # `user add --role coordinator`
    found: dict[str, list[str]] = {}
    tag = f"{lang}-{width}"
    page = _signed_in(browser, base, (email, password), width, lang)
    assert page.url.endswith("/setup/new")  # no empty dashboard: straight to creating the production
    assert page.inner_text("#main h1") == words["new"] and first["welcome"] in page.inner_text("#main")
    _check(page, f"first-new-{tag}", found)
    pid = f"premiere-{lang}"
    page.fill("#new-0-id", pid)
    page.fill("#new-0-title", f"Premier tournage {lang}")
    page.fill("#new-0-start", "31/02/2027" if lang == "fr" else "2027-02-31")
    page.fill("#new-0-end", _typed(dt.date(2027, 6, 30), lang))
    _save(page)
    assert page.get_attribute("#new-0-start", "aria-invalid") == "true"
    assert first["bad_date"] in page.inner_text("#new-0-start-error")
    _check(page, f"first-date-error-{tag}", found)
    page.fill("#new-0-start", _typed(dt.date(2027, 6, 1), lang))
    _save(page)
    assert words["created"] in page.inner_text("#main")
    _check(page, f"first-index-{tag}", found)
    user = verify(seeded.engine, email, password)
    assert user is not None and membership(seeded.engine, user.id, pid).can_edit  # type: ignore[union-attr]
    page.goto(f"{base}/?lang={lang}")
    page.wait_for_selector("#main h1")
    assert "/setup" not in page.url  # the dashboard of the new production
    page.context.close()

    # an account that sees nothing and may create nothing is told why, in its language
    stranger = f"personne-{lang}@example.org"
    add_user(seeded.engine, stranger, password, "feux-aube", "viewer", language=lang)
    revoke_membership(seeded.engine, stranger, "feux-aube")
    page = _signed_in(browser, base, (stranger, password), width, lang)
    assert page.url.endswith("/setup/new") and first["none"] in page.inner_text("#main")
    assert page.locator("#new-0-id").count() == 0
    _check(page, f"first-refused-{tag}", found)
    page.context.close()
    assert found == {name: [] for name in found}
