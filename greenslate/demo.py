"""A demo production with several weeks of realistic, deterministic figures.

The figures go through the same use case as the bots (``record_report``), with the same checks,
so the demo exercises the real path. Source references are stable, so running it twice adds nothing.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from importlib import resources
from pathlib import Path

from config.places import load_places
from domain.model import (
    ActionStatus,
    Lodging,
    Production,
    Report,
    ReportKind,
    TravelMode,
    Zone,
    accommodation_subject,
    travel_subject,
)
from domain.places import find_place, leg_km
from domain.ports import UnitOfWork
from domain.usecases import Catalogue, correct_report, load_production, record_report, set_action_status

EXAMPLE = "feature-film.yaml"
SEED = 20270301


def example_path() -> Path:
    """The reference production file shipped with greenslate."""
    return Path(str(resources.files("config.examples").joinpath(EXAMPLE)))


@dataclass(frozen=True)
class DemoSummary:
    production_id: str
    days: int
    reports_added: int
    last_day: dt.date | None


def _d(value: float, places: int = 1) -> Decimal:
    return Decimal(f"{value:.{places}f}")


def _received(production: Production, day: dt.date, at: dt.time) -> dt.datetime:
    return dt.datetime.combine(day, at, production.zone).astimezone(dt.UTC)


def demo_reports(production: Production, weeks: int) -> list[Report]:
    """The figures a crew would have sent over the first ``weeks`` weeks of the shoot."""
    cal = production.calendar
    last = cal.start + dt.timedelta(weeks=weeks) - dt.timedelta(days=1)
    days = [d for d in cal.shooting_days() if d <= last]
    crew = _DemoCrew(production)
    for i, day in enumerate(days):
        progress = i / max(1, len(days) - 1)
        crew.drive(day, progress)
        crew.cater(day, progress)
        crew.run_generators(day, progress)
        crew.weigh_waste(day, progress)
        crew.office(day, i == 0, progress)
    return crew.reports


class _DemoCrew:
    """The demo crew's reports, day by day; every figure comes from one seeded generator, drawn in
    the same order each run, so the demo is the same every time."""

    def __init__(self, production: Production) -> None:
        self.production = production
        self.rng = random.Random(SEED)
        self.reports: list[Report] = []
        self.odometers = {v.id: v.odometer_start or Decimal(0) for v in production.vehicles}
        self.vehicle_of = {a.who: a.vehicle for a in production.assignments if a.report is ReportKind.MILEAGE}
        self.office_of = {a.report: a for a in production.assignments if a.report in _OFFICE_KINDS}
        self.meters = {s.id: s.meter_start or Decimal(0) for s in production.sites}

    def add(
        self,
        member: str,
        kind: ReportKind,
        day: dt.date,
        values: dict[str, Decimal],
        raw: str,
        subject: str | None = None,
        at: dt.time = dt.time(19, 40),
    ) -> None:
        production = self.production
        ref = f"demo:{production.id}:{member}:{kind.value}:{subject or ''}:{day.isoformat()}"
        self.reports.append(
            Report(
                production_id=production.id,
                member_id=member,
                kind=kind,
                day=day,
                values=values,
                raw_text=raw,
                source="demo",
                source_ref=ref,
                received_at=_received(production, day, at),
                subject=subject,
            )
        )

    def drive(self, day: dt.date, progress: float) -> None:
        """Drivers: the minibus runs shuttles, the electric car runs errands."""
        for member, vehicle in sorted(self.vehicle_of.items()):
            if vehicle is None:
                continue
            base = 85 if vehicle == "mb1" else 35
            km = max(0, round(self.rng.gauss(base * (1 - 0.2 * progress), base * 0.2)))
            self.odometers[vehicle] += km
            self.add(
                member,
                ReportKind.MILEAGE,
                day,
                {"odometer": self.odometers[vehicle]},
                f"{int(self.odometers[vehicle]):,}".replace(",", " "),
                subject=vehicle,
            )

    def cater(self, day: dt.date, progress: float) -> None:
        """Catering: the vegetarian share climbs as the plan's action takes hold."""
        if not self.production.meal_types:
            return
        rng = self.rng
        total = rng.randint(78, 104)
        veg = round(total * (0.12 + 0.18 * progress + rng.uniform(-0.02, 0.02)))
        vegan = rng.randint(2, 5)
        beef = round(total * (0.22 - 0.10 * progress))
        fish = rng.randint(6, 12)
        chicken = max(0, total - veg - vegan - beef - fish)
        meals = {"vegetarian": veg, "vegan": vegan, "chicken": chicken, "beef": beef, "fish": fish}
        meals = {k: v for k, v in meals.items() if k in self.production.meal_types}
        raw = " ".join(f"{k} {v}" for k, v in meals.items())
        self.add(
            "paul",
            ReportKind.MEALS,
            day,
            {k: Decimal(v) for k, v in meals.items()},
            raw,
            at=dt.time(15, 20),
        )

    def run_generators(self, day: dt.date, progress: float) -> None:
        """Generators: hours most days; the 125 kVA is refuelled on Fridays (a delivery note)."""
        for g in self.production.generators:
            mean = (2.8 if g.id == "g1" else 1.6) * (1 - 0.3 * progress)  # mains hook-ups take over
            hours = _d(max(0.0, self.rng.gauss(mean, 0.5)))
            self.add(
                "lea",
                ReportKind.GENERATOR_HOURS,
                day,
                {"hours": hours},
                f"{hours} h",
                subject=g.id,
                at=dt.time(20, 15),
            )
            if g.id == "g1" and day.weekday() == 4:
                litres = Decimal(self.rng.randint(35, 50))
                self.add(
                    "lea",
                    ReportKind.GENERATOR_LITRES,
                    day,
                    {"litres": litres},
                    f"{litres} L",
                    subject=g.id,
                    at=dt.time(20, 20),
                )

    def weigh_waste(self, day: dt.date, progress: float) -> None:
        """Waste: weighed on Fridays at base camp."""
        if day.weekday() != 4 or not self.production.waste_streams:
            return
        sorting = 0.35 + 0.25 * progress
        total_kg = self.rng.uniform(90, 130)
        streams = {
            "residual": total_kg * (1 - sorting),
            "biowaste": total_kg * sorting * 0.45,
            "cardboard": total_kg * sorting * 0.35,
            "plastic": total_kg * sorting * 0.20,
        }
        values = {k: _d(v) for k, v in streams.items() if k in self.production.waste_streams}
        self.add(
            "sam",
            ReportKind.WASTE,
            day,
            values,
            " ".join(f"{k} {v}" for k, v in values.items()),
            at=dt.time(18, 30),
        )


    def office(self, day: dt.date, first: bool, progress: float) -> None:
        """The production office: the arrival in Nice on the first day, then each Friday the week's
        nights, studio meter, fuel card, freight, purchases and post-production, from invoices."""
        if first:
            self.travel(day)
            self.purchase(day, first=True)
        if day.weekday() != 4:
            return
        self.weekend_trips(day)
        self.report_office(ReportKind.ACCOMMODATION, day, {"nights": Decimal(self.rng.randint(60, 75))},
                           accommodation_subject(Lodging.HOTEL_MIDSCALE, Zone.FR))
        site = self.office_of.get(ReportKind.GRID_POWER)
        if site is not None and site.site is not None:
            self.meters[site.site] += Decimal(round(self.rng.uniform(320, 420) * (1 + 0.4 * progress)))
            self.report_office(ReportKind.GRID_POWER, day, {"meter": self.meters[site.site]}, site.site)
        car = self.office_of.get(ReportKind.FUEL)
        if car is not None and car.vehicle is not None:
            self.report_office(ReportKind.FUEL, day, {"litres": _d(self.rng.uniform(35, 50))}, car.vehicle)
        self.report_office(ReportKind.FREIGHT, day, {"vkm": Decimal(self.rng.randint(180, 320))}, "van")
        if not first:
            self.purchase(day, first=False)
        self.report_office(ReportKind.POST_PRODUCTION, day,
                           {"edit_suite_days": Decimal(5), "storage_tb_months": _d(self.rng.uniform(0.8, 1.6))})

    def travel(self, day: dt.date) -> None:
        """Cast and crew come down from Paris: eight by TGV, the two leads by plane; the trucks follow."""
        places = load_places()
        for mode, origin, destination, people in ((TravelMode.TRAIN_TGV, "PLY", "NIC", 8),
                                                  (TravelMode.PLANE, "ORY", "NCE", 2)):
            a, b = find_place(places, origin, mode), find_place(places, destination, mode)
            self.report_office(ReportKind.TRAVEL, day, {"km": leg_km(a, b, mode), "passengers": Decimal(people)},
                               travel_subject(mode, origin, destination))
        # Two tonnes of lighting and grip, Paris to Nice by road (about 930 km).
        self.report_office(ReportKind.FREIGHT, day, {"tkm": Decimal(1860)}, "rigid_large")

    def weekend_trips(self, day: dt.date) -> None:
        """On Fridays a few of the crew go home to Paris for the weekend by TGV (there and back)."""
        places = load_places()
        mode = TravelMode.TRAIN_TGV
        a, b = find_place(places, "NIC", mode), find_place(places, "PLY", mode)
        people = Decimal(self.rng.randint(2, 5))
        self.report_office(ReportKind.TRAVEL, day, {"km": 2 * leg_km(a, b, mode), "passengers": people},
                           travel_subject(mode))

    def purchase(self, day: dt.date, *, first: bool) -> None:
        """Set construction and costumes at the start; set dressing and fabric as the weeks go."""
        if first:
            values = {"timber": 1200, "steel": 150, "plaster": 300, "costume_new": 12, "costume_secondhand": 20,
                      "costume_rented": 35, "spend_set_construction": 8000}
        else:
            values = {"textile": self.rng.randint(10, 30), "spend_furniture": self.rng.randint(600, 1400)}
        self.report_office(ReportKind.PURCHASES, day, {k: Decimal(v) for k, v in values.items()})

    def report_office(self, kind: ReportKind, day: dt.date, values: dict[str, Decimal],
                      subject: str | None = None) -> None:
        assignment = self.office_of.get(kind)
        if assignment is None:
            return
        raw = " ".join(f"{k} {v}" for k, v in values.items())
        self.add(assignment.who, kind, day, values, raw, subject=subject, at=dt.time(17, 30))


#: What the production office keys in from invoices, tickets and statements.
_OFFICE_KINDS = frozenset({ReportKind.TRAVEL, ReportKind.ACCOMMODATION, ReportKind.GRID_POWER, ReportKind.FUEL,
                           ReportKind.FREIGHT, ReportKind.PURCHASES, ReportKind.POST_PRODUCTION})


def load_demo(
    uow_factory: Callable[[], UnitOfWork],
    catalogue: Catalogue,
    production: Production,
    weeks: int = 4,
) -> DemoSummary:
    """Load the production and its demo figures; a second run adds nothing."""
    load_production(uow_factory(), production)
    added = 0
    reports = demo_reports(production, weeks)
    for r in reports:
        recorded = record_report(uow_factory(), catalogue, r)
        added += 0 if recorded.duplicate else 1
    if reports and added:
        _correct_one_meal(uow_factory, catalogue, reports)
        now = max(r.received_at for r in reports)
        for action_id in ("A1", "A2", "A4"):
            if action_id in {a.id for a in production.action_plan}:
                set_action_status(uow_factory(), production.id, action_id, ActionStatus.IN_PROGRESS,
                                  by="demo", at=now)
    last = max((r.day for r in reports), default=None)
    return DemoSummary(production.id, len({r.day for r in reports}), added, last)


def _correct_one_meal(uow_factory: Callable[[], UnitOfWork], catalogue: Catalogue, reports: list[Report]) -> None:
    """One figure corrected, as crews do: the caterer miscounted beef on the second day."""
    second_meals = [r for r in reports if r.kind is ReportKind.MEALS][1]
    with uow_factory() as uow:
        stored = uow.reports.by_source(second_meals.source, second_meals.source_ref)
    if stored is None or stored.id is None:
        return
    fixed = dict(stored.values)
    if "beef" in fixed:
        fixed["beef"] = max(Decimal(0), fixed["beef"] - 3)
    correct_report(
        uow_factory(),
        catalogue,
        stored.id,
        fixed,
        raw_text="correction: beef -3",
        source="demo",
        source_ref=f"{second_meals.source_ref}:correction",
        received_at=second_meals.received_at + dt.timedelta(hours=1),
    )
