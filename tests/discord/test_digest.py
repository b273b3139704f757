"""The daily digest and the scheduler's team channel: posted once per day, across reconnects and restarts."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import discord
import discord.ext.test as dpytest

from scheduler.notify import Outcome
from store import discord as store
from tests.discord.conftest import MONDAY, PRODUCTION, make_bot, next_message, paris, sent_messages, stop_bot

TUESDAY = MONDAY + dt.timedelta(days=1)


async def test_digest_once_a_day_across_reconnects_scheduler_calls_and_restarts(bot, server, app, clock):
    digest_cog = bot.get_cog("Digest")
    loop_task = digest_cog.loop.get_task()
    assert bot.setup_runs == 1 and loop_task is not None  # started in setup_hook, before any READY

    clock.now = paris(TUESDAY, 9, 30)  # Monday's digest: the scheduler's at 09:00, the bot's own from 09:30
    bot._ready.set()  # READY: the loop's first round runs
    digest = await next_message()
    assert digest.channel.id == server.digest.id
    lines = digest.content.splitlines()
    assert lines[0] == "Résumé du lundi 1 mars pour Les Feux de l'Aube."
    assert lines[1].startswith("Chiffres du jour : 1") and lines[1].endswith(" kg CO2e.")
    assert "- Transport : 71,4 kg CO2e." in lines  # 220 km x 0.3246
    assert "- Léa Bernard : les heures de Groupe 125 kVA." in lines
    assert "- Karim Haddad : n'a pas encore ouvert son lien d'invitation." in lines

    for _ in range(2):  # the gateway reconnects: READY again, twice
        bot._ready.clear()
        bot.dispatch("ready")
        bot._ready.set()
    await dpytest.run_all_events()
    assert bot.ready_count == 2 and bot.setup_runs == 1
    assert digest_cog.loop.get_task() is loop_task  # no second loop
    assert await digest_cog.tick() == {PRODUCTION: (await bot.team_channel.post_digest(PRODUCTION, MONDAY, ""))}
    delivery = await bot.team_channel.post_digest(PRODUCTION, MONDAY, "Texte du planificateur")
    assert (delivery.outcome, delivery.message_ref) == (Outcome.SENT, str(digest.id))
    assert sent_messages() == []

    await stop_bot(bot)  # the process restarts
    again = await make_bot(app, clock)
    try:
        assert await again.get_cog("Digest").tick() == {
            PRODUCTION: await again.team_channel.post_digest(PRODUCTION, MONDAY, "")
        }
        assert sent_messages() == []
        assert store.count_posts(app.engine, PRODUCTION, "digest") == 1

        clock.now = paris(TUESDAY + dt.timedelta(days=1), 9, 35)  # the next day: Tuesday's digest
        store.save_link(app.engine, store.GuildLink(PRODUCTION, *_ids_of_new_server()), now=clock.now)
        [result] = (await again.get_cog("Digest").tick()).values()
        assert result.outcome is Outcome.SENT
        [tuesday] = sent_messages()
        assert tuesday.content.startswith("Résumé du mardi 2 mars pour Les Feux de l'Aube.")
        assert store.count_posts(app.engine, PRODUCTION, "digest") == 2
    finally:
        await stop_bot(again)


def _ids_of_new_server() -> tuple[int, int, int, str]:
    config = dpytest.get_config()
    guild = config.guilds[0]
    digest, practices = config.channels[:2]
    return guild.id, digest.id, practices.id, "Éco-référent"


async def test_no_digest_before_nine_or_for_a_day_without_prompts(bot, server, app, clock):
    digest_cog = bot.get_cog("Digest")
    clock.now = paris(TUESDAY, 8, 59)
    assert await digest_cog.tick() == {}
    clock.now = paris(TUESDAY, 9, 29)  # the scheduler's turn: the bot's loop leaves it to post
    assert await digest_cog.tick() == {}
    clock.now = paris(dt.date(2027, 3, 7), 10)  # Sunday: Saturday had no prompt
    assert await digest_cog.tick() == {}
    clock.now = paris(dt.date(2027, 3, 1), 10)  # the first day: the day before is not in the shoot
    assert await digest_cog.tick() == {}
    assert sent_messages() == []


async def test_escalation_is_posted_once_and_listed_in_the_next_digest(bot, server, app, clock):
    clock.now = paris(TUESDAY, 8, 0)
    first = await bot.team_channel.escalate(PRODUCTION, "lea", 2, "")  # no text given: the bot's own
    again = await bot.team_channel.escalate(PRODUCTION, "lea", 2, "")
    assert first.outcome is Outcome.SENT and again.message_ref == first.message_ref
    [alert] = sent_messages()
    assert alert.channel.id == server.digest.id
    assert alert.content == "Léa Bernard n'a pas répondu 2 fois de suite. Pouvez-vous prendre contact ?"

    clock.now = paris(TUESDAY, 9, 1)
    await bot.team_channel.post_digest(PRODUCTION, MONDAY, "")
    [digest] = sent_messages()
    assert "Alertes du jour :\n- Léa Bernard n'a pas répondu 2 fois de suite." in digest.content

    clock.now = paris(TUESDAY + dt.timedelta(days=1), 9, 1)
    await bot.team_channel.post_digest(PRODUCTION, TUESDAY, "")
    [next_digest] = sent_messages()
    assert "Alertes" not in next_digest.content  # listed once, in the digest that followed it


async def test_campaign_for_discord_members_is_posted_once_in_the_digest_channel(bot, server, app, clock):
    from sensitisation.library import render

    clock.now = paris(dt.date(2027, 3, 2), 8, 30)
    for member in ("chloe", "marc"):
        delivery = await bot.team_channel.send_campaign(PRODUCTION, member, "veggie-day")
        assert delivery.outcome is Outcome.SENT
    [post] = sent_messages()
    assert post.channel.id == server.digest.id
    assert post.content == "Message pour l'équipe :\n" + render("veggie-day", "fr")


async def test_production_without_a_server_is_unreachable_and_nothing_is_kept(bot, server, app, clock):
    store.remove_link(app.engine, PRODUCTION)
    clock.now = paris(TUESDAY, 9, 30)
    delivery = await bot.team_channel.post_digest(PRODUCTION, MONDAY, "")
    assert delivery.outcome is Outcome.UNREACHABLE
    assert store.count_posts(app.engine, PRODUCTION, "digest") == 0


async def test_a_failed_post_is_released_so_that_the_retry_posts_it(bot, server, app, clock, monkeypatch):
    clock.now = paris(TUESDAY, 9, 30)
    channel = bot.get_channel(server.digest.id)
    real_send = type(channel).send

    async def failing(self, *args, **kwargs):
        raise discord.HTTPException(SimpleNamespace(status=503, reason="Service Unavailable"), "try later")

    monkeypatch.setattr(type(channel), "send", failing)
    delivery = await bot.team_channel.post_digest(PRODUCTION, MONDAY, "")
    assert delivery.outcome is Outcome.RETRY
    assert store.count_posts(app.engine, PRODUCTION, "digest") == 0

    monkeypatch.setattr(type(channel), "send", real_send)
    delivery = await bot.team_channel.post_digest(PRODUCTION, MONDAY, "")
    assert delivery.outcome is Outcome.SENT
    assert len(sent_messages()) == 1


async def test_the_schedulers_texts_are_posted_as_they_come(bot, server, app, clock):
    clock.now = paris(TUESDAY, 8, 0)
    said = "Léa Bernard n’a pas répondu 2 fois de suite. Vous pouvez lui écrire pour voir si tout va bien."
    await bot.team_channel.escalate(PRODUCTION, "lea", 2, said)
    assert [m.content for m in sent_messages()] == [said]

    clock.now = paris(TUESDAY, 9, 0)
    answers = "Réponses pour lundi 1 mars.\n3 réponses reçues sur 5."
    await bot.team_channel.post_digest(PRODUCTION, MONDAY, answers)
    [digest] = sent_messages()
    lines = digest.content.splitlines()
    assert lines[0] == "Résumé du lundi 1 mars pour Les Feux de l'Aube."
    assert "Réponses pour lundi 1 mars." in lines and "3 réponses reçues sur 5." in lines
    assert "Pas encore de réponse :" not in lines  # the scheduler's answers stand for the bot's roll call
    assert "- Karim Haddad : n'a pas encore ouvert son lien d'invitation." in lines
    assert f"- {said}" in lines
