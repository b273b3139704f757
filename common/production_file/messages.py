"""From pydantic's errors to plain words (``wording``: English for the CLI, French or English on screen)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Annotated, Any, get_args, get_origin

from pydantic import (
    BaseModel,
)
from pydantic_core import ErrorDetails

from common.production_file.models import ProductionFile
from common.production_file.problems import Problem
from common.production_file.types import MESSAGE_CONTEXT, _closest, _describe, _not_one_of, _shorten, _unknown
from common.production_file.wording import FieldName, Message, Num, say


def _where(loc: Sequence[Any]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int) and not isinstance(part, bool):
            out += f"[{part}]"
        else:
            name = _shorten(str(part))  # a key can be long (YAML's explicit "? key" form)
            out += f".{name}" if out else name
    return out


_CHOICE_NAMES = {
    ("production", "type"): "production type",
    ("production", "language"): "language",
    ("production", "forecast_tco2e"): "category",
    ("crew", "role"): "role",
    ("crew", "channel"): "channel",
    ("crew", "language"): "language",
    ("assignments", "report"): "report kind",
    ("assignments", "mode"): "mode",
    ("assignments", "frequency"): "frequency",
    ("action_plan", "theme"): "theme",
    ("action_plan", "status"): "action status",
    ("action_plan", "outcome"): "outcome",
}


def _model_at(loc: Sequence[Any]) -> type[BaseModel] | None:
    """The model that owns the last element of ``loc``."""
    current: Any = ProductionFile
    for part in loc[:-1]:
        current = _unwrap(current)
        if isinstance(current, type) and issubclass(current, BaseModel):
            field = current.model_fields.get(str(part))
            if field is None:
                return None
            current = field.annotation
        elif get_origin(current) in (list, dict):
            current = get_args(current)[-1]
        else:
            return None
    current = _unwrap(current)
    return current if isinstance(current, type) and issubclass(current, BaseModel) else None


def _unwrap(annotation: Any) -> Any:
    while True:
        args = [a for a in get_args(annotation) if a is not type(None)]
        origin = get_origin(annotation)
        if origin is Annotated or (origin is not None and origin not in (list, dict) and len(args) == 1):
            annotation = args[0]
        else:
            return annotation


def _shape_problems(errors: Sequence[ErrorDetails]) -> list[Problem]:
    """Pydantic's errors in plain English; a misspelt field is one problem, not "unknown" and "missing"."""
    missing = {tuple(e["loc"]) for e in errors if e["type"] == "missing"}
    renamed: dict[tuple[Any, ...], str] = {}
    for e in errors:
        loc = tuple(e["loc"])
        if e["type"] == "extra_forbidden" and loc:
            candidates = [str(m[-1]) for m in missing if m[:-1] == loc[:-1]]
            close = _closest(str(loc[-1]), candidates)
            if close is not None:
                renamed[loc] = close
                missing.discard((*loc[:-1], close))
    problems = []
    for e in errors:
        loc = tuple(e["loc"])
        if e["type"] == "missing" and loc not in missing:
            continue
        if loc in renamed:
            problems.append(Problem.of(_where(loc), say("field.renamed", name=repr(loc[-1]), close=repr(renamed[loc]))))
        else:
            problems.append(_translate(e))
    return problems


#: Kinds whose message says what was expected (``shape.<word>``), then what was found.
_EXPECTED = {
    "model_type": "mapping",
    "model_attributes_type": "mapping",
    "dict_type": "mapping",
    "list_type": "list",
    "tuple_type": "list",
    "frozen_set_type": "list",
    "set_type": "list",
    "string_type": "text",
    "string_sub_type": "text",
    "bool_type": "bool",
    "bool_parsing": "bool",
}

#: Kinds of a value out of its range: the words of the bound (``span.<words>``), its key in the context.
_BOUNDS = {
    "greater_than": ("above", "gt"),
    "greater_than_equal": ("at_least", "ge"),
    "less_than": ("below", "lt"),
    "less_than_equal": ("at_most", "le"),
}


def _translate(error: ErrorDetails) -> Problem:
    loc = tuple(error["loc"])
    if loc and loc[-1] == "[key]":  # a mapping's key, not its value
        loc = loc[:-1]
    return Problem.of(_where(loc), _problem(error, loc))


def _problem(error: ErrorDetails, loc: tuple[Any, ...]) -> Message:
    kind = error["type"]
    ctx = error.get("ctx", {})
    value = error.get("input")
    name = str(loc[-1]) if loc else ""
    if kind == "greenslate":
        message = ctx.get(MESSAGE_CONTEXT)
        return message if isinstance(message, Message) else say("invalid.own", detail=error["msg"])
    if kind == "missing":
        return say("field.missing", name=FieldName(name))
    if kind == "extra_forbidden":
        owner = _model_at(loc) if loc else ProductionFile
        fields = list(owner.model_fields) if owner else []
        return _unknown("field", name, fields, say("expected.one_of", options=", ".join(fields)))
    if kind in ("enum", "literal_error"):
        return _choice_problem(loc, value, ctx)
    if kind in _EXPECTED:
        return say("shape.expected", what=say(f"shape.{_EXPECTED[kind]}"), got=_describe(value))
    if kind in _BOUNDS:
        words, key = _BOUNDS[kind]
        bound = ctx.get(key)
        shown = Num(bound) if isinstance(bound, int | float) and not isinstance(bound, bool) else str(bound)
        return say("out_of_range", span=say(f"span.{words}", low=shown, high=shown), got=_describe(value), hint="")
    if kind == "recursion_loop":
        return say("value.loop")
    message = error["msg"] or "not a valid value"
    return say("invalid.other", detail=f"{message[0].lower()}{message[1:]}", got=_describe(value))


def _choice_problem(loc: tuple[Any, ...], value: Any, ctx: Any) -> Message:
    """A value that is not one of the choices, named after what the choice is (a role, a channel...)."""
    options = re.findall(r"'([^']*)'", str(ctx.get("expected", "")))
    names = [str(p) for p in loc[-2:] if isinstance(p, str)]
    what = next(
        (_CHOICE_NAMES[(str(loc[0]), n)] for n in reversed(names) if (str(loc[0]), n) in _CHOICE_NAMES),
        "value",
    )
    return _not_one_of(what, value, options)
