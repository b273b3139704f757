"""Hypothesis strategies for what crews (and attackers) type: hostile and odd inputs.

Huge numbers, negative numbers, unicode, emoji, empty text, 4,096 characters (Telegram's limit),
injection strings, and well-formed French and English figures so the happy path is fuzzed too.
"""

from __future__ import annotations

from hypothesis import strategies as st

INJECTIONS = (
    "'; DROP TABLE reports; --",
    "1; DELETE FROM emission_lines",
    "1' OR '1'='1",
    "\" OR 1=1 --",
    "<script>alert(1)</script>",
    "<b>45</b>",
    "{text}",
    "{0}",
    "{example!r}",
    "%s%s%n",
    "${jndi:ldap://x}",
    "../../etc/passwd",
    "\x00",
    "\u202e123",  # right-to-left override
    "\ufeff45 230",
    "NaN",
    "Infinity",
    "-inf",
    "1e400",
    "1E+999999",
    "0x1F",
    "٤٥٢٣٠",  # Arabic-Indic digits
    "４５２３０",  # full-width digits
    "45 230 km ; DROP",
    "/start",
    "/start ../../",
)

EMOJI = ("🚐", "🍽️", "♻️", "⛽", "👍🏽", "🇫🇷", "0️⃣", "🔟")

WORDS = ("km", "h", "L", "kg", "végé", "vegetarian", "boeuf", "beef", "poulet", "fish", "vegan", "residual",
         "carton", "plastique", "biodéchets", "et", "and", "repas", "litres", "heures", "+", "-", ",", ".")


def _french(value: int, decimals: int) -> str:
    whole = f"{value:,}".replace(",", " ")
    return whole + ("," + "5" * decimals if decimals else "")


def _english(value: int, decimals: int) -> str:
    return f"{value:,}" + ("." + "5" * decimals if decimals else "")


numbers = st.one_of(
    st.integers(min_value=-10**6, max_value=10**6).map(str),
    st.integers(min_value=10**12, max_value=10**40).map(str),  # huge
    st.builds(_french, st.integers(0, 10**9), st.integers(0, 3)),
    st.builds(_english, st.integers(0, 10**9), st.integers(0, 3)),
    st.decimals(allow_nan=True, allow_infinity=True).map(str),
    st.floats().map(str),
    st.from_regex(r"[+\-−]?\d{1,12}([ .,'’\u202f]\d{3}){0,4}([.,]\d{1,6})?", fullmatch=True),
)

phrases = st.lists(
    st.one_of(numbers, st.sampled_from(WORDS), st.sampled_from(EMOJI)), min_size=1, max_size=8
).map(" ".join)

answers = st.one_of(
    numbers,
    phrases,
    st.just(""),
    st.sampled_from(("   ", "\n", "\t")),
    st.sampled_from(INJECTIONS),
    st.builds(lambda a, b: a + " " + b, numbers, st.sampled_from(INJECTIONS)),
    st.sampled_from(EMOJI),
    st.text(max_size=60),
    st.text(alphabet=st.characters(codec="utf-8"), min_size=4096, max_size=4096),
    st.builds(lambda n: (n + " ") * 4096, numbers).map(lambda s: s[:4096]),
)
