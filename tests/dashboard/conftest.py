"""Dashboard fixtures: the example production with four weeks of demo figures, a second
production nobody on the first may see, and accounts for a coordinator and a viewer."""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine
from sqlalchemy.engine import make_url

from common.app import App
from common.production_file import load_production_file
from config.factors import catalogue
from domain.model import Production, Report, ReportKind
from domain.usecases import load_production, record_report
from greenslate.demo import load_demo
from store.engine import make_engine
from store.uow import SqlUnitOfWork
from store.users import add_user

HERE = Path(__file__).parent
EXAMPLE = HERE.parents[1] / "config" / "examples" / "feature-film.yaml"
OTHER = HERE / "other-production.yaml"

COORDINATOR = ("marc@example.org", "coordinator-password-1")
VIEWER = ("vera@example.org", "viewer-password-12")
OUTSIDER = ("otto@example.org", "outsider-password-1")
SECRET = "test-secret-key-for-signing-dashboard-sessions"


def example_file() -> Path:
    return EXAMPLE


@dataclass
class Seeded:
    app: App
    engine: Engine
    production: Production
    other: Production

    def uow(self) -> SqlUnitOfWork:
        return SqlUnitOfWork(self.engine)


def other_reports(production: Production) -> list[Report]:
    reports = []
    for i, day in enumerate(production.calendar.shooting_days()):
        at = dt.datetime.combine(day, dt.time(19, 30), production.zone).astimezone(dt.UTC)
        reports.append(Report(production.id, "ines", ReportKind.MILEAGE, day, {"odometer": Decimal(1100 + 90 * i)},
                              str(1100 + 90 * i), "test", f"court:{day}:km", at, subject="v9"))
        reports.append(Report(production.id, "tom", ReportKind.MEALS, day,
                              {"vegetarian": Decimal(12), "beef": Decimal(20)}, "vegetarian 12 beef 20", "test",
                              f"court:{day}:meals", at))
    return reports


def seed(db_url: str, engine: Engine) -> Seeded:
    """Load both productions, their figures and the accounts into a migrated, empty database."""
    cat = catalogue()
    production = load_production_file(example_file())
    other = load_production_file(OTHER)
    load_demo(lambda: SqlUnitOfWork(engine), cat, production, weeks=4)
    load_production(SqlUnitOfWork(engine), other)
    for r in other_reports(other):
        record_report(SqlUnitOfWork(engine), cat, r)
    add_user(engine, COORDINATOR[0], COORDINATOR[1], production.id, "coordinator")
    add_user(engine, VIEWER[0], VIEWER[1], production.id, "viewer", language="en")
    add_user(engine, COORDINATOR[0], None, other.id, "viewer")
    add_user(engine, OUTSIDER[0], OUTSIDER[1], other.id, "coordinator")
    return opened(db_url, engine)


def opened(db_url: str, engine: Engine) -> Seeded:
    """The seeded database as the tests see it."""
    app = App.from_env(database_url=db_url, dashboard_secret_key=SECRET)
    with SqlUnitOfWork(engine) as uow:
        production = uow.productions.get("feux-aube")
        other = uow.productions.get("court-nuit")
    return Seeded(app, engine, production, other)


@pytest.fixture(scope="session")
def seeded_sqlite_template(_sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file seeded once per session; each test works on its own copy."""
    path = tmp_path_factory.mktemp("seeded") / "seeded.sqlite3"
    shutil.copyfile(_sqlite_template, path)
    url = f"sqlite:///{path}"
    engine = make_engine(url)
    seed(url, engine)
    engine.dispose()  # checkpoints the write-ahead log into the file
    return path


@contextmanager
def served_copy(template: Path, folder: Path) -> Iterator[tuple[Seeded, str]]:
    """A copy of the seeded store in ``folder``, served by the real dashboard server on a free port."""
    from dashboard.server import DashboardServer

    url, engine = seeded_copy(template, folder / "greenslate.sqlite3")
    seeded = opened(url, engine)
    server = DashboardServer(seeded.app, "127.0.0.1", 0).start()
    try:
        yield seeded, server.url
    finally:
        server.stop()
        engine.dispose()


def seeded_copy(template: Path, path: Path) -> tuple[str, Engine]:
    shutil.copyfile(template, path)
    url = f"sqlite:///{path}"
    return url, make_engine(url)


@pytest.fixture
def seeded(db_url: str, request: pytest.FixtureRequest) -> Iterator[Seeded]:
    """Both productions with their figures and accounts: on SQLite (a copy) and on PostgreSQL."""
    if db_url.startswith("sqlite"):
        template = request.getfixturevalue("seeded_sqlite_template")
        url, engine = seeded_copy(template, Path(str(make_url(db_url).database)))
        yield opened(url, engine)
    else:
        engine = make_engine(db_url)
        yield seed(db_url, engine)
    engine.dispose()


@pytest.fixture
def seeded_sqlite(seeded_sqlite_template: Path, tmp_path: Path) -> Iterator[Seeded]:
    url, engine = seeded_copy(seeded_sqlite_template, tmp_path / "greenslate.sqlite3")
    yield opened(url, engine)
    engine.dispose()


@pytest.fixture
def client_for(seeded_sqlite: Seeded) -> Callable[..., object]:
    """A Flask test client of a fresh dashboard, signed in as ``who`` (or anonymous with None)."""
    from dashboard.app import create_app

    dash_app = create_app(seeded_sqlite.app)
    server = dash_app.server

    def make(who: tuple[str, str] | None):  # type: ignore[no-untyped-def]
        client = server.test_client()
        if who is not None:
            login(client, *who)
        return client

    make.seeded = seeded_sqlite  # type: ignore[attr-defined]
    make.dash_app = dash_app  # type: ignore[attr-defined]
    return make


def csrf_of(client) -> str:  # type: ignore[no-untyped-def]
    page = client.get("/login").get_data(as_text=True)
    marker = 'name="csrf" value="'
    start = page.index(marker) + len(marker)
    return page[start : page.index('"', start)]


def login(client, email: str, password: str):  # type: ignore[no-untyped-def]
    token = csrf_of(client)
    return client.post("/login", data={"csrf": token, "email": email, "password": password})


# --- The browser tests' Chromium (Debian's, headless, driven by Playwright) and axe-core -------------

AXE = HERE / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS = HERE.parents[1] / "test-artifacts" / "screenshots"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
    "--disable-background-networking", "--disable-component-update", "--no-first-run",
]
#: axe violations that come from Dash itself and that we accept, with the upstream reference.
#: None today. Two Dash 4 problems are dealt with rather than accepted:
#: - dcc.Dropdown fails aria-hidden-focus (upstream): the pages do not use it;
#: - dcc.RadioItems and dcc.Checklist render role=listbox/option around native inputs (the
#:   OptionsList of https://github.com/plotly/dash/pull/3453), failing aria-input-field-name and
#:   nested-interactive: dashboard/assets/a11y.js removes those roles, and the browser tests check
#:   that the pages really are clean in the browser.
UPSTREAM_VIOLATIONS: dict[str, str] = {}


@pytest.fixture(scope="module")
def live(seeded_sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Seeded, str]]:
    """The seeded dashboard served on a free port, for one module of browser tests."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium package")
    if not AXE.exists():
        pytest.fail(f"{AXE} is missing: run `npm ci --prefix tests/dashboard`")
    with served_copy(seeded_sqlite_template, tmp_path_factory.mktemp("browser")) as served:
        yield served


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()
