"""The ``greenslate`` command.

Each feature adds its commands in its own module, listed in ``COMMAND_MODULES``; a module exposes
``register(main: click.Group)``. Errors end as one clear line on stderr and a non-zero exit.
"""

from __future__ import annotations

import importlib
import logging
import sys

import click

from base import redaction
from domain.errors import GreenslateError

COMMAND_MODULES = [
    "greenslate.cli.core",
    "greenslate.cli.crew",
    "greenslate.cli.dashboard",
    "greenslate.cli.demo",
    "greenslate.cli.discord",
    "greenslate.cli.imports",
    "greenslate.cli.run",
    "greenslate.cli.scheduler",
    "greenslate.cli.sensitisation",
]


class GreenslateGroup(click.Group):
    """Turns every expected error into one line on stderr and exit code 1, never a traceback."""

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except GreenslateError as exc:
            click.echo(f"error: {exc}", err=True)
            sys.exit(1)
        except OSError as exc:
            click.echo(
                f"error: {exc.strerror or exc}: {getattr(exc, 'filename', '') or ''}".rstrip(": "), err=True
            )
            sys.exit(1)
        except (
            click.exceptions.Exit,
            click.exceptions.Abort,
            click.ClickException,
            SystemExit,
            KeyboardInterrupt,
        ):
            raise
        except Exception as exc:
            from sqlalchemy.exc import OperationalError

            logging.getLogger("greenslate").debug("unexpected error", exc_info=True)
            if isinstance(exc, OperationalError):
                click.echo(f"error: cannot use the database: {exc.orig}".splitlines()[0], err=True)
            else:
                click.echo(
                    f"error: unexpected {type(exc).__name__}: {exc} (run with --debug for details)", err=True
                )
            if logging.getLogger().isEnabledFor(logging.DEBUG):
                raise
            sys.exit(1)


@click.group(cls=GreenslateGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("-v", "--verbose", is_flag=True, help="Show informational log lines.")
@click.option("--debug", is_flag=True, help="Show debug log lines and full tracebacks.")
@click.version_option(package_name="greenslate")
def main(verbose: bool, debug: bool) -> None:
    """greenslate: collect a shoot's environmental figures from the crew and track its carbon balance."""
    # Before anything can print: tokens, keys and passwords are hidden from every log line and error.
    redaction.protect()
    logging.basicConfig(
        level=logging.DEBUG if debug else logging.INFO if verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    if not debug:
        # The embedded store migrates itself when it is behind the code; their chatter is not news.
        logging.getLogger("alembic").setLevel(logging.WARNING)
        logging.getLogger("apscheduler").setLevel(logging.WARNING)


for _name in COMMAND_MODULES:
    importlib.import_module(_name).register(main)
