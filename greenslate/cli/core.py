"""Core commands: the database, production files, back-office figures and the balance."""

from __future__ import annotations

import datetime as dt
import sys
import uuid
from collections.abc import Callable
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from domain.errors import (
    AmbiguousNumber,
    ConflictingReport,
    GreenslateError,
    InvalidReport,
    NeedsConfirmation,
    UnknownMember,
)
from domain.model import Production, Report, ReportKind
from domain.parsing import parse_number
from greenslate.cli import footprint
from greenslate.cli.opening import open_app

# What a command needs is imported when it runs, so that `greenslate --help` answers at once: the
# store (SQLAlchemy, settings) comes with `open_app()`, the message catalogues (Babel), the carbon
# engine's use cases and the presenters inside the functions that use them.
if TYPE_CHECKING:
    from common.app import App
    from common.production_file import DiscordModel
    from domain.usecases import Recorded


def register(main: click.Group) -> None:
    main.add_command(db)
    main.add_command(production)
    main.add_command(report)
    from greenslate.cli.balance import balance_command, plan_command

    main.add_command(balance_command)
    main.add_command(plan_command)


# -- db -----------------------------------------------------------------------------------------------


@click.group()
def db() -> None:
    """The store: SQLite by default, PostgreSQL with GREENSLATE_DATABASE_URL."""


@db.command("upgrade")
def db_upgrade() -> None:
    """Create or migrate the database schema to the latest version."""
    from common.app import App
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
    from store.sums import rebuild_emission_sums

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
@click.option("--lang", type=click.Choice(["en", "fr"]), default="en", show_default=True,
              help="Language of the file's problems, if any.")
def production_load(file: Path, lang: str) -> None:
    """Create or update a production from its YAML file. Reports are never touched."""
    from base.settings import load_settings, telegram_bot_names
    from common.production_file import ProductionFileProblems, load_production_file_with_discord
    from domain.usecases import load_production

    try:
        # refuses a bad file (a bot not configured too) before the store is opened
        prod, discord = load_production_file_with_discord(file, telegram_bots=telegram_bot_names(load_settings()))
        app = open_app()
        _refuse_orphans(app, prod, str(file))
    except ProductionFileProblems as e:
        raise e.in_language(lang) from None
    created = load_production(app.uow(), prod)
    verb = "created" if created else "updated"
    click.echo(
        f"{verb} production {prod.id} ({prod.title}): {len(prod.crew)} crew members, "
        f"{len(prod.assignments)} assignments, {len(prod.calendar.shooting_days())} shooting days"
    )
    if discord is not None:
        _link_discord(app, prod.id, discord)


def _refuse_orphans(app: App, prod: Production, file: str) -> None:
    """The dashboard's rule for the file too: no change may leave a stored figure without what it names."""
    from common.production_file import ProductionFileProblems
    from common.production_setup import orphan_problems
    from store.usage import figures_in_use

    with app.uow() as uow:
        exists = uow.productions.find(prod.id) is not None
    if exists:
        problems = orphan_problems(prod, figures_in_use(app.engine, prod.id))
        if problems:
            raise ProductionFileProblems(file, problems)


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
#
# Figures are read by the bots' parser (``domain.parsing.parse_number``): ``45 230`` and ``12,5`` mean
# the same here as in Telegram, and ``45,230`` is refused as it is there, with the same explanation, in
# the member's language and with an example written their way.

#: The value options of ``report add`` and ``report correct``, with the report item each one gives.
VALUE_OPTIONS = ("odometer", "km", "hours", "meter", "litres")


def _language(app: App, prod: Production, member_id: str | None) -> str:
    """The language of the member the figure comes from (their number convention, as they chose it in
    the bot, else as the production file says), else French."""
    from base.i18n import normalise_language

    try:
        with app.uow() as uow:
            return normalise_language(uow.members.state(prod.id, member_id or "").language)
    except UnknownMember:
        return normalise_language(None)


def _example(prod: Production, option: str, subject: str | None, lang: str) -> str:
    """A valid value for ``option``, written the member's way and on their vehicle's or generator's scale."""
    from base.i18n import typed_number
    from domain.answers import EXAMPLE_HOUR_METER, EXAMPLE_ODOMETER, example_reading

    if option == "odometer":
        start = next((v.odometer_start for v in prod.vehicles if v.id == subject), None)
        return typed_number(example_reading(start, EXAMPLE_ODOMETER, Decimal(120)), lang)
    if option == "meter":
        start = next((g.hour_meter_start for g in prod.generators if g.id == subject), None)
        return typed_number(example_reading(start, EXAMPLE_HOUR_METER, Decimal(6)), lang)
    if option == "meal":
        return f"{next(iter(prod.meal_types), 'vegetarian')}=30"
    if option == "waste":
        return f"{next(iter(prod.waste_streams), 'residual')}={typed_number(Decimal('12.5'), lang)}"
    known = {"km": "120", "hours": typed_number(Decimal("6.5"), lang), "litres": "80"}
    return known.get(option) or footprint.EXAMPLES.get(option, "10")


def _one_line(text: str) -> str:
    return " ".join(text.split("\n"))


def _number(text: str, option: str, prod: Production, subject: str | None, language: Callable[[], str]) -> Decimal:
    """``text`` read as the bots read it; a refusal says why in the bot's words, with an example.

    The member's language (``language()``) and the texts are looked up only for a refusal."""
    try:
        return parse_number(text)
    except InvalidReport as exc:
        refused = exc
    from base.i18n import number, t

    lang = language()
    example = _example(prod, option, subject, lang)
    if isinstance(refused, AmbiguousNumber):
        a, b = refused.params["choices"]
        message = t(lang, "common.error.ambiguous", text=text, a=number(a, lang, 3), b=number(b, lang, 3),
                    example=example)
    else:
        reason = refused.params.get("reason")
        if reason == "negative":
            message = t(lang, "telegram.error.negative", example=example)
        elif reason == "too_long":
            message = t(lang, "telegram.error.too_long", example=example)
        else:
            message = t(lang, "telegram.error.not_a_number", text=text, example=example)
    raise InvalidReport(f"--{option}: {_one_line(message)}")


def _pairs(items: tuple[str, ...], option: str, prod: Production, language: Callable[[], str]) -> dict[str, Decimal]:
    """``TYPE=COUNT`` (meals, whole) or ``STREAM=KG`` (waste), each type once."""

    def refused(key: str, **params: object) -> str:
        from base.i18n import t

        lang = language()
        return _one_line(t(lang, key, **params, example=_example(prod, option, None, lang)))

    values: dict[str, Decimal] = {}
    for item in items:
        name, sep, amount = item.partition("=")
        name = name.strip()
        if not sep or not name:
            example = _example(prod, option, None, language())
            raise InvalidReport(f"--{option}: expected NAME=NUMBER, got {item!r} (example: {example})")
        if name in values:
            raise InvalidReport(f"--{option}: " + refused("telegram.error.twice", item=name))
        value = _number(amount, option, prod, None, language)
        if option == "meal" and value != value.to_integral_value():
            raise InvalidReport(f"--{option} {name}: " + refused("telegram.error.not_whole"))
        values[name] = value
    return values


def _values(app: App, prod: Production, member_id: str | None, subject: str | None,
            given: dict[str, Any], meals: tuple[str, ...], waste: tuple[str, ...]) -> dict[str, Decimal]:
    language = cache(lambda: _language(app, prod, member_id))  # read from the store only for a refusal
    items, quantities = given.pop("items", ()), given.pop("quantities", ())
    values = {name: _number(text, name, prod, subject, language) for name, text in given.items() if text is not None}
    values.update(_pairs(meals, "meal", prod, language))
    values.update(_pairs(waste, "waste", prod, language))
    values.update(footprint.item_values(items, quantities,
                                        lambda text, opt: _number(text, opt, prod, None, language)))
    return values


def _said(report: Report) -> str:
    """What a report says, for a message: ``odometer 45230 for mb1 on 2027-03-01``."""
    figures = ", ".join(f"{item} {value.normalize():f}" for item, value in sorted(report.values.items()))
    about = f" for {report.subject}" if report.subject else ""
    return f"{figures or 'no figure'}{about} on {report.day}"


def value_options(command: Callable[..., None]) -> Callable[..., None]:
    """The figure options shared by ``report add`` and ``report correct``."""
    for name, help_text in reversed([
        ("odometer", "Odometer reading (mileage)."),
        ("km", "Distance driven (mileage), for a vehicle with no odometer readings; km of a leg (travel)."),
        ("hours", "Hours run (generator_hours)."),
        ("meter", "Hour-meter reading (generator_hours) or electricity meter reading (grid_power)."),
        ("litres", "Litres refuelled (generator_litres) or at the pump (fuel)."),
    ]):
        command = click.option(f"--{name}", help=help_text)(command)
    command = footprint.value_options(command)
    command = click.option("--waste", "waste", multiple=True, help="STREAM=KG, repeatable (waste).")(command)
    return click.option("--meal", "meals", multiple=True,
                        help="TYPE=COUNT, repeatable, each type once (meals).")(command)


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
@click.option("--vehicle", help="Vehicle id (mileage, fuel).")
@click.option("--generator", help="Generator id (generator_hours, generator_litres).")
@footprint.subject_options
@value_options
@click.option("--confirm", is_flag=True, help="Store a figure flagged as unusual.")
@click.option("--ref", help="Reference of the paper sheet or call; the same reference is stored once.")
def report_add(
    production_id: str,
    member: str,
    kind: str,
    day: dt.datetime | None,
    vehicle: str | None,
    generator: str | None,
    meals: tuple[str, ...],
    waste: tuple[str, ...],
    confirm: bool,
    ref: str | None,
    **given: Any,
) -> None:
    """Add a figure that came by paper or phone, with the same checks as the bots."""
    from domain.usecases import record_report

    report_kind = ReportKind(kind)
    app = open_app()
    with app.uow() as uow:
        prod = uow.productions.get(production_id)
    about = {name: given.pop(name) for name in footprint.SUBJECT_OPTIONS}
    values = _values(app, prod, member, vehicle or generator, given, meals, waste)
    subject = footprint.subject_and_values(report_kind, prod, about, vehicle, generator, values)
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
        subject=subject,
        confirmed=confirm,
    )
    try:
        recorded = record_report(app.uow(), app.catalogue, new)
    except NeedsConfirmation as exc:
        raise GreenslateError(f"{exc}: check it, then add --confirm to store it") from None
    except ConflictingReport as exc:
        stored = exc.stored
        raise GreenslateError(
            f"reference {new.source_ref} is already stored as report {stored.id}: {_said(stored)}. "
            f"This command gives {_said(new)}. Nothing added. To change the stored figure: "
            f"greenslate report correct {stored.id} with the right value"
        ) from None
    if recorded.duplicate:
        click.echo(
            f"already stored as report {recorded.report.id} (reference {new.source_ref}): nothing added"
        )
        return
    _stored(recorded, when)


def _stored(recorded: Recorded, when: dt.date) -> None:
    from common.presenters import kg

    unit = {ln.unit for ln in recorded.lines}
    verb = "corrected by" if recorded.report.corrects is not None else "stored"
    said = f"{recorded.quantity.normalize():f} {'/'.join(sorted(unit))}"
    if len(unit) > 1:  # items counted in different units: each said on its own
        said = ", ".join(f"{ln.quantity.normalize():f} {ln.unit} {ln.subject}" for ln in recorded.lines)
    click.echo(f"{verb} report {recorded.report.id}: {said} on {when}, {kg(recorded.kgco2e)} kg CO2e")


@report.command("correct")
@click.argument("report_id", type=int)
@value_options
@click.option("--confirm", is_flag=True, help="Store a figure flagged as unusual.")
@click.option("--ref", help="Reference of the correction; the same reference is stored once.")
def report_correct(
    report_id: int, meals: tuple[str, ...], waste: tuple[str, ...], confirm: bool, ref: str | None,
    **given: Any,
) -> None:
    """Replace a stored figure by the right one. The history keeps both."""
    from domain.usecases import correct_report

    app = open_app()
    with app.uow() as uow:
        original = uow.reports.get(report_id)
        prod = uow.productions.get(original.production_id)
    values = _values(app, prod, original.member_id, original.subject, given, meals, waste)
    try:
        recorded = correct_report(
            app.uow(), app.catalogue, report_id, values, raw_text=" ".join(sys.argv[1:]), source="cli",
            source_ref=ref or f"cli:{uuid.uuid4()}", received_at=dt.datetime.now(dt.UTC), confirmed=confirm,
        )
    except NeedsConfirmation as exc:
        raise GreenslateError(f"{exc}: check it, then add --confirm to store it") from None
    except ConflictingReport as exc:
        raise GreenslateError(f"reference {exc.stored.source_ref} is already stored as report {exc.stored.id}: "
                              f"{_said(exc.stored)}. Nothing changed") from None
    if recorded.duplicate:
        click.echo(f"already stored as report {recorded.report.id}: nothing changed")
        return
    _stored(recorded, recorded.report.day)
