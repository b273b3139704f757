"""Dashboard commands: ``greenslate user add`` (accounts) and ``greenslate export`` (CNC files)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from domain.errors import GreenslateError

#: The export formats (``common.exports.FORMATS``, which a test keeps equal): written here so that
#: listing the commands does not open the store's modules.
EXPORT_FORMATS = ("xlsx", "csv", "json")


def register(main: click.Group) -> None:
    main.add_command(user)
    main.add_command(export_command)


@click.group()
def user() -> None:
    """Dashboard accounts."""


@user.command("add")
@click.argument("email")
@click.option("--production", "production_id", default=None,
              help="The production this account may see. Left out (with --role coordinator): the account "
                   "creates its first production in the dashboard.")
@click.option(
    "--role",
    type=click.Choice(["coordinator", "viewer"]),
    default="viewer",
    show_default=True,
    help="A coordinator may change the action plan; a viewer reads only.",
)
@click.option("--language", type=click.Choice(["fr", "en"]), default="fr", show_default=True)
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input (for scripts).")
def user_add(email: str, production_id: str | None, role: str, language: str, password_stdin: bool) -> None:
    """Create a dashboard account, or give an existing one access to another production.

    Without --production, a coordinator account may create productions: on a fresh install, the
    first account is made this way, signs in, and creates the first production in the dashboard.

    A new account asks for its password (never given on the command line, so it stays out of the
    shell history); an existing account keeps its password unless --password-stdin gives a new one.
    """
    from greenslate.cli.core import open_app
    from store.users import add_user, normalise_email, user_exists

    if production_id is None and role != "coordinator":
        raise click.UsageError("a viewer reads one production: name it with --production "
                               "(with no production, the account is a coordinator who creates the first one)")
    app = open_app()
    email = normalise_email(email)
    password: str | None = None
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    elif not user_exists(app.engine, email):
        if not sys.stdin.isatty():  # no one to ask: say what to do rather than "Aborted!"
            where = f" --production {production_id}" if production_id else ""
            raise GreenslateError(
                f"{email} is a new account and needs a password: run this in a terminal to type it, "
                "or give it on standard input with --password-stdin "
                f"(for example: greenslate user add {email}{where} --role {role} --password-stdin < password-file)"
            )
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    account, created = add_user(app.engine, email, password, production_id, role, language=language)
    verb = "created" if created else "updated"
    if production_id is None:
        click.echo(f"{verb} account {account.email}: may create productions. Sign in to the dashboard "
                   "(greenslate run serves it) to create the first one.")
    else:
        click.echo(f"{verb} account {account.email}: {role} of {production_id}")


@user.command("invite")
@click.option("--production", "production_id", default=None,
              help="The production the link opens. Left out (with --role coordinator): the account it opens "
                   "creates its first production in the dashboard.")
@click.option("--role", type=click.Choice(["coordinator", "viewer"]), default="coordinator", show_default=True)
def user_invite(production_id: str | None, role: str) -> None:
    """Print a one-time link that opens a dashboard account (valid 7 days, once; no password typed here).

    The person who opens it chooses their own password. On a fresh install, the link with no
    production is how the first coordinator gets in.
    """
    from greenslate.cli.core import open_app
    from store.accounts import INVITE_TTL, create_invite

    if production_id is None and role != "coordinator":
        raise click.UsageError("a viewer reads one production: name it with --production")
    app = open_app()
    if production_id is not None:
        with app.uow() as uow:
            uow.productions.get(production_id)  # an unknown production is said as such
    token = create_invite(app.engine, production_id, role, None)
    settings = app.settings
    base = (settings.dashboard_public_url or f"http://{settings.dashboard_host}:{settings.dashboard_port}").rstrip("/")
    what = f"is {role} of {production_id}" if production_id else "may create productions"
    click.echo(f"{base}/join/{token}")
    click.echo(f"One use, within {INVITE_TTL.days} days: opens an account that {what}. It is shown only now.")


@click.command("export")
@click.argument("production_id")
@click.option("--format", "fmt", type=click.Choice(EXPORT_FORMATS), default="xlsx", show_default=True)
@click.option("--out", "out", type=click.Path(dir_okay=False, path_type=Path), help="File to write.")
@click.option("--language", type=click.Choice(["fr", "en"]), default="fr", show_default=True,
              help="Language of the XLSX and CSV: headings, words and numbers (French CSV: ';' and 12,5).")
def export_command(production_id: str, fmt: str, out: Path | None, language: str) -> None:
    """Export the balance by Carbon'Clap's categories (the same files as the dashboard's)."""
    from common import exports
    from greenslate.cli.core import open_app

    app = open_app()
    with app.uow() as uow:
        production = uow.productions.get(production_id)
    export = exports.build_export(app.engine, production, app.catalogue.factors)
    data = exports.render(export, fmt, language)
    target = out or Path(exports.filename(export, fmt))
    target.write_bytes(data)
    click.echo(f"wrote {target} ({len(export.rows)} rows, factor set {export.balance.factor_set_version})")


@user.command("remove")
@click.argument("email")
def user_remove(email: str) -> None:
    """Delete a dashboard account: its access and its open sessions end now."""
    from greenslate.cli.core import open_app
    from store.users import remove_user

    app = open_app()
    seen = remove_user(app.engine, email)
    click.echo(f"removed account {email.strip().lower()} (it could see: {', '.join(seen) or 'nothing'}); "
               "its sessions are ended")


@user.command("revoke")
@click.argument("email")
@click.option("--production", "production_id", required=True, help="The production to take away.")
def user_revoke(email: str, production_id: str) -> None:
    """Take away an account's access to one production; its open sessions end now."""
    from greenslate.cli.core import open_app
    from store.users import revoke_membership

    app = open_app()
    revoke_membership(app.engine, email, production_id)
    click.echo(f"{email.strip().lower()} no longer sees {production_id}; its sessions are ended "
               "(it signs in again for its other productions)")
