"""A scripted crew, in French and English, over one shooting week: invited, linked, prompted; they
mistype, correct, undo, pause and resume. What is stored, and the balance, match what they typed."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

from bots.telegram.invites import create_invites
from domain.generators import litres_per_hour
from domain.model import Category
from tests.telegram.conftest import CHATS, PRODUCTION, reference_production

MON, TUE, WED, THU, FRI = (dt.date(2027, 3, d) for d in range(1, 6))
LANGS = {"amina": "fr", "karim": "fr", "paul": "fr", "lea": "fr", "sam": "en"}


def evening(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(19), tzinfo=dt.UTC)


async def test_a_crew_week_stores_exactly_what_was_typed(make_telegram_rig, db_url):
    rig = await make_telegram_rig(db_url)  # on SQLite, and on PostgreSQL as a team would run it
    server = rig.server

    # The coordinator's invites, as `greenslate crew invite` makes them.
    links = create_invites(rig.app, PRODUCTION, server.username, now=rig.now)
    assert [link.member_id for link in links] == ["amina", "karim", "paul", "lea", "sam"]
    for link in links:
        chat = CHATS[link.member_id]
        server.add_user(chat, link.name.split()[0], LANGS[link.member_id])
        [welcome] = await rig.say(chat, "/start " + link.url.split("?start=")[1])
        await rig.press(chat, welcome, welcome.buttons[0][0])
    amina, karim, paul, lea, sam = (CHATS[m] for m in ("amina", "karim", "paul", "lea", "sam"))

    # Monday
    rig.set_now(evening(MON))
    await rig.prompt("amina", "amina:mileage:mb1", MON)
    assert "220 km" in (await rig.say(amina, "45 230"))[0].plain
    await rig.prompt("karim", "karim:mileage:car2", MON)
    [question] = await rig.say(karim, "12.080")
    assert "80 km" in (await rig.press(karim, question, "12 080"))[0].plain
    await rig.prompt("paul", "paul:meals", MON)
    mark = server.mark()
    paul_monday = server.send(paul, "végé 30 poulet 40 boeuf 10")
    await server.replies(paul, since=mark)
    g1 = await rig.prompt("lea", "lea:generator_hours:g1", MON)
    g2 = await rig.prompt("lea", "lea:generator_hours:g2", MON)
    await rig.say(lea, "6", reply_to=g1.message_id)
    await rig.press(lea, g2, "Pas de groupe")

    # Tuesday: a typo, an edit, a correction by button, an undo, a language switch, a pause
    rig.set_now(evening(TUE))
    await rig.prompt("amina", "amina:mileage:mb1", TUE)
    [typo] = await rig.say(amina, "45 3OO")
    assert "Je n'ai pas compris" in typo.plain
    await rig.say(amina, "45 300")
    typed = next(m for (c, _), m in server.messages.items() if c == amina and m.get("text") == "45 300")
    assert "80 km" in (await rig.edit(amina, typed["message_id"], "45 310"))[0].plain
    [switched] = await rig.say(karim, "/language en")
    assert switched.plain.startswith("Noted.")
    prompt = await rig.prompt("karim", "karim:mileage:car2", TUE)
    assert prompt.plain.startswith("Today, Tuesday 2 March, what does the odometer")
    assert "70 km today" in (await rig.say(karim, "12150 km"))[0].plain
    await rig.say(karim, "/pause until 4 March")
    await rig.prompt("paul", "paul:meals", TUE)
    [recap] = await rig.say(paul, "végé 35 poulet 40")
    await rig.press(paul, recap, "Corriger")
    await rig.say(paul, "végé 35 poulet 45")
    g1 = await rig.prompt("lea", "lea:generator_hours:g1", TUE)
    g2 = await rig.prompt("lea", "lea:generator_hours:g2", TUE)
    await rig.say(lea, "80 l", reply_to=g1.message_id)
    [recap] = await rig.say(lea, "4 h", reply_to=g2.message_id)
    await rig.press(lea, recap, "Annuler")

    # Wednesday: an implausible jump refused, an implausible count confirmed; a redelivered update
    rig.set_now(evening(WED))
    await rig.prompt("amina", "amina:mileage:mb1", WED)
    [question] = await rig.say(amina, "46 900")
    await rig.press(amina, question, "Non")
    await rig.say(amina, "45 400")
    await rig.prompt("paul", "paul:meals", WED)
    [question] = await rig.say(paul, "500 végé")
    await rig.press(paul, question, "Oui")
    mark = server.mark()
    server.redeliver(paul_monday)
    await server.replies(paul, since=mark)
    assert rig.member("karim").paused_until == THU

    # Friday: the weekly waste in English, a distance refused for a vehicle with readings, back from the pause
    rig.set_now(evening(FRI))
    await rig.say(karim, "/resume")
    await rig.prompt("sam", "sam:waste", FRI)
    [recap] = await rig.say(sam, "12.5 residual, 4 cardboard, 2 compost, 1,5 plastic")
    assert recap.plain.startswith("20 kg of waste today")
    await rig.prompt("amina", "amina:mileage:mb1", FRI)
    [refused] = await rig.say(amina, "+150")  # MB-1 is counted by its odometer: a distance would count twice
    assert refused.plain.startswith("Les km de Minibus MB-1 viennent de son compteur.")
    assert "150 km aujourd'hui" in (await rig.say(amina, "45 550"))[0].plain
    await rig.prompt("karim", "karim:mileage:car2", FRI)
    await rig.say(karim, "12 300")

    # What is stored is what they typed: nothing lost, nothing doubled.
    stored = {(r.member_id, r.subject, r.kind.value, r.day): dict(r.values) for r in rig.reports()}
    assert stored == {
        ("amina", "mb1", "mileage", MON): {"odometer": D(45230)},
        ("amina", "mb1", "mileage", TUE): {"odometer": D(45310)},
        ("amina", "mb1", "mileage", WED): {"odometer": D(45400)},
        ("amina", "mb1", "mileage", FRI): {"odometer": D(45550)},
        ("karim", "car2", "mileage", MON): {"odometer": D(12080)},
        ("karim", "car2", "mileage", TUE): {"odometer": D(12150)},
        ("karim", "car2", "mileage", FRI): {"odometer": D(12300)},
        ("paul", None, "meals", MON): {"vegetarian": D(30), "chicken": D(40), "beef": D(10)},
        ("paul", None, "meals", TUE): {"vegetarian": D(35), "chicken": D(45)},
        ("paul", None, "meals", WED): {"vegetarian": D(500)},
        ("lea", "g1", "generator_hours", MON): {"hours": D(6)},
        ("lea", "g2", "generator_hours", MON): {"hours": D(0)},
        ("lea", "g1", "generator_litres", TUE): {"litres": D(80)},
        ("sam", None, "waste", FRI): {"residual": D("12.5"), "cardboard": D(4), "biowaste": D(2),
                                      "plastic": D("1.5")},
    }
    history = rig.reports(active=False)
    assert len(history) == 14 + 4  # + the edit, the button correction, lea's undone figure and its undo

    # The balance, by hand from the factor set: km, meals, litres and kg times their factors.
    production, catalogue = reference_production(), rig.app.catalogue
    f = catalogue.factors

    def per_unit(key: str, unit: str) -> D:
        trace = f.trace(key)
        return trace.kgco2e_per_unit / 1000 if trace.unit == "tonne" and unit == "kg" else trace.kgco2e_per_unit

    transport = (220 + 80 + 90 + 150) * per_unit("van_fr_impactco2", "km") + (80 + 70 + 150) * per_unit(
        "car_electric_compact_fr", "km")
    catering = (565 * per_unit("meal_vegetarian_fr", "meal") + 85 * per_unit("meal_chicken_fr", "meal")
                + 10 * per_unit("meal_beef_fr", "meal"))
    g1_rate = litres_per_hour(production.generator("g1"), catalogue.consumption)
    energy = (6 * g1_rate + 80) * per_unit("gnr_fr", "litre")
    waste = (D("12.5") * per_unit("waste_residual_incineration_fr", "kg")
             + 4 * per_unit("waste_cardboard_recycling_fr", "kg")
             + 2 * per_unit("waste_biowaste_industrial_compost_fr", "kg")
             + D("1.5") * per_unit("waste_pet_recycling_fr", "kg"))
    balance = rig.balance()
    by_category = {c.category: c.kgco2e for c in balance.categories}
    expected = {Category.TRANSPORT: transport, Category.CATERING: catering, Category.ENERGY: energy,
                Category.WASTE: waste}
    for category, kg in expected.items():
        assert abs(by_category[category] - kg) < D("0.001"), category
    assert balance.factor_set_version == rig.app.factor_set_version
