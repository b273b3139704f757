"""A library message as a voice note, for members who asked for voice.

``library_voice_note(key, lang)`` renders the message and speaks it through :mod:`base.voice`
(generated once per message, language and library version, then read from the disk cache).
``send_voice_note`` is what a Telegram notifier calls after sending the text: it uploads the note
the first time and re-sends Telegram's ``file_id`` after that, when a :class:`store.sensitisation.
VoiceNoteIndex` is given.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from base.voice import Voice, VoiceNote, default_voice
from sensitisation.library import library_version, render

if TYPE_CHECKING:
    from store.sensitisation import VoiceNoteIndex


def library_voice_note(message_key: str, lang: str, voice: Voice | None = None) -> VoiceNote:
    """The voice note of library message ``message_key`` in ``lang`` (``UnknownMessage`` if no such key)."""
    return (voice or default_voice()).note(render(message_key, lang), lang)


async def send_voice_note(
    bot: Any,
    chat_id: int,
    message_key: str,
    lang: str,
    *,
    voice: Voice | None = None,
    index: VoiceNoteIndex | None = None,
) -> Any:
    """Send library message ``message_key`` to ``chat_id`` as a Telegram voice note; returns the Message.

    ``bot`` is a ``telegram.Bot``. The text itself is sent by the caller first: the voice note is an
    extra for members with voice on, never the only copy. Raises ``base.voice.VoiceError`` if
    the note cannot be made, and whatever ``Bot.send_voice`` raises.
    """
    note = library_voice_note(message_key, lang, voice)
    file_id = index.telegram_file_id(note.cache_key) if index is not None else None
    sent = await bot.send_voice(chat_id=chat_id, voice=file_id or note.data, duration=max(1, round(note.duration)))
    if index is not None:
        new_id = getattr(getattr(sent, "voice", None), "file_id", None)
        index.remember(
            note, lang=lang, message_key=message_key, library_version=library_version(), telegram_file_id=new_id
        )
    return sent
