"""``greenslate schedule``: what the scheduler will send, and what it did send (for coordinators)."""

from __future__ import annotations

import datetime as dt
import json

import click

from greenslate.cli.core import open_app

WHY_NOT = {
    None: "",
    "paused": "not sent: paused",
    "forgotten": "not sent: left greenslate",
    "unreachable": "not sent: blocked the bot",
    "not_linked": "not sent: not linked yet",
}


def register(main: click.Group) -> None:
    main.add_command(schedule)


@click.group()
def schedule() -> None:
    """Prompts the scheduler sends: upcoming, and sent."""


def _instant(value: dt.datetime | None) -> dt.datetime:
    if value is None:
        return dt.datetime.now(dt.UTC)
    return value if value.tzinfo is not None else value.replace(tzinfo=dt.UTC)


@schedule.command("show")
@click.argument("production_id")
@click.option("--days", default=7, show_default=True, type=click.IntRange(1, 366), help="How many days ahead.")
@click.option("--from", "start", type=click.DateTime(["%Y-%m-%d", "%Y-%m-%dT%H:%M"]),
              help="Start here instead of now (local time of the production).")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
def schedule_show(production_id: str, days: int, start: dt.datetime | None, fmt: str) -> None:
    """List the prompts due over the next days, in the production's local time, and who will not get one."""
    from domain.rollcall import upcoming_prompts
    from domain.schedule import local_day

    app = open_app()
    with app.uow() as uow:
        production = uow.productions.get(production_id)
        states = uow.members.states(production_id)
    zone = production.zone
    now = start.replace(tzinfo=zone).astimezone(dt.UTC) if start is not None else _instant(None)
    listed = upcoming_prompts(production, states, now, days)
    if fmt == "json":
        click.echo(json.dumps([
            {"day": o.day.isoformat(), "at": o.at.astimezone(zone).isoformat(), "member": o.member_id,
             "assignment": o.assignment_key, "sent": why is None, "why_not": why}
            for o, why in listed
        ], indent=2))
        return
    if not listed:
        click.echo(f"No prompt from {local_day(now, zone).isoformat()} over {days} day(s).")
        return
    click.echo(f"{production.title}: prompts over {days} day(s), times in {production.timezone}")
    for occ, why in listed:
        local = occ.at.astimezone(zone)
        click.echo(f"{local:%a %Y-%m-%d %H:%M}  {occ.member_id:<12} {occ.assignment_key:<28} {WHY_NOT[why]}".rstrip())


@schedule.command("sent")
@click.argument("production_id")
@click.option("--day", type=click.DateTime(["%Y-%m-%d"]), help="Only this day (default: every day).")
def schedule_sent(production_id: str, day: dt.datetime | None) -> None:
    """List what the scheduler recorded for a production and what became of each message."""
    from store import outbox

    app = open_app()
    with app.uow() as uow:
        production = uow.productions.get(production_id)
    with app.engine.connect() as conn:
        rows = outbox.rows(conn, production_id=production_id)
    if day is not None:
        rows = [r for r in rows if r.day == day.date()]
    if not rows:
        click.echo("Nothing sent yet.")
        return
    zone = production.zone
    for row in rows:
        when = (row.sent_at or row.due_at).astimezone(zone)
        who = row.member_id or "eco-referents"
        what = row.assignment_key or row.payload.get("message") or ""
        note = f"  ({row.error})" if row.error and row.status != "sent" else ""
        click.echo(f"{when:%Y-%m-%d %H:%M}  {row.kind:<10} {who:<12} {what:<28} {row.status}{note}".rstrip())
