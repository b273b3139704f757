"""Meaning: cross-references, factors, calendar."""

from __future__ import annotations

import zoneinfo
from collections.abc import Iterable, Sequence
from decimal import Decimal
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
    _what,
)
from common.production_file.wording import Day, FieldName, Message, Num, Unit, Word, Words, either, say
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

    def add(self, where: str, problem: Message) -> None:
        self.problems.append(Problem.of(where, problem))

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
        zone_problem = _zone_problem(p.timezone)
        if zone_problem is not None:
            self.add("production.timezone", zone_problem)
        cal = p.calendar
        if cal.end < cal.start:
            self.add("production.calendar.end", say("calendar.ends_before", start=Day(cal.start), end=Day(cal.end)))
            return
        if (cal.end - cal.start).days > MAX_CALENDAR_DAYS:
            self.add("production.calendar.end", say("calendar.too_long", start=Day(cal.start), end=Day(cal.end)))
            return
        self.calendar_ok = True
        for i, day in enumerate(cal.days_off):
            if not cal.start <= day <= cal.end:
                self.add(f"production.calendar.days_off[{i}]",
                         say("calendar.day_off_outside", day=Day(day), start=Day(cal.start), end=Day(cal.end)))
        for i, day in enumerate(cal.extra_days):
            if not cal.start <= day <= cal.end:
                self.add(f"production.calendar.extra_days[{i}]",
                         say("calendar.extra_day_outside", day=Day(day), start=Day(cal.start), end=Day(cal.end)))
            elif day in cal.days_off:
                self.add(f"production.calendar.extra_days[{i}]", say("calendar.off_and_extra", day=Day(day)))
        if not self.calendar().shooting_days():
            self.add("production.calendar", say("calendar.no_shooting_day"))

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
                self.add(f"{section}[{i}].id", say("duplicate_id", what=_what(what), id=repr(item_id),
                                                   first=f"{section}[{first[item_id]}]"))
            else:
                first[item_id] = i
        return set(first)

    # factors

    def check_factors(self) -> None:
        for i, v in enumerate(self.doc.vehicles):
            self.check_vehicle(i, v)
        for i, site in enumerate(self.doc.sites):
            self.check_factor(f"sites[{i}].factor", site.factor, GRID_FACTOR_UNITS, "grid_site")
        for i, g in enumerate(self.doc.generators):
            self.check_factor(f"generators[{i}].fuel_factor", g.fuel_factor, FUEL_FACTOR_UNITS, "fuel")
        for meal, key in self.doc.meal_types.items():
            self.check_factor(f"meal_types.{meal}", key, MEAL_FACTOR_UNITS, "meal_type")
        families: dict[str, str] = {}
        for stream, key in self.doc.waste_streams.items():
            if self.check_factor(f"waste_streams.{stream}", key, WASTE_FACTOR_UNITS, "waste_stream"):
                families.setdefault(self.factors.get(key).unit, stream)
        if len(families) > 1:
            kg_stream, tonne_stream = families["kg"], families["tonne"]
            self.add(f"waste_streams.{tonne_stream}",
                     say("waste_families", kg_stream=repr(kg_stream), tonne_stream=repr(tonne_stream)))

    def check_vehicle(self, i: int, v: VehicleModel) -> None:
        """A vehicle measured by km needs a per-km factor; one measured by litres, a fuel sold by the litre."""
        if v.factor is not None:
            self.check_factor(f"vehicles[{i}].factor", v.factor, VEHICLE_FACTOR_UNITS, "vehicle")
        elif v.measured_by is MeasuredBy.KM:
            self.add(f"vehicles[{i}].factor", say("vehicle.needs_factor"))
        if v.measured_by is MeasuredBy.LITRES:
            if v.fuel not in FUEL_FACTORS:
                self.add(f"vehicles[{i}].fuel", _not_one_of("litres_fuel", v.fuel, list(FUEL_FACTORS)))
            else:
                self.check_factor(f"vehicles[{i}].fuel", FUEL_FACTORS[v.fuel], FUEL_FACTOR_UNITS, "fuel")
            if v.odometer_start is not None:
                self.add(f"vehicles[{i}].odometer_start", say("vehicle.litres_odometer"))

    def check_factor(self, where: str, key: str, units: Sequence[str], what: str) -> bool:
        """``what`` names the thing the factor is for (``factor_for.<what>``: a vehicle, a fuel...)."""
        if key not in self.factors:
            fitting = [k for k, f in self.factors.as_mapping().items() if f.unit in units]
            expected = say("expected.factor_key", version=self.factors.version, units=either(units))
            known = fitting if _closest(key, fitting) else self.factors.keys()
            self.add(where, _unknown("emission factor", key, known, expected))
            return False
        unit = self.factors.get(key).unit
        if unit not in units:
            self.add(where, say("factor.wrong_unit", key=repr(key), unit=Unit(unit), what=say(f"factor_for.{what}"),
                                units=either(units)))
            return False
        return True

    def check_generators(self) -> None:
        for i, g in enumerate(self.doc.generators):
            here = f"generators[{i}]"
            if g.litres_per_hour is not None:
                if g.rated_kva is not None or g.load is not None:
                    extra = "rated_kva" if g.rated_kva is not None else "load"
                    self.add(f"{here}.{extra}", say("generator.both"))
                continue
            if g.rated_kva is None and g.load is None:
                self.add(here, say("generator.needs_consumption"))
                continue
            if g.rated_kva is None:
                self.add(f"{here}.rated_kva", say("generator.no_rating"))
                continue
            if g.load is None:
                self.add(f"{here}.load", say("generator.no_load"))
                continue
            kw = g.rated_kva * POWER_FACTOR
            rows = self.table.rows
            if not rows[0].kw <= kw <= rows[-1].kw:
                self.add(f"{here}.rated_kva", say(
                    "generator.outside_table", kva=Num(g.rated_kva), kw=Num(Decimal(f"{kw.normalize():f}")),
                    low_kw=Num(rows[0].kw), high_kw=Num(rows[-1].kw),
                    low_kva=Num(Decimal(f"{rows[0].kw / POWER_FACTOR:f}")),
                    high_kva=Num(Decimal(f"{rows[-1].kw / POWER_FACTOR:f}"))))
                continue
            try:
                generator_litres_per_hour(_generator(g), self.table)
            except InvalidReport as e:
                if "load" in e.params:
                    loads = self.table.loads
                    self.add(f"{here}.load", say("generator.load_outside", load=Num(e.params["load"]),
                                                 low=Num(loads[0]), high=Num(loads[-1])))
                else:
                    self.add(f"{here}.load", say("generator.table", detail=str(e)))

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
                self.add(here, say("assignment.twice", first=f"assignments[{keys[key]}]"))
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
                self.add(f"{here}.report", say(f"assignment.no_{section}", report=Word("report", a.report.value)))

    def check_measured_by(self, here: str, a: AssignmentModel) -> None:
        """One rule so no distance counts twice: mileage for a vehicle measured by km, fuel for one by litres."""
        vehicle = next(v for v in self.doc.vehicles if v.id == a.vehicle)
        wanted = MeasuredBy.KM if a.report is ReportKind.MILEAGE else MeasuredBy.LITRES
        if vehicle.measured_by is not wanted:
            other = ReportKind.FUEL if a.report is ReportKind.MILEAGE else ReportKind.MILEAGE
            self.add(f"{here}.report", say("assignment.measured_by", vehicle=repr(vehicle.id),
                                           measured_by=Word("measured_by", vehicle.measured_by.value),
                                           other=Word("report", other.value), report=Word("report", a.report.value)))

    def check_schedule(self, here: str, a: AssignmentModel) -> None:
        """The weekday or day of the month, for the frequency given or the production type's default."""
        cal = self.doc.production.calendar
        frequency = a.frequency or DEFAULT_FREQUENCY[self.doc.production.type]
        why: Message | str = "" if a.frequency else say("schedule.default_for",
                                                          type=Word("type", self.doc.production.type.value))
        shown = Word("frequency", frequency.value)
        if frequency is Frequency.WEEKLY:
            if a.weekday is None:
                self.add(f"{here}.weekday", say("schedule.needs_weekday", why=why))
            elif a.weekday not in cal.shooting_days:
                self.add(f"{here}.weekday", say("schedule.not_shooting_day", weekday=Word("weekday", a.weekday),
                                                days=Words("weekday", tuple(cal.shooting_days))))
        elif a.weekday is not None:
            self.add(f"{here}.weekday", say("schedule.weekday_only_weekly", frequency=shown, why=why))
        if frequency is not Frequency.MONTHLY and a.day_of_month is not None:
            self.add(f"{here}.day_of_month", say("schedule.day_only_monthly", frequency=shown, why=why))

    def check_subject(self, here: str, field: str, value: str | None, known: set[str], report: ReportKind) -> None:
        if value is None:
            self.add(f"{here}.{field}", say("assignment.needs_subject", report=Word("report", report.value),
                                            field=FieldName(field), kind=say(f"section.{field}")))
        elif value not in known:
            self.add(f"{here}.{field}", _unknown_ref(field, value, known, field))

    def refuse(self, here: str, field: str, value: Any, report: ReportKind) -> None:
        if value is not None:
            self.add(f"{here}.{field}", say("assignment.does_not_apply", field=FieldName(field),
                                            report=Word("report", report.value)))

    def check_mode(self, here: str, mode: str | None, modes: list[str], report: ReportKind) -> None:
        if mode is not None and mode not in modes:
            self.add(f"{here}.mode", say("assignment.wrong_mode", mode=repr(mode), report=Word("report", report.value),
                                         modes=", ".join(modes)))

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
                        self.add(f"{here}.{name}", say("action.share", indicator=a.indicator, value=Num(value)))
            elif a.baseline < 0 or a.target < 0:
                name = "baseline" if a.baseline < 0 else "target"
                self.add(f"{here}.{name}", say("action.negative", indicator=a.indicator, unit=Unit(indicator.unit)))
            if a.baseline == a.target:
                self.add(f"{here}.target", say("action.target_is_baseline"))

    def check_sensitisation(self) -> None:
        from sensitisation.library import keys as library_keys

        known = library_keys()
        cal = self.doc.production.calendar
        for i, c in enumerate(self.doc.sensitisation):
            if c.message not in known:
                self.add(f"sensitisation[{i}].message",
                         _unknown("message", c.message, sorted(known), say("expected.library_key")))
            if self.calendar_ok and not cal.start <= c.on <= cal.end:
                self.add(f"sensitisation[{i}].on",
                         say("calendar.campaign_outside", day=Day(c.on), start=Day(cal.start), end=Day(cal.end)))


#: The field naming what an assignment's reports are about, by kind (the others name no subject).
_SUBJECT_FIELD = {
    ReportKind.MILEAGE: "vehicle",
    ReportKind.FUEL: "vehicle",
    ReportKind.GENERATOR_HOURS: "generator",
    ReportKind.GENERATOR_LITRES: "generator",
    ReportKind.GRID_POWER: "site",
}


def _unknown_ref(what: str, value: str, known: Iterable[str], kind: str) -> Message:
    """An id that names nothing declared; ``kind`` names the section (``crew``, ``vehicle``...)."""
    known = sorted(known)
    if not known:
        return say("unknown.none_declared", what=_what(what), value=repr(value), kind=say(f"section.{kind}"))
    return _unknown(what, value, known, say("expected.ids", kind=say(f"section.{kind}"), ids=", ".join(known)))


@cache
def _zone_names() -> tuple[str, ...]:
    return tuple(sorted(zoneinfo.available_timezones()))


def _zone_problem(name: str) -> Message | None:
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError):
        return _unknown("time zone", name, _zone_names(), say("expected.zone"))
    return None
