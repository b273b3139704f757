"""The carbon engine: reports in, traceable emission lines out. Exact (Decimal) and deterministic.

One function per report kind turns the active reports of one subject into emission lines; each
line names the factor, its source and the factor set's version. ``compute_lines`` runs them all.
The whole footprint's kinds (travel, accommodation, grid power, ...) are in ``domain.footprint``.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from domain.errors import InvalidReport
from domain.factors import FactorSet, Trace
from domain.footprint import (  # the whole footprint's kinds, importable from the engine too
    LONG_HAUL_ABOVE_KM,
    SHORT_HAUL_BELOW_KM,
    accommodation_factor_key,
    accommodation_lines,
    counts_radiative_forcing,
    freight_lines,
    fuel_lines,
    grid_power_lines,
    plane_haul,
    post_production_lines,
    purchase_lines,
    travel_factor_key,
    travel_lines,
)
from domain.generators import ConsumptionTable, litres_per_hour
from domain.lines import KG_PER_TONNE, ZERO, EmissionLine, active_reports, chronological, make_line
from domain.model import Category, Production, Report, ReportKind

#: The engine's names, with the whole footprint's kinds and the lines' helpers re-exported.
__all__ = [
    "KG_PER_TONNE",
    "LONG_HAUL_ABOVE_KM",
    "LUMP_CATEGORIES",
    "SHORT_HAUL_BELOW_KM",
    "SINGLE_REPORT_LINES",
    "ZERO",
    "Balance",
    "CategoryFigure",
    "Coverage",
    "EmissionLine",
    "accommodation_factor_key",
    "accommodation_lines",
    "active_reports",
    "balance",
    "compute_lines",
    "counts_radiative_forcing",
    "freight_lines",
    "fuel_lines",
    "generator_lines",
    "grid_power_lines",
    "meal_lines",
    "mileage_lines",
    "plane_haul",
    "post_production_lines",
    "purchase_lines",
    "report_lines",
    "travel_factor_key",
    "travel_lines",
    "waste_lines",
]

_line = make_line
_chronological = chronological

def mileage_lines(
    production: Production, factors: FactorSet, vehicle_id: str, reports: Sequence[Report]
) -> list[EmissionLine]:
    """km driven by one vehicle.

    An odometer reading counts the km since the previous reading of that vehicle (the first one
    against ``odometer_start``); a distance report counts its km as they are. The odometer has the
    last word: a reading counts only the km that the distances given since the previous reading
    leave, so no km is counted twice (and a distance is refused once a vehicle has readings).
    """
    vehicle = production.vehicle(vehicle_id)
    trace = factors.trace(vehicle.factor)
    previous = vehicle.odometer_start
    since = ZERO  # km given as distances since the previous reading: the next reading covers them
    lines = []
    for report in _chronological(reports):
        if "odometer" in report.values:
            reading = report.values["odometer"]
            if previous is None:
                km = ZERO  # no start reading declared: the first reading is the baseline
            else:
                km = reading - previous - since
                if km < 0:
                    raise InvalidReport(
                        f"odometer {reading} on {report.day} is below the previous reading {previous}"
                        + (f" plus the {since} km given since" if since else ""),
                        reading=reading,
                        previous=previous,
                    )
            previous, since = reading, ZERO
        else:
            km = report.values.get("km", ZERO)
            since += km
        lines.append(_line(production, report, vehicle_id, km, "km", trace))
    return lines


def meal_lines(production: Production, factors: FactorSet, report: Report) -> list[EmissionLine]:
    """Meals served: count per meal type times that type's factor."""
    lines = []
    for meal_type, count in sorted(report.values.items()):
        factor_key = production.meal_types.get(meal_type)
        if factor_key is None:
            raise InvalidReport(f"unknown meal type {meal_type!r}", meal_type=meal_type)
        lines.append(_line(production, report, meal_type, count, "meal", factors.trace(factor_key)))
    return lines


def waste_lines(production: Production, factors: FactorSet, report: Report) -> list[EmissionLine]:
    """Waste: kg per stream times that stream's factor."""
    lines = []
    for stream, kg in sorted(report.values.items()):
        factor_key = production.waste_streams.get(stream)
        if factor_key is None:
            raise InvalidReport(f"unknown waste stream {stream!r}", stream=stream)
        lines.append(_line(production, report, stream, kg, "kg", factors.trace(factor_key)))
    return lines


def generator_lines(
    production: Production,
    factors: FactorSet,
    table: ConsumptionTable,
    generator_id: str,
    reports: Sequence[Report],
) -> list[EmissionLine]:
    """Litres burnt by one generator, per day.

    Hours run (or the difference between two hour-meter readings) times litres per hour, unless
    litres were reported for that day: a reported litre figure replaces the estimate.
    """
    generator = production.generator(generator_id)
    trace = factors.trace(generator.fuel_factor)
    refuelled_days = {r.day for r in reports if r.kind is ReportKind.GENERATOR_LITRES}
    lines: list[EmissionLine] = []
    previous_meter = generator.hour_meter_start
    rate: Decimal | None = None
    for report in _chronological(reports):
        if report.kind is ReportKind.GENERATOR_LITRES:
            litres = report.values.get("litres", ZERO)
            lines.append(_line(production, report, generator_id, litres, "litre", trace))
            continue
        if "meter" in report.values:
            reading = report.values["meter"]
            hours = ZERO if previous_meter is None else reading - previous_meter
            if hours < 0:
                raise InvalidReport(
                    f"hour meter {reading} on {report.day} is below the previous reading {previous_meter}",
                    reading=reading,
                    previous=previous_meter,
                )
            previous_meter = reading
        else:
            hours = report.values.get("hours", ZERO)
        if report.day in refuelled_days:
            continue  # the measured litres of that day stand instead of this estimate
        if rate is None:
            rate = litres_per_hour(generator, table)
        lines.append(_line(production, report, generator_id, hours * rate, "litre", trace, estimated=True))
    return lines


#: The kinds whose reports each give their own lines, independent of any other report.
SINGLE_REPORT_LINES = {
    ReportKind.MEALS: meal_lines,
    ReportKind.WASTE: waste_lines,
    ReportKind.TRAVEL: travel_lines,
    ReportKind.ACCOMMODATION: accommodation_lines,
    ReportKind.FUEL: fuel_lines,
    ReportKind.FREIGHT: freight_lines,
    ReportKind.PURCHASES: purchase_lines,
    ReportKind.POST_PRODUCTION: post_production_lines,
}


def report_lines(production: Production, factors: FactorSet, report: Report) -> list[EmissionLine]:
    """The lines of one report of a kind that depends on no other report (see ``SINGLE_REPORT_LINES``)."""
    return SINGLE_REPORT_LINES[report.kind](production, factors, report)


def compute_lines(
    production: Production,
    factors: FactorSet,
    table: ConsumptionTable,
    reports: Iterable[Report],
) -> list[EmissionLine]:
    """Every emission line of a production's reports (corrections and undos resolved)."""
    by_vehicle: dict[str, list[Report]] = defaultdict(list)
    by_generator: dict[str, list[Report]] = defaultdict(list)
    by_site: dict[str, list[Report]] = defaultdict(list)
    lines: list[EmissionLine] = []
    for report in active_reports(reports):
        if report.kind is ReportKind.MILEAGE:
            by_vehicle[report.subject or ""].append(report)
        elif report.kind in (ReportKind.GENERATOR_HOURS, ReportKind.GENERATOR_LITRES):
            by_generator[report.subject or ""].append(report)
        elif report.kind is ReportKind.GRID_POWER:
            by_site[report.subject or ""].append(report)
        else:
            lines.extend(report_lines(production, factors, report))
    for site_id, site_reports in sorted(by_site.items()):
        lines.extend(grid_power_lines(production, factors, site_id, site_reports))
    for vehicle_id, vehicle_reports in sorted(by_vehicle.items()):
        lines.extend(mileage_lines(production, factors, vehicle_id, vehicle_reports))
    for generator_id, generator_reports in sorted(by_generator.items()):
        lines.extend(generator_lines(production, factors, table, generator_id, generator_reports))
    return sorted(lines, key=lambda ln: (ln.day, ln.category, ln.subject, ln.report_id or 0))


#: Categories bought or spent in lumps, not day by day: their projection is not extrapolated from the
#: shooting days (sets are built before, post-production comes after).
LUMP_CATEGORIES = frozenset({Category.PURCHASES, Category.POST_PRODUCTION})


@dataclass(frozen=True)
class CategoryFigure:
    category: Category
    kgco2e: Decimal
    forecast_kgco2e: Decimal | None
    measured: bool = False  # at least one figure counted (a measured zero is still a figure)

    @property
    def share_of_forecast(self) -> Decimal | None:
        if not self.forecast_kgco2e:
            return None
        return self.kgco2e / self.forecast_kgco2e


@dataclass(frozen=True)
class Coverage:
    """What the balance is made of: which categories have figures, which only a forecast, and what
    share of the forecast the measured categories stand for."""

    measured: tuple[Category, ...]
    forecast_only: tuple[Category, ...]
    missing: tuple[Category, ...]  # neither figures nor a forecast
    forecast_measured_kgco2e: Decimal  # the forecast of the categories that have figures
    forecast_kgco2e: Decimal

    @property
    def measured_share_of_forecast(self) -> Decimal | None:
        """The share of the forecast (by its kg CO2e) that falls in categories with figures."""
        if not self.forecast_kgco2e:
            return None
        return self.forecast_measured_kgco2e / self.forecast_kgco2e


@dataclass(frozen=True)
class Balance:
    production_id: str
    factor_set_version: str
    as_of: dt.date | None
    shooting_days_total: int
    shooting_days_done: int
    categories: tuple[CategoryFigure, ...]
    by_day: dict[dt.date, dict[Category, Decimal]]
    traces: tuple[Trace, ...]  # every factor that produced a figure here

    @property
    def total_kgco2e(self) -> Decimal:
        return sum((c.kgco2e for c in self.categories), ZERO)

    @property
    def forecast_kgco2e(self) -> Decimal:
        return sum((c.forecast_kgco2e or ZERO for c in self.categories), ZERO)

    @property
    def per_shooting_day_kgco2e(self) -> Decimal | None:
        if self.shooting_days_done == 0:
            return None
        return self.total_kgco2e / self.shooting_days_done

    @property
    def projected_total_kgco2e(self) -> Decimal | None:
        """The final total: the sum of each category's projection (:meth:`projected_kgco2e`), so the
        total shown is the sum of the projections shown beside it."""
        if self.shooting_days_done == 0:
            return None
        return sum((self.projected_kgco2e(c.category) or ZERO for c in self.categories), ZERO)

    def projected_kgco2e(self, category: Category) -> Decimal | None:
        """A category's final figure: day-by-day categories extrapolated from the shooting days done;
        purchases and post-production (spent in lumps) the larger of the figures and the forecast."""
        figure = next(c for c in self.categories if c.category is category)
        if category in LUMP_CATEGORIES:
            return max(figure.kgco2e, figure.forecast_kgco2e or ZERO)
        if self.shooting_days_done == 0:
            return None
        return figure.kgco2e / self.shooting_days_done * self.shooting_days_total

    @property
    def coverage(self) -> Coverage:
        measured = tuple(c.category for c in self.categories if c.measured)
        forecast_only = tuple(c.category for c in self.categories
                              if not c.measured and c.forecast_kgco2e is not None)
        missing = tuple(c.category for c in self.categories if not c.measured and c.forecast_kgco2e is None)
        return Coverage(
            measured, forecast_only, missing,
            sum((c.forecast_kgco2e or ZERO for c in self.categories if c.measured), ZERO),
            self.forecast_kgco2e,
        )


def balance(
    production: Production,
    factor_set_version: str,
    lines: Iterable[EmissionLine],
    as_of: dt.date | None = None,
) -> Balance:
    """Totals by category and by day, against the forecast, with a projection.

    ``as_of`` is the last day counted as done; by default the last day any figure was reported.
    """
    lines = list(lines)
    if as_of is None and lines:
        as_of = max(ln.day for ln in lines)
    per_category: dict[Category, Decimal] = {c: ZERO for c in Category}
    measured: set[Category] = set()
    by_day: dict[dt.date, dict[Category, Decimal]] = defaultdict(lambda: {c: ZERO for c in Category})
    traces: dict[tuple[str, str], Trace] = {}  # one per factor and set version
    for ln in lines:
        if as_of is not None and ln.day > as_of:
            continue
        per_category[ln.category] += ln.kgco2e
        measured.add(ln.category)
        by_day[ln.day][ln.category] += ln.kgco2e
        traces[(ln.trace.factor_key, ln.trace.factor_set_version)] = ln.trace
    cal = production.calendar
    done = 0 if as_of is None else cal.shooting_days_until(as_of)
    categories = tuple(
        CategoryFigure(
            c,
            per_category[c],
            production.forecast_tco2e[c] * KG_PER_TONNE if c in production.forecast_tco2e else None,
            c in measured,
        )
        for c in Category
    )
    return Balance(
        production_id=production.id,
        factor_set_version=factor_set_version,
        as_of=as_of,
        shooting_days_total=len(cal.shooting_days()),
        shooting_days_done=done,
        categories=categories,
        by_day=dict(sorted(by_day.items())),
        traces=tuple(traces[k] for k in sorted(traces)),
    )
