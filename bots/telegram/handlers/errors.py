"""The one error handler: the operator hears about it, the member is told to try again."""

from __future__ import annotations

from telegram import Update

from base.i18n import t
from bots.telegram.flow import members_of
from bots.telegram.handlers.common import (
    operator_log,
    stranger_language,
)
from bots.telegram.services import Context


def passing_failure(error: BaseException | None) -> bool:
    """The store cannot be reached right now (restarting, network, locked): worth trying again."""
    from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError

    if isinstance(error, OperationalError | InterfaceError):
        return True
    return isinstance(error, DBAPIError) and bool(error.connection_invalidated)


async def on_error(update: object, context: Context) -> None:
    """Log the failure for the operator (never the token) and tell the member to try again.

    When the store cannot be reached, the update is handled again later instead (nothing is lost,
    and the member is not asked to type it again).
    """
    error = context.error
    if isinstance(update, Update) and passing_failure(error):
        context.services.retry_updates.add(update.update_id)
        operator_log.warning("the store is unreachable (%s): update %s will be handled again",
                             type(error).__name__, update.update_id)
        return
    operator_log.error("telegram handler failed: %s", type(error).__name__,
                       exc_info=(type(error), error, error.__traceback__) if error else None)
    if isinstance(update, Update) and update.effective_chat is not None:
        try:
            members = await members_of(context.services, update.effective_chat.id)
            lang = members[0].lang if members else stranger_language(update)
            await context.bot.send_message(chat_id=update.effective_chat.id,
                                           text=t(lang, "telegram.error.unexpected"))
        except Exception as exc:  # the chat itself may be the problem (blocked, network): nothing more to do
            operator_log.warning("could not tell the member about the failure: %s", type(exc).__name__)
