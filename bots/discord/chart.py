"""The /balance chart: done against forecast per category, as a PNG with its description in words.

matplotlib draws it offline (no browser needed). Colour never carries the meaning alone: the
forecast bars are hatched outlines, every bar has its value written beside it, and the legend names
both. The description is attached to the image as its alternative text.
"""

from __future__ import annotations

import io
from decimal import Decimal

from base.i18n import t
from bots.discord.texts import KG_PER_TONNE, category_name, chart_description, tonnes
from domain.carbon import Balance


def balance_chart(result: Balance, lang: str) -> tuple[bytes, str]:
    """(PNG bytes, alternative text) for a balance."""
    import matplotlib

    matplotlib.use("Agg")  # no display: render to memory only
    from matplotlib.figure import Figure

    names = [category_name(f.category, lang) for f in result.categories]
    done = [float(f.kgco2e / KG_PER_TONNE) for f in result.categories]
    forecast = [float((f.forecast_kgco2e or Decimal(0)) / KG_PER_TONNE) for f in result.categories]
    figure = Figure(figsize=(7, 3.6), dpi=110)
    ax = figure.add_subplot()
    rows = range(len(names))
    height = 0.38
    ax.barh([r + height / 2 for r in rows], forecast, height, label=t(lang, "discord.chart.forecast"),
            color="white", edgecolor="#1f3b57", hatch="//")
    ax.barh([r - height / 2 for r in rows], done, height, label=t(lang, "discord.chart.done"),
            color="#1f6f4a", edgecolor="#0b2e1e")
    top = max([*done, *forecast, 0.001])
    for r, (d, f_, fig) in enumerate(zip(done, forecast, result.categories, strict=True)):
        ax.text(d + top * 0.01, r - height / 2, tonnes(fig.kgco2e, lang), va="center", fontsize=9)
        ax.text(f_ + top * 0.01, r + height / 2, tonnes(fig.forecast_kgco2e or Decimal(0), lang),
                va="center", fontsize=9)
    ax.set_yticks(list(rows), names)
    ax.invert_yaxis()
    ax.set_xlim(0, top * 1.2)
    ax.set_xlabel(t(lang, "discord.chart.axis"))
    ax.set_title(t(lang, "discord.chart.title"))
    ax.legend(loc="best")
    figure.tight_layout()
    out = io.BytesIO()
    figure.savefig(out, format="png")
    return out.getvalue(), chart_description(result, lang)
