"""What the bot says about the kinds of the whole footprint: travel, nights, grid power, fuel at the
pump, freight, purchases and post-production. Composed from ``telegram_footprint.po``.

Pure functions of the production, the assignment and the figures, like :mod:`bots.telegram.texts`.
"""

from __future__ import annotations

from collections.abc import Container, Mapping
from decimal import Decimal

from base.i18n import has, number, t, typed_number
from config.places import load_places
from domain.answers import example_reading
from domain.footprint_answers import choices
from domain.model import (
    POST_PRODUCTION_ITEMS,
    SPEND_PREFIX,
    Assignment,
    Production,
    Report,
    ReportKind,
    SiteMode,
    TravelMode,
    Zone,
    parse_accommodation_subject,
    parse_travel_subject,
    purchase_factor_key,
    purchase_unit,
)
from domain.places import find_place

#: An example meter reading for a site that declares no start reading.
EXAMPLE_GRID_METER = Decimal(12480)

_PLAIN_EXAMPLES = {
    ReportKind.TRAVEL: "travel", ReportKind.ACCOMMODATION: "accommodation", ReportKind.FUEL: "fuel",
    ReportKind.FREIGHT: "freight", ReportKind.PURCHASES: "purchases", ReportKind.POST_PRODUCTION: "post_production",
}


def choice_label(choice: str, lang: str) -> str:
    """``train_tgv`` -> ``Train grande vitesse``; an item -> its word (``bois``); a budget line -> its category."""
    for key in (f"telegram.choice_label.{choice}", f"telegram.item.{choice}"):
        if has(key):
            return t(lang, key)
    return choice.removeprefix(SPEND_PREFIX).replace("_", " ")


def site_label(production: Production, assignment: Assignment) -> str:
    return production.site(assignment.site).label if assignment.site else ""


def vehicle_label(production: Production, assignment: Assignment) -> str:
    return production.vehicle(assignment.vehicle).label if assignment.vehicle else ""


def subject_label(production: Production, assignment: Assignment) -> str:
    if assignment.report is ReportKind.GRID_POWER:
        return site_label(production, assignment)
    if assignment.report is ReportKind.FUEL:
        return vehicle_label(production, assignment)
    return ""


def _site_mode(production: Production, assignment: Assignment) -> SiteMode:
    if isinstance(assignment.mode, SiteMode):
        return assignment.mode
    return production.site(assignment.site).mode if assignment.site else SiteMode.METER


def what(production: Production, assignment: Assignment, lang: str) -> str:
    """What the member reports, in a few words, for the welcome message's list of tasks."""
    key = assignment.report.value
    if assignment.report is ReportKind.GRID_POWER and _site_mode(production, assignment) is SiteMode.KWH:
        key = "grid_power_kwh"
    return t(lang, f"telegram.what.{key}", subject=subject_label(production, assignment))


def example(production: Production, assignment: Assignment, lang: str) -> str:
    """A valid answer to this assignment's prompt, shown in every error message."""
    kind = assignment.report
    if kind is ReportKind.GRID_POWER:
        if _site_mode(production, assignment) is SiteMode.KWH:
            return t(lang, "telegram.example.kwh")
        start = production.site(assignment.site).meter_start if assignment.site else None
        return typed_number(example_reading(start, EXAMPLE_GRID_METER, Decimal(85)), lang)
    return t(lang, f"telegram.example.{_PLAIN_EXAMPLES[kind]}")


def prompt_key(production: Production, assignment: Assignment) -> str:
    if assignment.report is ReportKind.GRID_POWER:
        return f"grid_power.{_site_mode(production, assignment).value}"
    return assignment.report.value


def choice_rows(kind: ReportKind, lang: str, factors: Container[str] = ()) -> list[list[tuple[str, str]]]:
    """The buttons under a prompt of ``kind``: one per choice (budget lines are typed), three to a row; a
    purchase only if ``factors`` (the factor set's keys) can count it."""
    picks = [c for c in choices(kind) if not c.startswith(SPEND_PREFIX)
             and (kind is not ReportKind.PURCHASES or purchase_factor_key(c) in factors)]
    buttons = [(choice_label(c, lang), f"k:{c}") for c in picks]
    width = 2 if kind in (ReportKind.ACCOMMODATION, ReportKind.FREIGHT) else 3
    return [buttons[i:i + width] for i in range(0, len(buttons), width)]


def _unit(kind: ReportKind, item: str) -> str:
    if kind is ReportKind.POST_PRODUCTION:
        return POST_PRODUCTION_ITEMS[item][0]
    return purchase_unit(item) or "item"


def zone_rows(lang: str) -> list[list[tuple[str, str]]]:
    """The countries a lodging may be in, one tap each (France unless said)."""
    return [[(t(lang, f"telegram.zone.{zone.value}"), f"y:{zone.value}") for zone in Zone]]


def choice_question(kind: ReportKind, choice: str, lang: str) -> str:
    """After a button: what to type for that choice (``Avion : combien de km ?``)."""
    if kind is ReportKind.ACCOMMODATION and ":" in choice:  # a lodging and its country, both tapped
        lodging, zone = choice.split(":", 1)
        return t(lang, "telegram.choice.accommodation_zone", choice=choice_label(lodging, lang),
                 zone=t(lang, f"telegram.zone.{zone}"))
    label = choice_label(choice, lang)
    if kind in (ReportKind.TRAVEL, ReportKind.ACCOMMODATION, ReportKind.FREIGHT):
        return t(lang, f"telegram.choice.{kind.value}", choice=label)
    return t(lang, "telegram.choice.items", choice=label, unit=t(lang, f"telegram.unit.{_unit(kind, choice)}"))


#: The unit word of a figure of a kind with one quantity (nights, km, kWh...), by its value name.
_QUANTITY_UNITS = {"km": "km", "passengers": "passengers", "nights": "nights", "kwh": "kwh", "litres": "l",
                   "tkm": "tkm", "vkm": "km", "meter": "kwh"}


def confirmation(item: str, value: Decimal, lang: str) -> str:
    """``25 000 km, c'est beaucoup. Est-ce juste ?``; for an item: ``bois : 200 000 kilos, ...``."""
    if item in _QUANTITY_UNITS:
        return t(lang, "telegram.confirm.value", value=number(value, lang),
                 unit=t(lang, f"telegram.unit.{_QUANTITY_UNITS[item]}"))
    kind = ReportKind.POST_PRODUCTION if item in POST_PRODUCTION_ITEMS else ReportKind.PURCHASES
    return t(lang, "telegram.confirm.item", item=choice_label(item, lang), value=number(value, lang),
             unit=t(lang, f"telegram.unit.{_unit(kind, item)}"))


def _entries(kind: ReportKind, values: Mapping[str, Decimal], lang: str) -> str:
    """``bois 350 kilos, costumes neufs 4 articles``, in the order the choices are offered."""
    order = choices(kind)
    items = sorted(values, key=lambda k: order.index(k) if k in order else len(order))
    return ", ".join(
        t(lang, "telegram.recap.entry", item=choice_label(k, lang), count=number(values[k], lang, 2),
          unit=t(lang, f"telegram.unit.{_unit(kind, k)}")).strip()
        for k in items)


def _travel(production: Production, report: Report, when: str, lang: str) -> str:
    mode, origin, destination = parse_travel_subject(report.subject)
    values = report.values
    passengers = values.get("passengers", Decimal(1))
    key = "telegram.recap.travel.one" if passengers == 1 else "telegram.recap.travel.many"
    text = t(lang, key, mode=choice_label(mode.value, lang), km=number(values.get("km", Decimal(0)), lang),
             passengers=number(passengers, lang, 0), when=when)
    if origin and destination:  # the km were worked out: say from where to where, and how
        places = load_places()
        text += "\n" + t(lang, "telegram.recap.travel.places", origin=find_place(places, origin, mode).name,
                         destination=find_place(places, destination, mode).name)
    if mode is TravelMode.PLANE:  # said on every flight: with or without the contrails' effect
        forcing = "forcing" if production.travel.radiative_forcing else "no_forcing"
        text += "\n" + t(lang, f"telegram.recap.travel.{forcing}")
    return text


def _grid(production: Production, report: Report, quantity: Decimal, when: str, lang: str) -> str:
    subject = production.site(report.subject).label if report.subject else ""
    if "meter" in report.values:
        return t(lang, "telegram.recap.grid_meter", subject=subject, reading=number(report.values["meter"], lang),
                 kwh=number(quantity, lang), when=when)
    return t(lang, "telegram.recap.grid_kwh", kwh=number(report.values.get("kwh", Decimal(0)), lang),
             subject=subject, when=when)


def figure(production: Production, report: Report, quantity: Decimal, when: str, lang: str) -> str:
    """What a stored figure of the whole footprint means, in words."""
    kind, values = report.kind, report.values
    if kind is ReportKind.TRAVEL:
        return _travel(production, report, when, lang)
    if kind is ReportKind.ACCOMMODATION:
        lodging, zone = parse_accommodation_subject(report.subject)
        return t(lang, "telegram.recap.accommodation", nights=number(values.get("nights", Decimal(0)), lang, 0),
                 lodging=choice_label(lodging.value, lang), zone=t(lang, f"telegram.zone.{zone.value}"), when=when)
    if kind is ReportKind.GRID_POWER:
        return _grid(production, report, quantity, when, lang)
    if kind is ReportKind.FUEL:
        subject = production.vehicle(report.subject).label if report.subject else ""
        return t(lang, "telegram.recap.litres", litres=number(values.get("litres", Decimal(0)), lang),
                 subject=subject, when=when)
    if kind is ReportKind.FREIGHT:
        item = "tkm" if "tkm" in values else "vkm"
        return t(lang, f"telegram.recap.freight.{item}", vehicle=choice_label(report.subject or "", lang),
                 value=number(values.get(item, Decimal(0)), lang), when=when)
    text = t(lang, f"telegram.recap.{kind.value}", detail=_entries(kind, values, lang), when=when)
    if any(k.startswith(SPEND_PREFIX) for k in values):  # the least precise method: said so
        text += "\n" + t(lang, "telegram.recap.spend")
    return text

