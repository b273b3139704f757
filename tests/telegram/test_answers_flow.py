"""Prompts and answers through the real bot: each kind, refusals, questions back, corrections, undo."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

from tests.telegram.conftest import CHATS

MON, TUE, WED, FRI, SAT = (dt.date(2027, 3, d) for d in (1, 2, 3, 5, 6))
AMINA = "amina:mileage:mb1"


def _values(reports):
    return [(r.day, dict(r.values)) for r in reports]


async def test_prompt_names_vehicle_day_and_unit_with_a_button(telegram_rig):
    rig = telegram_rig
    await rig.join("amina")
    prompt = await rig.prompt("amina", AMINA, MON)
    assert prompt.plain.startswith(
        "Aujourd'hui, lundi 1 mars, quel est le compteur kilométrique de Minibus MB-1 ?\nÉcrivez le nombre de km.")
    assert "Par exemple : 45 130" in prompt.plain  # on MB-1's own scale: it started at 45 010
    assert prompt.buttons == [("Je n'ai pas roulé", "z")]
    late = await rig.prompt("amina", AMINA, dt.date(2027, 2, 26) + dt.timedelta(days=3), reminder=True)
    assert late.plain.startswith("Petit rappel.\nAujourd'hui, lundi 1 mars,")


async def test_prompts_in_english_for_waste_and_in_french_for_a_generator(telegram_rig):
    rig = telegram_rig
    await rig.join("sam", "en")
    waste = await rig.prompt("sam", "sam:waste", FRI)
    assert waste.plain.startswith("On Friday 5 March, how many kilos of waste?")
    assert "For example: residual 12.5 biowaste 4" in waste.plain
    assert waste.buttons == [("Step by step", "s")]
    await rig.join("lea")
    generator = await rig.prompt("lea", "lea:generator_hours:g2", MON)
    assert "combien d'heures a tourné Groupe HVO 250 kVA ?" in generator.plain
    assert "80 l" in generator.plain and generator.buttons == [("Pas de groupe", "z")]


async def test_odometer_answer_is_stored_with_a_recap_and_buttons(telegram_rig):
    rig = telegram_rig
    chat = await rig.join("amina")
    await rig.prompt("amina", AMINA, MON)
    [recap] = await rig.say(chat, "45 230")
    assert recap.plain == "Compteur de Minibus MB-1 : 45 230 km.\nCela fait 220 km aujourd'hui.\nC'est enregistré ✅"
    assert [label for label, _ in recap.buttons] == ["Corriger", "Annuler ce chiffre"]
    [report] = rig.reports("amina")
    assert (report.day, report.subject, dict(report.values)) == (MON, "mb1", {"odometer": D(45230)})
    assert report.source == "telegram" and report.source_ref.startswith(f"{chat}:")
    assert report.raw_text == "45 230"


async def test_a_late_answer_counts_for_the_day_of_its_prompt(telegram_rig):
    rig = telegram_rig
    chat = await rig.join("amina")
    monday = await rig.prompt("amina", AMINA, MON)
    rig.set_now(rig.now + dt.timedelta(days=1))
    await rig.prompt("amina", AMINA, TUE)
    [recap] = await rig.say(chat, "45 230", reply_to=monday.message_id)  # answers Monday's prompt
    assert "le lundi 1 mars" in recap.plain
    [recap] = await rig.say(chat, "45 400")  # the prompt still waiting: Tuesday's
    assert "170 km aujourd'hui" in recap.plain
    assert _values(rig.reports("amina")) == [(MON, {"odometer": D(45230)}), (TUE, {"odometer": D(45400)})]


async def test_an_ambiguous_number_is_asked_back_not_guessed(telegram_rig):
    rig = telegram_rig
    chat = await rig.join("amina")
    await rig.prompt("amina", AMINA, MON)
    [question] = await rig.say(chat, "45.230")
    assert "« 45.230 » peut se lire de deux façons" in question.plain
    assert [label for label, _ in question.buttons] == ["45 230", "45,23", "Non, je corrige"]
    labels = [b["text"] for row in question.reply_markup["inline_keyboard"] for b in row]
    assert labels[0] == "45 230"  # a plain space in a label, as a member would type it
    assert rig.reports() == []
    [recap] = await rig.press(chat, question, "45 230")
    assert "220 km" in recap.plain
    assert _values(rig.reports()) == [(MON, {"odometer": D(45230)})]
    [again] = await rig.press(chat, question, "45,23")  # a second tap on the same question
    assert "déjà réglée" in again.plain
    assert len(rig.reports()) == 1


async def test_an_ambiguous_number_in_other_digits_is_asked_back(telegram_rig):
    """Mathematical bold digits read as digits: the question offers both readings (it used to fail)."""
    rig = telegram_rig
    chat = await rig.join("amina")
    await rig.prompt("amina", AMINA, MON)
    [question] = await rig.say(chat, "\U0001d7cf.000")  # 𝟏.000
    assert "peut se lire de deux façons" in question.plain
    assert [label for label, _ in question.buttons][:2] == ["1 000", "1"]
    assert rig.reports() == []


async def test_english_ambiguity_and_refusals(telegram_rig):
    rig = telegram_rig
    chat = await rig.join("karim", "en")
    await rig.say(chat, "/language en")
    await rig.prompt("karim", "karim:mileage:car2", MON)
    [question] = await rig.say(chat, "12,050")
    assert "Do you mean 12,050 or 12.05?" in question.plain
    [nothing] = await rig.press(chat, question, "No, I will fix it")
    assert nothing.plain.startswith("All right, nothing is saved.")
    [refusal] = await rig.say(chat, "twelve thousand")
    # Examples on car 2's own scale (it started at 12,000), not another vehicle's 45230
    assert refusal.plain == 'I did not understand "twelve thousand".\nType only the number. For example: 12120'
    [refusal] = await rig.say(chat, "11 990")  # her first reading: 12,000 is the car's, not one she gave
    assert refusal.plain.startswith("This reading is below the vehicle's starting odometer: 12,000.")
    assert "For example: 12120" in refusal.plain
    assert rig.reports() == []


async def test_validation_errors_store_nothing(telegram_rig):
    rig = telegram_rig
    chat = await rig.join("amina")
    await rig.prompt("amina", AMINA, MON)
    [not_a_number] = await rig.say(chat, "beaucoup")
    assert not_a_number.plain == "Je n'ai pas compris « beaucoup ».\nÉcrivez seulement le nombre. Par exemple : 45 130"
    [negative] = await rig.say(chat, "-45")
    assert negative.plain.startswith("Un chiffre ne peut pas être négatif.") and "45 130" in negative.plain
    [below] = await rig.say(chat, "44 000")
    assert "plus bas que le compteur de départ du véhicule : 45 010" in below.plain
    [too_long] = await rig.say(chat, "4523045230452304")
    assert too_long.plain.startswith("Ce nombre est trop long pour être juste.")
    [unit] = await rig.say(chat, "80 l")
    assert "j'attends des kilomètres" in unit.plain
    assert rig.reports() == []


async def test_an_implausible_jump_needs_a_yes(telegram_rig):
    rig = telegram_rig
    chat = await rig.join("amina")
    await rig.prompt("amina", AMINA, MON)
    [question] = await rig.say(chat, "46 500")
    assert question.plain == "1 490 km en un jour, c'est beaucoup.\nEst-ce juste ?"
    assert rig.reports() == []
    [recap] = await rig.press(chat, question, "Oui")
    assert "1 490 km aujourd'hui" in recap.plain
    [report] = rig.reports()
    assert report.confirmed and report.values == {"odometer": D(46500)}
    assert (question.chat_id, question.message_id) in rig.server.messages
    assert rig.server.messages[(chat, question.message_id)]["reply_markup"] == {"inline_keyboard": []}


async def test_too_many_meals_need_a_yes_and_no_stores_nothing(telegram_rig):
    rig = telegram_rig
    chat = await rig.join("paul")
    await rig.prompt("paul", "paul:meals", MON)
    [question] = await rig.say(chat, "végé 300 poulet 200")
    assert question.plain.startswith("500 repas en un jour, c'est beaucoup.")
    [declined] = await rig.press(chat, question, "Non")
    assert "rien n'est enregistré" in declined.plain and "végé 30 vegan 40" in declined.plain
    assert rig.reports() == []


async def test_meals_in_one_line_and_step_by_step(telegram_rig):
    rig = telegram_rig
    chat = await rig.join("paul")
    await rig.prompt("paul", "paul:meals", MON)
    [recap] = await rig.say(chat, "végé 30 poulet 40 boeuf 10")
    assert recap.plain == "80 repas servis aujourd'hui : 30 végé, 40 poulet, 10 bœuf.\nC'est enregistré ✅"
    rig.set_now(rig.now + dt.timedelta(days=1))
    prompt = await rig.prompt("paul", "paul:meals", TUE)
    [first] = await rig.press(chat, prompt, "Pas à pas")
    assert first.plain.startswith("Combien de repas végé ?")
    for answer in ("25", "5", "30"):
        await rig.say(chat, answer)
    [refused] = await rig.say(chat, "douze")
    assert "Par exemple : 30" in refused.plain
    await rig.say(chat, "12")
    [recap] = await rig.say(chat, "8")
    assert "80 repas servis aujourd'hui : 25 végé, 5 vegan, 30 poulet, 12 bœuf, 8 poisson." in recap.plain
    assert _values(rig.reports("paul"))[1] == (TUE, {"vegetarian": D(25), "vegan": D(5), "chicken": D(30),
                                                     "beef": D(12), "fish": D(8)})


async def test_meal_refusals_say_what_is_wrong(telegram_rig):
    rig = telegram_rig
    chat = await rig.join("paul")
    await rig.prompt("paul", "paul:meals", MON)
    [no_item] = await rig.say(chat, "80")
    assert no_item.plain == "Dites le type pour chaque nombre.\nPar exemple : végé 30 vegan 40"
    [unknown] = await rig.say(chat, "pizza 12")
    assert "Je ne connais pas « pizza »" in unknown.plain and "végé, vegan, poulet, bœuf, poisson" in unknown.plain
    assert rig.reports() == []


async def test_generator_hours_litres_and_no_generator(telegram_rig):
    rig = telegram_rig
    chat = await rig.join("lea")
    p1 = await rig.prompt("lea", "lea:generator_hours:g1", MON)
    p2 = await rig.prompt("lea", "lea:generator_hours:g2", MON)
    replies = await rig.say(chat, "6h30", reply_to=p1.message_id, count=1)
    assert replies[0].text.startswith("Groupe 125 kVA a tourné 6,5 h aujourd'hui.\nCela fait environ")
    [none] = await rig.press(chat, p2, "Pas de groupe")
    assert none.plain.startswith("Pas de groupe aujourd'hui : Groupe HVO 250 kVA n'a pas tourné.")
    rig.set_now(rig.now + dt.timedelta(days=1))
    await rig.prompt("lea", "lea:generator_hours:g1", TUE)
    [litres] = await rig.say(chat, "80 l")
    assert litres.plain.startswith("80 litres mis dans Groupe 125 kVA aujourd'hui.")
    kinds = sorted((r.subject, r.kind.value, dict(r.values)) for r in rig.reports("lea"))
    assert kinds == [("g1", "generator_hours", {"hours": D("6.5")}), ("g1", "generator_litres", {"litres": D(80)}),
                     ("g2", "generator_hours", {"hours": D(0)})]


async def test_waste_in_english(telegram_rig):
    rig = telegram_rig
    chat = await rig.join("sam", "en")
    rig.set_now(dt.datetime(2027, 3, 5, 17, 0, tzinfo=dt.UTC))
    await rig.prompt("sam", "sam:waste", FRI)
    [recap] = await rig.say(chat, "12.5 residual, 4 cardboard, 2 compost")
    assert recap.plain == "18.5 kg of waste today: 12.5 residual, 2 biowaste, 4 cardboard.\nSaved ✅"


async def test_no_driving_button(telegram_rig):
    rig = telegram_rig
    chat = await rig.join("karim")
    prompt = await rig.prompt("karim", "karim:mileage:car2", MON)
    [recap] = await rig.press(chat, prompt, "pas roulé")
    assert recap.plain.startswith("Pas de route aujourd'hui avec Voiture régie 2.")
    assert _values(rig.reports("karim")) == [(MON, {"km": D(0)})]


async def test_without_a_prompt_an_answer_counts_for_today_if_it_is_a_shooting_day(telegram_rig):
    rig = telegram_rig
    chat = await rig.join("karim")
    [recap] = await rig.say(chat, "12 100")
    assert "100 km aujourd'hui" in recap.plain
    rig.set_now(dt.datetime(2027, 3, 6, 18, 0, tzinfo=dt.UTC))  # a Saturday: no shooting
    [nothing] = await rig.say(chat, "12 150")
    assert "Je n'attends pas de chiffre" in nothing.plain
    assert len(rig.reports("karim")) == 1
    assert SAT.weekday() == 5


async def test_correction_by_editing_the_message_keeps_the_history(telegram_rig):
    rig = telegram_rig
    chat = await rig.join("amina")
    await rig.prompt("amina", AMINA, MON)
    [recap] = await rig.say(chat, "45 320")
    assert "310 km" in recap.plain
    user_message = next(m for (c, _), m in rig.server.messages.items() if c == chat and m.get("text") == "45 320")
    [fixed] = await rig.edit(chat, user_message["message_id"], "45 230")
    user_message = rig.server.messages[(chat, user_message["message_id"])]
    assert fixed.plain.endswith("C'est corrigé ✅") and "220 km" in fixed.plain
    history = rig.reports("amina", active=False)
    assert [dict(r.values) for r in history] == [{"odometer": D(45320)}, {"odometer": D(45230)}]
    assert history[1].corrects == history[0].id
    assert history[1].source_ref == f"{chat}:{user_message['message_id']}:edit:{user_message['edit_date']}"
    assert _values(rig.reports("amina")) == [(MON, {"odometer": D(45230)})]


async def test_correction_by_button_and_by_command(telegram_rig):
    rig = telegram_rig
    chat = await rig.join("paul")
    await rig.prompt("paul", "paul:meals", MON)
    [recap] = await rig.say(chat, "végé 30 poulet 40")
    [ask] = await rig.press(chat, recap, "Corriger")
    assert ask.plain.startswith("Écrivez le bon chiffre pour aujourd'hui.")
    [bad] = await rig.say(chat, "pizza 3")
    assert "pizza" in bad.plain
    [fixed] = await rig.say(chat, "végé 35 poulet 40")
    assert fixed.plain.startswith("75 repas") and fixed.plain.endswith("C'est corrigé ✅")
    [fixed] = await rig.say(chat, "/correct végé 36 poulet 40")
    assert fixed.plain.startswith("76 repas")
    [ask] = await rig.say(chat, "/correct")
    assert "bon chiffre" in ask.plain
    [fixed] = await rig.say(chat, "végé 37, poulet 40")
    assert fixed.plain.startswith("77 repas")
    history = rig.reports("paul", active=False)
    assert [sum(r.values.values()) for r in history] == [70, 75, 76, 77]
    assert [r.corrects for r in history[1:]] == [h.id for h in history[:-1]]
    assert _values(rig.reports("paul")) == [(MON, {"vegetarian": D(37), "chicken": D(40)})]


async def test_undo_then_answer_again(telegram_rig):
    rig = telegram_rig
    chat = await rig.join("amina")
    await rig.prompt("amina", AMINA, MON)
    [recap] = await rig.say(chat, "45 230")
    [undone] = await rig.press(chat, recap, "Annuler")
    assert undone.plain.startswith("C'est annulé. Ce chiffre ne compte plus.")
    assert rig.reports("amina") == []
    assert [r.void for r in rig.reports("amina", active=False)] == [False, True]
    [again] = await rig.press(chat, recap, "Annuler")
    assert "déjà annulé" in again.plain
    [recap] = await rig.say(chat, "45 200")  # the prompt waits again
    assert "190 km" in recap.plain
    assert _values(rig.reports("amina")) == [(MON, {"odometer": D(45200)})]


async def test_a_second_answer_to_the_same_prompt_replaces_the_first(telegram_rig):
    rig = telegram_rig
    chat = await rig.join("paul")
    prompt = await rig.prompt("paul", "paul:meals", MON)
    await rig.say(chat, "végé 30", reply_to=prompt.message_id)
    [second] = await rig.say(chat, "végé 40", reply_to=prompt.message_id)
    assert second.plain.endswith("C'est corrigé ✅")
    assert _values(rig.reports("paul")) == [(MON, {"vegetarian": D(40)})]


async def test_buttons_of_another_member_do_nothing(telegram_rig):
    rig = telegram_rig
    amina = await rig.join("amina")
    karim = await rig.join("karim")
    await rig.prompt("amina", AMINA, MON)
    [recap] = await rig.say(amina, "45 230")
    # The same recap, as if it sat in Karim's chat: its buttons name Amina's figure.
    rig.server.messages[(karim, recap.message_id)] = {
        **rig.server.messages[(amina, recap.message_id)], "chat": {"id": karim, "type": "private"}}
    mark = rig.server.mark()
    rig.server.press(karim, recap.message_id, recap.button("Annuler"))
    [refused] = await rig.server.replies(karim, since=mark)
    assert refused.plain == "Ce bouton ne vous concerne pas."
    assert len(rig.reports("amina")) == 1
    assert CHATS["karim"] == karim


async def test_confirm_correct_and_undo_in_english(telegram_rig):
    rig = telegram_rig
    chat = await rig.join("sam", "en")
    rig.set_now(dt.datetime(2027, 3, 5, 17, 0, tzinfo=dt.UTC))
    await rig.prompt("sam", "sam:waste", FRI)
    [question] = await rig.say(chat, "residual 6000")
    assert question.plain == "6,000 kg of waste is a lot.\nIs that right?"
    [declined] = await rig.press(chat, question, "No, I will fix it")
    assert declined.plain.startswith("All right, nothing is saved.\nType the right figure.")
    [refused] = await rig.say(chat, "glass 3")
    assert refused.plain.startswith('I do not know "glass".\nThe types are: residual, biowaste, cardboard, plastic.')
    [recap] = await rig.say(chat, "residual 60, cardboard 12")
    assert recap.plain == "72 kg of waste today: 60 residual, 12 cardboard.\nSaved ✅"
    [ask] = await rig.press(chat, recap, "Correct")
    assert ask.plain.startswith("Type the right figure for today.")
    [fixed] = await rig.say(chat, "residual 50, cardboard 12")
    assert fixed.plain == "62 kg of waste today: 50 residual, 12 cardboard.\nCorrected ✅"
    [undone] = await rig.press(chat, fixed, "Undo")
    assert undone.plain.startswith("Undone. This figure no longer counts.")
    assert rig.reports("sam") == [] and len(rig.reports("sam", active=False)) == 3


async def test_a_reply_to_a_prompt_ends_a_guided_entry(telegram_rig):
    rig = telegram_rig
    chat = await rig.join("lea")
    g1 = await rig.prompt("lea", "lea:generator_hours:g1", MON)
    rig.server.add_user(chat, "Léa", "fr")
    [recap] = await rig.say(chat, "5 h", reply_to=g1.message_id)
    await rig.press(chat, recap, "Corriger")  # a correction starts...
    g2 = await rig.prompt("lea", "lea:generator_hours:g2", MON)
    [answer] = await rig.say(chat, "3 h", reply_to=g2.message_id)  # ...but she answers the new prompt
    assert "Groupe HVO 250 kVA a tourné 3 h" in answer.plain
    assert sorted((r.subject, dict(r.values)) for r in rig.reports("lea")) == [
        ("g1", {"hours": D(5)}), ("g2", {"hours": D(3)})]
