"""The easy-to-read rules on their own: each one catches what it names and lets plain texts through."""

from __future__ import annotations

import pytest

from base.readability import MAX_WORDS, check, sentences, strip_emoji


def rules(text: str, lang: str = "fr") -> list[str]:
    return [v.rule for v in check(text, lang)]


@pytest.mark.parametrize(
    ("lang", "text"),
    [
        ("fr", "220 km aujourd'hui, c'est enregistré. ✅"),
        ("en", "220 km today, saved. ✅"),
        ("fr", "Combien de repas avez-vous servis aujourd'hui ? Écrivez un nombre par type."),
        ("en", "Turn the engine off when the vehicle stops. It saves fuel."),
        ("fr", "Le groupe brûle du GNR (gazole non routier)."),
        ("en", "The generator runs on HVO (vegetable oil)."),
        ("fr", "Bilan : {kg} kg de CO2 pour {km} km."),
        ("en", "- Minibus: {km} km\n- Car: {km2} km"),
        ("fr", "<b>Bonjour {name} !</b> Je vais vous poser une question chaque soir. 👋"),
        ("en", "OK, noted. ♻️"),
    ],
)
def test_plain_texts_pass(lang: str, text: str) -> None:
    assert check(text, lang) == []


def test_a_long_sentence_breaks_sentence_length() -> None:
    long = " ".join(["mot"] * (MAX_WORDS + 1)) + "."
    assert rules(long) == ["sentence-length"]
    assert rules(" ".join(["mot"] * MAX_WORDS) + ".") == []
    # The limit is per sentence, not per message.
    assert rules((" ".join(["word"] * 15) + ". ") * 3, "en") == []


def test_a_placeholder_counts_as_one_word() -> None:
    text = " ".join(["{x}"] * MAX_WORDS)
    assert rules(text) == []
    assert rules(text + " {y}") == ["sentence-length"]


@pytest.mark.parametrize(
    ("lang", "text"),
    [
        ("fr", "Le groupe tourne ; il consomme du gazole."),
        ("en", "We stop the engine because it burns fuel, which pollutes the set."),
        ("fr", "Coupez le moteur parce qu'il pollue, mais gardez le chauffage."),
    ],
)
def test_chained_clauses_break_one_idea(lang: str, text: str) -> None:
    assert rules(text, lang) == ["one-idea"]


def test_one_linker_is_still_one_idea() -> None:
    assert rules("Coupez le moteur parce qu'il brûle du carburant.") == []
    assert rules("Although it is cold, keep the doors closed.", "en") == []
    # "though" inside "although" is not a second linker.
    assert rules("Although it rains, we shoot.", "en") == []


def test_words_in_capitals_are_refused() -> None:
    assert rules("ATTENTION, le relevé manque.") == ["capitals"]
    assert rules("Please answer NOW.", "en") == ["abbreviation"]  # short words in capitals read as codes
    assert rules("Rejet du CO2 en kg.") == []
    assert rules("I am here.", "en") == []


def test_abbreviations_need_their_explanation_in_the_same_message() -> None:
    assert rules("Le groupe brûle du GNR.") == ["abbreviation"]
    assert rules("Le groupe brûle du gazole non routier (GNR).") == []
    assert rules("The generator runs on HVO.", "en") == ["abbreviation"]
    assert rules("Total: 12 kg CO2e, from 40 kWh.", "en") == []  # unit symbols are everyday
    assert rules("Voir la FAQ.") == ["abbreviation"]  # unknown abbreviations are never explained
    assert rules("Bring cups, plates, etc.", "en") == ["abbreviation"]
    assert rules("Apportez une gourde, p. ex. en métal.") == ["abbreviation"]


def test_jargon_is_refused_with_the_everyday_word() -> None:
    violations = check("Nous allons optimiser le tri.", "fr")
    assert [v.rule for v in violations] == ["jargon"]
    assert "améliorer" in violations[0].text
    assert rules("Please utilise the bins.", "en") == ["jargon"]
    assert rules("Fill in your report prior to leaving.", "en") == ["jargon"]


def test_emoji_only_at_the_very_end() -> None:
    assert rules("✅ C'est enregistré.") == ["emoji-position"]
    assert rules("Repas 🥗 : 12.") == ["emoji-position"]
    assert rules("C'est enregistré. ✅") == []
    assert rules("C'est enregistré ✅ !") == []
    assert rules("Tri des déchets. ♻️ 🌍") == []
    assert rules("▶️ Suivant") == ["emoji-position"]
    assert rules("ℹ️ Info : le tri commence.") == ["emoji-position"]
    assert rules("Étape 1 → étape 2. Un point • deux points.") == []  # arrows and bullets are punctuation


def test_emoji_never_carry_the_meaning_alone() -> None:
    assert rules("✅") == ["emoji-only"]
    assert rules("👍 🎉", "en") == ["emoji-only"]
    assert rules("{n} ✅") == []  # the number is the message


def test_the_failure_names_the_rule_and_the_text() -> None:
    (violation,) = check("Nous allons impacter le bilan.", "fr")
    assert str(violation).startswith("jargon: 'impacter'")


def test_sentences_and_emoji_helpers() -> None:
    assert sentences("Un. Deux ! Trois ?\n- quatre\n12,5 litres.") == [
        "Un.",
        "Deux !",
        "Trois ?",
        "quatre",
        "12,5 litres.",
    ]
    assert strip_emoji("C'est fait. ✅ 🎉") == "C'est fait."


def test_the_coordinators_names_in_a_filled_in_message_read_as_words() -> None:
    text = "Pas de route aujourd'hui avec Minibus MB-1."
    assert rules(text) == ["abbreviation"]
    assert check(text, "fr", names=["Minibus MB-1", "Groupe 125 kVA"]) == []
