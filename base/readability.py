"""Easy-to-read rules for every text the crew reads (FALC, "facile à lire et à comprendre").

Pure functions, no I/O: :func:`check` takes one text and its language and returns the rules it
breaks. ``tests/test_readability.py`` runs it over every gettext catalogue and the sensitisation
library, in French and English. ``docs/accessibility.md`` explains each rule and its limit.

The rules (names as they appear in a failure):

- ``sentence-length``: at most :data:`MAX_WORDS` words in a sentence;
- ``one-idea``: no semicolon, and at most :data:`MAX_LINKERS` clause linker ("because", "parce que",
  "which", "dont", ...) in a sentence: a machine's approximation of "one idea per sentence";
- ``capitals``: no word written in capitals, apart from the everyday symbols in :data:`EVERYDAY`;
- ``abbreviation``: no abbreviation unless it is everyday (:data:`EVERYDAY`) or explained in the
  same message (:data:`EXPLAINED`); no "etc.", "e.g.", "p. ex." and the like;
- ``jargon``: none of the difficult words in :data:`JARGON`, each with its everyday replacement;
- ``emoji-position``: emoji only at the very end of the message;
- ``emoji-only``: a message is never made of emoji alone.

Before checking, ``{placeholders}`` count as one ordinary word, and HTML tags are removed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

#: Longest sentence, in words. Easy-to-read guides (FALC, Inclusion Europe, plain-language guides)
#: advise short sentences and give 15 to 20 words as the upper bound; we take 20.
MAX_WORDS = 20

#: Clause linkers allowed in one sentence: one ("Turn the engine off when you stop") keeps one
#: idea; two ("..., because ..., which ...") already chain three clauses.
MAX_LINKERS = 1

#: Words that link clauses. "et"/"and" are left out: they mostly join nouns in a list.
LINKERS: Mapping[str, tuple[str, ...]] = {
    "fr": (
        "mais",
        "car",
        "donc",
        "parce que",
        "parce qu'",
        "puisque",
        "puisqu'",
        "lorsque",
        "lorsqu'",
        "alors que",
        "alors qu'",
        "tandis que",
        "tandis qu'",
        "bien que",
        "bien qu'",
        "afin que",
        "afin qu'",
        "pour que",
        "pour qu'",
        "sauf si",
        "si bien que",
        "cependant",
        "pourtant",
        "toutefois",
        "néanmoins",
        "dont",
        "lequel",
        "laquelle",
        "lesquels",
        "lesquelles",
        "auquel",
        "duquel",
        "c'est-à-dire",
        "sinon",
        "or",
    ),
    "en": (
        "but",
        "because",
        "although",
        "though",
        "whereas",
        "which",
        "whose",
        "whom",
        "unless",
        "however",
        "therefore",
        "so that",
        "otherwise",
        "hence",
        "thus",
        "whereby",
    ),
}

#: Unit symbols and everyday abbreviations, allowed anywhere: the agreed short list. Units are how
#: figures are written on a set and in the balance (kg CO2e, kVA on a generator's plate).
EVERYDAY = frozenset(
    {"CO2", "CO2e", "tCO2e", "kgCO2e", "km", "kg", "t", "g", "h", "L", "l", "min", "kW", "kWh", "kVA", "OK"}
)

#: Abbreviations allowed only when the same message explains them: the term followed by its
#: explanation in brackets, "GNR (gazole non routier)", or the explanation then the term,
#: "gazole non routier (GNR)". The key is matched as a whole word, case-sensitively.
EXPLAINED: Mapping[str, Mapping[str, tuple[str, ...]]] = {
    "GNR": {"fr": ("gazole non routier",), "en": ("non-road diesel", "off-road diesel", "red diesel")},
    "HVO": {"fr": ("huile végétale",), "en": ("vegetable oil",)},
    "LED": {"fr": ("diode", "ampoule basse consommation"), "en": ("light-emitting diode", "low-energy")},
    "CNC": {"fr": ("Centre national du cinéma",), "en": ("National Centre for Cinema", "French film board")},
    "ADEME": {"fr": ("Agence de la transition écologique",), "en": ("French ecological transition agency",)},
    "FALC": {"fr": ("facile à lire",), "en": ("easy to read", "easy-to-read")},
    "QR": {"fr": ("code à scanner", "code carré"), "en": ("code to scan", "square code")},
}

#: Written abbreviations that make a reader stop and decode: always refused, say the words.
LATIN_ABBREVIATIONS: Mapping[str, tuple[str, ...]] = {
    "fr": ("etc.", "p. ex.", "p.ex.", "cf.", "env.", "c.-à-d.", "qté", "nb.", "n°", "svp", "tél.", "approx."),
    "en": ("etc.", "e.g.", "i.e.", "cf.", "approx.", "qty", "pls", "asap", "vs."),
}

#: Difficult words and what to say instead (matched as whole words, any case, word starts).
JARGON: Mapping[str, Mapping[str, str]] = {
    "fr": {
        "nonobstant": "malgré",
        "afférent": "lié à",
        "susmentionné": "cité plus haut",
        "ledit": "ce",
        "ladite": "cette",
        "conformément": "comme le dit",
        "impacter": "changer",
        "optimiser": "améliorer",
        "mutualiser": "partager",
        "problématique": "problème",
        "écoconditionnalité": "règles écologiques des aides",
        "homologué": "reconnu",
        "granularité": "niveau de détail",
        "occurrence": "fois",
        "subséquent": "suivant",
        "préalablement": "avant",
        "ultérieurement": "plus tard",
    },
    "en": {
        "utilise": "use",
        "utilize": "use",
        "facilitate": "help",
        "leverage": "use",
        "aforementioned": "this",
        "notwithstanding": "despite",
        "commence": "start",
        "subsequently": "then",
        "henceforth": "from now on",
        "heretofore": "until now",
        "endeavour": "try",
        "remuneration": "pay",
        "granularity": "detail",
        "prior to": "before",
        "in accordance with": "as",
    },
}

_PLACEHOLDER = re.compile(r"\{[^{}]*\}")
_TAG = re.compile(r"</?[a-zA-Z][^<>]*>")
_URL = re.compile(r"https?://\S+|t\.me/\S+")
_WORD = re.compile(r"[\w][\w'’\-]*")
_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+|\n+")
_NEUTRAL_WORD = "x"  # what a placeholder becomes: one ordinary lower-case word

# Emoji: pictographs, symbols and dingbats, flags, keycaps, plus the joiners and selectors that
# glue them together. Checked per character.
_EMOJI_RANGES = (
    (0x1F000, 0x1FAFF),  # pictographs, emoticons, transport, supplemental symbols, flags
    (0x2600, 0x27BF),  # miscellaneous symbols and dingbats (☀ ✅ ✔ ❌ ♻)
    (0x2300, 0x23FF),  # technical (⌛ ⏰ ⏳)
    (0x2B00, 0x2BFF),  # arrows and stars (⭐ ⬆)
    (0x21A9, 0x21AA),  # ↩ ↪ (other arrows are plain punctuation to a screen reader)
    (0x25AA, 0x25AB),  # ▪ ▫
    (0x25B6, 0x25B6),  # ▶
    (0x25C0, 0x25C0),  # ◀
    (0x25FB, 0x25FE),  # ◻ ◼ ◽ ◾
    (0x203C, 0x203C),  # ‼
    (0x2049, 0x2049),  # ⁉
    (0x2139, 0x2139),  # ℹ
    (0x24C2, 0x24C2),  # Ⓜ
    (0x3030, 0x3030),
    (0x303D, 0x303D),
    (0x3297, 0x3299),
)
_EMOJI_GLUE = {0x200D, 0xFE0E, 0xFE0F, 0x20E3}


def is_emoji(char: str) -> bool:
    code = ord(char)
    return code in _EMOJI_GLUE or any(lo <= code <= hi for lo, hi in _EMOJI_RANGES)


@dataclass(frozen=True)
class Violation:
    rule: str
    text: str  # the offending sentence, word or part of the message

    def __str__(self) -> str:
        return f"{self.rule}: {self.text}"


def check(text: str, lang: str, names: Iterable[str] = ()) -> list[Violation]:
    """Every easy-to-read rule ``text`` (in ``lang``: "fr" or "en") breaks; empty when it reads well.

    ``names`` are the coordinator's own words found in a filled-in message (a vehicle's label such
    as "Minibus MB-1", a person's name, the production's title): each is read as one ordinary word.
    """
    lang = lang if lang in LINKERS else "fr"
    for name in sorted(filter(None, names), key=len, reverse=True):
        text = text.replace(name, _NEUTRAL_WORD)
    plain = prepare(text)
    violations: list[Violation] = []
    violations += _emoji_rules(plain)
    speech = strip_emoji(plain)
    for sentence in sentences(speech):
        violations += _sentence_rules(sentence, lang)
    violations += _word_rules(speech, lang)
    return violations


def prepare(text: str) -> str:
    """The text as the reader sees it: placeholders as a word, no HTML tags, no links."""
    text = _PLACEHOLDER.sub(_NEUTRAL_WORD, text)
    text = _TAG.sub("", text)
    return _URL.sub("link", text)


def strip_emoji(text: str) -> str:
    """``text`` without its emoji (what a screen reader or a voice should not have to spell out)."""
    return re.sub(r"[ \t]{2,}", " ", "".join(c for c in text if not is_emoji(c))).strip()


def sentences(text: str) -> list[str]:
    """Sentences, and lines of a list, each on its own."""
    parts = (p.strip(" \t-•*") for p in _SENTENCE_END.split(text))
    return [p for p in parts if _WORD.search(p)]


def words(sentence: str) -> list[str]:
    return _WORD.findall(sentence)


def _sentence_rules(sentence: str, lang: str) -> list[Violation]:
    found: list[Violation] = []
    count = len(words(sentence))
    if count > MAX_WORDS:
        found.append(Violation("sentence-length", f"{count} words (limit {MAX_WORDS}): {sentence}"))
    linkers = _linkers(sentence, lang)
    if ";" in sentence:
        found.append(Violation("one-idea", f"a semicolon joins two ideas: {sentence}"))
    elif len(linkers) > MAX_LINKERS:
        found.append(Violation("one-idea", f"{len(linkers)} linked clauses ({', '.join(linkers)}): {sentence}"))
    return found


def _linkers(sentence: str, lang: str) -> list[str]:
    lowered = " " + sentence.lower().replace("’", "'") + " "
    found = []
    for linker in LINKERS[lang]:
        ending = "" if linker.endswith("'") else r"\b"
        found += [linker] * len(re.findall(r"(?<![\w'-])" + re.escape(linker) + ending, lowered))
    # "parce que" also contains no shorter linker, but "si bien que" and "bien que" overlap.
    if "si bien que" in found:
        found.remove("bien que")
    return found


def _word_rules(text: str, lang: str) -> list[Violation]:
    found = [v for word in dict.fromkeys(words(text)) if (v := _word_violation(word, text, lang)) is not None]
    return found + _phrase_rules(text.lower().replace("’", "'"), lang)


def _word_violation(word: str, text: str, lang: str) -> Violation | None:
    """An abbreviation left unexplained, or a word in capitals; None for an everyday word."""
    core = word.strip("'’-")
    letters = [c for c in core if c.isalpha()]
    if core in EVERYDAY:
        return None
    if core in EXPLAINED:
        if _explained(core, text, lang):
            return None
        explanation = " / ".join(EXPLAINED[core].get(lang, ()))
        return Violation("abbreviation", f"{core} is not explained (say: {explanation})")
    if len(letters) >= 2 and all(c.isupper() for c in letters):
        if len(letters) <= 5:
            return Violation("abbreviation", f"{core} is not explained")
        return Violation("capitals", core)
    return None


def _phrase_rules(lowered: str, lang: str) -> list[Violation]:
    """Latin abbreviations and jargon, found in the lower-cased text."""
    found: list[Violation] = []
    for abbreviation in LATIN_ABBREVIATIONS[lang]:
        pattern = r"(?<![\w])" + re.escape(abbreviation) + (r"(?!\w)" if abbreviation[-1].isalnum() else "")
        if re.search(pattern, lowered):
            found.append(Violation("abbreviation", f"{abbreviation!r}: write the words in full"))
    for term, instead in JARGON[lang].items():
        if re.search(r"(?<![\w])" + re.escape(term), lowered):
            found.append(Violation("jargon", f"{term!r} (say: {instead!r})"))
    return found


def _explained(term: str, text: str, lang: str) -> bool:
    if re.search(re.escape(term) + r"\s*\([^)]{3,}\)", text):
        return True
    lowered = text.lower()
    return any(e.lower() in lowered for e in EXPLAINED[term].get(lang, ()))


def _emoji_rules(text: str) -> list[Violation]:
    found: list[Violation] = []
    body = text.rstrip()
    # Emoji at the very end are allowed, with spaces or closing punctuation around them.
    while body and (is_emoji(body[-1]) or body[-1] in " \t.!?…"):
        body = body[:-1]
    inside = [c for c in body if is_emoji(c) and ord(c) not in _EMOJI_GLUE]
    if inside:
        where = body.index(inside[0])
        found.append(
            Violation("emoji-position", f"{inside[0]} before the end: {body[max(0, where - 20) : where + 20]}")
        )
    if any(is_emoji(c) for c in text) and not any(c.isalnum() for c in strip_emoji(text)):
        found.append(Violation("emoji-only", f"the message is only emoji: {text.strip()}"))
    return found


def describe(violations: Iterable[Violation]) -> str:
    return "; ".join(str(v) for v in violations)
