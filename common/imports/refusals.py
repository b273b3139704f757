"""A row refused by the use case's checks (``domain.checks``), said as a located import problem.

The checks raise the same errors for the bots, ``report add`` and an import; here each becomes a
problem key of ``import.po`` with the column it is about.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from decimal import Decimal
from typing import Any

from base.i18n import number, t
from common.imports.layouts import Layout, Role
from common.imports.problems import Problem
from common.imports.rows import Header
from domain.errors import GreenslateError, NeedsConfirmation, UnknownFactor, UnknownMember
from domain.factors import FactorSet
from domain.model import MATERIALS, OBJECTS, POST_PRODUCTION_ITEMS, SPEND_PREFIX, Production, ReportKind

#: Reasons of ``domain.checks`` said with a message of their own, about the figure's column.
READING_REASONS = ("below_last", "below_start", "below_distances", "above_next", "distance_with_readings")
#: What an unusual figure is counted in (``NeedsConfirmation``'s parameter), and its unit's message.
UNUSUAL = {"km": "common.unit.km", "meals": "common.unit.meals", "hours": "common.unit.hours",
           "litres": "common.unit.litres", "kg": "common.unit.kg"}


def refusal(exc: GreenslateError, *, where: str, row: int, header: Header, production: Production,
            lang: str, factors: FactorSet) -> Problem:
    """The problem that says why the row at ``row`` was refused, at the column it is about."""
    layout = header.layout
    if exc.params.get("reason") == "no_factor" and "item" in exc.params:
        key, role, params = _no_factor(str(exc.params["item"]), factors)
    else:
        key, role, params = _said(exc, layout, production, lang)
    prefer = "km" if key == "distance_with_readings" else exc.params.get("item")
    column = _column_label(header, layout, role, prefer)
    return Problem(where, key, params, row, column)


def _said(exc: GreenslateError, layout: Layout, production: Production,
          lang: str) -> tuple[str, Role | None, dict[str, Any]]:
    p = exc.params
    reason = p.get("reason")
    if isinstance(exc, UnknownMember):
        return "unknown_member", Role.MEMBER, {"member": p["member_id"],
                                               "crew": ", ".join(m.id for m in production.crew)}
    if isinstance(exc, UnknownFactor):
        return "no_factor", None, {"key": p["key"], "version": p["version"]}
    if isinstance(exc, NeedsConfirmation):
        return _unusual(p, layout, lang)
    if reason in ("unknown_subject", "no_subject"):
        what = SUBJECTS.get(layout.kind, "item")
        return f"unknown_{what}", Role.SUBJECT, {"subject": p.get("subject") or "", "item": p.get("subject") or "",
                                                 "expected": ", ".join(p.get("expected", ()))}
    if reason in ("measured_by", "site_mode"):
        other = p.get("measured_by") or ("kwh" if p.get("mode") == "kwh" else "meter")
        return reason, Role.SUBJECT if reason == "measured_by" else Role.VALUE, {"subject": p["subject"],
                                                                                 "other": other}
    if reason == "no_passenger":
        return "no_passenger", Role.VALUE, {}
    if reason in READING_REASONS:
        return reason, Role.VALUE, {k: _shown(v, lang) for k, v in p.items()}
    if reason == "ref_moved":
        return "ref_moved", _role_of(p["field"]), {"ref": p["ref"], "stored": p["stored"], "given": p["given"]}
    if "day" in p and reason is None:
        cal = production.calendar
        return "outside", Role.DAY, {"day": p["day"], "start": cal.start, "end": cal.end}
    if reason is None and "item" in p and "value" not in p and layout.kind in ITEMS:
        key, expected = ITEMS[layout.kind](production)
        return key, Role.ITEM, {"item": p["item"], "expected": ", ".join(expected)}
    if reason in ("not_whole", "too_large"):
        return ("not_whole" if reason == "not_whole" else "too_long"), Role.AMOUNT, {}
    return "invalid", None, {"detail": str(exc)}


#: What the subject of each kind is, for the message about an unknown one.
SUBJECTS = {ReportKind.MILEAGE: "vehicle", ReportKind.FUEL: "vehicle", ReportKind.GENERATOR_HOURS: "generator",
            ReportKind.GENERATOR_LITRES: "generator", ReportKind.GRID_POWER: "site"}
#: The message about an unknown item of each kind whose items are named in the file, and the known ones.
ITEMS: dict[ReportKind, Callable[[Production], tuple[str, Iterable[str]]]] = {
    ReportKind.MEALS: lambda prod: ("unknown_meal", prod.meal_types),
    ReportKind.WASTE: lambda prod: ("unknown_stream", prod.waste_streams),
    ReportKind.PURCHASES: lambda _: ("unknown_item", (*MATERIALS, *OBJECTS, f"{SPEND_PREFIX}…")),
    ReportKind.POST_PRODUCTION: lambda _: ("unknown_item", POST_PRODUCTION_ITEMS),
}


def _no_factor(item: str, factors: FactorSet) -> tuple[str, Role | None, dict[str, Any]]:
    """A purchase item the factor set cannot count: the budget lines it has, or what to give instead."""
    if item.startswith(SPEND_PREFIX):
        lines = sorted(k.removesuffix("_eur") for k in factors if k.startswith(SPEND_PREFIX) and k.endswith("_eur"))
        return "no_budget_line", Role.ITEM, {"item": item, "expected": ", ".join(lines)}
    return "item_no_factor", Role.ITEM, {"item": item}


def _unusual(p: dict[str, Any], layout: Layout, lang: str) -> tuple[str, Role | None, dict[str, Any]]:
    counted = next((k for k in UNUSUAL if k in p), None)
    confirm = layout.column(Role.CONFIRM)
    params = {"confirm": confirm.header(lang) if confirm else "confirm"}
    if counted is None:
        return "unusual_figure", Role.VALUE, params
    unit = t(lang, UNUSUAL[counted])
    params |= {"figure": f"{_shown(p[counted], lang)} {unit}", "limit": f"{_shown(p['limit'], lang)} {unit}"}
    return "unusual", Role.AMOUNT if layout.column(Role.AMOUNT) else Role.VALUE, params


def _role_of(field: str) -> Role:
    return {"day": Role.DAY, "member_id": Role.MEMBER, "subject": Role.SUBJECT}.get(field, Role.REF)


def _column_label(header: Header, layout: Layout, role: Role | None, prefer: object) -> str | None:
    """The file's label of the column with ``role`` (the one named ``prefer`` when there are several)."""
    if role is None:
        return None
    columns = sorted((c for c in layout.columns if c.role is role and c.name in header.labels),
                     key=lambda c: c.name != prefer)
    return header.labels[columns[0].name] if columns else None


def _shown(value: Any, lang: str) -> Any:
    return number(value, lang, 3) if isinstance(value, Decimal) else value
