"""Plain representations of core results, shared by the CLI, the exports and the bots.

Rounding happens here and only here: kg CO2e to the gram (3 decimals), tCO2e to the kilogram.
"""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any

from domain.carbon import Balance
from domain.factors import FactorSet
from domain.indicators import ActionProgress
from domain.model import Production

GRAM = Decimal("0.001")


def kg(value: Decimal | None) -> Decimal | None:
    """kg CO2e rounded to the gram."""
    return None if value is None else value.quantize(GRAM, rounding=ROUND_HALF_EVEN)


def tonnes(value_kg: Decimal | None) -> Decimal | None:
    """tCO2e rounded to the kilogram."""
    return None if value_kg is None else (value_kg / 1000).quantize(GRAM, rounding=ROUND_HALF_EVEN)


def _num(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def balance_dict(production: Production, balance: Balance, factors: FactorSet) -> dict[str, Any]:
    """The balance as JSON-ready data: every figure with the factors that produced it."""
    return {
        "production": {"id": production.id, "title": production.title, "type": production.type.value},
        "factor_set_version": balance.factor_set_version,
        "as_of": balance.as_of.isoformat() if balance.as_of else None,
        "shooting_days": {"total": balance.shooting_days_total, "done": balance.shooting_days_done},
        "categories": [
            {
                "category": c.category.value,
                "kgco2e": _num(kg(c.kgco2e)),
                "tco2e": _num(tonnes(c.kgco2e)),
                "forecast_tco2e": _num(tonnes(c.forecast_kgco2e)),
                "share_of_forecast": None
                if c.share_of_forecast is None
                else round(float(c.share_of_forecast), 4),
                "measured": c.measured,
                "projected_tco2e": _num(tonnes(balance.projected_kgco2e(c.category))),
            }
            for c in balance.categories
        ],
        "coverage": coverage_dict(balance),
        "total": {
            "kgco2e": _num(kg(balance.total_kgco2e)),
            "tco2e": _num(tonnes(balance.total_kgco2e)),
            "forecast_tco2e": _num(tonnes(balance.forecast_kgco2e)),
            "per_shooting_day_tco2e": _num(tonnes(balance.per_shooting_day_kgco2e)),
            "projected_tco2e": _num(tonnes(balance.projected_total_kgco2e)),
        },
        "by_day": [
            {"day": day.isoformat(), **{c.value: _num(kg(v)) for c, v in cats.items()}}
            for day, cats in balance.by_day.items()
        ],
        "factors": [
            {
                "key": t.factor_key,
                "kgco2e_per_unit": _num(t.kgco2e_per_unit),
                "unit": t.unit,
                "source": t.source,
                "source_detail": factors.get(t.factor_key).source_detail if t.factor_key in factors else "",
                "year": t.year,
                "proxy": t.proxy,
                "proxy_note": factors.get(t.factor_key).proxy_note if t.factor_key in factors else "",
                "factor_set_version": t.factor_set_version,
            }
            for t in balance.traces
        ],
    }


def coverage_dict(balance: Balance) -> dict[str, Any]:
    """Which categories have figures, which only a forecast, and the share of the forecast measured."""
    cov = balance.coverage
    share = cov.measured_share_of_forecast
    return {
        "measured": [c.value for c in cov.measured],
        "forecast_only": [c.value for c in cov.forecast_only],
        "missing": [c.value for c in cov.missing],
        "forecast_measured_tco2e": _num(tonnes(cov.forecast_measured_kgco2e)),
        "measured_share_of_forecast": None if share is None else round(float(share), 4),
    }


def _indicator(value: Decimal | None) -> float | None:
    return None if value is None else float(value.quantize(GRAM, rounding=ROUND_HALF_EVEN))


def plan_dict(progress: list[ActionProgress]) -> list[dict[str, Any]]:
    return [
        {
            "id": p.action.id,
            "theme": p.action.theme.value,
            "objective": p.action.objective,
            "owner": p.action.owner,
            "means": p.action.means,
            "indicator": p.action.indicator,
            "unit": p.unit,
            "baseline": _num(p.action.baseline),
            "current": _indicator(p.current),
            "projected": _indicator(p.projected),
            "target": _num(p.action.target),
            "progress_pct": None if p.progress_pct is None else round(float(p.progress_pct), 1),
            "on_track": p.on_track,
            "gap": _indicator(p.gap),
            "status": p.action.status.value,
            "outcome": p.action.outcome.value if p.action.outcome else None,
        }
        for p in progress
    ]
