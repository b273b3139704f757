"""``greenslate import`` (figures from the accounts, a CSV or XLSX file) and ``greenslate template``."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from domain.model import ReportKind
from greenslate.cli.opening import open_app

# What the commands need (the importer, openpyxl, Babel) is imported when they run, so that
# `greenslate --help` answers at once; every kind has a layout (tests/cli/test_import.py).
KINDS = [k.value for k in ReportKind]
FORMATS = ("csv", "xlsx")  # common.imports.FORMATS


def register(main: click.Group) -> None:
    main.add_command(import_command)
    main.add_command(template_command)


@click.command("import")
@click.argument("production_id")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--kind", type=click.Choice(KINDS), help="What the file holds (default: told by its header).")
@click.option("--sheet", help="The workbook's sheet (default: the one named after the kind, else the first).")
@click.option("--member", help="Crew member the figures come from, for rows that do not say.")
@click.option("--lang", type=click.Choice(["fr", "en"]), help="Language of the messages (default: the production's).")
@click.option("--check", is_flag=True, help="Check every row as an import would, and store nothing.")
def import_command(production_id: str, file: Path, kind: str | None, sheet: str | None, member: str | None,
                   lang: str | None, check: bool) -> None:
    """Import figures from a CSV or XLSX file (layouts: docs/import.md): every row, or none.

    Each row passes the checks of `report add`; a row's `ref` is its reference, so importing the same
    file again stores nothing new, and a row whose figure changed corrects the stored one.
    """
    from base.i18n import normalise_language, number, t
    from common import imports
    from common.presenters import kg

    app = open_app()
    with app.uow() as uow:
        production = uow.productions.get(production_id)
    language = normalise_language(lang or production.language.value)
    try:
        result = imports.import_file(
            app.engine, app.catalogue, production, file, kind=ReportKind(kind) if kind else None, sheet=sheet,
            member=member, lang=language, keep=not check,
        )
    except imports.ImportProblems as refused:
        click.echo(refused.text(language), err=True)
        sys.exit(1)
    params = {"file": result.where, "rows": result.rows, "stored": result.stored, "corrected": result.corrected,
              "unchanged": result.unchanged}
    if check:
        click.echo(t(language, "import.checked", **params))
        return
    click.echo(t(language, "import.done", kg=number(kg(result.kgco2e), language, 3), **params))


@click.command("template")
@click.argument("kind", type=click.Choice(KINDS))
@click.option("--lang", type=click.Choice(["fr", "en"]), default="fr", show_default=True,
              help="Language of the column titles and the example's numbers.")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default=None,
              help="csv or xlsx (default: from --out's extension, else csv).")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path),
              help="File to write (default: greenslate-KIND-LANG.FORMAT here).")
def template_command(kind: str, lang: str, fmt: str | None, out: Path | None) -> None:
    """Write the file to fill in for KIND: its column titles and one example row."""
    from common import imports

    report_kind = ReportKind(kind)
    chosen = fmt or (out.suffix.lstrip(".").lower() if out is not None else "csv")
    if chosen not in imports.FORMATS:
        raise click.BadParameter(f"{out}: give a .csv or .xlsx file, or --format", param_hint="--out")
    path = out or Path(imports.template_name(report_kind, chosen, lang))
    path.write_bytes(imports.template(report_kind, chosen, lang))
    click.echo(f"wrote {path}: the {kind} layout, with one example row (docs/import.md)")
