"""The balance and the plan, as a table, CSV or JSON."""

from __future__ import annotations

import csv
import datetime as dt
import json
import sys
from typing import TYPE_CHECKING, Any

import click

from domain.model import Production
from greenslate.cli.opening import open_app

# What a command needs is imported when it runs, so that `greenslate --help` answers at once: the
# store (SQLAlchemy, settings) comes with `open_app()`, the message catalogues (Babel), the carbon
# engine's use cases and the presenters inside the functions that use them.
if TYPE_CHECKING:
    from domain.carbon import Balance


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
    from common.presenters import balance_dict
    from domain.usecases import get_balance

    app = open_app()
    with app.uow() as uow:
        prod = uow.productions.get(production_id)
    bal = get_balance(app.uow(), app.factor_set_version, production_id, as_of.date() if as_of else None)
    data = balance_dict(prod, bal, app.catalogue.factors)
    if fmt == "json":
        click.echo(json.dumps(data, indent=2, ensure_ascii=False))
        return
    if fmt == "csv":
        _echo_balance_csv(data, bal)
        return
    _echo_balance_table(prod, bal, data)


def _echo_balance_csv(data: dict[str, Any], bal: Balance) -> None:
    """The balance by category, then the total, as CSV on standard output."""
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


def _echo_balance_table(prod: Production, bal: Balance, data: dict[str, Any]) -> None:
    """The balance as a table for a terminal, with the factors used below it."""
    from common.presenters import tonnes

    click.echo(f"{prod.title} ({prod.id})")
    as_of_text = bal.as_of.isoformat() if bal.as_of else "no figures yet"
    click.echo(
        f"As of {as_of_text}: {bal.shooting_days_done} of {bal.shooting_days_total} shooting days done. "
        f"Factor set {bal.factor_set_version}."
    )
    click.echo("")
    click.echo(f"{'category':<16}{'tCO2e':>10}{'forecast':>12}{'of forecast':>14}{'projected':>12}")
    for c in bal.categories:
        share = "" if c.share_of_forecast is None else f"{c.share_of_forecast * 100:.1f} %"
        forecast = "" if c.forecast_kgco2e is None else f"{tonnes(c.forecast_kgco2e)}"
        projected = _blank(tonnes(bal.projected_kgco2e(c.category)))
        click.echo(f"{c.category.value:<16}{tonnes(c.kgco2e)!s:>10}{forecast:>12}{share:>14}{projected:>12}")
    total_share = f"{bal.total_kgco2e / bal.forecast_kgco2e * 100:.1f} %" if bal.forecast_kgco2e else ""
    click.echo(
        f"{'total':<16}{tonnes(bal.total_kgco2e)!s:>10}{_blank(tonnes(bal.forecast_kgco2e)):>12}{total_share:>14}"
    )
    cov = data["coverage"]
    share = cov["measured_share_of_forecast"]
    click.echo(f"Figures for: {', '.join(cov['measured']) or 'none yet'}. Forecast only: "
               f"{', '.join(cov['forecast_only']) or 'none'}."
               + ("" if share is None else f" The categories with figures are {share * 100:.1f} % of the forecast."))
    click.echo("")
    if bal.per_shooting_day_kgco2e is not None:
        projected = "" if bal.projected_total_kgco2e is None else \
            f" Projected final: {tonnes(bal.projected_total_kgco2e)} tCO2e."
        click.echo(f"Per shooting day: {tonnes(bal.per_shooting_day_kgco2e)} tCO2e.{projected}")
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
    from common.presenters import plan_dict
    from domain.usecases import get_plan

    app = open_app()
    rows = plan_dict(get_plan(app.uow(), production_id))
    if fmt == "json":
        click.echo(json.dumps(rows, indent=2, ensure_ascii=False))
        return
    for r in rows:
        click.echo(f"{r['id']} [{r['status']}] {r['objective']}")
        if r["current"] is None:  # nothing measured yet: no progress to compute, not 0
            click.echo(f"    {r['indicator']}: baseline {_shown(r['baseline'])}, target {_shown(r['target'])}; "
                       f"{NO_FIGURE}")
            continue
        progress = "n/a" if r["progress_pct"] is None else f"{r['progress_pct']} %"
        track = {True: "on track", False: "off track", None: "not projected yet"}[r["on_track"]]
        click.echo(
            f"    {r['indicator']}: baseline {_shown(r['baseline'])}, current {_shown(r['current'])}, "
            f"projected {_shown(r['projected'])}, target {_shown(r['target'])}; progress {progress}; {track}"
        )


NO_FIGURE = "no figure yet"


def _blank(value: object) -> str:
    return "" if value is None else str(value)


def _shown(value: object) -> str:
    """A plan figure as printed: never Python's ``None``."""
    return NO_FIGURE if value is None else str(value)
