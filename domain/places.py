"""Distances between places: great-circle distance times the usual detour of each way of travelling.

Pure: the places come from ``config/places`` (code, name, kind, latitude, longitude, source); this
module only does the arithmetic. A leg given by two places is stored with the km computed here,
rounded to a tenth of a km, and its subject keeps the two codes (``plane:ORY:NCE``) so the figure
can be traced back to them.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal

from domain.model import TravelMode

#: The mean radius of the Earth, in km (IUGG), the usual value for the haversine formula.
EARTH_RADIUS_KM = 6371.0088

TENTH = Decimal("0.1")


@dataclass(frozen=True)
class Place:
    code: str
    name: str
    kind: str  # station | airport | port
    lat: Decimal
    lon: Decimal
    source: str = ""


@dataclass(frozen=True)
class Detour:
    """The distance travelled for a great-circle distance: ``gcd * factor + added_km``."""

    factor: Decimal
    added_km: Decimal
    source: str

    def apply(self, great_circle_km: Decimal) -> Decimal:
        return great_circle_km * self.factor + self.added_km


#: The detour of each way of travelling (documented: see docs/carbon-clap.md, "Travel from places").
DETOURS: Mapping[str, Detour] = {
    # A flight's distance is the great-circle distance plus 95 km for the approach, holding and
    # routing around the airports: the convention of EN 16258:2012 that the French regulation on
    # the CO2 information of transport services (arrêté du 10 avril 2012) takes up.
    "plane": Detour(Decimal(1), Decimal(95), "EN 16258:2012 / arrêté du 10 avril 2012: great-circle + 95 km"),
    # Rail and road follow the terrain: no French official coefficient was found. These are the
    # project's stated assumptions, marked as such on every leg, until a routed distance is given
    # (a leg typed in km is always preferred).
    "rail": Detour(Decimal("1.2"), Decimal(0), "greenslate assumption: rail 1.2 x great-circle (no official value)"),
    "road": Detour(Decimal("1.3"), Decimal(0), "greenslate assumption: road 1.3 x great-circle (no official value)"),
    "sea": Detour(Decimal("1.1"), Decimal(0), "greenslate assumption: sea 1.1 x great-circle (no official value)"),
}

_WAY: Mapping[TravelMode, str] = {
    TravelMode.PLANE: "plane",
    TravelMode.TRAIN_TGV: "rail",
    TravelMode.TRAIN_INTERCITES: "rail",
    TravelMode.TRAIN_TER: "rail",
    TravelMode.COACH: "road",
    TravelMode.FERRY: "sea",
}


def detour_for(mode: TravelMode) -> Detour:
    return DETOURS[_WAY[mode]]


def great_circle_km(a: Place, b: Place) -> Decimal:
    """The haversine distance between two places, in km, to a tenth of a km."""
    lat1, lon1, lat2, lon2 = (math.radians(float(x)) for x in (a.lat, a.lon, b.lat, b.lon))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    km = 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(h))
    return Decimal(repr(km)).quantize(TENTH, rounding=ROUND_HALF_EVEN)


def leg_km(a: Place, b: Place, mode: TravelMode) -> Decimal:
    """The km of one leg from ``a`` to ``b``: great-circle distance with the mode's detour, to a tenth."""
    return detour_for(mode).apply(great_circle_km(a, b)).quantize(TENTH, rounding=ROUND_HALF_EVEN)


def find_place(places: Mapping[str, Place], code: str) -> Place:
    """The place of a code (any case); KeyError if the table has none."""
    return places[code.strip().upper()]
