"""Meaning: cross-references, factors, calendar."""

from __future__ import annotations

import zoneinfo
from collections.abc import Iterable, Sequence
from functools import cache
from typing import Any

from common.production_file.conversion import _generator
from common.production_file.models import AssignmentModel, ProductionFile, VehicleModel
from common.production_file.problems import Problem
from common.production_file.types import (
    FUEL_FACTOR_UNITS,
    GRID_FACTOR_UNITS,
    MAX_CALENDAR_DAYS,
    MEAL_FACTOR_UNITS,
    VEHICLE_FACTOR_UNITS,
    WASTE_FACTOR_UNITS,
    _closest,
    _not_one_of,
    _unknown,
)
from domain.errors import InvalidReport
from domain.factors import FactorSet
from domain.generators import POWER_FACTOR, ConsumptionTable
from domain.generators import litres_per_hour as generator_litres_per_hour
from domain.indicators import INDICATORS
from domain.model import (
    DEFAULT_FREQUENCY,
    FUEL_FACTORS,
    WEEKDAYS,
    Frequency,
    GeneratorMode,
    MeasuredBy,
    MileageMode,
    ReportKind,
    ShootingCalendar,
)


class _Checker:
    def __init__(self, doc: ProductionFile, factors: FactorSet, table: ConsumptionTable) -> None:
        self.doc = doc
        self.factors = factors
        self.table = table
        self.problems: list[Problem] = []
        self.calendar_ok = False  # dates are checked against the calendar only once it makes sense

    def add(self, where: str, problem: str) -> None:
        self.problems.append(Problem(where, problem))

    def run(self) -> list[Problem]:
        self.check_production()
        crew_ids = self.check_unique("crew", [m.id for m in self.doc.crew], "crew member")
        vehicle_ids = self.check_unique("vehicles", [v.id for v in self.doc.vehicles], "vehicle")
        generator_ids = self.check_unique("generators", [g.id for g in self.doc.generators], "generator")
        site_ids = self.check_unique("sites", [s.id for s in self.doc.sites], "site")
        self.check_unique("action_plan", [a.id for a in self.doc.action_plan], "action")
        self.check_factors()
        self.check_generators()
        self.check_assignments(crew_ids, {"vehicle": vehicle_ids, "generator": generator_ids, "site": site_ids})
        self.check_actions(crew_ids)
        self.check_sensitisation()
        return self.problems

    # production and calendar

    def check_production(self) -> None:
        p = self.doc.production
        if _zone_problem(p.timezone):
            self.add("production.timezone", _zone_problem(p.timezone) or "")
        cal = p.calendar
        if cal.end < cal.start:
            self.add(
                "production.calendar.end",
                f"the shoot ends ({cal.end}) before it starts ({cal.start}); end must be on or after start",
            )
            return
        if (cal.end - cal.start).days > MAX_CALENDAR_DAYS:
            self.add(
                "production.calendar.end",
                f"the calendar runs from {cal.start} to {cal.end}, more than five years; check the years",
            )
            return
        self.calendar_ok = True
        for i, day in enumerate(cal.days_off):
            if not cal.start <= day <= cal.end:
                self.add(
                    f"production.calendar.days_off[{i}]",
                    f"day off {day} is outside the calendar ({cal.start} to {cal.end})",
                )
        for i, day in enumerate(cal.extra_days):
            if not cal.start <= day <= cal.end:
                self.add(
                    f"production.calendar.extra_days[{i}]",
                    f"extra shooting day {day} is outside the calendar ({cal.start} to {cal.end})",
                )
            elif day in cal.days_off:
                self.add(
                    f"production.calendar.extra_days[{i}]",
                    f"{day} is both a day off and an extra shooting day; keep it in one list only",
                )
        if not self.calendar().shooting_days():
            self.add(
                "production.calendar",
                "the calendar has no shooting day; check start, end, shooting_days and days_off",
            )

    def calendar(self) -> ShootingCalendar:
        cal = self.doc.production.calendar
        return ShootingCalendar(
            start=cal.start,
            end=cal.end,
            weekdays=frozenset(WEEKDAYS.index(d) for d in cal.shooting_days),
            days_off=frozenset(cal.days_off),
            extra_days=frozenset(cal.extra_days),
        )

    def check_unique(self, section: str, ids: list[str], what: str) -> set[str]:
        first: dict[str, int] = {}
        for i, item_id in enumerate(ids):
            if item_id in first:
                self.add(
                    f"{section}[{i}].id",
                    f"duplicate {what} id {item_id!r} (already used by {section}[{first[item_id]}]); "
                    "ids must be unique",
                )
            else:
                first[item_id] = i
        return set(first)

    # factors

    def check_factors(self) -> None:
        for i, v in enumerate(self.doc.vehicles):
            self.check_vehicle(i, v)
        for i, site in enumerate(self.doc.sites):
            self.check_factor(f"sites[{i}].factor", site.factor, GRID_FACTOR_UNITS, "a grid site")
        for i, g in enumerate(self.doc.generators):
            self.check_factor(f"generators[{i}].fuel_factor", g.fuel_factor, FUEL_FACTOR_UNITS, "a fuel")
        for meal, key in self.doc.meal_types.items():
            self.check_factor(f"meal_types.{meal}", key, MEAL_FACTOR_UNITS, "a meal type")
        families: dict[str, str] = {}
        for stream, key in self.doc.waste_streams.items():
            if self.check_factor(f"waste_streams.{stream}", key, WASTE_FACTOR_UNITS, "a waste stream"):
                families.setdefault(self.factors.get(key).unit, stream)
        if len(families) > 1:
            kg_stream, tonne_stream = families["kg"], families["tonne"]
            self.add(
                f"waste_streams.{tonne_stream}",
                f"waste factors mix per-kg French factors ({kg_stream!r}) and per-tonne UK factors "
                f"({tonne_stream!r}); their methods differ, so use factors of one family for all streams",
            )

    def check_vehicle(self, i: int, v: VehicleModel) -> None:
        """A vehicle measured by km needs a per-km factor; one measured by litres, a fuel sold by the litre."""
        if v.factor is not None:
            self.check_factor(f"vehicles[{i}].factor", v.factor, VEHICLE_FACTOR_UNITS, "a vehicle")
        elif v.measured_by is MeasuredBy.KM:
            self.add(f"vehicles[{i}].factor",
                     "a vehicle measured by km needs a factor: an emission factor key per vehicle-km")
        if v.measured_by is MeasuredBy.LITRES:
            if v.fuel not in FUEL_FACTORS:
                self.add(f"vehicles[{i}].fuel", _not_one_of("fuel of a vehicle measured by litres", v.fuel,
                                                             list(FUEL_FACTORS)))
            else:
                self.check_factor(f"vehicles[{i}].fuel", FUEL_FACTORS[v.fuel], FUEL_FACTOR_UNITS, "a fuel")
            if v.odometer_start is not None:
                self.add(f"vehicles[{i}].odometer_start",
                         "a vehicle measured by litres has no odometer readings; remove odometer_start "
                         "or set measured_by: km")

    def check_factor(self, where: str, key: str, units: Sequence[str], what: str) -> bool:
        if key not in self.factors:
            fitting = [k for k, f in self.factors.as_mapping().items() if f.unit in units]
            expected = f"a key of factor set {self.factors.version} per {' or '.join(units)}"
            known = fitting if _closest(key, fitting) else self.factors.keys()
            self.add(where, _unknown("emission factor", key, known, expected))
            return False
        unit = self.factors.get(key).unit
        if unit not in units:
            self.add(
                where,
                f"emission factor {key!r} is per {unit}, but {what} needs a factor per {' or '.join(units)}",
            )
            return False
        return True

    def check_generators(self) -> None:
        for i, g in enumerate(self.doc.generators):
            here = f"generators[{i}]"
            if g.litres_per_hour is not None:
                if g.rated_kva is not None or g.load is not None:
                    extra = "rated_kva" if g.rated_kva is not None else "load"
                    self.add(
                        f"{here}.{extra}",
                        "give either litres_per_hour, or rated_kva and load, not both",
                    )
                continue
            if g.rated_kva is None and g.load is None:
                self.add(
                    here,
                    "a generator needs litres_per_hour, or rated_kva and load to estimate it "
                    "from the consumption table",
                )
                continue
            if g.rated_kva is None:
                self.add(f"{here}.rated_kva", "load is given but rated_kva is missing; give both, in kVA")
                continue
            if g.load is None:
                self.add(
                    f"{here}.load",
                    "rated_kva is given but load is missing; give the average load as a fraction, "
                    "e.g. 0.5 (film generators rarely run above 50 %)",
                )
                continue
            kw = g.rated_kva * POWER_FACTOR
            rows = self.table.rows
            if not rows[0].kw <= kw <= rows[-1].kw:
                self.add(
                    f"{here}.rated_kva",
                    f"{g.rated_kva} kVA is {kw.normalize():f} kW (kVA x 0.8), outside the consumption table "
                    f"({rows[0].kw}-{rows[-1].kw} kW, {rows[0].kw / POWER_FACTOR:f}-"
                    f"{rows[-1].kw / POWER_FACTOR:f} kVA); give litres_per_hour instead",
                )
                continue
            try:
                generator_litres_per_hour(_generator(g), self.table)
            except InvalidReport as e:
                self.add(f"{here}.load", str(e))

    # assignments, actions, sensitisation

    def check_assignments(self, crew: set[str], subjects: dict[str, set[str]]) -> None:
        keys: dict[tuple[str, ReportKind, str | None], int] = {}
        for i, a in enumerate(self.doc.assignments):
            here = f"assignments[{i}]"
            if a.who not in crew:
                self.add(f"{here}.who", _unknown_ref("crew member", a.who, crew, "crew"))
            self.check_report(here, a, subjects)
            self.check_schedule(here, a)
            key = (a.who, a.report, a.vehicle or a.generator or a.site)
            if key in keys:
                self.add(
                    here,
                    f"the same report is assigned twice (already at assignments[{keys[key]}]); "
                    "one crew member reports each thing once",
                )
            else:
                keys[key] = i

    def check_report(self, here: str, a: AssignmentModel, subjects: dict[str, set[str]]) -> None:
        """The fields that go with the kind of report: its vehicle, generator or site, its mode."""
        field = _SUBJECT_FIELD.get(a.report)
        for other in ("vehicle", "generator", "site"):
            if other != field:
                self.refuse(here, other, getattr(a, other), a.report)
        if field is not None:
            self.check_subject(here, field, getattr(a, field), subjects[field], a.report)
        if a.report is ReportKind.MILEAGE:
            self.check_mode(here, a.mode, [m.value for m in MileageMode], a.report)
        elif a.report is ReportKind.GENERATOR_HOURS:
            self.check_mode(here, a.mode, [m.value for m in GeneratorMode], a.report)
        else:
            self.refuse(here, "mode", a.mode, a.report)
        if a.report in (ReportKind.MILEAGE, ReportKind.FUEL) and a.vehicle in subjects["vehicle"]:
            self.check_measured_by(here, a)
        if a.report in (ReportKind.MEALS, ReportKind.WASTE):
            section = "meal_types" if a.report is ReportKind.MEALS else "waste_streams"
            if not getattr(self.doc, section):
                self.add(
                    f"{here}.report",
                    f"{a.report.value} are reported but no {section} are declared; "
                    f"add {section} with their emission factors",
                )

    def check_measured_by(self, here: str, a: AssignmentModel) -> None:
        """One rule so no distance counts twice: mileage for a vehicle measured by km, fuel for one by litres."""
        vehicle = next(v for v in self.doc.vehicles if v.id == a.vehicle)
        wanted = MeasuredBy.KM if a.report is ReportKind.MILEAGE else MeasuredBy.LITRES
        if vehicle.measured_by is not wanted:
            other = ReportKind.FUEL if a.report is ReportKind.MILEAGE else ReportKind.MILEAGE
            self.add(
                f"{here}.report",
                f"vehicle {vehicle.id!r} is measured by {vehicle.measured_by.value}, so it takes "
                f"{other.value} reports, not {a.report.value}: one vehicle is counted one way only, "
                "or its distance would count twice",
            )

    def check_schedule(self, here: str, a: AssignmentModel) -> None:
        """The weekday or day of the month, for the frequency given or the production type's default."""
        cal = self.doc.production.calendar
        frequency = a.frequency or DEFAULT_FREQUENCY[self.doc.production.type]
        why = "" if a.frequency else f" (the default for a {self.doc.production.type.value})"
        if frequency is Frequency.WEEKLY:
            if a.weekday is None:
                self.add(
                    f"{here}.weekday",
                    f"a weekly report{why} needs a weekday, e.g. weekday: fri",
                )
            elif a.weekday not in cal.shooting_days:
                self.add(
                    f"{here}.weekday",
                    f"{a.weekday!r} is not a shooting day ({', '.join(cal.shooting_days)}), "
                    "so the prompt would never be sent",
                )
        elif a.weekday is not None:
            self.add(
                f"{here}.weekday",
                f"weekday is only for weekly reports; this one is {frequency.value}{why}",
            )
        if frequency is not Frequency.MONTHLY and a.day_of_month is not None:
            self.add(
                f"{here}.day_of_month",
                f"day_of_month is only for monthly reports; this one is {frequency.value}{why}",
            )

    def check_subject(self, here: str, field: str, value: str | None, known: set[str], report: ReportKind) -> None:
        if value is None:
            self.add(f"{here}.{field}", f"a {report.value} report needs a {field}: one of the {field} ids")
        elif value not in known:
            self.add(f"{here}.{field}", _unknown_ref(field, value, known, field))

    def refuse(self, here: str, field: str, value: Any, report: ReportKind) -> None:
        if value is not None:
            self.add(f"{here}.{field}", f"{field} does not apply to a {report.value} report; remove it")

    def check_mode(self, here: str, mode: str | None, modes: list[str], report: ReportKind) -> None:
        if mode is not None and mode not in modes:
            self.add(
                f"{here}.mode",
                f"mode {mode!r} does not apply to a {report.value} report; expected one of: {', '.join(modes)}",
            )

    def check_actions(self, crew: set[str]) -> None:
        for i, a in enumerate(self.doc.action_plan):
            here = f"action_plan[{i}]"
            if a.owner not in crew:
                self.add(f"{here}.owner", _unknown_ref("crew member", a.owner, crew, "crew"))
            indicator = INDICATORS.get(a.indicator)
            if indicator is None:
                self.add(f"{here}.indicator", _not_one_of("indicator", a.indicator, list(INDICATORS)))
                continue
            if indicator.unit == "share":
                for name in ("baseline", "target"):
                    value = getattr(a, name)
                    if not 0 <= value <= 1:
                        self.add(
                            f"{here}.{name}",
                            f"{a.indicator} is a share between 0 and 1 (0.3 for 30 %), got {value}",
                        )
            elif a.baseline < 0 or a.target < 0:
                name = "baseline" if a.baseline < 0 else "target"
                self.add(f"{here}.{name}", f"{a.indicator} is counted in {indicator.unit}; it cannot be negative")
            if a.baseline == a.target:
                self.add(f"{here}.target", "the target equals the baseline, so progress cannot be measured")

    def check_sensitisation(self) -> None:
        from sensitisation.library import keys as library_keys

        known = library_keys()
        cal = self.doc.production.calendar
        for i, c in enumerate(self.doc.sensitisation):
            if c.message not in known:
                self.add(
                    f"sensitisation[{i}].message",
                    _unknown("message", c.message, sorted(known), "a key of the message library "
                             "(`greenslate sensitisation list`)"),
                )
            if self.calendar_ok and not cal.start <= c.on <= cal.end:
                self.add(
                    f"sensitisation[{i}].on",
                    f"{c.on} is outside the calendar ({cal.start} to {cal.end})",
                )


#: The field naming what an assignment's reports are about, by kind (the others name no subject).
_SUBJECT_FIELD = {
    ReportKind.MILEAGE: "vehicle",
    ReportKind.FUEL: "vehicle",
    ReportKind.GENERATOR_HOURS: "generator",
    ReportKind.GENERATOR_LITRES: "generator",
    ReportKind.GRID_POWER: "site",
}


def _unknown_ref(what: str, value: str, known: Iterable[str], kind: str) -> str:
    known = sorted(known)
    if not known:
        return f"unknown {what} {value!r}; no {kind} is declared"
    return _unknown(what, value, known, f"one of the {kind} ids: {', '.join(known)}")


@cache
def _zone_names() -> tuple[str, ...]:
    return tuple(sorted(zoneinfo.available_timezones()))


def _zone_problem(name: str) -> str | None:
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError):
        return _unknown("time zone", name, _zone_names(), "an IANA zone such as Europe/Paris")
    return None
