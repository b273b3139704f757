"""Dashboard accounts managed from the dashboard: one-time invite links, roles, removal.

An invite is a link with a random token (only its SHA-256 is stored) that opens one account, or
gives an existing account one more production, once, before it expires. An invite to no
production (made by ``greenslate user invite`` on a fresh install) opens an account that may
create productions. Changing a role or taking
access away ends the account's sessions at once (``store.users.end_sessions``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

from sqlalchemy import (
    Column,
    Engine,
    ForeignKey,
    Integer,
    String,
    Table,
    delete,
    func,
    insert,
    select,
    update,
)

from store.tables import ID, UtcDateTime, metadata
from store.users import (
    DashboardRole,
    InvalidAccount,
    User,
    hash_password,
    memberships,
    normalise_email,
    users,
    verify,
)

#: An invite link works this long, once.
INVITE_TTL = dt.timedelta(days=7)

account_invites = Table(
    "account_invites",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("token_hash", String(64), nullable=False, unique=True),
    # None: an invite to create productions (a coordinator with no production yet)
    Column("production_id", ID, ForeignKey("productions.id", ondelete="CASCADE"), nullable=True),
    Column("role", String(16), nullable=False),
    Column("created_by", Integer, ForeignKey("users.id", ondelete="SET NULL"), nullable=True),
    Column("created_at", UtcDateTime, nullable=False),
    Column("expires_at", UtcDateTime, nullable=False),
    Column("used_at", UtcDateTime, nullable=True),
    Column("used_by", Integer, ForeignKey("users.id", ondelete="SET NULL"), nullable=True),
)


@dataclass(frozen=True)
class AccountInvite:
    production_id: str | None  # None: the account may create productions
    role: DashboardRole
    expires_at: dt.datetime


@dataclass(frozen=True)
class Account:
    user_id: int
    email: str
    role: DashboardRole


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def create_invite(engine: Engine, production_id: str | None, role: DashboardRole | str, created_by: int | None,
                  *, ttl: dt.timedelta = INVITE_TTL, now: dt.datetime | None = None) -> str:
    """A new one-time invite to ``production_id`` as ``role``: the token to put in the link (shown once).

    With no production, the invite opens an account that may create productions (a coordinator's)."""
    if production_id is None and DashboardRole(role) is not DashboardRole.COORDINATOR:
        raise InvalidAccount("a viewer reads a production: name it", "viewer")
    token = secrets.token_urlsafe(24)
    now = now or _now()
    with engine.begin() as conn:
        conn.execute(insert(account_invites).values(
            token_hash=_hash(token), production_id=production_id, role=DashboardRole(role).value,
            created_by=created_by, created_at=now, expires_at=now + ttl))
    return token


def open_invite(engine: Engine, token: str, *, now: dt.datetime | None = None) -> AccountInvite | None:
    """The invite behind ``token`` while it may still be used; None once used, expired or unknown."""
    with engine.connect() as conn:
        row = conn.execute(select(account_invites).where(account_invites.c.token_hash == _hash(token))).first()
    if row is None or row.used_at is not None or row.expires_at <= (now or _now()):
        return None
    return AccountInvite(row.production_id, DashboardRole(row.role), row.expires_at)


def accept_invite(engine: Engine, token: str, email: str, password: str, *, language: str = "fr",
                  now: dt.datetime | None = None) -> User:
    """Use the invite: a new account with this password, or an existing one whose password this is.

    The invite is spent in the same transaction (a second use, even at the same moment, finds it
    spent). Raises ``InvalidAccount`` with the reason, and then nothing changes.
    """
    now = now or _now()
    email = normalise_email(email)
    invite = open_invite(engine, token, now=now)
    if invite is None:
        raise InvalidAccount("this invite link was already used or has expired", "spent")
    with engine.connect() as conn:
        existing = conn.execute(select(users.c.id).where(users.c.email == email)).first()
    if existing is not None:
        found = verify(engine, email, password)
        if found is None:
            raise InvalidAccount("an account with this email exists; give its password to add this production",
                                 "exists")
        new_hash = None
    else:
        new_hash = hash_password(password)
    with engine.begin() as conn:
        spent = conn.execute(update(account_invites).where(
            account_invites.c.token_hash == _hash(token), account_invites.c.used_at.is_(None),
            account_invites.c.expires_at > now).values(used_at=now))
        if spent.rowcount != 1:
            raise InvalidAccount("this invite link was already used or has expired", "spent")
        if new_hash is not None:
            user_id = conn.execute(insert(users).values(
                email=email, password_hash=new_hash, language=language, created_at=now)).inserted_primary_key[0]
        else:
            assert existing is not None
            user_id = existing.id
        conn.execute(update(account_invites).where(account_invites.c.token_hash == _hash(token))
                     .values(used_by=user_id))
        if invite.production_id is None:
            conn.execute(update(users).where(users.c.id == user_id).values(may_create=True))
        had = None if invite.production_id is None else conn.execute(select(memberships.c.role).where(
            memberships.c.user_id == user_id, memberships.c.production_id == invite.production_id)).first()
        if had is None and invite.production_id is not None:
            conn.execute(insert(memberships).values(user_id=user_id, production_id=invite.production_id,
                                                    role=invite.role.value))
        row = conn.execute(select(users).where(users.c.id == user_id)).one()
    return User(row.id, row.email, row.language, row.session_version)


def accounts_of(engine: Engine, production_id: str) -> list[Account]:
    """Who may see the production in the dashboard, by email."""
    query = (select(users.c.id, users.c.email, memberships.c.role)
             .join(memberships, memberships.c.user_id == users.c.id)
             .where(memberships.c.production_id == production_id).order_by(users.c.email))
    with engine.connect() as conn:
        return [Account(r.id, r.email, DashboardRole(r.role)) for r in conn.execute(query)]


def _coordinators(conn: object, production_id: str) -> int:
    return int(conn.execute(select(func.count()).select_from(memberships).where(  # type: ignore[attr-defined]
        memberships.c.production_id == production_id,
        memberships.c.role == DashboardRole.COORDINATOR.value)).scalar_one())


def set_role(engine: Engine, user_id: int, production_id: str, role: DashboardRole | str) -> None:
    """Change the account's role on the production; its sessions end. The last coordinator stays one."""
    role = DashboardRole(role)
    with engine.begin() as conn:
        row = conn.execute(select(memberships.c.role).where(
            memberships.c.user_id == user_id, memberships.c.production_id == production_id)).first()
        if row is None:
            raise InvalidAccount("this account has no access to the production", "no_access")
        if row.role == role.value:
            return
        if row.role == DashboardRole.COORDINATOR.value and _coordinators(conn, production_id) == 1:
            raise InvalidAccount("the production needs at least one coordinator; name another one first",
                                 "last_coordinator")
        conn.execute(update(memberships).where(
            memberships.c.user_id == user_id, memberships.c.production_id == production_id).values(role=role.value))
        conn.execute(update(users).where(users.c.id == user_id)
                     .values(session_version=users.c.session_version + 1))


def remove_membership(engine: Engine, user_id: int, production_id: str) -> None:
    """Take the production away from the account (which stays); its sessions end at once."""
    with engine.begin() as conn:
        row = conn.execute(select(memberships.c.role).where(
            memberships.c.user_id == user_id, memberships.c.production_id == production_id)).first()
        if row is None:
            raise InvalidAccount("this account has no access to the production", "no_access")
        if row.role == DashboardRole.COORDINATOR.value and _coordinators(conn, production_id) == 1:
            raise InvalidAccount("the production needs at least one coordinator; name another one first",
                                 "last_coordinator")
        conn.execute(delete(memberships).where(
            memberships.c.user_id == user_id, memberships.c.production_id == production_id))
        conn.execute(update(users).where(users.c.id == user_id)
                     .values(session_version=users.c.session_version + 1))


def remove_account(engine: Engine, user_id: int, allowed: set[str]) -> None:
    """Delete the account, if every production it can see is in ``allowed`` (those the remover
    coordinates) and none would be left without a coordinator; its sessions end with it."""
    with engine.begin() as conn:
        rows = conn.execute(select(memberships.c.production_id, memberships.c.role)
                            .where(memberships.c.user_id == user_id)).all()
        others = sorted(r.production_id for r in rows if r.production_id not in allowed)
        if others:
            raise InvalidAccount("this account also sees productions you do not coordinate; "
                                 "remove its access to this production instead", "elsewhere")
        for r in rows:
            if r.role == DashboardRole.COORDINATOR.value and _coordinators(conn, r.production_id) == 1:
                raise InvalidAccount("the production needs at least one coordinator; name another one first",
                                 "last_coordinator")
        conn.execute(delete(memberships).where(memberships.c.user_id == user_id))
        conn.execute(update(account_invites).where(account_invites.c.created_by == user_id).values(created_by=None))
        conn.execute(update(account_invites).where(account_invites.c.used_by == user_id).values(used_by=None))
        conn.execute(delete(users).where(users.c.id == user_id))
