"""Productions and members in the store: round trip, reloads that keep the shoot's state."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import replace
from decimal import Decimal as D
from pathlib import Path

import pytest
from sqlalchemy import select

from domain import usecases
from domain.errors import UnknownMember, UnknownProduction
from domain.model import ActionOutcome, ActionStatus, Channel, CrewMember, Language, Production, ReportKind, Role
from domain.usecases import Catalogue
from store.tables import members, productions
from store.uow import SqlUnitOfWork
from tests.store.store_builders import report

UowFactory = Callable[[], SqlUnitOfWork]
ROOT = Path(__file__).resolve().parents[2]
#: The reference production file, as shipped in the package.
EXAMPLE = ROOT / "config" / "examples" / "feature-film.yaml"
NOW = dt.datetime(2027, 3, 1, 18, 0, tzinfo=dt.UTC)


def _rows(uow_factory: UowFactory) -> tuple[list[tuple[object, ...]], list[tuple[object, ...]]]:
    with uow_factory() as uow:
        return (
            [tuple(r) for r in uow.connection.execute(select(productions).order_by(productions.c.id))],
            [tuple(r) for r in uow.connection.execute(select(members).order_by(members.c.member_id))],
        )


def test_a_production_comes_back_as_it_was_saved(uow_factory: UowFactory, production: Production) -> None:
    assert usecases.load_production(uow_factory(), production) is True
    with uow_factory() as uow:
        assert uow.productions.get(production.id) == production
        assert uow.productions.find("nope") is None
        with pytest.raises(UnknownProduction):
            uow.productions.get("nope")


def test_the_reference_production_file_round_trips(uow_factory: UowFactory) -> None:
    production_file = pytest.importorskip("common.production_file")
    if not EXAMPLE.exists():
        pytest.skip(f"{EXAMPLE} is not there")
    production = production_file.load_production_file(EXAMPLE)
    usecases.load_production(uow_factory(), production)
    with uow_factory() as uow:
        assert uow.productions.get(production.id) == production


def test_saving_the_same_production_twice_changes_nothing(
    uow_factory: UowFactory, production: Production
) -> None:
    usecases.load_production(uow_factory(), production)
    before = _rows(uow_factory)
    assert usecases.load_production(uow_factory(), production) is False
    assert _rows(uow_factory) == before


def test_an_edited_file_updates_the_production_and_keeps_the_shoot(
    uow_factory: UowFactory, production: Production, cat: Catalogue
) -> None:
    usecases.load_production(uow_factory(), production)
    recorded = usecases.record_report(
        uow_factory(), cat, report(ReportKind.MILEAGE, {"odometer": 45230}, subject="mb1")
    )
    waste = usecases.record_report(
        uow_factory(), cat, report(ReportKind.WASTE, {"residual": 10}, member="sam")
    )
    consent = dt.datetime(2027, 2, 20, 9, 0, tzinfo=dt.UTC)
    with uow_factory() as uow:
        uow.members.link_telegram(production.id, "amina", 1001, consent)
        uow.members.set_language(production.id, "lea", Language.EN)
        uow.members.set_paused_until(production.id, "paul", dt.date(2027, 3, 10))
        uow.commit()
    _, members_before = _rows(uow_factory)
    created_before = _rows(uow_factory)[0][0][-2]

    crew = {m.id: m for m in production.crew}
    edited = replace(
        production,
        title="Les Feux de l'Aube (v2)",
        crew=(
            replace(crew["amina"], name="Amina D."),
            replace(crew["paul"], language=Language.EN),  # never chosen in chat: the file wins
            crew["lea"],  # chose English in chat: her choice wins over the file's French
            crew["chloe"],
            CrewMember("nina", "Nina Roy", Role.CREW, Channel.TELEGRAM, Language.FR),
        ),  # sam left the crew
    )
    assert usecases.load_production(uow_factory(), edited) is False

    with uow_factory() as uow:
        got = uow.productions.get(production.id)
        assert got.title == "Les Feux de l'Aube (v2)"
        assert [m.id for m in got.crew] == ["amina", "paul", "lea", "chloe", "nina"]
        assert got.member("amina").name == "Amina D."
        assert got.member("paul").language is Language.EN
        assert got.member("paul").paused_until == dt.date(2027, 3, 10)
        assert got.member("lea").language is Language.EN
        amina = uow.members.state(production.id, "amina")
        assert (amina.telegram_chat_id, amina.consent_at) == (1001, consent)
        assert [s.member_id for s in uow.members.states(production.id)] == ["amina", "paul", "lea", "chloe", "nina"]
        assert uow.members.state(production.id, "sam").member_id == "sam"  # inactive, not deleted
        reports = uow.reports.for_production(production.id)
        assert [r.id for r in reports] == [recorded.report.id, waste.report.id]
        assert uow.reports.get(waste.report.id or 0).member_id == "sam"
        assert len(uow.lines.for_production(production.id)) == 2
    productions_after, members_after = _rows(uow_factory)
    assert productions_after[0][-2] == created_before
    assert len(members_after) == len(members_before) + 1

    # Sam comes back: the same member again, active.
    usecases.load_production(uow_factory(), production)
    with uow_factory() as uow:
        assert "sam" in [m.id for m in uow.productions.get(production.id).crew]


def test_list_summarises_each_production(
    uow_factory: UowFactory, production: Production, cat: Catalogue
) -> None:
    usecases.load_production(uow_factory(), production)
    usecases.load_production(uow_factory(), replace(production, id="pub-velo", title="Pub vélo", crew=()))
    usecases.record_report(uow_factory(), cat, report(ReportKind.MEALS, {"vegetarian": 30}, member="paul"))
    with uow_factory() as uow:
        summaries = {s.id: s for s in uow.productions.list()}
    assert summaries["feux-aube"].crew_count == 5
    assert summaries["feux-aube"].report_count == 1
    assert summaries["feux-aube"].start == dt.date(2027, 3, 1)
    assert summaries["feux-aube"].type == "feature_film"
    assert (summaries["pub-velo"].crew_count, summaries["pub-velo"].report_count) == (0, 0)


def test_member_state_changes(uow_factory: UowFactory, production: Production) -> None:
    usecases.load_production(uow_factory(), production)
    with uow_factory() as uow:
        uow.members.link_telegram(production.id, "amina", 42, NOW)
        uow.members.set_voice(production.id, "amina", True)
        uow.members.set_unreachable(production.id, "paul", True)
        uow.commit()
    with uow_factory() as uow:
        amina = uow.members.state(production.id, "amina")
        assert (amina.telegram_chat_id, amina.voice, amina.forgotten) == (42, True, False)
        assert amina.consent_at == NOW and amina.consent_at.tzinfo is not None
        assert uow.members.state(production.id, "paul").unreachable is True
        assert [s.member_id for s in uow.members.by_telegram_chat(42)] == ["amina"]
        assert uow.members.by_telegram_chat(43) == []
        with pytest.raises(UnknownMember):
            uow.members.set_voice(production.id, "nobody", True)
        with pytest.raises(UnknownMember):
            uow.members.state(production.id, "nobody")
    # The file's voice setting does not override the member's choice.
    usecases.load_production(uow_factory(), production)
    with uow_factory() as uow:
        assert uow.members.state(production.id, "amina").voice is True


def test_forget_erases_the_person_and_keeps_the_figures(
    uow_factory: UowFactory, production: Production, cat: Catalogue
) -> None:
    usecases.load_production(uow_factory(), production)
    recorded = usecases.record_report(
        uow_factory(), cat, report(ReportKind.MILEAGE, {"odometer": 45100}, subject="mb1")
    )
    with uow_factory() as uow:
        uow.members.link_telegram(production.id, "amina", 42, NOW)
        uow.commit()
    with uow_factory() as uow:
        uow.members.forget(production.id, "amina")
        uow.commit()
    usecases.load_production(uow_factory(), production)  # the file still has her name
    with uow_factory() as uow:
        state = uow.members.state(production.id, "amina")
        assert (state.forgotten, state.telegram_chat_id, state.consent_at) == (True, None, None)
        assert uow.productions.get(production.id).member("amina").name == ""
        assert uow.members.by_telegram_chat(42) == []
        assert uow.reports.get(recorded.report.id or 0).values == {"odometer": D(45100)}
        assert len(uow.lines.for_production(production.id)) == 1
        names = uow.connection.scalars(select(members.c.name).where(members.c.member_id == "amina")).all()
        assert names == [""]
    # She comes back through a new invite: linked again, no longer forgotten; the next load of
    # the file gives her name back.
    with uow_factory() as uow:
        uow.members.link_telegram(production.id, "amina", 43, NOW)
        uow.commit()
    usecases.load_production(uow_factory(), production)
    with uow_factory() as uow:
        assert uow.members.state(production.id, "amina").forgotten is False
        assert uow.productions.get(production.id).member("amina").name == "Amina Diallo"


def test_action_status_is_history_and_the_latest_is_current(
    uow_factory: UowFactory, production: Production
) -> None:
    usecases.load_production(uow_factory(), production)
    usecases.set_action_status(uow_factory(), production.id, "A1", ActionStatus.IN_PROGRESS, by="chloe", at=NOW)
    later = NOW + dt.timedelta(days=30)
    usecases.set_action_status(
        uow_factory(), production.id, "A1", ActionStatus.DONE, by="chloe", at=later,
        outcome=ActionOutcome.REPRODUCIBLE, note="menu végé tous les jours",
    )
    with uow_factory() as uow:
        a1 = uow.productions.get(production.id).action("A1")
        assert (a1.status, a1.outcome, a1.note) == (
            ActionStatus.DONE, ActionOutcome.REPRODUCIBLE, "menu végé tous les jours"
        )
        assert uow.productions.get(production.id).action("A3").status is ActionStatus.PLANNED
        history = uow.actions.history(production.id, "A1")
        assert [h["status"] for h in history] == [ActionStatus.IN_PROGRESS, ActionStatus.DONE]
        assert history[1]["at"] == later
    # Reloading the file (which only has the initial plan) keeps the status.
    usecases.load_production(uow_factory(), production)
    with uow_factory() as uow:
        assert uow.productions.get(production.id).action("A1").status is ActionStatus.DONE
    plan = usecases.get_plan(uow_factory(), production.id)
    assert {p.action.id: p.action.status for p in plan}["A1"] is ActionStatus.DONE


def test_nothing_is_kept_without_commit(uow_factory: UowFactory, production: Production) -> None:
    with uow_factory() as uow:
        uow.productions.save(production)
        assert uow.productions.find(production.id) is not None  # visible inside its transaction
    with uow_factory() as uow:
        uow.productions.save(production)
        uow.rollback()
        uow.commit()
    with uow_factory() as uow:
        assert uow.productions.find(production.id) is None
    uow = uow_factory()
    with pytest.raises(RuntimeError):
        uow.connection  # noqa: B018 - outside a `with` block there is no transaction


def test_a_nested_block_shares_the_outer_transaction(uow_factory: UowFactory, production: Production) -> None:
    uow = uow_factory()
    with uow:
        uow.productions.save(production)
        with uow:
            assert uow.productions.find(production.id) is not None
        assert uow.productions.find(production.id) is not None  # the inner block did not end it
        uow.commit()
    with uow_factory() as check:
        assert check.productions.find(production.id) is not None
