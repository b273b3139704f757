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


#: The detour of each way of travelling, with its source (config/places/README.md has the details).
DETOURS: Mapping[str, Detour] = {
    # ISO 14083:2023, table of distance adjustment factors ("Air transport: GCD + 95 km"), as
    # reproduced in the UBA/CLECAT "Guide to ISO 14083", p. 23, table 3. ADEME's Impact CO2 uses the
    # bare great-circle distance: the +95 km is the conservative choice, said with every such leg.
    "plane": Detour(Decimal(1), Decimal(95), "ISO 14083:2023: great-circle + 95 km"),
    # No official French coefficient exists for land modes (ISO 14083 starts from a network
    # distance): these are the published open-source convention of pledge4future/co2calculator
    # (data/detour.csv). A distance from the ticket or a route planner is always better.
    "rail": Detour(Decimal("1.2"), Decimal(0), "pledge4future/co2calculator detour.csv: train 1.2 x great-circle"),
    "road": Detour(Decimal("1.5"), Decimal(0), "pledge4future/co2calculator detour.csv: bus 1.5 x great-circle"),
    "sea": Detour(Decimal(1), Decimal(0), "pledge4future/co2calculator detour.csv: ferry 1.0 x great-circle"),
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


#: Places by (kind, code): a code is unique within its kind only (MPL: a station and an airport).
PlaceTable = Mapping[tuple[str, str], Place]


def place_kind(mode: TravelMode) -> str:
    """The kind of place a leg of this mode starts and ends at: airport for a plane, else station."""
    return "airport" if mode is TravelMode.PLANE else "station"


def find_place(places: PlaceTable, code: str, mode: TravelMode) -> Place:
    """The place of a code (any case) for a leg of ``mode``; KeyError if the table has none."""
    return places[(place_kind(mode), code.strip().upper())]


def place_codes(places: PlaceTable, mode: TravelMode) -> list[str]:
    """The codes a leg of ``mode`` can name, sorted."""
    kind = place_kind(mode)
    return sorted(code for k, code in places if k == kind)
