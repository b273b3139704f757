"""Dashboard accounts: argon2 hashes, verification, memberships and roles."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, select

from common.production_file import load_production_file
from domain.errors import UnknownProduction
from domain.usecases import load_production
from store.uow import SqlUnitOfWork
from store.users import (
    DashboardRole,
    InvalidAccount,
    add_user,
    membership,
    memberships_of,
    users,
    verify,
)
from tests.dashboard.conftest import OTHER, example_file


@pytest.fixture
def two_productions(engine: Engine) -> Engine:
    load_production(SqlUnitOfWork(engine), load_production_file(example_file()))
    load_production(SqlUnitOfWork(engine), load_production_file(OTHER))
    return engine


def test_password_is_stored_as_an_argon2id_hash(two_productions: Engine) -> None:
    user, created = add_user(two_productions, " Marc@Example.org ", "a long passphrase", "feux-aube", "coordinator")
    assert created and user.email == "marc@example.org"
    with two_productions.connect() as conn:
        stored = conn.execute(select(users.c.password_hash)).scalar_one()
    assert stored.startswith("$argon2id$") and "a long passphrase" not in stored


def test_verify_accepts_the_password_only(two_productions: Engine) -> None:
    add_user(two_productions, "marc@example.org", "a long passphrase", "feux-aube", "coordinator")
    assert verify(two_productions, "MARC@example.org", "a long passphrase") is not None
    assert verify(two_productions, "marc@example.org", "a long passphrasE") is None
    assert verify(two_productions, "nobody@example.org", "a long passphrase") is None
    assert verify(two_productions, "not an email", "a long passphrase") is None


def test_memberships_and_roles(two_productions: Engine) -> None:
    user, _ = add_user(two_productions, "marc@example.org", "a long passphrase", "feux-aube", "coordinator")
    again, created = add_user(two_productions, "marc@example.org", None, "court-nuit", "viewer")
    assert not created and again.id == user.id
    mine = {m.production_id: m.role for m in memberships_of(two_productions, user.id)}
    assert mine == {"feux-aube": DashboardRole.COORDINATOR, "court-nuit": DashboardRole.VIEWER}
    assert membership(two_productions, user.id, "court-nuit").can_edit is False  # type: ignore[union-attr]
    assert membership(two_productions, user.id, "feux-aube").can_edit is True  # type: ignore[union-attr]
    assert membership(two_productions, user.id, "nowhere") is None
    add_user(two_productions, "marc@example.org", None, "court-nuit", "coordinator")
    assert membership(two_productions, user.id, "court-nuit").role is DashboardRole.COORDINATOR  # type: ignore[union-attr]
    assert verify(two_productions, "marc@example.org", "a long passphrase") is not None  # password kept


def test_bad_accounts_change_nothing(two_productions: Engine) -> None:
    with pytest.raises(UnknownProduction):
        add_user(two_productions, "marc@example.org", "a long passphrase", "nowhere", "viewer")
    with pytest.raises(InvalidAccount):
        add_user(two_productions, "marc@example.org", "short", "feux-aube", "viewer")
    with pytest.raises(InvalidAccount):
        add_user(two_productions, "not-an-email", "a long passphrase", "feux-aube", "viewer")
    with pytest.raises(InvalidAccount):
        add_user(two_productions, "new@example.org", None, "feux-aube", "viewer")
    with pytest.raises(ValueError):
        add_user(two_productions, "marc@example.org", "a long passphrase", "feux-aube", "admin")
    with two_productions.connect() as conn:
        assert conn.execute(select(users)).all() == []


def test_demo_login_gives_a_working_coordinator_account(two_productions: Engine) -> None:
    from store.users import demo_login

    email, password = demo_login(two_productions, "feux-aube")
    user = verify(two_productions, email, password)
    assert user is not None and membership(two_productions, user.id, "feux-aube").can_edit  # type: ignore[union-attr]
    again_email, again = demo_login(two_productions, "feux-aube")
    assert again_email == email and again != password
    assert verify(two_productions, email, password) is None and verify(two_productions, email, again) is not None
