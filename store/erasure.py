"""Erasing a crew member (``greenslate crew forget``, the bot's ``/stop``): GDPR art. 17.

After :func:`erase_member`, no table holds the member's name or Telegram chat id:

- ``members``: name emptied, chat and consent cleared, ``forgotten`` set (a reload of the production
  file keeps it so);
- every invite of the member revoked, used or not: an old link can no longer link a chat, record a
  consent or bring the member back (a new ``crew invite`` can, as a new consent);
- the Telegram traces (prompts sent, answers waiting, awareness messages, conversations) deleted;
- ``reports.source_ref`` of their chat answers rewritten (it was ``<chat id>:<message id>``);
- the texts of messages to the eco-referents (escalations, digests), waiting or sent, in the outbox
  and in the Discord post ledger, say the member id instead of the name; an escalation about them
  that was still waiting is not sent.

What stays, and why: the figures (reports, their values, the emission lines) with the member id of
the production file, because the carbon footprint filed with the CNC must keep counting them and
a figure is not personal data once nothing links it to a person; that id is the coordinator's own
key in the production file (an id that is not a name keeps it so).
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from sqlalchemy import Connection, String, cast, delete, literal, or_, select, update

from store.discord import discord_posts
from store.outbox import ESCALATION, EXPIRED, PENDING, SENDING, outbox
from store.repositories import FORGOTTEN_NAME
from store.tables import members, reports
from store.telegram_tables import (
    telegram_campaigns,
    telegram_conversations,
    telegram_invites,
    telegram_pending,
    telegram_prompts,
)

#: Report sources whose ``source_ref`` names a chat (``<chat id>:<message id>...``).
CHAT_SOURCES = ("telegram",)

#: The ``source_ref`` of an erased member's chat answer: still unique, naming nothing.
FORGOTTEN_REF_PREFIX = "forgotten:"

_TELEGRAM_TRACES = (telegram_conversations, telegram_pending, telegram_prompts, telegram_campaigns)


def erase_member(conn: Connection, production_id: str, member_id: str, now: dt.datetime) -> None:
    """Erase what identifies the member, inside the caller's transaction (see the module's docstring).

    Invites are revoked first: a sign-up under way (``TelegramStore.use_invite`` then the link, in one
    transaction) either finishes before and is erased here, or finds its invite revoked.
    """
    row = conn.execute(select(members.c.name, members.c.telegram_chat_id).where(
        members.c.production_id == production_id, members.c.member_id == member_id)).first()
    name = row.name if row is not None else ""
    mine_invites = (telegram_invites.c.production_id == production_id) & (telegram_invites.c.member_id == member_id)
    chats = {row.telegram_chat_id} if row is not None and row.telegram_chat_id is not None else set()
    chats |= set(conn.execute(select(telegram_invites.c.used_by_chat).where(mine_invites)).scalars())
    for table in _TELEGRAM_TRACES:
        chats |= set(conn.execute(select(table.c.chat_id).where(
            table.c.production_id == production_id, table.c.member_id == member_id)).scalars())
    chats.discard(None)

    conn.execute(update(telegram_invites).where(mine_invites, telegram_invites.c.used_at.is_(None))
                 .values(used_at=now))
    conn.execute(update(telegram_invites).where(mine_invites).values(used_by_chat=None))
    for table in _TELEGRAM_TRACES:
        conn.execute(delete(table).where(table.c.production_id == production_id, table.c.member_id == member_id))
    conn.execute(update(members).where(
        members.c.production_id == production_id, members.c.member_id == member_id,
    ).values(name=FORGOTTEN_NAME, telegram_chat_id=None, telegram_bot="", consent_at=None, forgotten=True))
    conn.execute(update(reports).where(
        reports.c.production_id == production_id, reports.c.member_id == member_id,
        reports.c.source.in_(CHAT_SOURCES), ~reports.c.source_ref.startswith(FORGOTTEN_REF_PREFIX),
    ).values(source_ref=literal(FORGOTTEN_REF_PREFIX).concat(cast(reports.c.id, String))))
    _rewrite_team_messages(conn, production_id, member_id, name, chats)


def _scrubber(member_id: str, name: str, chats: set[int]) -> Any:
    """A function that replaces the name (as a whole word) by the member id, and the chat ids by ``-``."""
    patterns = []
    if name.strip():
        patterns.append((re.compile(rf"(?<!\w){re.escape(name.strip())}(?!\w)"), member_id))
    for chat in chats:
        patterns.append((re.compile(rf"(?<![\w-]){chat}(?!\w)"), "-"))

    def scrub(text: str | None) -> str | None:
        if not text:
            return text
        for pattern, replacement in patterns:
            text = pattern.sub(replacement, text)
        return text

    return scrub


def _rewrite_team_messages(conn: Connection, production_id: str, member_id: str, name: str, chats: set[int]) -> None:
    scrub = _scrubber(member_id, name, chats)
    # An escalation about them not sent yet is not sent at all: there is no one left to follow up.
    conn.execute(update(outbox).where(
        outbox.c.production_id == production_id, outbox.c.member_id == member_id, outbox.c.kind == ESCALATION,
        outbox.c.status.in_((PENDING, SENDING)),
    ).values(status=EXPIRED, claimed_by=None, claimed_until=None))
    rows = conn.execute(select(outbox.c.id, outbox.c.payload, outbox.c.error).where(
        outbox.c.production_id == production_id)).all()
    for r in rows:
        payload = dict(r.payload or {})
        text = payload.get("text")
        new_text, new_error = scrub(text) if isinstance(text, str) else text, scrub(r.error)
        if new_text != text or new_error != r.error:
            if isinstance(text, str):
                payload["text"] = new_text
            conn.execute(update(outbox).where(outbox.c.id == r.id).values(payload=payload, error=new_error))
    posts = conn.execute(select(discord_posts.c.id, discord_posts.c.text).where(
        discord_posts.c.production_id == production_id,
        or_(*(discord_posts.c.text.contains(part) for part in _parts(name, chats))) if _parts(name, chats)
        else literal(False),
    )).all()
    for p in posts:
        cleaned = scrub(p.text)
        if cleaned != p.text:
            conn.execute(update(discord_posts).where(discord_posts.c.id == p.id).values(text=cleaned))


def _parts(name: str, chats: set[int]) -> list[str]:
    return ([name.strip()] if name.strip() else []) + [str(c) for c in chats]
