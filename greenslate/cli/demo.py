"""``greenslate demo``: the example production with several weeks of figures, on the embedded store."""

from __future__ import annotations

import click

from greenslate.cli.core import balance_command, open_app
from greenslate.demo import example_path, load_demo


def register(main: click.Group) -> None:
    main.add_command(demo)


@click.command()
@click.option("--weeks", default=4, show_default=True, type=click.IntRange(1, 8), help="Weeks of figures.")
@click.option("--serve/--no-serve", default=True, show_default=True, help="Open the dashboard afterwards.")
@click.pass_context
def demo(ctx: click.Context, weeks: int, serve: bool) -> None:
    """Load the example production with realistic figures, then show it."""
    from greenslate.production_file import load_production_file

    app = open_app()
    production = load_production_file(example_path())
    summary = load_demo(app.uow, app.catalogue, production, weeks=weeks)
    click.echo(
        f"demo production {summary.production_id}: {summary.days} shooting days of figures "
        f"up to {summary.last_day}, {summary.reports_added} new reports"
    )
    ctx.invoke(balance_command, production_id=summary.production_id, fmt="table", as_of=None)
