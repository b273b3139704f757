"""A shooting calendar imported from the production office's calendar: iCalendar (.ics) or CSV.

What a file says is a set of shooting dates (and perhaps days marked off). ``proposed_calendar``
writes that set exactly in the production file's terms, keeping the production's shooting weekdays:
first and last day, days off (a usual weekday not shot) and extra days (a day shot off the usual
weekdays). The result is a calendar section the set-up form shows before anything is stored.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any
from zoneinfo import ZoneInfo

from domain.model import WEEKDAYS

#: A file larger than this is refused before it is read (a year of events is far smaller).
MAX_IMPORT_BYTES = 1_000_000
#: An event longer than this is not a list of shooting days (a whole-period banner, say): it is skipped.
MAX_EVENT_DAYS = 60
#: Words that mark an event or a CSV line as a day without shooting.
OFF_WORDS = re.compile(r"\b(off|repos|relâche|relache|férié|ferie|holiday|day off|jour off|pas de tournage)\b", re.I)


class CalendarImportError(ValueError):
    """A file that cannot be read as a calendar; ``code`` names the text to show (fr and en)."""

    def __init__(self, code: str, detail: str = "") -> None:
        super().__init__(detail or code)
        self.code = code
        self.detail = detail


@dataclass(frozen=True)
class ImportedDays:
    shooting: frozenset[dt.date]  # days named one by one: shot, whatever their weekday
    off: frozenset[dt.date] = field(default_factory=frozenset)
    skipped: int = 0  # events or lines left out (too long, no date)
    #: days inside an event of several days ("block 1, 1-19 March"): shot on the usual weekdays only
    spanned: frozenset[dt.date] = field(default_factory=frozenset)
    repeating: int = 0  # repeating events (RRULE, RDATE) read: each counted inside ``window`` only
    window: tuple[dt.date, dt.date] | None = None

    def days(self, weekdays: set[int]) -> set[dt.date]:
        """The shooting days, with ``weekdays`` the production's usual shooting weekdays (0 = Monday)."""
        return (set(self.shooting) | {d for d in self.spanned if d.weekday() in weekdays}) - self.off


def _dates(start: dt.date, end: dt.date) -> Iterable[dt.date]:
    day = start
    while day < end:
        yield day
        day += dt.timedelta(days=1)


def _as_date(value: Any, zone: ZoneInfo) -> dt.date:
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(zone)
        return value.date()
    if isinstance(value, dt.date):
        return value
    raise CalendarImportError("bad_ics", f"not a date: {value!r}")


def read_ics(data: bytes, timezone: str, window: tuple[dt.date, dt.date] | None = None) -> ImportedDays:
    """An event is a shooting day, or a block of them (its usual weekdays), unless its title says off.

    A repeating event (RRULE, RDATE, less its EXDATEs, with its moved occurrences) counts each time
    it happens inside ``window`` (the production's first and last day; a year from the file's first
    event when not given): a rule with no end stops there.
    """
    from icalendar import Calendar

    if len(data) > MAX_IMPORT_BYTES:
        raise CalendarImportError("too_big")
    try:
        calendar = Calendar.from_ical(data)
    except (ValueError, IndexError, KeyError) as e:
        raise CalendarImportError("bad_ics", str(e)) from None
    zone = ZoneInfo(timezone)
    found = _Found()
    events = calendar.walk("VEVENT")
    repeating = {str(e.get("UID", "")) for e in events if "RRULE" in e or "RDATE" in e}
    for event in events:
        if str(event.get("UID", "")) not in repeating:  # a series is read whole below
            found.add(event, zone)
    if repeating:
        if window is None:
            first = min(_as_date(e["DTSTART"].dt, zone) for e in events if "DTSTART" in e)
            window = (first, first + dt.timedelta(days=DEFAULT_WINDOW_DAYS))
        for occurrence in _occurrences(calendar, repeating, window):
            found.add(occurrence, zone)
    days = _checked(found.shooting, found.off, found.skipped, found.spanned)
    return replace(days, repeating=len(repeating), window=window if repeating else None)


#: Without the production's dates, a repeating event is read this many days from the file's first event.
DEFAULT_WINDOW_DAYS = 366
#: More occurrences than this inside the production's dates is not a shooting calendar (a rule every
#: minute, say): the file is refused rather than read for minutes.
MAX_OCCURRENCES = 5000


def _occurrences(calendar: Any, series: set[str], window: tuple[dt.date, dt.date]) -> Iterable[Any]:
    """Each occurrence of the repeating events ``series`` (by UID) that starts inside ``window``."""
    import recurring_ical_events

    start, end = window
    query = recurring_ical_events.of(calendar, skip_bad_series=True)
    count = 0
    seen: set[tuple[str, str]] = set()  # an occurrence of several days is found in each of its days
    try:
        for day in _dates(start, end + dt.timedelta(days=1)):  # a day at a time: the cap stops a runaway rule
            for occurrence in query.between(day, day + dt.timedelta(days=1)):
                uid = str(occurrence.get("UID", ""))
                key = (uid, str(occurrence["DTSTART"].dt))
                if uid not in series or key in seen:
                    continue
                seen.add(key)
                count += 1
                if count > MAX_OCCURRENCES:
                    raise CalendarImportError("too_many")
                yield occurrence
    except CalendarImportError:
        raise
    except (ValueError, TypeError, KeyError) as e:  # a rule the library cannot read at all
        raise CalendarImportError("bad_ics", str(e)) from None


@dataclass
class _Found:
    """The days events name, as they are read."""

    shooting: set[dt.date] = field(default_factory=set)
    spanned: set[dt.date] = field(default_factory=set)
    off: set[dt.date] = field(default_factory=set)
    skipped: int = 0

    def add(self, event: Any, zone: ZoneInfo) -> None:
        start_prop = event.get("DTSTART")
        if start_prop is None:
            self.skipped += 1
            return
        start = _as_date(start_prop.dt, zone)
        end_prop = event.get("DTEND")
        if end_prop is None:
            end = start + dt.timedelta(days=1)
        else:
            raw_end = end_prop.dt
            end = _as_date(raw_end, zone)
            if isinstance(raw_end, dt.datetime) or end <= start:  # a timed event: its last day counts
                end += dt.timedelta(days=1)
        if (end - start).days > MAX_EVENT_DAYS:
            self.skipped += 1
            return
        target = self.off if OFF_WORDS.search(str(event.get("SUMMARY", ""))) else (
            self.shooting if (end - start).days == 1 else self.spanned)
        target.update(_dates(start, end))


_DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d.%m.%Y", "%d-%m-%Y")


def _parse_date(text: str) -> dt.date | None:
    text = text.strip()
    for fmt in _DATE_FORMATS:
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


def read_csv(data: bytes) -> ImportedDays:
    """One date per line (2027-03-01 or 01/03/2027); a line whose other cells say "off" is a day off.

    A header line, blank lines and lines with no date are skipped; ``,`` and ``;`` both separate.
    """
    if len(data) > MAX_IMPORT_BYTES:
        raise CalendarImportError("too_big")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise CalendarImportError("not_utf8") from None
    delimiter = ";" if text.count(";") > text.count(",") else ","
    shooting: set[dt.date] = set()
    off: set[dt.date] = set()
    skipped = 0
    for cells in csv.reader(io.StringIO(text), delimiter=delimiter):
        if not any(c.strip() for c in cells):
            continue
        day = next((d for d in (_parse_date(c) for c in cells) if d is not None), None)
        if day is None:
            skipped += 1
            continue
        rest = " ".join(c for c in cells if _parse_date(c) is None)
        (off if OFF_WORDS.search(rest) else shooting).add(day)
    return _checked(shooting, off, skipped)


def _checked(shooting: set[dt.date], off: set[dt.date], skipped: int,
             spanned: set[dt.date] | None = None) -> ImportedDays:
    shooting -= off  # a day marked off is off, whatever else covers it
    spanned = (spanned or set()) - off
    if not shooting and not spanned:
        raise CalendarImportError("no_days")
    return ImportedDays(frozenset(shooting), frozenset(off), skipped, frozenset(spanned))


def proposed_calendar(current: Mapping[str, Any], days: ImportedDays) -> dict[str, Any]:
    """The calendar section that shoots exactly ``days.shooting``, on the production's usual weekdays."""
    weekdays = [d for d in current.get("shooting_days", WEEKDAYS[:5]) if d in WEEKDAYS]
    usual = {WEEKDAYS.index(d) for d in weekdays}
    shot = days.days(usual)
    if not shot:
        raise CalendarImportError("no_days")
    start, end = min(shot), max(shot)
    span = list(_dates(start, end + dt.timedelta(days=1)))
    return {
        "start": start,
        "end": end,
        "shooting_days": weekdays,
        "days_off": [d for d in span if d.weekday() in usual and d not in shot],
        "extra_days": sorted(d for d in shot if d.weekday() not in usual),
    }


def shooting_dates(calendar: Mapping[str, Any]) -> set[dt.date]:
    """The shooting dates a calendar section (as in a production file document) describes."""
    start, end = _date(calendar.get("start")), _date(calendar.get("end"))
    if start is None or end is None:
        return set()
    usual = {WEEKDAYS.index(d) for d in calendar.get("shooting_days", []) if d in WEEKDAYS}
    off = {_date(d) for d in calendar.get("days_off", [])}
    extra = {_date(d) for d in calendar.get("extra_days", [])}
    return {d for d in _dates(start, end + dt.timedelta(days=1))
            if d not in off and (d.weekday() in usual or d in extra)}


def _date(value: Any) -> dt.date | None:
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        return _parse_date(value)
    return None
