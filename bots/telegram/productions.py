"""The productions of the crew's chats, kept in the bot process between messages.

Loading a production (its definition and its whole crew) costs more than the rest of an answer,
and it changes only when its file is loaded again. Every message still reads its chat's
memberships afresh (one query, :meth:`store.telegram.TelegramStore.chat_members`), which also
gives each production's ``updated_at`` and the member as the crew lists them: a cached production
is used only when both match what is stored now. So a reloaded file, a member linked, unlinked,
forgotten or changed, here or by another bot instance on the same store, is seen at the next message.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable

from domain.model import Production
from store.telegram import ChatMember

Loader = Callable[[str], Production | None]


class ProductionCache:
    """Production by id, with the version (``updated_at``) it was loaded at."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._cached: dict[str, tuple[dt.datetime, Production]] = {}

    def production(self, membership: ChatMember, load: Loader) -> Production | None:
        """The membership's production: cached if it is current, else loaded (None if it is gone)."""
        production_id = membership.state.production_id
        with self._lock:
            hit = self._cached.get(production_id)
        if hit is not None and hit[0] == membership.production_version and _lists(hit[1], membership):
            return hit[1]
        production = load(production_id)  # loaded after the version was read: at least that recent
        with self._lock:
            if production is None:
                self._cached.pop(production_id, None)
            else:
                self._cached[production_id] = (membership.production_version, production)
        return production

    def forget(self, production_id: str | None = None) -> None:
        """Drop one production (or all): the next message loads it again."""
        with self._lock:
            if production_id is None:
                self._cached.clear()
            else:
                self._cached.pop(production_id, None)


def _lists(production: Production, membership: ChatMember) -> bool:
    """The production's crew lists the member exactly as the store does now."""
    try:
        return production.member(membership.state.member_id) == membership.crew
    except KeyError:
        return False
