"""Emission factors and the versioned set they belong to."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal

from domain.errors import UnknownFactor


@dataclass(frozen=True)
class EmissionFactor:
    key: str
    category: str
    description: str
    unit: str  # vehicle-km | passenger-km | meal | litre | kg | tonne | kWh | room-night | m3
    kgco2e_per_unit: Decimal
    source: str
    source_detail: str
    year: str
    proxy: bool = False
    proxy_note: str = ""


@dataclass(frozen=True)
class Trace:
    """Where a computed figure comes from: one factor of one versioned set."""

    factor_key: str
    factor_set_version: str
    kgco2e_per_unit: Decimal
    unit: str
    source: str
    year: str
    proxy: bool


class FactorSet:
    """A named, versioned catalogue of emission factors."""

    def __init__(self, version: str, factors: Iterable[EmissionFactor]) -> None:
        self.version = version
        self._factors: dict[str, EmissionFactor] = {f.key: f for f in factors}

    def __contains__(self, key: object) -> bool:
        return key in self._factors

    def __len__(self) -> int:
        return len(self._factors)

    def __iter__(self) -> Iterator[str]:
        return iter(sorted(self._factors))

    def get(self, key: str) -> EmissionFactor:
        try:
            return self._factors[key]
        except KeyError:
            raise UnknownFactor(key, self.version) from None

    def trace(self, key: str) -> Trace:
        f = self.get(key)
        return Trace(f.key, self.version, f.kgco2e_per_unit, f.unit, f.source, f.year, f.proxy)

    def keys(self) -> list[str]:
        return sorted(self._factors)

    def as_mapping(self) -> Mapping[str, EmissionFactor]:
        return dict(self._factors)
