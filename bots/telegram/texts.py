"""What the bot says, composed from the ``telegram.po`` catalogues in the member's language.

Pure functions of the production, the assignment and the figures: no Telegram, no store.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import replace
from decimal import Decimal
from typing import Any

from base.i18n import day as format_day
from base.i18n import has, number, t, typed_number
from bots.telegram import footprint_texts as footprint
from domain.answers import EXAMPLE_HOUR_METER, EXAMPLE_ODOMETER, example_reading
from domain.errors import GreenslateError, NeedsConfirmation
from domain.footprint_answers import FOOTPRINT_KINDS
from domain.model import (
    Assignment,
    Frequency,
    GeneratorMode,
    MileageMode,
    Production,
    Report,
    ReportKind,
)

_WEEKDAY_NAMES = {
    "fr": ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"),
    "en": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
}


def num(value: Decimal | int, lang: str, decimals: int = 1) -> str:
    return number(value, lang, decimals)


def item_label(item: str, lang: str) -> str:
    """``vegetarian`` -> ``végé`` / ``veg``: a word the answer parser also understands."""
    key = f"telegram.item.{item}"
    return t(lang, key) if has(key) else item.removeprefix("spend_").replace("_", " ")  # a budget line: its word


def subject_label(production: Production, assignment: Assignment) -> str:
    if assignment.report in FOOTPRINT_KINDS:
        return footprint.subject_label(production, assignment)
    if assignment.vehicle:
        return production.vehicle(assignment.vehicle).label
    if assignment.generator:
        return production.generator(assignment.generator).label
    return ""


def when(day: dt.date, today: dt.date, lang: str) -> str:
    """``aujourd'hui`` / ``today``, or ``le lundi 1 mars`` / ``on Monday 1 March``."""
    if day == today:
        return t(lang, "telegram.when.today")
    return t(lang, "telegram.when.day", day=format_day(day, lang))


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def items_example(names: list[str], lang: str, figures: tuple[str, str]) -> str:
    labels = [item_label(n, lang) for n in names[:2]]
    if len(labels) == 1:
        return f"{labels[0]} {figures[0]}"
    return f"{labels[0]} {figures[0]} {labels[1]} {figures[1]}"


def example(production: Production, assignment: Assignment, lang: str) -> str:
    """A valid answer to this assignment's prompt, shown in every error message."""
    kind = assignment.report
    if kind in FOOTPRINT_KINDS:
        return footprint.example(production, assignment, lang)
    if kind is ReportKind.MILEAGE:
        if assignment.mode is MileageMode.DISTANCE:
            return t(lang, "telegram.example.distance")
        start = production.vehicle(assignment.vehicle).odometer_start if assignment.vehicle else None
        return typed_number(example_reading(start, EXAMPLE_ODOMETER, Decimal(120)), lang)  # their own scale
    if kind is ReportKind.GENERATOR_HOURS:
        if assignment.mode is GeneratorMode.METER:
            start = production.generator(assignment.generator).hour_meter_start if assignment.generator else None
            return typed_number(example_reading(start, EXAMPLE_HOUR_METER, Decimal(6)), lang)
        return t(lang, "telegram.example.hours")
    if kind is ReportKind.GENERATOR_LITRES:
        return t(lang, "telegram.example.litres")
    if kind is ReportKind.MEALS:
        return items_example(list(production.meal_types), lang, ("30", "40"))
    return items_example(list(production.waste_streams), lang, ("12,5" if lang == "fr" else "12.5", "4"))


def what(production: Production, assignment: Assignment, lang: str) -> str:
    kind = assignment.report
    if kind in FOOTPRINT_KINDS:
        return footprint.what(production, assignment, lang)
    key = kind.value
    if kind is ReportKind.MILEAGE and assignment.mode is MileageMode.DISTANCE:
        key = "mileage_distance"
    return t(lang, f"telegram.what.{key}", subject=subject_label(production, assignment))


def schedule(assignment: Assignment, lang: str) -> str:
    time = assignment.at.strftime("%H:%M") if lang == "en" else assignment.at.strftime("%H h %M")
    if assignment.frequency is Frequency.WEEKLY:
        weekday = _WEEKDAY_NAMES[lang][assignment.weekday or 0]
        return t(lang, "telegram.when.weekly", weekday=weekday, time=time)
    if assignment.frequency is Frequency.MONTHLY:
        return t(lang, "telegram.when.monthly", time=time)
    return t(lang, "telegram.when.daily", time=time)


def welcome(production: Production, member_id: str, lang: str) -> str:
    member = production.member(member_id)
    tasks = [t(lang, "telegram.task", what=what(production, a, lang), when=schedule(a, lang))
             for a in production.assignments_of(member_id)]
    first_name = member.name.split()[0] if member.name.strip() else ""  # empty once a member was forgotten
    hello = t(lang, "telegram.hello.name", name=first_name) if first_name else t(lang, "telegram.hello")
    return t(lang, "telegram.start.welcome", hello=hello, title=production.title,
             tasks="\n".join(tasks) or t(lang, "telegram.start.no_tasks"))


def prompt(production: Production, assignment: Assignment, day: dt.date, today: dt.date, lang: str,
           *, reminder: bool = False) -> str:
    kind = assignment.report
    if kind is ReportKind.MILEAGE:
        key = "mileage.distance" if assignment.mode is MileageMode.DISTANCE else "mileage.odometer"
    elif kind is ReportKind.GENERATOR_HOURS:
        key = "generator.meter" if assignment.mode is GeneratorMode.METER else "generator.hours"
    elif kind is ReportKind.GENERATOR_LITRES:
        key = "generator.litres"
    elif kind in FOOTPRINT_KINDS:
        key = footprint.prompt_key(production, assignment)
    else:
        key = kind.value
    named = (t(lang, "telegram.when.today_day", day=format_day(day, lang)) if day == today
             else when(day, today, lang))  # the day is always named, even today
    text = t(lang, f"telegram.prompt.{key}", When=_capital(named),
             subject=subject_label(production, assignment), example=example(production, assignment, lang))
    if reminder:
        text = t(lang, "telegram.prompt.reminder") + "\n" + text
    return text


def _detail(values: Mapping[str, Decimal], order: list[str], lang: str) -> str:
    """``30 végé, 40 poulet``, in the production's order of meal types (or waste streams)."""
    items = sorted(values, key=lambda k: order.index(k) if k in order else len(order))
    return ", ".join(t(lang, "telegram.recap.item", count=num(values[k], lang), item=item_label(k, lang))
                     for k in items)


def figure(production: Production, report: Report, quantity: Decimal, today: dt.date, lang: str) -> str:
    """What a stored figure means, in words: ``220 km today with Minibus MB-1.``"""
    w = when(report.day, today, lang)
    if report.kind in FOOTPRINT_KINDS:
        return footprint.figure(production, report, quantity, w, lang)
    subject = ""
    if report.kind is ReportKind.MILEAGE:
        subject = production.vehicle(report.subject or "").label
    elif report.subject:
        subject = production.generator(report.subject).label
    values = report.values
    if report.kind is ReportKind.MILEAGE:
        if "odometer" in values:
            return t(lang, "telegram.recap.odometer", subject=subject, reading=num(values["odometer"], lang),
                     km=num(quantity, lang), when=w)
        if values.get("km") == 0:
            return t(lang, "telegram.recap.no_drive", subject=subject, when=w)
        return t(lang, "telegram.recap.km", km=num(values["km"], lang), subject=subject, when=w)
    if report.kind is ReportKind.GENERATOR_HOURS:
        if "meter" in values:
            return t(lang, "telegram.recap.meter", subject=subject, reading=num(values["meter"], lang),
                     litres=num(quantity, lang, 0), when=w)
        if values.get("hours") == 0:
            return t(lang, "telegram.recap.no_generator", subject=subject, when=w)
        return t(lang, "telegram.recap.hours", subject=subject, hours=num(values["hours"], lang, 2),
                 litres=num(quantity, lang, 0), when=w)
    if report.kind is ReportKind.GENERATOR_LITRES:
        return t(lang, "telegram.recap.litres", litres=num(values["litres"], lang), subject=subject, when=w)
    total = sum(values.values(), Decimal(0))
    meals = report.kind is ReportKind.MEALS
    order = list(production.meal_types if meals else production.waste_streams)
    key = "telegram.recap.meals" if meals else "telegram.recap.waste"
    return t(lang, key, total=num(total, lang), detail=_detail(values, order, lang), when=w)


def recap(production: Production, report: Report, quantity: Decimal, today: dt.date, lang: str) -> str:
    done = "telegram.corrected" if report.corrects is not None else "telegram.saved"
    return figure(production, report, quantity, today, lang) + "\n" + t(lang, done)


def confirmation(error: NeedsConfirmation, lang: str) -> str:
    params = error.params
    for key in ("km", "meals", "hours", "litres", "kg"):
        if key in params:
            return t(lang, f"telegram.confirm.{key}", **{key: num(params[key], lang)})
    if "item" in params and "value" in params:  # the whole footprint's checks: the figure and what it counts
        return footprint.confirmation(str(params["item"]), params["value"], lang)
    return t(lang, "telegram.confirm.km", km=num(Decimal(0), lang))  # pragma: no cover - every check names one


def step_example(kind: ReportKind, lang: str) -> str:
    """A valid answer to one step of a guided entry: a single count or weight."""
    return "30" if kind is ReportKind.MEALS else ("12,5" if lang == "fr" else "12.5")


def refusal(
    error: GreenslateError, production: Production, assignment: Assignment, lang: str, ex: str | None = None
) -> str:
    """The short message for an answer that cannot be stored, with a valid example (``ex`` if given)."""
    ex = ex or example(production, assignment, lang)
    if assignment.report in FOOTPRINT_KINDS and error.params.get("reason") == "not_whole":
        return t(lang, "telegram.error.not_whole_count", example=ex)  # nights, people, costumes: not meals
    text = (_unreadable_refusal(error, lang, ex)
            or _reading_refusal(error.params, production, assignment, lang, ex)
            or _items_refusal(error.params, lang, ex))
    if text is not None:
        return text
    if "day" in error.params:
        return t(lang, "telegram.error.outside")
    return t(lang, "telegram.error.invalid", example=ex)


def _unreadable_refusal(error: GreenslateError, lang: str, ex: str) -> str | None:
    """The message for a figure that cannot be read as a number at all."""
    params = error.params
    typed = _short(str(params.get("text", "")))
    if params.get("reason") in ("too_long", "too_large"):  # too many digits typed, or a figure no shoot reaches
        return t(lang, "telegram.error.too_long", example=ex)
    if error.code == "not_a_number":
        return t(lang, "telegram.error.not_a_number", text=typed, example=ex)
    if error.code == "ambiguous_number":
        return t(lang, "telegram.error.ambiguous_list", text=typed, example=ex)
    return None


def _reading_refusal(
    params: Mapping[str, Any], production: Production, assignment: Assignment, lang: str, ex: str
) -> str | None:
    """The message for a figure out of line with the readings and distances already given."""
    reason = params.get("reason") or ""
    if reason == "below_last":
        return t(lang, "telegram.error.below_last", previous=num(params["previous"], lang), example=ex)
    if reason == "below_start":  # no reading yet: the start declared for the vehicle, not one of theirs
        return t(lang, "telegram.error.below_start", start=num(params["previous"], lang), example=ex)
    if reason == "below_distances":
        return t(lang, "telegram.error.below_distances", previous=num(params["previous"], lang),
                 km=num(params["km"], lang), example=ex)
    if reason == "distance_with_readings":
        reading = replace(assignment, mode=MileageMode.ODOMETER)  # what to send instead
        return t(lang, "telegram.error.distance_with_readings", subject=subject_label(production, assignment),
                 previous=num(params["previous"], lang), example=example(production, reading, lang))
    if reason == "above_next":
        return t(lang, "telegram.error.above_next", next=num(params["next"], lang))
    return None


def _items_refusal(params: Mapping[str, Any], lang: str, ex: str) -> str | None:
    """The message for an answer whose items, signs or units do not fit the question."""
    reason = params.get("reason") or ""
    if reason in ("negative", "no_item", "not_whole"):
        return t(lang, f"telegram.error.{reason}", example=ex)
    if reason == "no_factor":  # the set has no factor for it: say so rather than "check the figure"
        return t(lang, "telegram.error.no_factor")
    if reason == "no_passenger":
        return t(lang, "telegram.error.no_passenger", example=ex)
    if reason == "no_choice":
        expected = ", ".join(footprint.choice_label(i, lang) for i in params.get("expected", ()))
        return t(lang, "telegram.error.no_choice", expected=expected, example=ex)
    if reason == "twice":
        return t(lang, "telegram.error.twice", item=item_label(params["item"], lang), example=ex)
    if reason == "unknown_item":
        expected = ", ".join(item_label(i, lang) for i in params.get("expected", ()))
        return t(lang, "telegram.error.unknown_item", item=_short(params["item"]), expected=expected, example=ex)
    if reason == "wrong_unit":
        return t(lang, "telegram.error.wrong_unit", expected=t(lang, f"telegram.unit.{params['expected']}"),
                 example=ex)
    return None


def _short(text: str, limit: int = 40) -> str:
    """What the member typed, quoted back: long pastes are cut."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit - 1] + "…"


def ambiguity(text: str, choices: tuple[Decimal, ...], production: Production, assignment: Assignment,
              lang: str) -> str:
    return t(lang, "telegram.error.ambiguous", text=_short(text), a=num(choices[0], lang, 3),
             b=num(choices[1], lang, 3), example=example(production, assignment, lang))


def step_question(kind: ReportKind, item: str, lang: str) -> str:
    key = "telegram.step.meals" if kind is ReportKind.MEALS else "telegram.step.waste"
    return t(lang, key, item=item_label(item, lang))

