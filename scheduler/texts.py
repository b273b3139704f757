"""The eco-referents' texts: escalations and the daily digest, in the production's language."""

from __future__ import annotations

from base.i18n import day as say_day
from base.i18n import t
from domain.model import Production, ReportKind
from domain.schedule import Digest, Occurrence, SentPrompt


def member_name(production: Production, member_id: str) -> str:
    """The member's name, or their id once forgotten (the name is erased, the id is not personal)."""
    try:
        return production.member(member_id).name or member_id
    except KeyError:
        return member_id


def subject_label(production: Production, subject: str | None) -> str:
    if subject is None:
        return ""
    labels = ({v.id: v.label for v in production.vehicles} | {g.id: g.label for g in production.generators}
              | {site.id: site.label for site in production.sites})
    return labels.get(subject, subject)


def item(production: Production, lang: str, report: ReportKind, subject: str | None) -> str:
    """``kilométrage de Minibus MB-1``, ``repas``: what a prompt asks for, in a few words."""
    return t(lang, f"scheduler.item.{report.value}", subject=subject_label(production, subject))


def escalation_text(production: Production, member_id: str, missed: list[SentPrompt]) -> str:
    lang = production.language.value
    last = missed[-1]
    return t(
        lang,
        "scheduler.escalation",
        name=member_name(production, member_id),
        missed=len({p.day for p in missed}),
        day=say_day(last.day, lang),
        item=item(production, lang, last.report, last.subject),
    )


def _items(production: Production, lang: str, missing: tuple[Occurrence, ...]) -> str:
    return ", ".join(item(production, lang, o.report, o.subject) for o in missing)


def digest_text(production: Production, digest: Digest) -> str:
    lang = production.language.value
    answered = digest.expected - sum(len(line.missing) for line in digest.missing)
    lines = [
        t(lang, "scheduler.digest.title", day=say_day(digest.day, lang)),
        t(lang, "scheduler.digest.count", answered=answered, expected=digest.expected),
    ]
    if digest.complete:
        lines.append(t(lang, "scheduler.digest.everyone"))
    for line in digest.missing:
        name = line.name or line.member_id
        lines.append(t(lang, "scheduler.digest.missing", name=name, items=_items(production, lang, line.missing)))
    return "\n".join(lines)
