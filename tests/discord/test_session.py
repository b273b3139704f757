"""One scripted session on the shoot's server, as the eco-referents will live it.

An eco-referent runs each command; a crew member without the role tries the write commands;
practices are posted and voted on; the digest appears once per day across a reconnect.
"""

from __future__ import annotations

import datetime as dt

import discord.ext.test as dpytest

from domain.model import ActionStatus
from domain.usecases import get_plan
from store import discord as store
from tests.discord.conftest import MONDAY, PRODUCTION, next_message, paris, sent_messages
from tests.discord.interactions import payload, react, run_command, string_option

REFUSAL = "Seul le rôle Éco-référent peut faire cela. Rien n'a changé. Demandez à un éco-référent."


async def test_a_day_on_the_shoots_server(bot, server, app, clock):
    referent, crew, general = server.referent, server.crew, server.general

    # The eco-referent reads the balance, the plan and who is missing.
    balance = await run_command(bot, payload(bot, "balance", referent, general))
    assert balance.responses[0].content.startswith("Bilan carbone de Les Feux de l'Aube, au lundi 1 mars.")
    assert balance.responses[0].files[0].description
    plan = await run_command(bot, payload(bot, "plan", referent, general))
    assert "Action A3" in plan.responses[0].content
    missing = await run_command(bot, payload(bot, "missing", referent, general))
    assert "- Léa Bernard : les heures de Groupe 125 kVA." in missing.responses[0].content

    # She moves an action along and records a practice.
    moved = await run_command(bot, payload(bot, "action", referent, general,
                                           [string_option("action", "A2"), string_option("status", "in_progress")]))
    assert not moved.responses[0].ephemeral
    recorded = await run_command(bot, payload(bot, "practice", referent, general,
                                              [string_option("text", "Branchement forain à chaque décor")]))
    assert recorded.responses[0].ephemeral
    [shared] = sent_messages()

    # A crew member without the role tries the same: refused, to them only, and nothing changes.
    for command, options in (("action", [("action", "A2"), ("status", "dropped")]),
                             ("practice", [("text", "Rien")])):
        refused = await run_command(bot, payload(bot, command, crew, general,
                                                 [string_option(k, v) for k, v in options]))
        assert [(r.content, r.ephemeral) for r in refused.responses] == [(REFUSAL, True)]
    a2 = next(p.action for p in get_plan(app.uow(), PRODUCTION) if p.action.id == "A2")
    assert a2.status is ActionStatus.IN_PROGRESS

    # The crew posts a practice in the channel; people react.
    posted = await dpytest.message("Gourdes pour toute l'équipe", server.practices, crew)
    sent_messages()  # the author's thanks
    await react(referent, posted, "👍")
    await react(referent, shared, "👏")  # her own practice: not a vote
    await react(crew, shared, "👍")
    await react(server.guild.me, shared, "👍")  # the bot's own reactions never count
    practices = store.practices(app.engine, PRODUCTION)
    assert {p.text: p.votes for p in practices} == {
        "Branchement forain à chaque décor": 1, "Gourdes pour toute l'équipe": 1,
    }

    # Next morning the digest appears once, and a reconnect does not bring a second one.
    clock.now = paris(MONDAY + dt.timedelta(days=1), 9, 40)
    bot._ready.set()
    digest = await next_message()
    assert digest.channel.id == server.digest.id
    bot._ready.clear()
    bot.dispatch("ready")
    bot._ready.set()
    await dpytest.run_all_events()
    await bot.get_cog("Digest").tick()
    assert sent_messages() == []
    assert store.count_posts(app.engine, PRODUCTION, "digest") == 1
