"""The Telegram crew bot (python-telegram-bot 22)."""
