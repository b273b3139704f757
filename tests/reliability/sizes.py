"""Sizes of the reliability scenarios: bounded for CI, full sizes on demand.

``GREENSLATE_RELIABILITY_FULL=1`` runs every scenario at full size (5,000 answers and ten
kills, 10,000 fuzzed inputs, ...). One size can also be set alone, e.g.
``GREENSLATE_RELIABILITY_ANSWERS=2000 GREENSLATE_RELIABILITY_KILLS=5``.
"""

from __future__ import annotations

import os

FULL = os.environ.get("GREENSLATE_RELIABILITY_FULL") == "1"


def size(name: str, ci: int, full: int) -> int:
    """``GREENSLATE_RELIABILITY_<NAME>`` if set, else the full size or the CI size."""
    value = os.environ.get(f"GREENSLATE_RELIABILITY_{name.upper()}")
    if value:
        return int(value)
    return full if FULL else ci


#: Fuzzed inputs: the answers (every conversation state) and the production file loader.
FUZZ_ANSWERS = size("fuzz_answers", 150, 6_000)
FUZZ_BOT = size("fuzz_bot", 100, 1_000)
FUZZ_LOADER = size("fuzz_loader", 200, 4_000)
#: The SIGKILL scenario: answers sent, and how many times the bot is killed meanwhile.
ANSWERS = size("answers", 500, 5_000)
KILLS = size("kills", 3, 10)
#: Members of the two-schedulers scenario.
SCHEDULER_MEMBERS = size("scheduler_members", 30, 200)
