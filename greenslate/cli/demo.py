"""``greenslate demo``: the example production with several weeks of figures, on a store of its own."""

from __future__ import annotations

import os

import click

from greenslate.cli.balance import balance_command
from greenslate.cli.opening import open_app

DATABASE_VARIABLE = "GREENSLATE_DATABASE_URL"


def demo_database_url() -> str:
    """The demo's own embedded store, beside the default one: the demo's figures never mix with a real shoot's."""
    from base.environment import default_data_dir

    return f"sqlite:///{default_data_dir() / 'demo.sqlite3'}"


def use_demo_store() -> str | None:
    """Point this process at the demo's store unless GREENSLATE_DATABASE_URL (or .env) names one.

    Returns the demo store's URL when it is used, None when the named store is.
    """
    from base.settings import load_settings

    if "database_url" in load_settings().model_fields_set:
        return None
    url = demo_database_url()
    os.environ[DATABASE_VARIABLE] = url  # this command's balance and dashboard read the same store
    return url


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
    from common.production_file import load_production_file
    from greenslate.demo import example_path, load_demo
    from store.users import demo_login

    url = use_demo_store()
    if url is not None:
        click.echo(f"The demo has a store of its own: {url.removeprefix('sqlite:///')}")
        click.echo("Your own store is left as it was. To open the demo again, run `greenslate demo`, or:")
        click.echo(f"  {DATABASE_VARIABLE}={url} greenslate balance feux-aube")
        click.echo("")
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
