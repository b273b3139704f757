"""Places a travel leg can name instead of a distance: French stations and airports with coordinates.

The table and its sources are described in ``README.md`` beside it. A code is unique within its
kind (``MPL`` is both a station and an airport): look a place up by the leg's mode.
"""

from __future__ import annotations

import csv
from decimal import Decimal
from functools import cache
from importlib import resources

from domain.places import Place, PlaceTable


@cache
def load_places() -> PlaceTable:
    """The shipped table of stations and airports, keyed by (kind, code)."""
    path = resources.files(__package__).joinpath("fr-stations-airports.csv")
    with path.open(encoding="utf-8", newline="") as f:
        return {
            (row["kind"], row["code"].upper()): Place(
                row["code"].upper(), row["name"], row["kind"], Decimal(row["lat"]), Decimal(row["lon"]), row["source"]
            )
            for row in csv.DictReader(f)
        }
