"""The words the bot posts: pure functions from domain results to text in one language.

Plain language: one idea per line, figures written the reader's way (``1 234,5`` in French),
and every carbon figure followed by where its factor comes from.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal

from base.i18n import day as day_text
from base.i18n import number, t
from domain.carbon import Balance
from domain.indicators import ActionProgress
from domain.model import Category, Production, ReportKind
from domain.rollcall import RollCall

#: Discord refuses messages over 2,000 characters.
MESSAGE_LIMIT = 2000
KG_PER_TONNE = Decimal(1000)
SHARE_INDICATORS = frozenset({"vegetarian_meal_share", "sorted_waste_share"})


def tonnes(kg: Decimal, lang: str) -> str:
    return number(kg / KG_PER_TONNE, lang, 2)


def category_name(category: Category, lang: str) -> str:
    return t(lang, f"discord.category.{category.value}")


def fit(text: str, lang: str, limit: int = MESSAGE_LIMIT) -> str:
    """Cut a text at a line break so it fits in one message, and say that it was cut."""
    if len(text) <= limit:
        return text
    more = "\n" + t(lang, "discord.cut")
    head = text[: limit - len(more)]
    if "\n" in head:
        head = head[: head.rindex("\n")]
    return head + more


def split(text: str, limit: int = MESSAGE_LIMIT) -> list[str]:
    """Cut a long answer into messages at line breaks, so nothing is lost (factor sources included)."""
    parts: list[str] = []
    current = ""
    for line in text.split("\n"):
        while len(line) > limit:  # a single line longer than a message: cut it where it must be
            if current:
                parts.append(current)
                current = ""
            parts.append(line[:limit])
            line = line[limit:]
        candidate = f"{current}\n{line}" if current else line
        if len(candidate) > limit:
            parts.append(current)
            current = line
        else:
            current = candidate
    if current.strip():
        parts.append(current)
    return [p.strip("\n") for p in parts if p.strip()]


# -- /balance --------------------------------------------------------------------------------------


def balance_text(production: Production, result: Balance, lang: str) -> str:
    """The whole balance, every factor's source included: may need several messages (see ``split``)."""
    lines = []
    if result.as_of is None:
        lines.append(t(lang, "discord.balance.title_empty", title=production.title))
        lines.append(t(lang, "discord.balance.empty"))
    else:
        lines.append(t(lang, "discord.balance.title", title=production.title, day=day_text(result.as_of, lang)))
    for figure in result.categories:
        name = category_name(figure.category, lang)
        if figure.forecast_kgco2e:
            share = figure.kgco2e / figure.forecast_kgco2e * 100
            lines.append(
                t(lang, "discord.balance.category", category=name, done=tonnes(figure.kgco2e, lang),
                  forecast=tonnes(figure.forecast_kgco2e, lang), share=number(share, lang, 0))
            )
        else:
            lines.append(t(lang, "discord.balance.category_no_forecast", category=name,
                           done=tonnes(figure.kgco2e, lang)))
    lines.append(t(lang, "discord.balance.total", done=tonnes(result.total_kgco2e, lang),
                   forecast=tonnes(result.forecast_kgco2e, lang)))
    lines.extend(coverage_lines(result, lang))
    projected = result.projected_total_kgco2e
    per_day = result.per_shooting_day_kgco2e
    if projected is None or per_day is None:
        lines.append(t(lang, "discord.balance.no_projection"))
    else:
        lines.append(t(lang, "discord.balance.projection", projected=tonnes(projected, lang)))
        lines.append(t(lang, "discord.balance.per_day", per_day=tonnes(per_day, lang)))
    lines.append(t(lang, "discord.balance.days", done=result.shooting_days_done,
                   total=result.shooting_days_total))
    lines.append(t(lang, "discord.balance.factors", version=result.factor_set_version))
    for trace in result.traces:
        lines.append(
            t(lang, "discord.balance.factor", factor=trace.factor_key,
              value=number(trace.kgco2e_per_unit, lang, 4), unit=trace.unit, source=trace.source,
              year=trace.year)
        )
    return "\n".join(lines)


def _names(categories: Sequence[Category], lang: str) -> str:
    return ", ".join(category_name(c, lang) for c in categories)


def coverage_lines(result: Balance, lang: str) -> list[str]:
    """What the balance is made of, in words: which categories have figures, which only a forecast,
    and what share of the forecast the measured categories stand for."""
    coverage = result.coverage
    lines = [t(lang, "discord.coverage.title")]
    if coverage.measured:
        lines.append(t(lang, "discord.coverage.measured", categories=_names(coverage.measured, lang)))
    else:
        lines.append(t(lang, "discord.coverage.none_measured"))
    if coverage.forecast_only:
        lines.append(t(lang, "discord.coverage.forecast_only", categories=_names(coverage.forecast_only, lang)))
    if coverage.missing:
        lines.append(t(lang, "discord.coverage.missing", categories=_names(coverage.missing, lang)))
    share = coverage.measured_share_of_forecast
    if share is None:
        lines.append(t(lang, "discord.coverage.no_forecast"))
    else:
        lines.append(t(lang, "discord.coverage.share", share=number(share * 100, lang, 0)))
    return lines


def chart_description(result: Balance, lang: str) -> str:
    """The chart in words: the attachment's alternative text (Discord allows 1,024 characters)."""
    parts = [
        t(lang, "discord.chart.part", category=category_name(f.category, lang), done=tonnes(f.kgco2e, lang),
          forecast=tonnes(f.forecast_kgco2e or Decimal(0), lang))
        for f in result.categories
    ]
    return fit(t(lang, "discord.chart.alt") + " " + " ".join(parts), lang, 1024)


# -- /plan -----------------------------------------------------------------------------------------


def _indicator_value(value: Decimal | None, indicator: str, unit: str, lang: str) -> str:
    if value is None:
        return t(lang, "discord.plan.not_measured")
    if indicator in SHARE_INDICATORS:
        return number(value * 100, lang, 0) + " %"
    return f"{number(value, lang, 2)} {unit}".strip()


def plan_text(production: Production, plan: Sequence[ActionProgress], lang: str) -> str:
    if not plan:
        return t(lang, "discord.plan.empty", title=production.title)
    blocks = [t(lang, "discord.plan.title", title=production.title)]
    for p in plan:
        a = p.action
        try:
            owner = production.member(a.owner).name
        except KeyError:
            owner = a.owner
        key = f"discord.indicator.{a.indicator}"
        try:
            indicator = t(lang, key)
        except KeyError:
            indicator = a.indicator
        lines = [
            t(lang, "discord.plan.action", id=a.id, objective=a.objective),
            t(lang, "discord.plan.owner", owner=owner),
            t(lang, "discord.plan.indicator", indicator=indicator),
            t(lang, "discord.plan.values",
              baseline=_indicator_value(a.baseline, a.indicator, p.unit, lang),
              current=_indicator_value(p.current, a.indicator, p.unit, lang),
              target=_indicator_value(a.target, a.indicator, p.unit, lang)),
        ]
        if p.projected is not None and p.current is not None and p.projected != p.current:
            lines.append(t(lang, "discord.plan.projected",
                           projected=_indicator_value(p.projected, a.indicator, p.unit, lang)))
        if p.progress_pct is None:
            lines.append(t(lang, "discord.plan.no_progress"))
        else:
            lines.append(t(lang, "discord.plan.progress", progress=number(p.progress_pct, lang, 0)))
        if p.on_track is not None:
            lines.append(t(lang, "discord.plan.on_track" if p.on_track else "discord.plan.off_track"))
        status = t(lang, f"discord.status.{a.status.value}")
        if a.outcome is not None:
            lines.append(t(lang, "discord.plan.status_outcome", status=status,
                           outcome=t(lang, f"discord.outcome.{a.outcome.value}")))
        else:
            lines.append(t(lang, "discord.plan.status", status=status))
        if a.note:
            lines.append(t(lang, "discord.plan.note", note=a.note))
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks)


# -- /missing and the digest -----------------------------------------------------------------------


def what(production: Production, report: ReportKind, subject: str | None, lang: str) -> str:
    labels = ({v.id: v.label for v in production.vehicles} | {g.id: g.label for g in production.generators}
              | {site.id: site.label for site in production.sites})  # a grid meter names its site
    label = labels.get(subject, subject) if subject else ""
    return t(lang, f"discord.report.{report.value}", subject=label)


def pending_lines(production: Production, roll: RollCall, lang: str) -> list[str]:
    if roll.asked == 0 and not roll.unreachable:
        return [t(lang, "discord.missing.none_due")]
    if roll.complete:
        return [t(lang, "discord.missing.all_answered")]
    return [t(lang, "discord.missing.pending_title")] + [
        t(lang, "discord.missing.pending", name=p.name, what=what(production, p.report, p.subject, lang))
        for p in roll.pending
    ]


def unreachable_lines(roll: RollCall, lang: str) -> list[str]:
    if not roll.unreachable:
        return []
    return [t(lang, "discord.missing.unreachable_title")] + [
        t(lang, "discord.missing.unreachable", name=u.name or u.member_id, reason=t(lang, f"discord.reason.{u.reason}"))
        for u in roll.unreachable
    ]


def roll_call_lines(production: Production, roll: RollCall, lang: str) -> list[str]:
    return pending_lines(production, roll, lang) + unreachable_lines(roll, lang)


def missing_text(production: Production, roll: RollCall, lang: str) -> str:
    head = t(lang, "discord.missing.title", day=day_text(roll.day, lang))
    return "\n".join([head, *roll_call_lines(production, roll, lang)])


def digest_text(
    production: Production,
    day: dt.date,
    result: Balance,
    roll: RollCall,
    escalations: Sequence[str],
    scheduler_text: str,
    lang: str,
) -> str:
    """The daily digest: figures of the day, missing answers, the escalations since the last digest.

    The scheduler's ``scheduler_text`` (the answers to the prompts it really sent) stands for the
    bot's own roll call of pending answers when given; who cannot be reached is the bot's to add.
    """
    lines = [t(lang, "discord.digest.title", day=day_text(day, lang), title=production.title)]
    of_day = result.by_day.get(day)
    if not of_day or not any(of_day.values()):
        lines.append(t(lang, "discord.digest.no_figures"))
    else:
        total = sum(of_day.values(), Decimal(0))
        lines.append(t(lang, "discord.digest.figures", total=number(total, lang, 1)))
        for category in Category:
            kg = of_day.get(category, Decimal(0))
            if kg:
                lines.append(t(lang, "discord.digest.figure", category=category_name(category, lang),
                               kg=number(kg, lang, 1)))
    if scheduler_text.strip():
        lines.append(scheduler_text.strip())
        lines.extend(unreachable_lines(roll, lang))
    else:
        lines.extend(roll_call_lines(production, roll, lang))
    if escalations:
        lines.append(t(lang, "discord.digest.escalations_title"))
        lines.extend(f"- {e}" for e in escalations)
    lines.append(t(lang, "discord.digest.factors", version=result.factor_set_version))
    return fit("\n".join(lines), lang)
