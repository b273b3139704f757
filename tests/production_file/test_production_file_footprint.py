"""The whole footprint in the production file: grid sites, vehicles measured by litres, travel options,
assignments of every new kind, and the located errors when they do not fit together."""

from __future__ import annotations

from decimal import Decimal as D
from typing import Any

import pytest

from common.production_file import parse_production
from domain.errors import ProductionFileError
from domain.model import Category, MeasuredBy, ReportKind, SiteMode
from tests.production_file.test_production_file_extensions import NAME, assignment, small

SITES = [{"id": "studio", "label": "Studio meter", "meter_start": 18250},
         {"id": "hook", "label": "Mains hook-up", "mode": "kwh"}]
VEHICLES = [{"id": "v1", "label": "Van", "factor": "van_fr_impactco2"},
            {"id": "car3", "label": "Car 3", "fuel": "diesel", "measured_by": "litres"}]


def footprint(**sections: Any) -> dict[str, Any]:
    assignments = [
        assignment(),
        assignment(report="fuel", vehicle="car3"),
        assignment(who="lea", report="grid_power", vehicle=None, site="studio"),
        *(assignment(who="lea", report=kind, vehicle=None)
          for kind in ("travel", "accommodation", "freight", "purchases", "post_production")),
    ]
    return small(**{"sites": SITES, "vehicles": VEHICLES, "assignments": assignments, **sections})


def refused(doc: dict[str, Any]) -> ProductionFileError:
    with pytest.raises(ProductionFileError) as info:
        parse_production(doc, NAME)
    return info.value


def test_every_kind_can_be_assigned_with_sites_and_a_vehicle_measured_by_litres() -> None:
    p = parse_production(footprint(travel={"radiative_forcing": False},
                                   production={**small()["production"], "forecast_tco2e": {"purchases": 3}}), NAME)
    assert {a.report for a in p.assignments} == {ReportKind.MILEAGE, ReportKind.FUEL, ReportKind.GRID_POWER,
                                                 ReportKind.TRAVEL, ReportKind.ACCOMMODATION, ReportKind.FREIGHT,
                                                 ReportKind.PURCHASES, ReportKind.POST_PRODUCTION}
    studio, hook = p.sites
    assert (studio.mode, studio.meter_start, studio.factor) == (SiteMode.METER, D(18250), "electricity_fr_2025")
    assert hook.mode is SiteMode.KWH
    car3 = p.vehicle("car3")
    assert car3.measured_by is MeasuredBy.LITRES and car3.fuel_factor == "diesel_road_fr"
    grid = next(a for a in p.assignments if a.report is ReportKind.GRID_POWER)
    assert grid.subject == "studio" and grid.mode is SiteMode.METER
    assert p.travel.radiative_forcing is False
    assert p.forecast_tco2e == {Category.PURCHASES: D(3)}


def test_an_old_file_reads_with_the_defaults() -> None:
    p = parse_production(small(), NAME)
    assert p.sites == () and p.travel.radiative_forcing is True
    assert p.vehicle("v1").measured_by is MeasuredBy.KM


@pytest.mark.parametrize(("change", "where", "words"), [
    ({"assignments": [assignment(report="fuel")]}, "assignments[0].report",
     "vehicle 'v1' is measured by km, so it takes mileage reports, not fuel"),
    ({"assignments": [assignment(vehicle="car3")]}, "assignments[0].report",
     "is measured by litres, so it takes fuel reports, not mileage"),
    ({"assignments": [assignment(report="grid_power", vehicle=None, site="nowhere")]}, "assignments[0].site",
     "unknown site 'nowhere'"),
    ({"assignments": [assignment(report="grid_power", vehicle=None)]}, "assignments[0].site",
     "a grid_power report needs a site"),
    ({"assignments": [assignment(report="travel")]}, "assignments[0].vehicle",
     "vehicle does not apply to a travel report"),
    ({"assignments": [assignment(report="purchases", vehicle=None, site="studio")]}, "assignments[0].site",
     "site does not apply to a purchases report"),
    ({"vehicles": [{"id": "v1", "label": "Van"}]}, "vehicles[0].factor", "a vehicle measured by km needs a factor"),
    ({"vehicles": [{"id": "v1", "label": "Van", "fuel": "electric", "measured_by": "litres"}]}, "vehicles[0].fuel",
     "electric"),
    ({"vehicles": [{"id": "v1", "label": "Van", "fuel": "diesel", "measured_by": "litres", "odometer_start": 5}]},
     "vehicles[0].odometer_start", "has no odometer readings"),
    ({"sites": [{"id": "s", "label": "S", "factor": "diesel_road_fr"}]}, "sites[0].factor", "needs a factor per kWh"),
    ({"sites": [{"id": "s", "label": "S"}, {"id": "s", "label": "T"}]}, "sites[1].id", "duplicate site id"),
])
def test_what_does_not_fit_is_refused_where_it_is_written(change: dict[str, Any], where: str, words: str) -> None:
    doc = footprint(**change)
    if "vehicles" in change:
        doc["assignments"] = []
    error = refused(doc)
    assert error.where == where
    assert words in error.problem
