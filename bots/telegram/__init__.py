"""The Telegram crew bot (python-telegram-bot 22).

- ``app``: ``build_application`` (every handler, in one block), ``start_telegram`` / ``stop_telegram``
  for ``greenslate run`` (long polling, or a webhook with GREENSLATE_TELEGRAM_WEBHOOK_URL);
- ``handlers``: one small handler per command, button and kind of message;
- ``flow``: which prompt an answer belongs to, and storing it through the domain use cases;
- ``texts``: every sentence, from ``config/locales/*/LC_MESSAGES/telegram.po``;
- ``notifier``: ``TelegramNotifier``, the scheduler's way to send prompts and awareness messages;
- ``invites``: single-use invite links and their QR codes (``greenslate crew invite``);
- ``ratelimit``: Telegram's flood limits; ``services``: what handlers reach, and the one send helper.

Typed answers are read by ``domain.answers``; the bot's own tables are in ``store.telegram_tables``.
"""
