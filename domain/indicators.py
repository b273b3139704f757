"""Action-plan indicators: current value, projection, progress from baseline to target.

Cumulative indicators (km, litres, tCO2e) are judged on their projection to the end of the shoot,
since a target such as "under 4,000 km over the shoot" can only be met or missed at the end.
Share indicators (vegetarian meals, sorted waste) are judged on their value so far.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from domain.carbon import EmissionLine
from domain.model import Action, Category, Production, ReportKind

ZERO = Decimal(0)
HUNDRED = Decimal(100)

VEGETARIAN_MEAL_TYPES = frozenset({"vegetarian", "vegan", "vegetarien", "vegetalien"})
RESIDUAL_WASTE_STREAMS = frozenset({"residual", "ordures", "omr"})


@dataclass(frozen=True)
class Indicator:
    key: str
    unit: str
    cumulative: bool  # summed over the shoot (projected), or a share (taken as it is)
    compute: Callable[[Production, Sequence[EmissionLine]], Decimal | None]


def _sum_quantity(kind: Iterable[ReportKind]) -> Callable[[Production, Sequence[EmissionLine]], Decimal | None]:
    """The sum of the figures of these kinds; None before the first one (no figure is not zero)."""
    kinds = set(kind)

    def compute(_: Production, lines: Sequence[EmissionLine]) -> Decimal | None:
        measured = [ln.quantity for ln in lines if ln.kind in kinds]
        return sum(measured, ZERO) if measured else None

    return compute


def _is_vegetarian(production: Production, meal_type: str) -> bool:
    factor = production.meal_types.get(meal_type, "")
    return meal_type in VEGETARIAN_MEAL_TYPES or "vegetarian" in factor or "vegan" in factor


def _vegetarian_share(production: Production, lines: Sequence[EmissionLine]) -> Decimal | None:
    meals = [ln for ln in lines if ln.kind is ReportKind.MEALS]
    total = sum((ln.quantity for ln in meals), ZERO)
    if total == 0:
        return None
    veg = sum((ln.quantity for ln in meals if _is_vegetarian(production, ln.subject)), ZERO)
    return veg / total


def _is_residual(production: Production, stream: str) -> bool:
    return stream in RESIDUAL_WASTE_STREAMS or "residual" in production.waste_streams.get(stream, "")


def _sorted_share(production: Production, lines: Sequence[EmissionLine]) -> Decimal | None:
    waste = [ln for ln in lines if ln.kind is ReportKind.WASTE]
    total = sum((ln.quantity for ln in waste), ZERO)
    if total == 0:
        return None
    sorted_kg = sum((ln.quantity for ln in waste if not _is_residual(production, ln.subject)), ZERO)
    return sorted_kg / total


def _tco2e(category: Category | None) -> Callable[[Production, Sequence[EmissionLine]], Decimal | None]:
    def compute(_: Production, lines: Sequence[EmissionLine]) -> Decimal | None:
        measured = [ln.kgco2e for ln in lines if category is None or ln.category is category]
        return sum(measured, ZERO) / 1000 if measured else None

    return compute


INDICATORS: dict[str, Indicator] = {
    i.key: i
    for i in [
        Indicator("vehicle_km", "km", True, _sum_quantity([ReportKind.MILEAGE])),
        Indicator(
            "generator_litres",
            "L",
            True,
            _sum_quantity([ReportKind.GENERATOR_HOURS, ReportKind.GENERATOR_LITRES]),
        ),
        Indicator("meals", "meals", True, _sum_quantity([ReportKind.MEALS])),
        Indicator("waste_kg", "kg", True, _sum_quantity([ReportKind.WASTE])),
        Indicator("vegetarian_meal_share", "share", False, _vegetarian_share),
        Indicator("sorted_waste_share", "share", False, _sorted_share),
        Indicator("tco2e_total", "tCO2e", True, _tco2e(None)),
        *[Indicator(f"tco2e_{c.value}", "tCO2e", True, _tco2e(c)) for c in Category],
    ]
}


@dataclass(frozen=True)
class ActionProgress:
    action: Action
    unit: str
    current: Decimal | None  # so far; None while no figure counts for the indicator
    projected: Decimal | None  # at the end of the shoot (cumulative indicators), else = current
    progress_pct: Decimal | None  # 0 at the baseline, 100 at the target
    on_track: bool | None
    gap: Decimal | None  # projected minus target, in the indicator's unit


def plan_progress(
    production: Production, lines: Sequence[EmissionLine], as_of: dt.date | None = None
) -> list[ActionProgress]:
    if as_of is None and lines:
        as_of = max(ln.day for ln in lines)
    counted = [ln for ln in lines if as_of is None or ln.day <= as_of]
    cal = production.calendar
    done = 0 if as_of is None else cal.shooting_days_until(as_of)
    total_days = len(cal.shooting_days())
    return [_action_progress(action, production, counted, done, total_days)
            for action in production.action_plan]


def _action_progress(
    action: Action, production: Production, counted: Sequence[EmissionLine], done: int, total_days: int
) -> ActionProgress:
    """Where one action stands: its indicator so far, projected to the end of the shoot when cumulative."""
    indicator = INDICATORS.get(action.indicator)
    if indicator is None:
        return ActionProgress(action, "", None, None, None, None, None)
    current = indicator.compute(production, counted)
    projected = current
    if indicator.cumulative and current is not None:
        projected = current * total_days / done if done else None
    if projected is None:
        return ActionProgress(action, indicator.unit, current, projected, None, None, None)
    span = action.target - action.baseline
    progress = (projected - action.baseline) / span * HUNDRED if span else None
    lower_is_better = action.target < action.baseline
    on_track = projected <= action.target if lower_is_better else projected >= action.target
    return ActionProgress(
        action, indicator.unit, current, projected, progress, on_track, projected - action.target
    )
