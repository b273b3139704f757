"""The versioned emission factor sets, built from the sourced reference tables.

A set is a CSV named ``greenslate-<version>.csv``; ``CURRENT_VERSION`` is the one new figures use.
"""

from __future__ import annotations

import csv
from decimal import Decimal
from functools import cache
from importlib import resources

from domain.factors import EmissionFactor, FactorSet
from domain.generators import ConsumptionRow, ConsumptionTable
from domain.usecases import Catalogue

CURRENT_VERSION = "2026.2"


def _open(name: str):  # type: ignore[no-untyped-def]
    return resources.files(__package__).joinpath(name).open(encoding="utf-8", newline="")


def available_versions() -> list[str]:
    names = [p.name for p in resources.files(__package__).iterdir()]
    return sorted(
        n.removeprefix("greenslate-").removesuffix(".csv") for n in names if n.startswith("greenslate-")
    )


@cache
def load_factor_set(version: str = CURRENT_VERSION) -> FactorSet:
    with _open(f"greenslate-{version}.csv") as f:
        factors = [
            EmissionFactor(
                key=row["key"],
                category=row["category"],
                description=row["description"],
                unit=row["unit"],
                kgco2e_per_unit=Decimal(row["kgco2e_per_unit"]),
                source=row["source"],
                source_detail=row["source_detail"],
                year=row["year"],
                proxy=row["proxy"] == "yes",
                proxy_note=row["proxy_note"],
            )
            for row in csv.DictReader(f)
        ]
    return FactorSet(version, factors)


@cache
def load_consumption_table() -> ConsumptionTable:
    with _open("generator-consumption.csv") as f:
        rows = [
            ConsumptionRow(
                kw=Decimal(row["kw"]),
                litres_per_hour={
                    Decimal(load) / 100: Decimal(row[f"lph_load_{load}"])
                    for load in ("25", "50", "75", "100")
                },
                source=row["source"],
            )
            for row in csv.DictReader(f)
        ]
    return ConsumptionTable(rows)


def catalogue(version: str = CURRENT_VERSION) -> Catalogue:
    return Catalogue(load_factor_set(version), load_consumption_table())
