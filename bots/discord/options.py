"""Slash-command option values checked against what each command declares to Discord.

discord.py trusts Discord: a ``Range[str, 1, 64]`` or a list of choices is sent to Discord with the
command, but a value that comes back is not checked against it. A client that bypasses Discord's
form (or a payload built by hand) could send a 1 MB note, or a status outside the choices. The
command tree checks every option against its declared parameter before any command runs.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import discord
from discord import app_commands
from discord.enums import AppCommandOptionType

#: Option types whose values are text, numbers: what Discord lets a command declare bounds on.
_TEXT = AppCommandOptionType.string
_NUMBERS = (AppCommandOptionType.integer, AppCommandOptionType.number)
#: Discord's own limit on any string option.
MAX_STRING_OPTION = 6000


@dataclass(frozen=True)
class OptionProblem:
    """An option value that does not fit its declaration: which option, and what would."""

    option: str
    kind: str  # "length", "choice" or "number"
    low: Any = None
    high: Any = None


def leaf_options(data: dict[str, Any]) -> list[dict[str, Any]]:
    """The options of the command itself, below any subcommand group and subcommand."""
    options: Sequence[dict[str, Any]] = data.get("options") or []
    while options and options[0].get("type") in (1, 2):  # subcommand, subcommand group
        options = options[0].get("options") or []
    return list(options)


def problem(interaction: discord.Interaction) -> OptionProblem | None:
    """The first option of ``interaction`` that does not fit its declared parameter, or None."""
    if interaction.type not in (discord.InteractionType.application_command, discord.InteractionType.autocomplete):
        return None
    command = interaction.command
    if not isinstance(command, app_commands.Command):
        return None
    parameters = {p.display_name: p for p in command.parameters}
    autocomplete = interaction.type is discord.InteractionType.autocomplete
    for option in leaf_options(interaction.data or {}):  # type: ignore[arg-type]
        parameter = parameters.get(option.get("name", ""))
        if parameter is None:
            return OptionProblem(str(option.get("name", ""))[:100], "choice")
        found = check(parameter, option.get("value"), partial=autocomplete and bool(option.get("focused")))
        if found is not None:
            return found
    return None


def check(parameter: app_commands.Parameter, value: Any, *, partial: bool = False) -> OptionProblem | None:
    """``value`` against ``parameter``'s type, length, range and choices (``partial``: being typed)."""
    if parameter.type is _TEXT:
        return _check_text(parameter, value, partial=partial)
    if parameter.type in _NUMBERS:
        return _check_number(parameter, value, partial=partial)
    return None


def _check_text(parameter: app_commands.Parameter, value: Any, *, partial: bool) -> OptionProblem | None:
    """A text option: its length (any length while being typed), then its choices."""
    name = parameter.display_name
    low = 0 if partial else (parameter.min_value or 0)
    high = parameter.max_value if parameter.max_value is not None else MAX_STRING_OPTION
    if not isinstance(value, str) or not low <= len(value) <= high:
        return OptionProblem(name, "length", parameter.min_value or 0, high)
    return _check_choice(parameter, value, partial=partial)


def _check_number(parameter: app_commands.Parameter, value: Any, *, partial: bool) -> OptionProblem | None:
    """A number option: its type (a boolean is no number), its range, then its choices."""
    name = parameter.display_name
    integer = parameter.type is AppCommandOptionType.integer
    if isinstance(value, bool) or not isinstance(value, int if integer else int | float):
        return OptionProblem(name, "number", parameter.min_value, parameter.max_value)
    if (parameter.min_value is not None and value < parameter.min_value) or (
        parameter.max_value is not None and value > parameter.max_value
    ):
        return OptionProblem(name, "number", parameter.min_value, parameter.max_value)
    return _check_choice(parameter, value, partial=partial)


def _check_choice(parameter: app_commands.Parameter, value: Any, *, partial: bool) -> OptionProblem | None:
    """One of the declared choices, when there are any and the value is complete."""
    if parameter.choices and not partial and value not in {c.value for c in parameter.choices}:
        return OptionProblem(parameter.display_name, "choice")
    return None
