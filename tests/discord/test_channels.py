"""The practices channel through dpytest: capture once, votes by reaction, closed DMs, other servers."""

from __future__ import annotations

import inspect
import logging
from types import SimpleNamespace

import discord
import discord.ext.test as dpytest
import pytest

from store import discord as store
from tests.discord.conftest import PRODUCTION, sent_messages
from tests.discord.interactions import react


def forbidden(code: int, text: str) -> discord.Forbidden:
    return discord.Forbidden(SimpleNamespace(status=403, reason="Forbidden"), {"code": code, "message": text})


@pytest.fixture
def closed_dms(bot, server, monkeypatch):
    """Direct messages fail as Discord makes them fail for a member who closed them (error 50007)."""
    send = bot.http.send_message
    server_channels = {c.id for c in server.guild.channels}
    refused: list[int] = []
    posted: list[dict] = []  # what the bot asked Discord to post in the server's channels

    def install(code: int = 50007, text: str = "Cannot send messages to this user"):
        async def send_message(channel_id, *, params):
            # dpytest's fake send_message reads ``channel`` from its caller's frame: pass it along.
            channel = inspect.currentframe().f_back.f_locals.get("channel")  # noqa: F841
            if int(channel_id) not in server_channels:
                refused.append(channel_id)
                raise forbidden(code, text)
            posted.append(params.payload)
            return await send(channel_id, params=params)

        monkeypatch.setattr(bot.http, "send_message", send_message)
        return refused, posted

    return install


async def test_a_message_in_the_practices_channel_is_captured_with_author_link_and_date(bot, server, app):
    message = await dpytest.message("Vaisselle réutilisable à la cantine", server.practices, server.crew)

    [practice] = store.practices(app.engine, PRODUCTION)
    assert practice.text == "Vaisselle réutilisable à la cantine"
    assert (practice.author_id, practice.author_name) == (server.crew.id, server.crew.display_name)
    assert practice.link == message.jump_url
    assert practice.posted_at == message.created_at
    assert (practice.source, practice.votes) == ("channel", 0)
    [thanks] = sent_messages()  # the author is thanked privately, not in the channel
    assert isinstance(thanks.channel, discord.DMChannel)
    assert thanks.content == "Merci. Votre bonne pratique pour Les Feux de l'Aube est enregistrée."


async def test_a_message_delivered_twice_is_captured_once(bot, server, app):
    message = await dpytest.message("Covoiturage depuis la gare", server.practices, server.crew)
    sent_messages()
    bot.dispatch("message", message)  # the gateway may replay an event after a resume
    await dpytest.run_all_events()
    assert len(store.practices(app.engine, PRODUCTION)) == 1
    assert sent_messages() == []  # and the author is not thanked twice


async def test_other_channels_other_servers_and_bots_are_ignored(bot, server, app):
    await dpytest.message("Rendez-vous à 7 h", server.general, server.crew)
    bot.dispatch("message", await dpytest.message("Essai", server.digest, server.referent))
    store.remove_link(app.engine, PRODUCTION)
    await dpytest.message("Pas relié", server.practices, server.crew)
    assert store.practices(app.engine, PRODUCTION) == []
    assert sent_messages() == []


async def test_reactions_count_as_votes_once_per_person_not_the_authors_own(bot, server, app):
    message = await dpytest.message("Gourdes pour toute l'équipe", server.practices, server.crew)
    sent_messages()

    def votes() -> int:
        return store.practices(app.engine, PRODUCTION)[0].votes

    await react(server.referent, message, "👍")
    assert votes() == 1
    await react(server.referent, message, "❤️")
    assert votes() == 1  # two reactions from one person: one vote
    await react(server.crew, message, "👍")
    assert votes() == 1  # the author's own reaction does not count
    await react(server.referent, message, "👍", add=False)
    assert votes() == 1  # still one reaction left from that person
    await react(server.referent, message, "❤️", add=False)
    assert votes() == 0


async def test_reactions_elsewhere_are_not_votes(bot, server, app):
    await dpytest.message("Gourdes", server.practices, server.crew)
    other = await dpytest.message("Bonjour", server.general, server.crew)
    await react(server.referent, other, "👍")
    assert store.practices(app.engine, PRODUCTION)[0].votes == 0


async def test_closed_dms_get_a_short_reply_in_the_channel_instead(bot, server, app, closed_dms):
    refused, posted = closed_dms(50007)
    message = await dpytest.message("Tri des mégots sur le plateau", server.practices, server.crew)

    assert len(refused) == 1  # the direct message was tried once, and refused
    [reply] = sent_messages()
    assert reply.channel.id == server.practices.id
    assert reply.content == f"Merci {server.crew.mention}. Votre bonne pratique est enregistrée."
    assert int(posted[0]["message_reference"]["message_id"]) == message.id  # a reply to the practice
    assert posted[0]["allowed_mentions"]["users"] == [server.crew.id]  # pings the author only
    assert len(store.practices(app.engine, PRODUCTION)) == 1  # saved all the same


async def test_other_dm_refusals_are_logged_without_posting(bot, server, app, closed_dms, caplog):
    closed_dms(50001, "Missing Access")
    with caplog.at_level(logging.WARNING, logger="bots.discord.cogs.practices"):
        await dpytest.message("Gobelets consignés", server.practices, server.crew)
    assert sent_messages() == []
    assert "cannot thank" in caplog.text
    assert len(store.practices(app.engine, PRODUCTION)) == 1


async def test_an_edited_practice_reads_as_edited_and_a_deleted_one_is_gone(bot, server, app):
    from discord.ext.test import backend, factories

    message = await dpytest.message("Gourdes", server.practices, server.crew)
    await react(server.referent, message, "👍")
    data = {**factories.dict_from_message(message), "content": "Gourdes et carafes",
            "channel_id": str(server.practices.id), "guild_id": str(server.guild.id)}
    bot._connection.parse_message_update(data)  # MESSAGE_UPDATE, as the gateway sends it
    await dpytest.run_all_events()
    assert [p.text for p in store.practices(app.engine, PRODUCTION)] == ["Gourdes et carafes"]

    backend.delete_message(message)  # MESSAGE_DELETE
    await dpytest.run_all_events()
    assert store.practices(app.engine, PRODUCTION) == []


async def test_a_photo_posted_without_words_is_kept_by_its_link(bot, server, app):
    await dpytest.message("", server.practices, server.crew, attachments=["https://cdn.invalid/bacs-de-tri.jpg"])
    [practice] = store.practices(app.engine, PRODUCTION)
    assert practice.text == "https://cdn.invalid/bacs-de-tri.jpg"
