"""Generator fuel estimates from a consumption table (litres per hour by kW and load)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from itertools import pairwise

from domain.errors import InvalidReport
from domain.model import Generator

POWER_FACTOR = Decimal("0.8")  # kW = kVA x 0.8


@dataclass(frozen=True)
class ConsumptionRow:
    kw: Decimal
    litres_per_hour: dict[Decimal, Decimal]  # load (0.25, 0.5, ...) -> L/h
    source: str


class ConsumptionTable:
    """Typical diesel consumption; exact on the table's rows, linear between rows and loads."""

    def __init__(self, rows: Sequence[ConsumptionRow]) -> None:
        self.rows = sorted(rows, key=lambda r: r.kw)
        self.loads = sorted(self.rows[0].litres_per_hour)

    def litres_per_hour(self, kw: Decimal, load: Decimal) -> Decimal:
        if not (self.rows[0].kw <= kw <= self.rows[-1].kw):
            raise InvalidReport(
                f"{kw} kW is outside the consumption table ({self.rows[0].kw}-{self.rows[-1].kw} kW); "
                "give litres_per_hour instead",
                kw=kw,
            )
        if not (self.loads[0] <= load <= self.loads[-1]):
            raise InvalidReport(
                f"load {load} is outside the consumption table ({self.loads[0]}-{self.loads[-1]}); "
                "give litres_per_hour instead",
                load=load,
            )
        lower, upper = self._bracket([r.kw for r in self.rows], kw)
        row_lo = next(r for r in self.rows if r.kw == lower)
        row_hi = next(r for r in self.rows if r.kw == upper)
        at_lo = self._along_load(row_lo, load)
        at_hi = self._along_load(row_hi, load)
        return _lerp(lower, at_lo, upper, at_hi, kw)

    def _along_load(self, row: ConsumptionRow, load: Decimal) -> Decimal:
        lo, hi = self._bracket(self.loads, load)
        return _lerp(lo, row.litres_per_hour[lo], hi, row.litres_per_hour[hi], load)

    @staticmethod
    def _bracket(points: Sequence[Decimal], x: Decimal) -> tuple[Decimal, Decimal]:
        for a, b in pairwise(points):
            if a <= x <= b:
                return (a, a) if x == a else (b, b) if x == b else (a, b)
        return points[-1], points[-1]


def _lerp(x0: Decimal, y0: Decimal, x1: Decimal, y1: Decimal, x: Decimal) -> Decimal:
    if x1 == x0:
        return y0
    return y0 + (y1 - y0) * (x - x0) / (x1 - x0)


def litres_per_hour(generator: Generator, table: ConsumptionTable) -> Decimal:
    """The generator's declared L/h, or the table's estimate from its rating and load."""
    if generator.litres_per_hour is not None:
        return generator.litres_per_hour
    if generator.rated_kva is None or generator.load is None:
        raise InvalidReport(f"generator {generator.id} needs litres_per_hour, or rated_kva and load")
    return table.litres_per_hour(generator.rated_kva * POWER_FACTOR, generator.load)
