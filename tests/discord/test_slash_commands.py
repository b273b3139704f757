"""Slash commands through the real command tree: what an eco-referent and a crew member each get."""

from __future__ import annotations

from decimal import Decimal

import pytest

from base.i18n import number
from bots.discord.translator import CatalogueTranslator
from domain.model import ActionOutcome, ActionStatus
from domain.usecases import get_plan
from store import discord as store
from tests.discord.conftest import PRODUCTION, sent_messages
from tests.discord.interactions import payload, react, run_command, string_option


def expected_total_kg(app) -> Decimal:
    """Monday's figures by hand: 220 km of minibus, 30 vegetarian and 10 beef meals."""
    f = app.catalogue.factors
    return (
        220 * f.get("van_fr_impactco2").kgco2e_per_unit
        + 30 * f.get("meal_vegetarian_fr").kgco2e_per_unit
        + 10 * f.get("meal_beef_fr").kgco2e_per_unit
    )


async def test_balance_gives_figures_against_forecast_with_a_described_chart(bot, server, app):
    sent = await run_command(bot, payload(bot, "balance", server.crew, server.general))

    defer, answer = sent.calls[0], sent.responses[-1]
    assert defer.payload["type"] == 5  # "thinking…" first: drawing the chart may take a moment
    assert not answer.ephemeral  # the whole team may read it
    total = number(expected_total_kg(app) / 1000, "fr", 2)
    assert f"Total : {total} t CO2e sur 62,7 t prévues." in answer.content
    assert "Transport :" in answer.content and "Repas :" in answer.content
    assert "Projection en fin de tournage" in answer.content
    assert "Jours de tournage comptés : 1 sur 39." in answer.content
    assert "van_fr_impactco2" in answer.content and "jeu 2026.2" in answer.content
    [chart] = answer.files
    assert chart.filename == "bilan-carbone.png"
    assert answer.file_bytes[0].startswith(b"\x89PNG")
    assert chart.description.startswith("Diagramme en barres du bilan carbone")
    assert "Transport :" in chart.description and "Déchets : 0 réalisées, 1,2 prévues." in chart.description
    assert answer.data["attachments"][0]["description"] == chart.description


async def test_balance_speaks_english_to_an_english_client(bot, server, app):
    sent = await run_command(bot, payload(bot, "balance", server.crew, server.general, locale="en-GB"))
    answer = sent.responses[-1]
    total = number(expected_total_kg(app) / 1000, "en", 2)
    assert f"Total: {total} t CO2e of 62.7 t forecast." in answer.content
    assert answer.files[0].description.startswith("Bar chart of the carbon balance")


async def test_plan_lists_each_action_with_owner_indicator_figures_and_status(bot, server):
    sent = await run_command(bot, payload(bot, "plan", server.crew, server.general))
    [answer] = sent.responses
    text = answer.content
    assert not answer.ephemeral
    for action in ("Action A1", "Action A2", "Action A3", "Action A4"):
        assert action in text
    assert "Responsable : Amina Diallo." in text
    assert "Indicateur : kilomètres parcourus." in text
    assert "Départ : 5\u202f000 km. Actuel : 220 km. Objectif : 4\u202f000 km." in text
    assert "Indicateur : part des repas végétariens." in text
    assert "Départ : 10 %. Actuel : 75 %. Objectif : 30 %." in text  # 30 of 40 meals
    assert "Actuel : pas encore de chiffre." in text  # no waste figure yet
    assert text.count("Statut : prévue.") == 4


async def test_missing_lists_unanswered_prompts_and_unreachable_people(bot, server):
    sent = await run_command(bot, payload(bot, "missing", server.crew, server.general))
    [answer] = sent.responses
    lines = answer.content.splitlines()
    assert lines[0] == "Réponses du lundi 1 mars."
    assert "- Léa Bernard : les heures de Groupe 125 kVA." in lines
    assert "- Léa Bernard : les heures de Groupe HVO 250 kVA." in lines
    assert "Personnes injoignables :" in lines
    assert "- Karim Haddad : n'a pas encore ouvert son lien d'invitation." in lines
    assert not any("Amina" in ln or "Paul" in ln for ln in lines)  # they answered
    assert not any("Sam" in ln for ln in lines)  # blocked the bot, but nothing was due from him today


async def test_missing_before_any_prompt_says_so(bot, server, clock):
    from tests.discord.conftest import MONDAY, paris

    clock.now = paris(MONDAY, 9)
    sent = await run_command(bot, payload(bot, "missing", server.crew, server.general))
    assert sent.responses[0].content.splitlines()[1] == "Aucune demande n'est encore partie ce jour-là."


def status_of(app, action_id: str):
    return next(p.action for p in get_plan(app.uow(), PRODUCTION) if p.action.id == action_id)


async def test_eco_referent_sets_an_action_status(bot, server, app):
    sent = await run_command(bot, payload(bot, "action", server.referent, server.general, [
        string_option("action", "a3"), string_option("status", "in_progress"),
        string_option("note", "Navettes groupées"),
    ]))
    [answer] = sent.responses
    assert not answer.ephemeral
    assert answer.content == "Action A3 : statut « en cours » enregistré par Chloe."
    action = status_of(app, "A3")
    assert action.status is ActionStatus.IN_PROGRESS and action.note == "Navettes groupées"


async def test_done_action_marked_reproducible_at_the_end_of_the_shoot(bot, server, app):
    sent = await run_command(bot, payload(bot, "action", server.referent, server.general, [
        string_option("action", "A1"), string_option("status", "done"),
        string_option("outcome", "reproducible"),
    ]))
    assert "reproductible sur d'autres tournages" in sent.responses[0].content
    action = status_of(app, "A1")
    assert (action.status, action.outcome) == (ActionStatus.DONE, ActionOutcome.REPRODUCIBLE)


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        ([("action", "A9"), ("status", "done")], "Il n'y a pas d'action A9. Actions du plan : A1, A2, A3, A4."),
        ([("action", "A2"), ("status", "in_progress"), ("outcome", "specific")],
         "Seule une action faite peut être dite reproductible ou propre à ce tournage. Rien n'a changé."),
    ],
)
async def test_bad_action_input_is_explained_to_the_caller_only_and_changes_nothing(
    bot, server, app, options, expected
):
    sent = await run_command(bot, payload(bot, "action", server.referent, server.general,
                                          [string_option(k, v) for k, v in options]))
    [answer] = sent.responses
    assert answer.ephemeral and answer.content == expected
    assert all(p.action.status is ActionStatus.PLANNED for p in get_plan(app.uow(), PRODUCTION))


@pytest.mark.parametrize(
    ("command", "options"),
    [
        ("action", [("action", "A1"), ("status", "done")]),
        ("practice", [("text", "Gourdes pour toute l'équipe")]),
    ],
)
async def test_write_commands_are_refused_without_the_eco_referent_role(bot, server, app, command, options):
    sent = await run_command(bot, payload(bot, command, server.crew, server.general,
                                          [string_option(k, v) for k, v in options]))
    [answer] = sent.responses
    assert answer.ephemeral
    assert answer.content == (
        "Seul le rôle Éco-référent peut faire cela. Rien n'a changé. Demandez à un éco-référent."
    )
    assert all(p.action.status is ActionStatus.PLANNED for p in get_plan(app.uow(), PRODUCTION))
    assert store.practices(app.engine, PRODUCTION) == []
    assert sent_messages() == []  # nothing posted in any channel


async def test_refusal_in_english_for_an_english_client(bot, server):
    sent = await run_command(bot, payload(bot, "action", server.crew, server.general,
                                          [string_option("action", "A1"), string_option("status", "done")],
                                          locale="en-US"))
    assert sent.responses[0].content.startswith("Only the Éco-référent role can do this.")


async def test_practice_command_records_and_shares_it_for_votes(bot, server, app):
    sent = await run_command(bot, payload(bot, "practice", server.referent, server.general,
                                          [string_option("text", "Gourdes pour toute l'équipe")]))
    [answer] = sent.responses
    assert answer.ephemeral and answer.content == "Bonne pratique enregistrée. Merci."
    [shared] = sent_messages()
    assert shared.channel.id == server.practices.id
    assert "Gourdes pour toute l'équipe" in shared.content and "Chloe" in shared.content
    [practice] = store.practices(app.engine, PRODUCTION)
    assert (practice.message_id, practice.author_id, practice.source) == (shared.id, server.referent.id, "command")
    assert practice.link.endswith(f"/{server.practices.id}/{shared.id}")
    await react(server.crew, shared, "👍")  # people vote on the shared copy
    assert store.practices(app.engine, PRODUCTION)[0].votes == 1


async def test_a_server_that_is_not_linked_gets_no_answer_but_an_explanation(bot, server, app):
    store.remove_link(app.engine, PRODUCTION)
    sent = await run_command(bot, payload(bot, "balance", server.referent, server.general))
    [answer] = sent.responses
    assert answer.ephemeral
    assert answer.content == "Ce serveur n'est relié à aucun tournage. Rien n'a été fait."


async def test_command_names_and_descriptions_exist_in_french_and_english(bot):
    translator = CatalogueTranslator()
    payloads = {c.name: await c.get_translated_payload(bot.tree, translator) for c in bot.tree.get_commands()}
    assert set(payloads) == {"balance", "plan", "missing", "action", "practice"}
    french = {name: p["name_localizations"]["fr"] for name, p in payloads.items()}
    assert french == {"balance": "bilan", "plan": "plan", "missing": "manquants", "action": "action",
                      "practice": "pratique"}
    for p in payloads.values():
        assert p["description_localizations"]["fr"] and p["description_localizations"]["en-US"]
    status = next(o for o in payloads["action"]["options"] if o["name"] == "status")
    assert status["name_localizations"]["fr"] == "statut"
    assert {c["name_localizations"]["fr"] for c in status["choices"]} == {
        "prévue", "en cours", "faite", "abandonnée"
    }


async def test_action_codes_are_suggested_as_the_referent_types(bot, server):
    data = payload(bot, "action", server.referent, server.general,
                   [{"name": "action", "type": 3, "value": "veg", "focused": True}])
    data["type"] = 4  # autocomplete
    sent = await run_command(bot, data)
    [call] = sent.calls
    assert call.payload["type"] == 8  # autocomplete result
    assert call.payload["data"]["choices"] == [
        {"name": "A1 – Serve a vegetarian option every day and reach 30 % vegetarian meals", "value": "A1"}
    ]


@pytest.mark.parametrize(
    ("command", "options", "expected"),
    [
        ("action", [("action", "A1"), ("status", "done"), ("note", "n" * 501)],
         "La valeur de « note » ne convient pas. Rien n'a changé. Écrivez de 0 à 500 caractères."),
        ("action", [("action", "A" * 65), ("status", "done")],
         "La valeur de « action » ne convient pas. Rien n'a changé. Écrivez de 1 à 64 caractères."),
        ("action", [("action", ""), ("status", "done")],
         "La valeur de « action » ne convient pas. Rien n'a changé. Écrivez de 1 à 64 caractères."),
        ("action", [("action", "A1"), ("status", "exploded")],
         "La valeur de « status » ne convient pas. Rien n'a changé. Choisissez une valeur de la liste."),
        ("action", [("action", "A1"), ("status", "done"), ("outcome", "everywhere")],
         "La valeur de « outcome » ne convient pas. Rien n'a changé. Choisissez une valeur de la liste."),
        ("action", [("action", "A1"), ("status", "done"), ("smuggled", "x")],
         "La valeur de « smuggled » ne convient pas. Rien n'a changé. Choisissez une valeur de la liste."),
        ("practice", [("text", "p" * 100_000)],
         "La valeur de « text » ne convient pas. Rien n'a changé. Écrivez de 1 à 1000 caractères."),
    ],
)
async def test_option_values_past_their_declared_length_or_choices_are_refused(bot, server, app, command, options,
                                                                                expected):
    from bots.discord.cogs.practices import PRACTICE_LIMIT

    expected = expected.replace("1000", str(PRACTICE_LIMIT))
    sent = await run_command(bot, payload(bot, command, server.referent, server.general,
                                          [string_option(k, v) for k, v in options]))
    [answer] = sent.responses
    assert answer.ephemeral and answer.content == expected
    assert all(p.action.status is ActionStatus.PLANNED for p in get_plan(app.uow(), PRODUCTION))
    assert store.practices(app.engine, PRODUCTION) == []
    assert sent_messages() == []


async def test_an_option_value_in_english_for_an_english_client(bot, server):
    sent = await run_command(bot, payload(bot, "action", server.referent, server.general,
                                          [string_option("action", "A1"), string_option("status", "done"),
                                           string_option("note", "n" * 501)], locale="en-US"))
    assert sent.responses[0].content == (
        'The value of "note" does not fit. Nothing changed. Write 0 to 500 characters.'
    )


async def test_an_overlong_autocomplete_gets_no_suggestion(bot, server):
    data = payload(bot, "action", server.referent, server.general,
                   [{"name": "action", "type": 3, "value": "veg" + " " * 10_000, "focused": True}])
    data["type"] = 4  # autocomplete
    sent = await run_command(bot, data)
    [call] = sent.calls
    assert call.payload["type"] == 8 and call.payload["data"]["choices"] == []
