"""``greenslate demo``: the example production with several weeks of figures, on the embedded store."""

from __future__ import annotations

import click

from greenslate.cli.core import balance_command, open_app
from greenslate.demo import example_path, load_demo


def register(main: click.Group) -> None:
    main.add_command(demo)


@click.command()
@click.option("--weeks", default=4, show_default=True, type=click.IntRange(1, 8), help="Weeks of figures.")
@click.option("--serve/--no-serve", default=True, show_default=True, help="Serve the dashboard afterwards.")
@click.option("--host", help="Dashboard address (default GREENSLATE_DASHBOARD_HOST or 127.0.0.1).")
@click.option("--port", type=int, help="Dashboard port (default GREENSLATE_DASHBOARD_PORT or 8050).")
@click.pass_context
def demo(ctx: click.Context, weeks: int, serve: bool, host: str | None, port: int | None) -> None:
    """Load the example production with realistic figures, then open the dashboard on it."""
    from greenslate.production_file import load_production_file
    from store.users import demo_login

    app = open_app()
    production = load_production_file(example_path())
    summary = load_demo(app.uow, app.catalogue, production, weeks=weeks)
    click.echo(
        f"demo production {summary.production_id}: {summary.days} shooting days of figures "
        f"up to {summary.last_day}, {summary.reports_added} new reports"
    )
    ctx.invoke(balance_command, production_id=summary.production_id, fmt="table", as_of=None)
    if not serve:
        return
    from dashboard.server import serve as serve_dashboard

    email, password = demo_login(app.engine, summary.production_id)
    host = host or app.settings.dashboard_host
    port = port if port is not None else app.settings.dashboard_port
    click.echo("")
    click.echo(f"Dashboard: http://{host}:{port}")
    click.echo(f"Log in with {email} and the password {password} (new at each demo run).")
    click.echo("Stop with Ctrl+C.")
    serve_dashboard(app, host, port)
