"""``greenslate run``: the bots, the scheduler and the dashboard, until stopped."""

from __future__ import annotations

import logging

import click

from greenslate.cli.core import open_app


def register(main: click.Group) -> None:
    main.add_command(run_command)


@click.command("run")
@click.option("--scheduler", "scheduler_only", is_flag=True, help="Run the scheduler alone (no bots, no dashboard).")
@click.option("--no-dashboard", is_flag=True, help="Do not serve the dashboard.")
@click.option("--no-bots", is_flag=True, help="Do not start the Telegram and Discord bots.")
@click.option("--no-scheduler", is_flag=True, help="Do not send prompts (another process does).")
@click.option("--host", help="Dashboard address (default GREENSLATE_DASHBOARD_HOST or 127.0.0.1).")
@click.option("--port", type=int, help="Dashboard port (default GREENSLATE_DASHBOARD_PORT or 8050).")
@click.option("--debug", "debug_logs", is_flag=True, help="Show debug log lines (as `greenslate --debug run`).")
def run_command(
    scheduler_only: bool,
    no_dashboard: bool,
    no_bots: bool,
    no_scheduler: bool,
    host: str | None,
    port: int | None,
    debug_logs: bool,
) -> None:
    """Run greenslate: Telegram and Discord bots (when their tokens are set), scheduler and dashboard."""
    import asyncio

    from greenslate.runtime import RunOptions, run

    if debug_logs:  # more log lines, nothing else: no interactive debugger, same servers, same signals
        logging.getLogger().setLevel(logging.DEBUG)
        for name in ("alembic", "apscheduler"):
            logging.getLogger(name).setLevel(logging.NOTSET)
    app = open_app()
    options = RunOptions(
        dashboard=not (no_dashboard or scheduler_only),
        bots=not (no_bots or scheduler_only),
        scheduler=not no_scheduler,
        host=host,
        port=port,
    )
    parts = [name for name, on in (("bots", options.bots), ("scheduler", options.scheduler),
                                    ("dashboard", options.dashboard)) if on]
    click.echo(f"greenslate running: {', '.join(parts) or 'nothing'} (Ctrl+C to stop)")
    if options.dashboard:
        click.echo(f"dashboard on http://{host or app.settings.dashboard_host}:"
                   f"{port if port is not None else app.settings.dashboard_port}")
    asyncio.run(run(app, options))
