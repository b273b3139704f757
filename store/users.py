"""Dashboard accounts: users, their memberships of productions, and argon2 password hashes.

A user belongs to one or more productions, as ``coordinator`` (may change the action plan) or
``viewer`` (reads only). Nothing else in the dashboard decides who sees what: every page,
callback and download asks :func:`membership` first. Creating a production is for coordinators,
and for an account made to create the first one (``may_create``: a fresh install has no
production to be a coordinator of); see :func:`may_create_productions`.
"""

from __future__ import annotations

import datetime as dt
import secrets
import string
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from enum import StrEnum
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import (
    Boolean,
    Column,
    Engine,
    ForeignKey,
    Integer,
    PrimaryKeyConstraint,
    String,
    Table,
    delete,
    false,
    insert,
    select,
    update,
)
from sqlalchemy.engine import Connection

from domain.errors import GreenslateError, UnknownProduction
from store.tables import ID, UtcDateTime, metadata, productions

#: argon2id with the library's current defaults (RFC 9106 low-memory profile).
_hasher = PasswordHasher()


@cache
def _dummy_hash() -> str:
    """Verified against when the email is unknown, so a wrong email costs the same time as a wrong
    password. Made at the first sign-in (``warm_up()`` at the dashboard's start), not at import: a
    hash costs about 0.1 s, which every command paid before."""
    return _hasher.hash("greenslate-no-such-user")


def warm_up() -> None:
    """Make the dummy hash now, so that even the first unknown email costs what a wrong password does."""
    _dummy_hash()


MIN_PASSWORD_LENGTH = 10


class DashboardRole(StrEnum):
    COORDINATOR = "coordinator"
    VIEWER = "viewer"

    @property
    def can_edit(self) -> bool:
        return self is DashboardRole.COORDINATOR


users = Table(
    "users",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("email", String(320), nullable=False, unique=True),  # stored lower-case
    Column("password_hash", String(200), nullable=False),
    Column("language", String(8), nullable=False, default="fr"),
    Column("created_at", UtcDateTime, nullable=False),
    # Raised to end every session of the account (sign-out, new password, access removed).
    Column("session_version", Integer, nullable=False, default=0, server_default="0"),
    # May create productions without coordinating one yet (the first account of a fresh install).
    Column("may_create", Boolean, nullable=False, default=False, server_default=false()),
)

memberships = Table(
    "memberships",
    metadata,
    Column("user_id", Integer, ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("production_id", ID, ForeignKey("productions.id", ondelete="CASCADE"), nullable=False),
    Column("role", String(16), nullable=False),
    PrimaryKeyConstraint("user_id", "production_id"),
)


class InvalidAccount(GreenslateError):
    """An account change refused; ``reason`` names the refusal for the dashboard's catalogue
    (``accounts.why.<reason>``), the message stays English for the command line."""

    code = "invalid_account"

    def __init__(self, message: str, reason: str | None = None) -> None:
        super().__init__(message)
        self.reason = reason


@dataclass(frozen=True)
class User:
    id: int
    email: str
    language: str
    session_version: int = 0


@dataclass(frozen=True)
class Membership:
    production_id: str
    title: str
    role: DashboardRole

    @property
    def can_edit(self) -> bool:
        return self.role.can_edit


def normalise_email(email: str) -> str:
    email = email.strip().lower()
    local, _, domain = email.partition("@")
    if not local or "." not in domain or " " in email:
        raise InvalidAccount(f"not an email address: {email!r}", "email")
    return email


def hash_password(password: str) -> str:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidAccount(f"a password needs at least {MIN_PASSWORD_LENGTH} characters", "password")
    return _hasher.hash(password)


def add_user(
    engine: Engine | Connection,
    email: str,
    password: str | None,
    production_id: str | None,
    role: DashboardRole | str,
    *,
    language: str = "fr",
) -> tuple[User, bool]:
    """Create the account (or find it) and give it ``role`` on ``production_id``.

    With no production, the role must be coordinator: the account may then create productions
    (a fresh install's first account). ``password`` is required for a new account; for an existing
    one it replaces the old password when given. Returns the user and whether the account is new.
    """
    email = normalise_email(email)
    role = DashboardRole(role)
    if production_id is None and role is not DashboardRole.COORDINATOR:
        raise InvalidAccount("a viewer reads a production: name it (an account with no production is a "
                             "coordinator who creates the first one)")
    new_hash = hash_password(password) if password is not None else None
    with _begin(engine) as conn:
        if production_id is not None and conn.execute(
                select(productions.c.id).where(productions.c.id == production_id)).first() is None:
            raise UnknownProduction(production_id)
        row = conn.execute(select(users).where(users.c.email == email)).first()
        created = row is None
        if row is None:
            if new_hash is None:
                raise InvalidAccount("a new account needs a password", "password")
            user_id = conn.execute(
                insert(users).values(
                    email=email, password_hash=new_hash, language=language, created_at=dt.datetime.now(dt.UTC)
                )
            ).inserted_primary_key[0]
            user = User(user_id, email, language)
        else:
            user = User(row.id, row.email, row.language, row.session_version)
            if new_hash is not None:  # a new password ends every session signed in with the old one
                conn.execute(update(users).where(users.c.id == row.id).values(
                    password_hash=new_hash, session_version=users.c.session_version + 1))
        if production_id is None:
            conn.execute(update(users).where(users.c.id == user.id).values(may_create=True))
            return user, created
        exists = conn.execute(
            select(memberships.c.role).where(
                memberships.c.user_id == user.id, memberships.c.production_id == production_id
            )
        ).first()
        if exists is None:
            conn.execute(
                insert(memberships).values(user_id=user.id, production_id=production_id, role=role.value)
            )
        else:
            conn.execute(
                update(memberships)
                .where(memberships.c.user_id == user.id, memberships.c.production_id == production_id)
                .values(role=role.value)
            )
    return user, created


def verify(engine: Engine | Connection, email: str, password: str) -> User | None:
    """The user if ``password`` is theirs, else None (same cost whether or not the email exists)."""
    try:
        email = normalise_email(email)
    except InvalidAccount:
        email = ""
    with _begin(engine) as conn:
        row = conn.execute(select(users).where(users.c.email == email)).first() if email else None
        stored = row.password_hash if row is not None else _dummy_hash()
        try:
            _hasher.verify(stored, password)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return None
        if row is None:
            return None
        if _hasher.check_needs_rehash(stored):
            rehashed = _hasher.hash(password)
            conn.execute(update(users).where(users.c.id == row.id).values(password_hash=rehashed))
        return User(row.id, row.email, row.language, row.session_version)


DEMO_EMAIL = "demo@greenslate.example"


def demo_login(engine: Engine | Connection, production_id: str) -> tuple[str, str]:
    """A coordinator account for ``greenslate demo``, with a fresh random password each run.

    Returns (email, password) for the demo to print; the password is stored hashed like any other.
    """
    alphabet = string.ascii_letters + string.digits  # nothing a terminal or a reader could trip on
    password = "".join(secrets.choice(alphabet) for _ in range(16))
    add_user(engine, DEMO_EMAIL, password, production_id, DashboardRole.COORDINATOR)
    return DEMO_EMAIL, password


def user_exists(engine: Engine | Connection, email: str) -> bool:
    with _begin(engine) as conn:
        found = conn.execute(select(users.c.id).where(users.c.email == normalise_email(email))).first()
    return found is not None


def get_user(engine: Engine | Connection, user_id: int) -> User | None:
    with _begin(engine) as conn:
        row = conn.execute(select(users).where(users.c.id == user_id)).first()
    return None if row is None else User(row.id, row.email, row.language, row.session_version)


def end_sessions(engine: Engine | Connection, user_id: int) -> None:
    """Every session of the account ends now: the cookies issued before no longer sign anyone in."""
    with _begin(engine) as conn:
        conn.execute(update(users).where(users.c.id == user_id)
                     .values(session_version=users.c.session_version + 1))


def remove_user(engine: Engine | Connection, email: str) -> list[str]:
    """Delete the account and its memberships; returns the productions it could see.

    Its sessions end with it: a session names an account that no longer exists.
    """
    email = normalise_email(email)
    with _begin(engine) as conn:
        row = conn.execute(select(users.c.id).where(users.c.email == email)).first()
        if row is None:
            raise InvalidAccount(f"no dashboard account {email!r}")
        productions_seen = [r.production_id for r in conn.execute(
            select(memberships.c.production_id).where(memberships.c.user_id == row.id)
            .order_by(memberships.c.production_id))]
        conn.execute(delete(memberships).where(memberships.c.user_id == row.id))
        conn.execute(delete(users).where(users.c.id == row.id))
    return productions_seen


def revoke_membership(engine: Engine | Connection, email: str, production_id: str) -> None:
    """Take away the account's access to one production, and end its sessions (the account stays)."""
    email = normalise_email(email)
    with _begin(engine) as conn:
        row = conn.execute(select(users.c.id).where(users.c.email == email)).first()
        if row is None:
            raise InvalidAccount(f"no dashboard account {email!r}")
        removed = conn.execute(delete(memberships).where(
            memberships.c.user_id == row.id, memberships.c.production_id == production_id))
        if removed.rowcount == 0:
            raise InvalidAccount(f"{email} has no access to {production_id!r}")
        conn.execute(update(users).where(users.c.id == row.id)
                     .values(session_version=users.c.session_version + 1))


def set_language(engine: Engine | Connection, user_id: int, language: str) -> None:
    with _begin(engine) as conn:
        conn.execute(update(users).where(users.c.id == user_id).values(language=language))


def memberships_of(engine: Engine | Connection, user_id: int) -> list[Membership]:
    """The productions a user belongs to, in title order."""
    query = (
        select(memberships.c.production_id, memberships.c.role, productions.c.title)
        .join(productions, productions.c.id == memberships.c.production_id)
        .where(memberships.c.user_id == user_id)
        .order_by(productions.c.title, productions.c.id)
    )
    with _begin(engine) as conn:
        return [Membership(r.production_id, r.title, DashboardRole(r.role)) for r in conn.execute(query)]


def may_create_productions(engine: Engine | Connection, user_id: int) -> bool:
    """Whether the account may create a production: it was made to, or it coordinates one already."""
    with _begin(engine) as conn:
        flagged = conn.execute(select(users.c.may_create).where(users.c.id == user_id)).scalar()
        if flagged:
            return True
        return conn.execute(select(memberships.c.user_id).where(
            memberships.c.user_id == user_id,
            memberships.c.role == DashboardRole.COORDINATOR.value).limit(1)).first() is not None


def membership(engine: Engine | Connection, user_id: int, production_id: str) -> Membership | None:
    """The user's membership of that production, or None: the one access check of the dashboard."""
    for m in memberships_of(engine, user_id):
        if m.production_id == production_id:
            return m
    return None


@contextmanager
def _begin(bind: Engine | Connection) -> Iterator[Connection]:
    """A transaction on an engine, or the caller's connection as it is (the caller commits)."""
    if isinstance(bind, Connection):
        yield bind
    else:
        with bind.begin() as conn:
            yield conn
