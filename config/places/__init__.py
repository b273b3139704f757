"""Places a travel leg can name instead of a distance: French stations and airports with coordinates.

The table and its sources are described in ``README.md`` beside it. A code is unique within its
kind (``station``, ``airport``), not across kinds (``MPL``): the leg's mode says which kind to read.
"""

from __future__ import annotations

import csv
from collections.abc import Mapping
from decimal import Decimal
from functools import cache
from importlib import resources

from domain.model import TravelMode
from domain.places import Place

TABLE = "fr-stations-airports.csv"


@cache
def load_places() -> Mapping[str, Mapping[str, Place]]:
    """Every place of the table: kind -> code -> place."""
    places: dict[str, dict[str, Place]] = {}
    with resources.files(__package__).joinpath(TABLE).open(encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            place = Place(code=row["code"].strip().upper(), name=row["name"], kind=row["kind"],
                          lat=Decimal(row["lat"]), lon=Decimal(row["lon"]), source=row["source"])
            places.setdefault(place.kind, {})[place.code] = place
    return places


def kind_for(mode: TravelMode) -> str:
    """The kind of place a leg of ``mode`` starts and ends at: an airport for a plane, else a station."""
    return "airport" if mode is TravelMode.PLANE else "port" if mode is TravelMode.FERRY else "station"


def places_for(mode: TravelMode) -> Mapping[str, Place]:
    """The places (code -> place) a leg of ``mode`` may name."""
    return load_places().get(kind_for(mode), {})
