"""Setting a production up from the dashboard, with the production file's own rules.

A form never checks anything itself: it changes one section of the production's file document
(``stored_document``), and ``apply_document`` runs the production-file loader on the whole of it, as
``greenslate production load`` would, so every rule and every message lives once, in
``common.production_file``. On top of the loader, a change may not leave a stored figure without
what it refers to (``orphan_problems``): such a change is refused with the reason, nothing stored.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from base.settings import telegram_bot_names
from common.production_file import Problem, ProductionFileProblems, parse_production
from common.production_file.export import production_document
from common.production_file.wording import Day, say
from domain.errors import ProductionFileError
from domain.model import Production, ReportKind
from domain.usecases import load_production
from store.discord import link_for_production
from store.usage import FiguresInUse, figures_in_use

if TYPE_CHECKING:
    from common.app import App

FILE_NAME = "dashboard"


@dataclass(frozen=True)
class Outcome:
    """What a change did: the production as stored, or the problems that kept it from being stored."""

    production: Production | None
    problems: tuple[Problem, ...] = ()
    created: bool = False

    @property
    def ok(self) -> bool:
        return self.production is not None and not self.problems


def discord_section(app: App, production_id: str) -> dict[str, Any] | None:
    link = link_for_production(app.engine, production_id)
    if link is None:
        return None
    return {"guild": link.guild_id, "digest_channel": link.digest_channel_id,
            "practices_channel": link.practices_channel_id, "role": link.role_name}


def stored_document(app: App, production_id: str) -> dict[str, Any]:
    """The production file of the production as stored (what the dashboard shows)."""
    with app.uow() as uow:
        production = uow.productions.get(production_id)
    return production_document(production, discord_section(app, production_id))


def check_document(app: App, doc: Mapping[str, Any]) -> tuple[Production | None, tuple[Problem, ...]]:
    """The loader's verdict on ``doc``: the production, or every problem it found."""
    try:
        production = parse_production(doc, FILE_NAME, factors=app.catalogue.factors,
                                      consumption=app.catalogue.consumption,
                                      telegram_bots=telegram_bot_names(app.settings))
    except ProductionFileProblems as e:
        return None, e.problems
    except ProductionFileError as e:
        return None, (Problem(e.where, e.problem),)
    return production, ()


def apply_document(app: App, doc: Mapping[str, Any], *, create: bool = False) -> Outcome:
    """Check ``doc`` like a production file and store it, unless it would orphan a stored figure.

    ``create`` refuses an id already taken (a new production never overwrites another one).
    """
    production, problems = check_document(app, doc)
    if production is None:
        return Outcome(None, problems)
    with app.uow() as uow:
        before = uow.productions.find(production.id)
    if create and before is not None:
        return Outcome(None, (Problem.of("production.id", say("setup.id_taken", id=repr(production.id))),))
    if before is not None:
        orphans = orphan_problems(production, figures_in_use(app.engine, production.id))
        if orphans:
            return Outcome(None, tuple(orphans))
    created = load_production(app.uow(), production)
    return Outcome(production, (), created)


def orphan_problems(after: Production, used: FiguresInUse) -> list[Problem]:
    """Why ``after`` would leave stored figures without what they refer to (empty when it would not)."""
    problems: list[Problem] = []
    crew = {m.id for m in after.crew}
    for member, count in sorted(used.members.items()):
        if member not in crew:
            problems.append(Problem.of("crew", say("setup.member_has_figures", member=repr(member), count=count)))
    known = {
        ReportKind.MILEAGE.value: ("vehicles", {v.id for v in after.vehicles}, "vehicle"),
        ReportKind.GENERATOR_HOURS.value: ("generators", {g.id for g in after.generators}, "generator"),
        ReportKind.GENERATOR_LITRES.value: ("generators", {g.id for g in after.generators}, "generator"),
        ReportKind.MEALS.value: ("meal_types", set(after.meal_types), "meal_type"),
        ReportKind.WASTE.value: ("waste_streams", set(after.waste_streams), "waste_stream"),
    }
    seen: set[tuple[str, str]] = set()
    for (kind, subject), count in sorted(used.subjects.items()):
        if kind not in known:
            continue
        section, ids, what = known[kind]
        if subject not in ids and (section, subject) not in seen:
            seen.add((section, subject))
            problems.append(Problem.of(section, say(f"setup.{what}_has_figures", subject=repr(subject), count=count)))
    cal = after.calendar
    if used.first_day is not None and used.first_day < cal.start:
        problems.append(Problem.of("production.calendar.start", say("setup.figures_from", day=Day(used.first_day))))
    if used.last_day is not None and used.last_day > cal.end:
        problems.append(Problem.of("production.calendar.end", say("setup.figures_up_to", day=Day(used.last_day))))
    return problems
