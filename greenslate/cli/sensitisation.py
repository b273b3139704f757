"""``greenslate sensitisation``: the message library, voice notes, and what campaigns sent to whom."""

from __future__ import annotations

import json
from pathlib import Path

import click

from domain.model import Language

#: The languages of the texts. Babel, behind ``base.i18n``, is loaded only by the commands that use it:
#: every other command starts without it.
LANGUAGES = tuple(lang.value for lang in Language)


def register(main: click.Group) -> None:
    main.add_command(sensitisation)


@click.group()
def sensitisation() -> None:
    """Awareness messages: the library, voice notes and the campaigns sent."""


@sensitisation.command("list")
@click.option("--lang", type=click.Choice(LANGUAGES), default="fr", show_default=True)
def list_messages(lang: str) -> None:
    """Every message of the library, with its theme."""
    from sensitisation.library import load_library

    library = load_library()
    click.echo(f"library version {library.version}, {len(library.messages)} messages")
    for message in library.messages.values():
        click.echo(f"{message.key:<18} {message.theme:<10} {message.text(lang)}")


@sensitisation.command("show")
@click.argument("key")
def show(key: str) -> None:
    """One message in every language, and what the easy-to-read check says of it."""
    from base.readability import check
    from sensitisation.library import load_library

    message = load_library().get(key)
    click.echo(f"{message.key} ({message.theme})")
    for lang in LANGUAGES:
        text = message.text(lang)
        problems = check(text, lang)
        click.echo(f"  {lang}: {text}")
        for problem in problems:
            click.echo(f"      {problem}")


@sensitisation.command("check")
def check_texts() -> None:
    """Read every crew text (catalogues and library, both languages) against the easy-to-read rules."""
    from base.i18n import crew_messages
    from base.readability import check
    from sensitisation.library import load_library

    texts = list(crew_messages())
    for message in load_library().messages.values():
        texts += [(lang, f"sensitisation.{message.key}", message.text(lang)) for lang in LANGUAGES]
    problems = [f"{lang} {key}: {v.rule}: {v.text}" for lang, key, text in texts for v in check(text, lang)]
    for problem in problems:
        click.echo(problem)
    click.echo(f"{len(texts)} texts read, {len(problems)} problem(s)")
    if problems:
        raise SystemExit(1)


@sensitisation.command("voice")
@click.argument("key", required=False)
@click.option("--lang", type=click.Choice(LANGUAGES), default="fr", show_default=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="Also copy the note here.")
@click.option("--all", "every", is_flag=True, help="Every message in every language (fills the cache ahead).")
def voice(key: str | None, lang: str, output: Path | None, every: bool) -> None:
    """Speak one message as a voice note (OGG/Opus), or find it in the cache."""
    from sensitisation.library import keys
    from sensitisation.voice_notes import library_voice_note

    if every == (key is not None):
        raise click.UsageError("give a message KEY, or --all")
    wanted = [(k, lg) for k in keys() for lg in LANGUAGES] if every else [(key or "", lang)]
    for message_key, message_lang in wanted:
        note = library_voice_note(message_key, message_lang)
        if output is not None and not every:
            output.write_bytes(note.data)
        origin = "from the cache" if note.from_cache else "spoken now"
        click.echo(
            f"{message_key} ({message_lang}): {note.duration:.1f} s, {len(note.data)} bytes, {origin}: {note.path}"
        )


@sensitisation.command("sent")
@click.argument("production_id")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line.")
def sent(production_id: str, as_json: bool) -> None:
    """What each campaign sent to whom and when (from the scheduler's outbox)."""
    from greenslate.cli.core import open_app
    from sensitisation.history import campaign_log

    app = open_app()
    with app.uow() as uow:
        uow.productions.get(production_id)  # a clear error for an unknown production
    lines = campaign_log(app.engine, production_id)
    if as_json:
        for line in lines:
            click.echo(json.dumps(line.as_dict(), ensure_ascii=False))
        return
    if not lines:
        click.echo(f"{production_id}: no awareness message recorded yet")
        return
    for line in lines:
        when = line.sent_at.isoformat(timespec="minutes") if line.sent_at else "-"
        voice_mark = " +voice" if line.voice and line.channel == "telegram" else ""
        click.echo(
            f"{line.day} {line.message:<16} {line.member_id:<10} {line.channel:<9} {line.language}{voice_mark:<7} "
            f"{line.status:<11} {when}" + (f"  ({line.error})" if line.error and line.status != "sent" else "")
        )
