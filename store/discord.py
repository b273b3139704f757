"""What the Discord bot keeps: server links, good practices and their votes, and what it posted.

Functions take an engine and plain values and return plain dataclasses: the cogs never see SQL.

``discord_posts`` makes posting idempotent: a post is first *claimed* under a unique
(production, kind, key) — the daily digest's key is the day — then marked sent with the message id.
A second claim of the same key (a reconnect, a second scheduler call, a restart) finds the row and
posts nothing. A claim whose post failed is released so that a later attempt can post.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import (
    BigInteger,
    Column,
    Engine,
    ForeignKey,
    Integer,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
    UniqueConstraint,
    delete,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError

from store.tables import ID, UtcDateTime, metadata

#: After this long, a claim that was never marked sent (the process died mid-post) may be taken again.
STALE_CLAIM = dt.timedelta(minutes=10)

discord_links = Table(
    "discord_links",
    metadata,
    Column("production_id", ID, ForeignKey("productions.id", ondelete="CASCADE"), primary_key=True),
    Column("guild_id", BigInteger, nullable=False, unique=True),
    Column("digest_channel_id", BigInteger, nullable=False),
    Column("practices_channel_id", BigInteger, nullable=False),
    Column("role_name", String(100), nullable=False),
    Column("linked_at", UtcDateTime, nullable=False),
)

discord_practices = Table(
    "discord_practices",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("production_id", ID, ForeignKey("productions.id", ondelete="CASCADE"), nullable=False, index=True),
    # The message that carries the practice (a post in the practices channel, or the bot's post of a
    # /practice command): a message delivered twice is captured once, and reactions find it.
    Column("message_id", BigInteger, nullable=False, unique=True),
    Column("channel_id", BigInteger, nullable=False),
    Column("author_id", BigInteger, nullable=False),
    Column("author_name", String(200), nullable=False),
    Column("text", Text, nullable=False),
    Column("link", String(300), nullable=False),
    Column("source", String(16), nullable=False),  # channel | command
    Column("posted_at", UtcDateTime, nullable=False),
)

discord_practice_votes = Table(
    "discord_practice_votes",
    metadata,
    Column("practice_id", Integer, ForeignKey("discord_practices.id", ondelete="CASCADE"), nullable=False),
    Column("user_id", BigInteger, nullable=False),
    Column("emoji", String(100), nullable=False),
    Column("voted_at", UtcDateTime, nullable=False),
    PrimaryKeyConstraint("practice_id", "user_id", "emoji"),
)

discord_posts = Table(
    "discord_posts",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("production_id", ID, ForeignKey("productions.id", ondelete="CASCADE"), nullable=False),
    Column("kind", String(16), nullable=False),  # digest | escalation | campaign
    Column("key", String(200), nullable=False),
    Column("day", String(10), nullable=False),  # local day, ISO: what the digest lists
    Column("text", Text, nullable=False),
    Column("claimed_at", UtcDateTime, nullable=False),
    Column("message_id", BigInteger, nullable=True),  # set once posted
    UniqueConstraint("production_id", "kind", "key"),
)

discord_meta = Table(
    "discord_meta",
    metadata,
    Column("key", String(64), primary_key=True),
    Column("value", Text, nullable=False),
)


@dataclass(frozen=True)
class GuildLink:
    production_id: str
    guild_id: int
    digest_channel_id: int
    practices_channel_id: int
    role_name: str


@dataclass(frozen=True)
class Practice:
    id: int
    production_id: str
    message_id: int
    channel_id: int
    author_id: int
    author_name: str
    text: str
    link: str
    source: str
    posted_at: dt.datetime
    votes: int


@dataclass(frozen=True)
class Claim:
    """The right to post once. ``taken`` is False when the post was already made (or is being made)."""

    id: int | None
    taken: bool
    message_id: int | None = None


# -- links -----------------------------------------------------------------------------------------


def _link(row: object) -> GuildLink:
    m = row._mapping  # type: ignore[attr-defined]
    return GuildLink(
        production_id=m["production_id"],
        guild_id=int(m["guild_id"]),
        digest_channel_id=int(m["digest_channel_id"]),
        practices_channel_id=int(m["practices_channel_id"]),
        role_name=m["role_name"],
    )


def save_link(engine: Engine, link: GuildLink, *, now: dt.datetime) -> None:
    """Link a production to a server (replacing its previous link). A server serves one production."""
    values = {
        "guild_id": link.guild_id,
        "digest_channel_id": link.digest_channel_id,
        "practices_channel_id": link.practices_channel_id,
        "role_name": link.role_name,
        "linked_at": now,
    }
    with engine.begin() as conn:
        other = conn.execute(
            select(discord_links.c.production_id).where(
                discord_links.c.guild_id == link.guild_id,
                discord_links.c.production_id != link.production_id,
            )
        ).scalar()
        if other is not None:
            raise ValueError(f"server {link.guild_id} is already linked to production {other!r}")
        done = conn.execute(
            update(discord_links).where(discord_links.c.production_id == link.production_id).values(**values)
        )
        if done.rowcount == 0:
            conn.execute(insert(discord_links).values(production_id=link.production_id, **values))


def remove_link(engine: Engine, production_id: str) -> bool:
    with engine.begin() as conn:
        done = conn.execute(delete(discord_links).where(discord_links.c.production_id == production_id))
    return done.rowcount > 0


def link_for_production(engine: Engine, production_id: str) -> GuildLink | None:
    with engine.connect() as conn:
        row = conn.execute(
            select(discord_links).where(discord_links.c.production_id == production_id)
        ).first()
    return None if row is None else _link(row)


def link_for_guild(engine: Engine, guild_id: int) -> GuildLink | None:
    with engine.connect() as conn:
        row = conn.execute(select(discord_links).where(discord_links.c.guild_id == guild_id)).first()
    return None if row is None else _link(row)


def all_links(engine: Engine) -> list[GuildLink]:
    with engine.connect() as conn:
        rows = conn.execute(select(discord_links).order_by(discord_links.c.production_id)).all()
    return [_link(r) for r in rows]


# -- good practices --------------------------------------------------------------------------------


def add_practice(
    engine: Engine,
    *,
    production_id: str,
    message_id: int,
    channel_id: int,
    author_id: int,
    author_name: str,
    text: str,
    link: str,
    source: str,
    posted_at: dt.datetime,
) -> tuple[int, bool]:
    """Store a practice once per message. Returns (practice id, True if it is new)."""
    with engine.begin() as conn:
        existing = conn.execute(
            select(discord_practices.c.id).where(discord_practices.c.message_id == message_id)
        ).scalar()
        if existing is not None:
            return int(existing), False
        try:
            with conn.begin_nested():
                pid = conn.execute(
                    insert(discord_practices)
                    .values(
                        production_id=production_id,
                        message_id=message_id,
                        channel_id=channel_id,
                        author_id=author_id,
                        author_name=author_name[:200],
                        text=text,
                        link=link[:300],
                        source=source,
                        posted_at=posted_at,
                    )
                    .returning(discord_practices.c.id)
                ).scalar_one()
        except IntegrityError:  # the same message captured at the same moment by another process
            pid = conn.execute(
                select(discord_practices.c.id).where(discord_practices.c.message_id == message_id)
            ).scalar_one()
            return int(pid), False
    return int(pid), True


def practice_for_message(engine: Engine, message_id: int) -> tuple[int, int] | None:
    """(practice id, author id) of the practice a message carries, if any."""
    with engine.connect() as conn:
        row = conn.execute(
            select(discord_practices.c.id, discord_practices.c.author_id).where(
                discord_practices.c.message_id == message_id
            )
        ).first()
    return None if row is None else (int(row.id), int(row.author_id))


def update_practice_text(engine: Engine, message_id: int, text: str) -> bool:
    """The author edited the message: the practice reads as it does now."""
    with engine.begin() as conn:
        done = conn.execute(
            update(discord_practices).where(discord_practices.c.message_id == message_id).values(text=text)
        )
    return done.rowcount > 0


def remove_practice(engine: Engine, message_id: int) -> bool:
    """The message was deleted: the practice and its votes go with it."""
    with engine.begin() as conn:
        pid = conn.execute(
            select(discord_practices.c.id).where(discord_practices.c.message_id == message_id)
        ).scalar()
        if pid is None:
            return False
        conn.execute(delete(discord_practice_votes).where(discord_practice_votes.c.practice_id == pid))
        conn.execute(delete(discord_practices).where(discord_practices.c.id == pid))
    return True


def add_vote(engine: Engine, practice_id: int, user_id: int, emoji: str, *, at: dt.datetime) -> bool:
    """Count a reaction once per (user, emoji). Returns False if it was already counted."""
    try:
        with engine.begin() as conn:
            conn.execute(
                insert(discord_practice_votes).values(
                    practice_id=practice_id, user_id=user_id, emoji=emoji[:100], voted_at=at
                )
            )
    except IntegrityError:
        return False
    return True


def remove_vote(engine: Engine, practice_id: int, user_id: int, emoji: str) -> bool:
    with engine.begin() as conn:
        done = conn.execute(
            delete(discord_practice_votes).where(
                discord_practice_votes.c.practice_id == practice_id,
                discord_practice_votes.c.user_id == user_id,
                discord_practice_votes.c.emoji == emoji[:100],
            )
        )
    return done.rowcount > 0


def practices(engine: Engine, production_id: str) -> list[Practice]:
    """The production's good practices, most voted first: what the dashboard lists.

    A vote is one person: several reactions from the same person count once.
    """
    votes = (
        select(
            discord_practice_votes.c.practice_id,
            func.count(func.distinct(discord_practice_votes.c.user_id)).label("votes"),
        )
        .group_by(discord_practice_votes.c.practice_id)
        .subquery()
    )
    query = (
        select(discord_practices, func.coalesce(votes.c.votes, 0).label("votes"))
        .outerjoin(votes, votes.c.practice_id == discord_practices.c.id)
        .where(discord_practices.c.production_id == production_id)
        .order_by(func.coalesce(votes.c.votes, 0).desc(), discord_practices.c.posted_at, discord_practices.c.id)
    )
    with engine.connect() as conn:
        rows = conn.execute(query).all()
    return [
        Practice(
            id=r.id,
            production_id=r.production_id,
            message_id=int(r.message_id),
            channel_id=int(r.channel_id),
            author_id=int(r.author_id),
            author_name=r.author_name,
            text=r.text,
            link=r.link,
            source=r.source,
            posted_at=r.posted_at,
            votes=int(r.votes),
        )
        for r in rows
    ]


# -- posts made once -------------------------------------------------------------------------------


def claim_post(
    engine: Engine, production_id: str, kind: str, key: str, *, day: dt.date, text: str, now: dt.datetime
) -> Claim:
    """Take the right to make the post (production, kind, key), unless it was made or is being made."""
    with engine.begin() as conn:
        row = conn.execute(
            select(discord_posts.c.id, discord_posts.c.message_id, discord_posts.c.claimed_at).where(
                discord_posts.c.production_id == production_id,
                discord_posts.c.kind == kind,
                discord_posts.c.key == key,
            )
        ).first()
        if row is not None:
            if row.message_id is None and now - row.claimed_at > STALE_CLAIM:
                # The process that claimed it died before posting: take it over, once.
                done = conn.execute(
                    update(discord_posts)
                    .where(discord_posts.c.id == row.id, discord_posts.c.claimed_at == row.claimed_at)
                    .values(claimed_at=now, text=text)
                )
                if done.rowcount == 1:
                    return Claim(row.id, True)
            return Claim(row.id, False, row.message_id)
        try:
            with conn.begin_nested():
                new_id = conn.execute(
                    insert(discord_posts)
                    .values(
                        production_id=production_id,
                        kind=kind,
                        key=key,
                        day=day.isoformat(),
                        text=text,
                        claimed_at=now,
                    )
                    .returning(discord_posts.c.id)
                ).scalar_one()
        except IntegrityError:  # another process claimed it a moment ago
            return Claim(None, False)
    return Claim(int(new_id), True)


def mark_posted(engine: Engine, claim_id: int, message_id: int) -> None:
    with engine.begin() as conn:
        conn.execute(update(discord_posts).where(discord_posts.c.id == claim_id).values(message_id=message_id))


def release_claim(engine: Engine, claim_id: int) -> None:
    """The post failed: let a later attempt make it."""
    with engine.begin() as conn:
        conn.execute(
            delete(discord_posts).where(discord_posts.c.id == claim_id, discord_posts.c.message_id.is_(None))
        )


def escalations_since_last_digest(engine: Engine, production_id: str) -> list[str]:
    """The escalations posted since the last digest that went out (all of them before the first)."""
    with engine.connect() as conn:
        last = conn.execute(
            select(func.max(discord_posts.c.claimed_at)).where(
                discord_posts.c.production_id == production_id,
                discord_posts.c.kind == "digest",
                discord_posts.c.message_id.is_not(None),
            )
        ).scalar()
        query = select(discord_posts.c.text).where(
            discord_posts.c.production_id == production_id,
            discord_posts.c.kind == "escalation",
            discord_posts.c.message_id.is_not(None),
        )
        if last is not None:
            query = query.where(discord_posts.c.claimed_at > last)
        rows = conn.execute(query.order_by(discord_posts.c.claimed_at, discord_posts.c.id)).all()
    return [r.text for r in rows]


def count_posts(engine: Engine, production_id: str, kind: str) -> int:
    with engine.connect() as conn:
        return int(
            conn.execute(
                select(func.count()).select_from(discord_posts).where(
                    discord_posts.c.production_id == production_id, discord_posts.c.kind == kind
                )
            ).scalar_one()
        )


# -- bot state -------------------------------------------------------------------------------------


def get_meta(engine: Engine, key: str) -> str | None:
    with engine.connect() as conn:
        return conn.execute(select(discord_meta.c.value).where(discord_meta.c.key == key)).scalar()


def set_meta(engine: Engine, key: str, value: str) -> None:
    with engine.begin() as conn:
        done = conn.execute(update(discord_meta).where(discord_meta.c.key == key).values(value=value))
        if done.rowcount == 0:
            conn.execute(insert(discord_meta).values(key=key, value=value))
