"""The reporting page's awareness campaigns: each one the production declares, whether it went out,
to how many people, and for those it did not reach, why.

Declared campaigns come from the production file (``sensitisation:``); what happened to each comes
from the scheduler's outbox, one row per member (``sensitisation.history.campaign_log``). A member of
the audience with no row was left out when the campaign was planned: not reachable, or paused, that
day. A campaign whose time has passed with no row at all was never planned: the scheduler was not
running then.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

from dash import html

from base.i18n import day as day_text
from dashboard import components, context
from dashboard.texts import tr, trn
from domain.model import Campaign
from domain.rollcall import campaign_audience
from domain.schedule import local_instant
from sensitisation.history import CampaignLine, campaign_log
from sensitisation.library import load_library

#: Outbox statuses that are not "sent", in the order their reasons are listed.
NOT_SENT = ("unreachable", "failed", "expired", "pending", "sending")


def section(page: context.Page, as_of: dt.date | None, now: dt.datetime | None = None) -> list[Any]:
    """The campaigns' heading, the table of declared campaigns, then the message-by-message log."""
    lang = page.lang
    lines = campaign_log(page.app.engine, page.production_id)
    declared = page.production.sensitisation
    heading = html.H2(tr("reporting.campaigns", lang))
    if not declared and not lines:
        return [heading, html.P(tr("reporting.campaigns_none", lang), id="campaigns-table")]
    now = now or dt.datetime.now(dt.UTC)
    rows = [declared_row(page, c, lines, as_of, now) for c in declared]
    parts: list[Any] = [heading]
    if rows:
        parts.append(components.table(
            [("when", tr("table.when", lang)), ("message", tr("table.message", lang)),
             ("audience", tr("table.audience", lang)), ("sent", tr("table.sent", lang)),
             ("not_sent", tr("table.not_sent", lang))],
            rows,
            tr("reporting.campaigns_declared", lang),
            table_id="campaigns-declared",
        ))
    parts += log_table(page, lines)
    return parts


def declared_row(
    page: context.Page, campaign: Campaign, lines: list[CampaignLine], as_of: dt.date | None, now: dt.datetime
) -> dict[str, Any]:
    lang, production = page.lang, page.production
    audience = campaign_audience(production, campaign)
    mine = [ln for ln in lines if ln.message == campaign.message and ln.day == campaign.on]
    sent = sum(1 for ln in mine if ln.status == "sent")
    due = local_instant(campaign.on, campaign.at, production.zone) <= now or (
        as_of is not None and campaign.on <= as_of
    )
    return {
        "when": tr("campaign.when", lang, day=day_text(campaign.on, lang), time=campaign.at.strftime("%H:%M")),
        "message": _message_text(campaign.message, lang),
        "audience": _audience(campaign, len(audience), lang),
        "sent": trn("campaign.sent", sent, lang, total=len(audience)),
        "not_sent": _why_not(mine, len(audience), due, lang),
    }


def _message_text(key: str, lang: str) -> str:
    library = load_library()
    return library.render(key, lang) if key in library.messages else key


def _audience(campaign: Campaign, count: int, lang: str) -> str:
    who = tr("campaign.audience.all", lang) if campaign.to == "all" else tr(f"crewrole.{campaign.to}", lang)
    return f"{who} ({trn('campaign.people', count, lang)})"


def _why_not(mine: list[CampaignLine], audience: int, due: bool, lang: str) -> str:
    """Who it did not reach, and why: ``2 injoignables, 1 en pause ou pas joignable ce jour-là``."""
    if not mine:
        return tr("campaign.not_planned", lang) if due else tr("campaign.upcoming", lang)
    counts = Counter(ln.status for ln in mine)
    reasons = [trn(f"campaign.reason.{status}", counts[status], lang) for status in NOT_SENT if counts[status]]
    left_out = audience - len(mine)
    if left_out > 0:
        reasons.append(trn("campaign.reason.left_out", left_out, lang))
    return ", ".join(reasons) or "–"


def log_table(page: context.Page, lines: list[CampaignLine]) -> list[Any]:
    """Message by message: to whom, on which channel, what became of it and when it went out."""
    if not lines:
        return []
    lang, zone = page.lang, page.production.zone
    rows = [
        {
            "day": day_text(c.day, lang),
            "message": c.message,
            "member": c.name or c.member_id or "–",
            "channel": c.channel,
            "status": tr(f"campaign.status.{c.status}", lang),
            "sent_at": c.sent_at.astimezone(zone).strftime("%Y-%m-%d %H:%M") if c.sent_at else "–",
        }
        for c in lines
    ]
    return [components.table(
        [("day", tr("table.day", lang)), ("message", tr("table.message", lang)),
         ("member", tr("table.member", lang)), ("channel", tr("table.channel", lang)),
         ("status", tr("table.status", lang)), ("sent_at", tr("table.sent_at", lang))],
        rows,
        tr("reporting.campaigns_table", lang),
        table_id="campaigns-table",
    )]
