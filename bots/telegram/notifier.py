"""The scheduler's way to reach crew members on Telegram (``scheduler.notify.Notifier``).

Each prompt sent is recorded with its message id, so the answer counts for that prompt's day
and the scheduler can ask, after a crash, whether a prompt went out already.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Container, Iterable
from typing import Any

from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TimedOut

from base.i18n import t
from bots.telegram import texts
from bots.telegram.footprint_texts import choice_rows
from bots.telegram.ratelimit import bulk
from bots.telegram.services import Services, keyboard, say, services_of
from common.app import App
from domain.errors import GreenslateError
from domain.model import ReportKind
from domain.ports import MemberState
from scheduler.notify import Delivery, Outcome
from store.telegram import PromptRef

log = logging.getLogger("greenslate.telegram")

#: How many times a 429 is waited out here, after the rate limiter's own retries.
RETRIES = 3


class TelegramNotifier:
    """Sends prompts and awareness messages to members linked on Telegram.

    Each production names its bot (``Production.telegram_bot``, "" for the default one): a message to
    one of its members goes through that bot, given here with the others (``bots``), each with its
    own rate limit. A member linked through another bot is unreachable until a new invite links them.
    """

    def __init__(self, application: Any, app: App | None = None, *, bots: Iterable[Any] = ()) -> None:
        self.application = application
        self.services: Services = services_of(application)
        self.app = app or self.services.app
        self.bots: dict[str, Any] = {services_of(a).store.bot: a for a in (application, *bots)}
        #: Productions by id with the version they were read at: reading one (its whole crew and
        #: assignments) costs ten times the rest of a prompt, and it changes only when its file does.
        self._productions: dict[str, tuple[dt.datetime, Any]] = {}
        self._indexes: dict[str, tuple[Any, dict[str, Any]]] = {}  # assignments by key, per production read

    @property
    def lanes(self) -> int:
        """The scheduler sends through each bot side by side (``scheduler.lanes``)."""
        return len(self.bots)

    def lane(self, production: Any) -> str:
        """The bot a production's messages go through."""
        return str(production.telegram_bot)

    def _through(self, production: Any, state: MemberState) -> tuple[Any, Delivery | None]:
        """The application of the production's bot, or why the member cannot be reached through it."""
        application = self.bots.get(production.telegram_bot)
        if application is None:  # the settings name no such bot in this process: keep it for later
            return None, Delivery(Outcome.RETRY, detail=f"no Telegram bot {production.telegram_bot!r} running")
        if state.telegram_bot != production.telegram_bot:
            return None, Delivery(Outcome.UNREACHABLE, detail="linked through another bot")
        return application, None

    async def send_prompt(
        self, production_id: str, member_id: str, assignment_key: str, day: dt.date, *, reminder: bool = False
    ) -> Delivery:
        """One message for one due assignment, in the member's language, with time-saving buttons."""
        try:
            production, state = await self._read(production_id, member_id)
        except GreenslateError as exc:
            return Delivery(Outcome.UNREACHABLE, detail=str(exc))
        if (why := _unreachable(state)) is not None:
            return Delivery(Outcome.UNREACHABLE, detail=why)
        application, refused = self._through(production, state)
        if refused is not None:
            return refused
        services = services_of(application)
        assignment = self._assignment(production, assignment_key)
        if assignment is None:
            return Delivery(Outcome.UNREACHABLE, detail=f"no assignment {assignment_key!r}")
        lang = state.language
        today = production.local_day(services.clock())
        text = texts.prompt(production, assignment, day, today, lang, reminder=reminder)
        chat_id = state.telegram_chat_id
        assert chat_id is not None
        buttons = prompt_buttons(assignment.report, lang, self.services.app.catalogue.factors)
        delivery, message_id = await self._deliver(application, production_id, member_id, chat_id, text, lang,
                                                   state.voice, buttons)
        if message_id is None:
            return delivery
        prompt = PromptRef(chat_id, message_id, production_id, member_id, assignment_key, day,
                           services.clock(), None)
        await asyncio.to_thread(services.store.record_prompt, prompt, reminder=reminder)
        return delivery

    async def send_campaign(self, production_id: str, member_id: str, message_key: str) -> Delivery:
        """An awareness message from the sensitisation library, in the member's language."""
        try:
            production, state = await self._read(production_id, member_id)
        except GreenslateError as exc:
            return Delivery(Outcome.UNREACHABLE, detail=str(exc))
        if (why := _unreachable(state)) is not None:
            return Delivery(Outcome.UNREACHABLE, detail=why)
        application, refused = self._through(production, state)
        if refused is not None:
            return refused
        try:
            from sensitisation.library import render
        except ImportError:
            log.warning("sensitisation library unavailable: campaign %s not sent", message_key)
            return Delivery(Outcome.RETRY, detail="sensitisation library unavailable")
        try:
            text = render(message_key, state.language)
        except Exception as exc:  # an unknown key will not get better by retrying
            return Delivery(Outcome.UNREACHABLE, detail=f"cannot render {message_key!r}: {type(exc).__name__}")
        chat_id = state.telegram_chat_id
        assert chat_id is not None
        delivery, message_id = await self._deliver(application, production_id, member_id, chat_id, text,
                                                   state.language, state.voice, None)
        if message_id is not None:
            services = services_of(application)
            await asyncio.to_thread(services.store.record_campaign, production_id, member_id, message_key,
                                    chat_id, message_id, services.clock())
        return delivery

    async def delivered_prompt(
        self, production_id: str, member_id: str, assignment_key: str, day: dt.date, *, reminder: bool = False
    ) -> Delivery | None:
        """The prompt went out already (a crash came before the outbox was marked)? ``None`` if not."""
        prompt = await asyncio.to_thread(self.services.store.delivered_prompt, production_id, member_id,
                                         assignment_key, day, reminder=reminder)
        return None if prompt is None else Delivery(Outcome.SENT, str(prompt.message_id))

    async def delivered_campaign(self, production_id: str, member_id: str, message_key: str) -> Delivery | None:
        message_id = await asyncio.to_thread(self.services.store.delivered_campaign, production_id, member_id,
                                             message_key)
        return None if message_id is None else Delivery(Outcome.SENT, str(message_id))

    # -- helpers -------------------------------------------------------------------------------

    async def _read(self, production_id: str, member_id: str) -> tuple[Any, MemberState]:
        """:meth:`_load`: on the loop for an SQLite file (reading it never waits: write-ahead log), as the
        bot reads its chats, else in a thread."""
        if self.services.local_store:
            return self._load(production_id, member_id)
        return await asyncio.to_thread(self._load, production_id, member_id)

    def _assignment(self, production: Any, key: str) -> Any:
        """The production's assignment by key, from an index built once per production read."""
        index = self._indexes.get(production.id)
        if index is None or index[0] is not production:
            index = (production, {a.key: a for a in production.assignments})
            self._indexes[production.id] = index
        return index[1].get(key)

    def _load(self, production_id: str, member_id: str) -> tuple[Any, MemberState]:
        """The production (as cached, if its version is still the stored one) and the member's state now."""
        found = self.services.store.member_state(production_id, member_id)
        cached = self._productions.get(production_id)
        if found is not None and cached is not None and cached[0] == found[1]:
            return cached[1], found[0]
        with self.app.uow() as uow:  # read afresh; raises if the production or the member is gone
            production, state = uow.productions.get(production_id), uow.members.state(production_id, member_id)
        if found is not None:  # read after the version: at least that recent
            self._productions[production_id] = (found[1], production)
        return production, state

    async def _deliver(
        self, application: Any, production_id: str, member_id: str, chat_id: int, text: str, lang: str,
        voice: bool, buttons: Any,
    ) -> tuple[Delivery, int | None]:
        """Send, waiting out 429s; a blocked bot marks the member unreachable; network trouble retries.

        Sent as bulk: members' replies go first when Telegram's 30 a second are all in use."""
        for attempt in range(RETRIES + 1):
            try:
                with bulk():
                    message_id = await say(application.bot, services_of(application), chat_id, text, lang=lang,
                                           voice=voice, buttons=buttons)
            except RetryAfter as exc:
                if attempt == RETRIES:
                    return Delivery(Outcome.RETRY, detail="rate limited"), None
                wait = exc.retry_after
                await asyncio.sleep(wait.total_seconds() if isinstance(wait, dt.timedelta) else float(wait))
                continue
            except Forbidden:
                await asyncio.to_thread(self._mark_unreachable, production_id, member_id)
                return Delivery(Outcome.UNREACHABLE, detail="blocked the bot"), None
            except BadRequest as exc:  # chat not found, or a message Telegram refuses: resending will not help
                return Delivery(Outcome.UNREACHABLE, detail=f"refused: {exc.message}"), None
            except (TimedOut, NetworkError) as exc:
                return Delivery(Outcome.RETRY, detail=type(exc).__name__), None
            return Delivery(Outcome.SENT, str(message_id)), message_id
        return Delivery(Outcome.RETRY, detail="rate limited"), None  # pragma: no cover - loop always returns

    def _mark_unreachable(self, production_id: str, member_id: str) -> None:
        with self.app.uow() as uow:
            uow.members.set_unreachable(production_id, member_id, True)
            uow.commit()


def prompt_buttons(kind: ReportKind, lang: str, factors: Container[str] = ()) -> Any:
    """Buttons that save typing. A press names its prompt by the message it sits under."""
    if kind is ReportKind.MILEAGE:
        return keyboard([(t(lang, "telegram.button.no_drive"), "z")])
    if kind is ReportKind.GENERATOR_HOURS:
        return keyboard([(t(lang, "telegram.button.no_generator"), "z")])
    if kind in (ReportKind.MEALS, ReportKind.WASTE):
        return keyboard([(t(lang, "telegram.button.step_by_step"), "s")])
    rows = choice_rows(kind, lang, factors)  # a travel mode, a lodging, a freight class, an item: one tap
    return keyboard(*rows) if rows else None


def _unreachable(state: MemberState) -> str | None:
    if state.forgotten:
        return "left with /stop"
    if state.telegram_chat_id is None:
        return "not linked on Telegram"
    if state.consent_at is None:
        return "has not given consent yet"
    if state.unreachable:
        return "blocked the bot"
    return None
