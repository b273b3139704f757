"""Core commands: the database, production files, back-office figures and the balance."""

from __future__ import annotations

import csv
import datetime as dt
import json
import sys
import uuid
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import TYPE_CHECKING

import click

from domain.errors import GreenslateError, InvalidReport, NeedsConfirmation, NotANumber
from domain.model import Report, ReportKind
from domain.usecases import get_balance, get_plan, load_production, record_report
from greenslate.app import App
from greenslate.presenters import balance_dict, kg, plan_dict, tonnes

if TYPE_CHECKING:
    from greenslate.production_file import DiscordModel


def register(main: click.Group) -> None:
    main.add_command(db)
    main.add_command(production)
    main.add_command(report)
    main.add_command(balance_command)
    main.add_command(plan_command)


def open_app() -> App:
    """The application for a command, with the store's schema brought up to date if it is ours to do."""
    app = App.from_env()
    ensure_schema(app)
    return app


def ensure_schema(app: App) -> None:
    """The embedded SQLite store migrates itself; a shared PostgreSQL store must be upgraded on purpose."""
    from store.migrate import is_up_to_date, upgrade

    url = app.settings.database_url
    if url.startswith("sqlite"):
        upgrade(url)
    elif not is_up_to_date(url):
        raise GreenslateError("the database schema is not up to date: run `greenslate db upgrade` first")


# -- db -----------------------------------------------------------------------------------------------


@click.group()
def db() -> None:
    """The store: SQLite by default, PostgreSQL with GREENSLATE_DATABASE_URL."""


@db.command("upgrade")
def db_upgrade() -> None:
    """Create or migrate the database schema to the latest version."""
    from store.migrate import current, upgrade

    app = App.from_env()
    upgrade(app.settings.database_url)
    click.echo(f"database at revision {current(app.settings.database_url)}")


@db.command("rebuild-sums")
@click.option("--production", "production_id", default=None, help="Only this production (default: all).")
def db_rebuild_sums(production_id: str | None) -> None:
    """Sum the dashboard's daily and per-subject totals afresh from the emission lines.

    They are kept up to date as figures are stored; this is for after a bulk load that wrote lines
    directly, or to be sure. One transaction: readers see the old sums or the new, never a half.
    """
    from store.repositories import rebuild_emission_sums

    app = open_app()
    if production_id is not None:
        with app.uow() as uow:
            uow.productions.get(production_id)  # an unknown production is one clear line
    with app.engine.begin() as conn:
        counts = rebuild_emission_sums(conn, production_id)
    where = f" for {production_id}" if production_id else ""
    click.echo(f"sums rebuilt from the emission lines{where}: "
               + ", ".join(f"{table} {rows} rows" for table, rows in counts.items()))


# -- production ---------------------------------------------------------------------------------------


@click.group()
def production() -> None:
    """Productions and their files."""


@production.command("load")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
def production_load(file: Path) -> None:
    """Create or update a production from its YAML file. Reports are never touched."""
    from greenslate.production_file import load_production_file_with_discord

    prod, discord = load_production_file_with_discord(file)  # refuses a bad file before the store is opened
    app = open_app()
    created = load_production(app.uow(), prod)
    verb = "created" if created else "updated"
    click.echo(
        f"{verb} production {prod.id} ({prod.title}): {len(prod.crew)} crew members, "
        f"{len(prod.assignments)} assignments, {len(prod.calendar.shooting_days())} shooting days"
    )
    if discord is not None:
        _link_discord(app, prod.id, discord)


def _link_discord(app: App, production_id: str, section: DiscordModel) -> None:
    """A ``discord:`` section in the file links the production to its server, as `discord link` does."""
    from greenslate.cli.discord import guild_link
    from store.discord import save_link

    link = guild_link(production_id, section)
    save_link(app.engine, link, now=dt.datetime.now(dt.UTC))
    click.echo(f"linked to Discord server {link.guild_id} (eco-referent role {link.role_name!r})")


@production.command("list")
def production_list() -> None:
    """List the productions in the store."""
    app = open_app()
    with app.uow() as uow:
        summaries = uow.productions.list()
    if not summaries:
        click.echo("no production yet: load one with `greenslate production load FILE`")
        return
    for s in summaries:
        click.echo(
            f"{s.id}\t{s.title}\t{s.type}\t{s.start} to {s.end}\t{s.crew_count} crew\t{s.report_count} reports"
        )


# -- report -------------------------------------------------------------------------------------------


def _number(text: str, what: str) -> Decimal:
    cleaned = text.replace("\u202f", "").replace("\u00a0", "").replace(" ", "").replace(",", ".")
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        raise NotANumber(f"{what}: {text!r} is not a number (example: 45230 or 12.5)") from None
    if not value.is_finite():
        raise NotANumber(f"{what}: {text!r} is not a number (example: 45230 or 12.5)")
    return value


def _pairs(items: tuple[str, ...], what: str) -> dict[str, Decimal]:
    values: dict[str, Decimal] = {}
    for item in items:
        name, sep, amount = item.partition("=")
        if not sep or not name.strip():
            raise InvalidReport(f"{what}: expected NAME=NUMBER, got {item!r} (example: vegetarian=30)")
        values[name.strip()] = _number(amount, f"{what} {name.strip()}")
    return values


@click.group()
def report() -> None:
    """Figures entered by hand."""


@report.command("add")
@click.argument("production_id")
@click.option("--member", required=True, help="Crew member id the figure comes from.")
@click.option(
    "--kind",
    required=True,
    type=click.Choice([k.value for k in ReportKind]),
    help="What the figure measures.",
)
@click.option(
    "--day", type=click.DateTime(["%Y-%m-%d"]), help="Day of the figure (default: today, local time)."
)
@click.option("--vehicle", help="Vehicle id (mileage).")
@click.option("--generator", help="Generator id (generator_hours, generator_litres).")
@click.option("--odometer", help="Odometer reading (mileage).")
@click.option("--km", help="Distance driven (mileage).")
@click.option("--hours", help="Hours run (generator_hours).")
@click.option("--meter", help="Hour-meter reading (generator_hours).")
@click.option("--litres", help="Litres refuelled (generator_litres).")
@click.option("--meal", "meals", multiple=True, help="TYPE=COUNT, repeatable (meals).")
@click.option("--waste", "waste", multiple=True, help="STREAM=KG, repeatable (waste).")
@click.option("--confirm", is_flag=True, help="Store a figure flagged as unusual.")
@click.option("--ref", help="Reference of the paper sheet or call; the same reference is stored once.")
def report_add(
    production_id: str,
    member: str,
    kind: str,
    day: dt.datetime | None,
    vehicle: str | None,
    generator: str | None,
    odometer: str | None,
    km: str | None,
    hours: str | None,
    meter: str | None,
    litres: str | None,
    meals: tuple[str, ...],
    waste: tuple[str, ...],
    confirm: bool,
    ref: str | None,
) -> None:
    """Add a figure that came by paper or phone, with the same checks as the bots."""
    report_kind = ReportKind(kind)
    values: dict[str, Decimal] = {}
    for name, text in (
        ("odometer", odometer),
        ("km", km),
        ("hours", hours),
        ("meter", meter),
        ("litres", litres),
    ):
        if text is not None:
            values[name] = _number(text, f"--{name}")
    values.update(_pairs(meals, "--meal"))
    values.update(_pairs(waste, "--waste"))
    app = open_app()
    with app.uow() as uow:
        prod = uow.productions.get(production_id)
    when = day.date() if day else dt.datetime.now(prod.zone).date()
    raw = " ".join(sys.argv[1:])
    new = Report(
        production_id=production_id,
        member_id=member,
        kind=report_kind,
        day=when,
        values=values,
        raw_text=raw,
        source="cli",
        source_ref=ref or f"cli:{uuid.uuid4()}",
        received_at=dt.datetime.now(dt.UTC),
        subject=vehicle or generator,
        confirmed=confirm,
    )
    try:
        recorded = record_report(app.uow(), app.catalogue, new)
    except NeedsConfirmation as exc:
        raise GreenslateError(f"{exc}: check it, then add --confirm to store it") from None
    if recorded.duplicate:
        click.echo(
            f"already stored as report {recorded.report.id} (reference {new.source_ref}): nothing added"
        )
        return
    unit = {ln.unit for ln in recorded.lines}
    click.echo(
        f"stored report {recorded.report.id}: {recorded.quantity.normalize():f} {'/'.join(sorted(unit))} "
        f"on {when}, {kg(recorded.kgco2e)} kg CO2e"
    )


# -- balance and plan ---------------------------------------------------------------------------------


@click.command("balance")
@click.argument("production_id")
@click.option(
    "--format", "fmt", type=click.Choice(["table", "json", "csv"]), default="table", show_default=True
)
@click.option(
    "--as-of", type=click.DateTime(["%Y-%m-%d"]), help="Last day counted (default: last day reported)."
)
def balance_command(production_id: str, fmt: str, as_of: dt.datetime | None) -> None:
    """The carbon balance: by category against the forecast, per shooting day, projected final."""
    app = open_app()
    with app.uow() as uow:
        prod = uow.productions.get(production_id)
    bal = get_balance(app.uow(), app.factor_set_version, production_id, as_of.date() if as_of else None)
    data = balance_dict(prod, bal, app.catalogue.factors)
    if fmt == "json":
        click.echo(json.dumps(data, indent=2, ensure_ascii=False))
        return
    if fmt == "csv":
        writer = csv.writer(sys.stdout)
        writer.writerow(["category", "kgco2e", "tco2e", "forecast_tco2e", "factor_set_version"])
        for c in data["categories"]:
            writer.writerow(
                [c["category"], c["kgco2e"], c["tco2e"], c["forecast_tco2e"], bal.factor_set_version]
            )
        writer.writerow(
            [
                "total",
                data["total"]["kgco2e"],
                data["total"]["tco2e"],
                data["total"]["forecast_tco2e"],
                bal.factor_set_version,
            ]
        )
        return
    click.echo(f"{prod.title} ({prod.id})")
    as_of_text = bal.as_of.isoformat() if bal.as_of else "no figures yet"
    click.echo(
        f"As of {as_of_text}: {bal.shooting_days_done} of {bal.shooting_days_total} shooting days done. "
        f"Factor set {bal.factor_set_version}."
    )
    click.echo("")
    click.echo(f"{'category':<12}{'tCO2e':>12}{'forecast':>12}{'of forecast':>14}")
    for c in bal.categories:
        share = "" if c.share_of_forecast is None else f"{c.share_of_forecast * 100:.1f} %"
        forecast = "" if c.forecast_kgco2e is None else f"{tonnes(c.forecast_kgco2e)}"
        click.echo(f"{c.category.value:<12}{tonnes(c.kgco2e)!s:>12}{forecast:>12}{share:>14}")
    total_share = f"{bal.total_kgco2e / bal.forecast_kgco2e * 100:.1f} %" if bal.forecast_kgco2e else ""
    click.echo(
        f"{'total':<12}{tonnes(bal.total_kgco2e)!s:>12}{tonnes(bal.forecast_kgco2e)!s:>12}{total_share:>14}"
    )
    click.echo("")
    if bal.per_shooting_day_kgco2e is not None:
        click.echo(
            f"Per shooting day: {tonnes(bal.per_shooting_day_kgco2e)} tCO2e. "
            f"Projected final: {tonnes(bal.projected_total_kgco2e)} tCO2e."
        )
    if data["factors"]:
        click.echo("Factors used:")
        for f in data["factors"]:
            proxy = " (proxy)" if f["proxy"] else ""
            click.echo(
                f"  {f['key']}: {f['kgco2e_per_unit']} kg CO2e per {f['unit']}{proxy}; "
                f"{f['source']}, {f['year']}"
            )


@click.command("plan")
@click.argument("production_id")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
def plan_command(production_id: str, fmt: str) -> None:
    """The action plan: each action's indicator, progress and status."""
    app = open_app()
    rows = plan_dict(get_plan(app.uow(), production_id))
    if fmt == "json":
        click.echo(json.dumps(rows, indent=2, ensure_ascii=False))
        return
    for r in rows:
        progress = "n/a" if r["progress_pct"] is None else f"{r['progress_pct']} %"
        track = {True: "on track", False: "off track", None: "no data yet"}[r["on_track"]]
        click.echo(f"{r['id']} [{r['status']}] {r['objective']}")
        click.echo(
            f"    {r['indicator']}: baseline {r['baseline']}, current {r['current']}, "
            f"projected {r['projected']}, target {r['target']}; progress {progress}; {track}"
        )
