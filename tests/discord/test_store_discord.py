"""store.discord on SQLite and PostgreSQL: links, practices once per message, votes per person, posts once."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest

from common.production_file import load_production_file
from domain.usecases import load_production
from store import discord as store
from store.uow import SqlUnitOfWork
from tests.discord.conftest import PRODUCTION, example_file

NOW = dt.datetime(2027, 3, 2, 8, 0, tzinfo=dt.UTC)
DAY = dt.date(2027, 3, 1)


@pytest.fixture
def loaded(engine):
    load_production(SqlUnitOfWork(engine), load_production_file(example_file()))
    return engine


def test_a_server_serves_one_production_and_a_link_can_be_replaced(loaded):
    link = store.GuildLink(PRODUCTION, 111, 222, 333, "Éco-référent")
    store.save_link(loaded, link, now=NOW)
    store.save_link(loaded, store.GuildLink(PRODUCTION, 111, 444, 333, "Eco"), now=NOW)
    assert store.link_for_guild(loaded, 111) == store.GuildLink(PRODUCTION, 111, 444, 333, "Eco")
    assert store.link_for_guild(loaded, 999) is None
    load_production(SqlUnitOfWork(loaded), replace(load_production_file(example_file()), id="autre"))
    with pytest.raises(ValueError, match="already linked to production 'feux-aube'"):
        store.save_link(loaded, store.GuildLink("autre", 111, 1, 2, "Eco"), now=NOW)
    assert [x.production_id for x in store.all_links(loaded)] == [PRODUCTION]
    assert store.remove_link(loaded, PRODUCTION) and not store.remove_link(loaded, PRODUCTION)


def _practice(engine, message_id: int, author: int = 7, text: str = "Gourdes") -> tuple[int, bool]:
    return store.add_practice(
        engine, production_id=PRODUCTION, message_id=message_id, channel_id=333, author_id=author,
        author_name="Sam", text=text, link=f"https://discord.com/channels/111/333/{message_id}",
        source="channel", posted_at=NOW,
    )


def test_a_practice_is_stored_once_per_message_and_listed_most_voted_first(loaded):
    first, new = _practice(loaded, 1001)
    assert new
    assert _practice(loaded, 1001, text="again") == (first, False)
    second, _ = _practice(loaded, 1002, text="Covoiturage")
    assert store.practice_for_message(loaded, 1002) == (second, 7)
    assert store.add_vote(loaded, second, 8, "👍", at=NOW)
    assert not store.add_vote(loaded, second, 8, "👍", at=NOW)  # the same reaction delivered twice
    assert store.add_vote(loaded, second, 8, "❤️", at=NOW)
    assert store.add_vote(loaded, second, 9, "👍", at=NOW)
    listed = store.practices(loaded, PRODUCTION)
    assert [(p.text, p.votes) for p in listed] == [("Covoiturage", 2), ("Gourdes", 0)]
    assert store.remove_vote(loaded, second, 9, "👍")
    assert store.practices(loaded, PRODUCTION)[0].votes == 1
    assert store.update_practice_text(loaded, 1002, "Covoiturage depuis la gare")
    assert store.remove_practice(loaded, 1001) and not store.remove_practice(loaded, 1001)
    assert [(p.text, p.votes) for p in store.practices(loaded, PRODUCTION)] == [("Covoiturage depuis la gare", 1)]


def test_a_post_is_claimed_once_released_on_failure_and_taken_over_when_stale(loaded):
    claim = store.claim_post(loaded, PRODUCTION, "digest", "2027-03-01", day=DAY, text="a", now=NOW)
    assert claim.taken
    busy = store.claim_post(loaded, PRODUCTION, "digest", "2027-03-01", day=DAY, text="a", now=NOW)
    assert (busy.taken, busy.message_id) == (False, None)
    store.release_claim(loaded, claim.id)
    retry = store.claim_post(loaded, PRODUCTION, "digest", "2027-03-01", day=DAY, text="a", now=NOW)
    assert retry.taken
    later = NOW + store.STALE_CLAIM + dt.timedelta(seconds=1)  # the process died before posting
    takeover = store.claim_post(loaded, PRODUCTION, "digest", "2027-03-01", day=DAY, text="b", now=later)
    assert takeover.taken and takeover.id == retry.id
    store.mark_posted(loaded, takeover.id, 5555)
    done = store.claim_post(loaded, PRODUCTION, "digest", "2027-03-01", day=DAY, text="c", now=later)
    assert (done.taken, done.message_id) == (False, 5555)
    store.release_claim(loaded, takeover.id)  # a posted message is never released
    assert store.count_posts(loaded, PRODUCTION, "digest") == 1


def test_escalations_are_listed_until_the_next_digest(loaded):
    def post(kind: str, key: str, text: str, at: dt.datetime) -> None:
        claim = store.claim_post(loaded, PRODUCTION, kind, key, day=DAY, text=text, now=at)
        store.mark_posted(loaded, claim.id, hash(key) & 0xFFFFFF)

    post("escalation", "lea:1", "Léa", NOW)
    assert store.escalations_since_last_digest(loaded, PRODUCTION) == ["Léa"]
    post("digest", "2027-03-01", "digest", NOW + dt.timedelta(hours=1))
    assert store.escalations_since_last_digest(loaded, PRODUCTION) == []
    post("escalation", "karim:1", "Karim", NOW + dt.timedelta(hours=2))
    assert store.escalations_since_last_digest(loaded, PRODUCTION) == ["Karim"]


def test_bot_state_is_kept(loaded):
    assert store.get_meta(loaded, "commands_hash") is None
    store.set_meta(loaded, "commands_hash", "abc")
    store.set_meta(loaded, "commands_hash", "def")
    assert store.get_meta(loaded, "commands_hash") == "def"


def test_racing_claims_let_exactly_one_post(loaded):
    """Two bot processes (or the bot and the scheduler) claiming the same digest at the same moment."""
    from concurrent.futures import ThreadPoolExecutor

    def claim(_: int) -> bool:
        return store.claim_post(loaded, PRODUCTION, "digest", "2027-03-01", day=DAY, text="d", now=NOW).taken

    with ThreadPoolExecutor(max_workers=8) as pool:
        taken = list(pool.map(claim, range(16)))
    assert taken.count(True) == 1
    assert store.count_posts(loaded, PRODUCTION, "digest") == 1
