"""A restart loses nothing: questions waiting for a yes, guided entries and corrections in progress
live in the store, not in the bot's memory."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

MON = dt.date(2027, 3, 1)


async def test_a_confirmation_survives_a_restart(telegram_rig):
    rig = telegram_rig
    chat = await rig.join("amina")
    await rig.prompt("amina", "amina:mileage:mb1", MON)
    [question] = await rig.say(chat, "46 500")
    await rig.restart()
    [recap] = await rig.press(chat, question, "Oui")
    assert "1 490 km" in recap.plain
    assert [dict(r.values) for r in rig.reports()] == [{"odometer": D(46500)}]


async def test_a_guided_entry_and_a_correction_survive_a_restart(telegram_rig):
    rig = telegram_rig
    chat = await rig.join("paul")
    prompt = await rig.prompt("paul", "paul:meals", MON)
    await rig.press(chat, prompt, "Pas à pas")
    await rig.say(chat, "20")
    await rig.say(chat, "5")
    await rig.restart()
    [question] = await rig.say(chat, "30")
    assert question.plain.startswith("Combien de repas bœuf ?")
    await rig.say(chat, "0")
    [recap] = await rig.say(chat, "10")
    assert recap.plain.startswith("65 repas servis aujourd'hui")
    await rig.press(chat, recap, "Corriger")
    await rig.restart()
    [fixed] = await rig.say(chat, "végé 21 vegan 5 poulet 30 poisson 10")
    assert fixed.plain.endswith("C'est corrigé ✅")
    assert [dict(r.values) for r in rig.reports()] == [
        {"vegetarian": D(21), "vegan": D(5), "chicken": D(30), "fish": D(10)}]
