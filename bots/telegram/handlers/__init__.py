"""The bot's handlers: each translates one Telegram input and calls one use case or member update.

Registered in ``bots.telegram.app.build_application``. Nothing is stored for a chat that is not
linked to a crew member: strangers are told how to join. Conversation state (a correction or a
guided entry in progress) lives in the store, so a restart loses nothing.
"""

from bots.telegram.handlers.answers import edited_answer, text_answer
from bots.telegram.handlers.buttons import (
    choice_button,
    decline_button,
    fix_button,
    pick_button,
    steps_button,
    undo_button,
    zero_button,
    zone_button,
)
from bots.telegram.handlers.commands import (
    correct_command,
    help_command,
    language,
    pause,
    resume,
    status,
    stop,
    stranger_text,
    voice,
)
from bots.telegram.handlers.errors import on_error
from bots.telegram.handlers.joining import consent, start

__all__ = [
    "choice_button", "consent", "correct_command", "decline_button", "edited_answer", "fix_button", "help_command",
    "language", "on_error", "pause", "pick_button", "resume", "start", "status", "steps_button", "stop",
    "stranger_text", "text_answer", "undo_button", "voice", "zero_button", "zone_button",
]
