"""The pure schedule rules: what is due, when, for whom (no store, no clock, no network)."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from domain.model import (
    Assignment,
    Campaign,
    Frequency,
    Production,
    ProductionType,
    Report,
    ReportKind,
    ShootingCalendar,
)
from domain.rollcall import campaign_audience, due_campaigns, due_prompts, open_prompts, upcoming_prompts
from domain.schedule import (
    SentPrompt,
    answered_keys,
    assignment_days,
    default_frequency,
    digest,
    digest_day,
    falls_on,
    local_instant,
    missed_days,
    missed_in_a_row,
    occurrences,
    occurrences_on,
    reminder_is_due,
)
from tests.scheduler.conftest import linked_states

UTC = dt.UTC
PARIS = ZoneInfo("Europe/Paris")


def utc(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=UTC)


# --- Local times across daylight-saving changes -------------------------------------------------


@pytest.mark.parametrize(
    ("day", "at", "expected"),
    [
        # Spring 2027 in Paris: Sunday 28 March, 02:00 CET becomes 03:00 CEST.
        (dt.date(2027, 3, 27), dt.time(19, 30), utc(2027, 3, 27, 18, 30)),  # winter: UTC+1
        (dt.date(2027, 3, 28), dt.time(19, 30), utc(2027, 3, 28, 17, 30)),  # summer: UTC+2
        (dt.date(2027, 3, 28), dt.time(2, 30), utc(2027, 3, 28, 1, 0)),  # in the gap: moved to 03:00
        (dt.date(2027, 3, 28), dt.time(1, 59), utc(2027, 3, 28, 0, 59)),
        (dt.date(2027, 3, 28), dt.time(3, 0), utc(2027, 3, 28, 1, 0)),
        # Autumn 2027: Sunday 31 October, 03:00 CEST becomes 02:00 CET.
        (dt.date(2027, 10, 30), dt.time(19, 30), utc(2027, 10, 30, 17, 30)),
        (dt.date(2027, 10, 31), dt.time(19, 30), utc(2027, 10, 31, 18, 30)),
        (dt.date(2027, 10, 31), dt.time(2, 30), utc(2027, 10, 31, 0, 30)),  # twice: the first one
        (dt.date(2027, 10, 31), dt.time(3, 0), utc(2027, 10, 31, 2, 0)),
    ],
)
def test_local_times_in_paris_keep_their_wall_clock_time(day: dt.date, at: dt.time, expected: dt.datetime) -> None:
    assert local_instant(day, at, PARIS) == expected


@pytest.mark.parametrize(
    ("zone", "day", "at", "expected"),
    [
        # Montreal springs forward on 14 March 2027 at 02:00 (UTC-5 -> UTC-4), back on 7 November.
        ("America/Montreal", dt.date(2027, 3, 13), dt.time(19, 30), utc(2027, 3, 14, 0, 30)),
        ("America/Montreal", dt.date(2027, 3, 14), dt.time(19, 30), utc(2027, 3, 14, 23, 30)),
        ("America/Montreal", dt.date(2027, 3, 14), dt.time(2, 15), utc(2027, 3, 14, 7, 0)),
        ("America/Montreal", dt.date(2027, 11, 7), dt.time(1, 30), utc(2027, 11, 7, 5, 30)),
        # Tokyo has no daylight-saving time: 19:30 is always 10:30 UTC.
        ("Asia/Tokyo", dt.date(2027, 3, 28), dt.time(19, 30), utc(2027, 3, 28, 10, 30)),
        ("Asia/Tokyo", dt.date(2027, 10, 31), dt.time(19, 30), utc(2027, 10, 31, 10, 30)),
    ],
)
def test_local_times_in_other_zones(zone: str, day: dt.date, at: dt.time, expected: dt.datetime) -> None:
    assert local_instant(day, at, ZoneInfo(zone)) == expected


def _shoot(zone: str, start: dt.date, end: dt.date, example: Production, **calendar: object) -> Production:
    return replace(
        example,
        timezone=zone,
        calendar=ShootingCalendar(start=start, end=end, weekdays=frozenset(range(7)), **calendar),  # type: ignore[arg-type]
        sensitisation=(),
    )


def test_daily_prompts_follow_the_local_clock_through_the_spring_change(example: Production) -> None:
    shoot = _shoot("Europe/Paris", dt.date(2027, 3, 26), dt.date(2027, 3, 30), example)
    amina = next(a for a in shoot.assignments if a.who == "amina")
    times = [(o.day, o.at) for o in occurrences(shoot, amina)]
    assert times == [
        (dt.date(2027, 3, 26), utc(2027, 3, 26, 18, 30)),
        (dt.date(2027, 3, 27), utc(2027, 3, 27, 18, 30)),
        (dt.date(2027, 3, 28), utc(2027, 3, 28, 17, 30)),
        (dt.date(2027, 3, 29), utc(2027, 3, 29, 17, 30)),
        (dt.date(2027, 3, 30), utc(2027, 3, 30, 17, 30)),
    ]
    # The gap is 23 hours long in UTC: one prompt a day, never two, never none.
    assert times[2][1] - times[1][1] == dt.timedelta(hours=23)


def test_daily_prompts_follow_the_local_clock_through_the_autumn_change(example: Production) -> None:
    shoot = _shoot("Europe/Paris", dt.date(2027, 10, 29), dt.date(2027, 11, 1), example)
    paul = next(a for a in shoot.assignments if a.who == "paul")
    assert [o.at for o in occurrences(shoot, paul)] == [
        utc(2027, 10, 29, 13, 0),
        utc(2027, 10, 30, 13, 0),
        utc(2027, 10, 31, 14, 0),
        utc(2027, 11, 1, 14, 0),
    ]


def test_a_production_in_montreal_is_prompted_on_montreal_days(example: Production) -> None:
    shoot = _shoot("America/Montreal", dt.date(2027, 3, 13), dt.date(2027, 3, 15), example)
    # 19:30 in Montreal on the 13th is already the 14th in UTC: the prompt is for the 13th.
    due = due_prompts(shoot, linked_states(shoot), utc(2027, 3, 14, 1, 0))
    assert {(o.member_id, o.day) for o in due} == {
        ("amina", dt.date(2027, 3, 13)), ("karim", dt.date(2027, 3, 13)), ("paul", dt.date(2027, 3, 13)),
        ("lea", dt.date(2027, 3, 13)),
    }
    # Nothing for the 14th yet at 21:00 UTC (17:00 EDT), except the caterer's 15:00 prompt.
    due = due_prompts(shoot, linked_states(shoot), utc(2027, 3, 14, 21, 0))
    assert {(o.member_id, o.day) for o in due} == {("paul", dt.date(2027, 3, 14))}


# --- Which days -----------------------------------------------------------------------------------


def test_the_example_week_of_easter_monday(example: Production) -> None:
    days = {
        day: {(o.member_id, o.assignment_key) for o in occurrences_on(example, day)}
        for day in (dt.date(2027, 4, 5) + dt.timedelta(days=n) for n in range(7))
    }
    assert days[dt.date(2027, 4, 5)] == set()  # Easter Monday is a day off
    daily = {("amina", "amina:mileage:mb1"), ("karim", "karim:mileage:car2"), ("paul", "paul:meals"),
             ("lea", "lea:generator_hours:g1"), ("lea", "lea:generator_hours:g2")}
    for day in (6, 7, 8):
        assert days[dt.date(2027, 4, day)] == daily
    assert days[dt.date(2027, 4, 9)] == daily | {("sam", "sam:waste")}  # Friday: the set runner's week
    assert days[dt.date(2027, 4, 10)] == days[dt.date(2027, 4, 11)] == set()  # weekend


def test_weekly_prompts_are_every_friday_of_the_shoot(example: Production) -> None:
    sam = next(a for a in example.assignments if a.who == "sam")
    days = assignment_days(example.calendar, sam)
    assert days[0] == dt.date(2027, 3, 5) and days[-1] == dt.date(2027, 4, 23)
    assert len(days) == 8 and all(d.weekday() == 4 for d in days)


def test_a_weekly_prompt_on_a_day_off_moves_to_the_last_shooting_day_before_it(example: Production) -> None:
    calendar = replace(example.calendar, days_off=frozenset({dt.date(2027, 3, 26), dt.date(2027, 4, 5)}))
    sam = next(a for a in example.assignments if a.who == "sam")
    days = assignment_days(calendar, sam)
    assert dt.date(2027, 3, 25) in days and dt.date(2027, 3, 26) not in days
    assert len(days) == 8


def test_a_shoot_ending_midweek_still_gets_its_last_weekly_prompt(example: Production) -> None:
    calendar = replace(example.calendar, end=dt.date(2027, 4, 21))  # a Wednesday
    sam = next(a for a in example.assignments if a.who == "sam")
    assert assignment_days(calendar, sam)[-1] == dt.date(2027, 4, 21)


def test_monthly_prompts(example: Production) -> None:
    base = Assignment("paul", ReportKind.MEALS, Frequency.MONTHLY, dt.time(18, 0))
    calendar = replace(example.calendar, days_off=frozenset({dt.date(2027, 3, 31)}))
    assert assignment_days(calendar, replace(base, last_shooting_day_of_month=True)) == [
        dt.date(2027, 3, 30),  # 31 March is a day off
        dt.date(2027, 4, 23),  # the shoot ends on Friday 23 April
    ]
    # The 14th of March 2027 is a Sunday: the Friday before.
    assert assignment_days(calendar, replace(base, day_of_month=14)) == [dt.date(2027, 3, 12), dt.date(2027, 4, 14)]
    # Day 31 in a 30-day month: the last day of the month, or the last shooting day before it.
    assert assignment_days(calendar, replace(base, day_of_month=31))[1] == dt.date(2027, 4, 23)


def test_default_frequency_by_production_type() -> None:
    assert default_frequency(ProductionType.AD_SHOOT) is Frequency.DAILY
    assert default_frequency(ProductionType.FEATURE_FILM) is Frequency.WEEKLY
    assert default_frequency(ProductionType.ANIMATION_SERIES) is Frequency.MONTHLY


# --- Who is due now -------------------------------------------------------------------------------


def test_due_prompts_at_the_end_of_a_shooting_day(example: Production) -> None:
    now = utc(2027, 3, 5, 19, 5)  # Friday 5 March, 20:05 in Paris
    due = due_prompts(example, linked_states(example), now)
    assert sorted((o.member_id, o.assignment_key) for o in due) == [
        ("amina", "amina:mileage:mb1"), ("karim", "karim:mileage:car2"),
        ("lea", "lea:generator_hours:g1"), ("lea", "lea:generator_hours:g2"),
        ("paul", "paul:meals"), ("sam", "sam:waste"),
    ]
    assert all(o.day == dt.date(2027, 3, 5) for o in due)
    # At 19:45 local, Léa's 20:00 prompts are not due yet.
    assert {o.member_id for o in due_prompts(example, linked_states(example), utc(2027, 3, 5, 18, 45))} == {
        "amina", "karim", "paul", "sam"
    }


def test_nobody_is_prompted_on_a_day_off(example: Production) -> None:
    assert due_prompts(example, linked_states(example), utc(2027, 4, 5, 21, 0)) == []


def test_who_is_not_prompted(example: Production) -> None:
    states = linked_states(
        example,
        amina={"paused_until": dt.date(2027, 3, 5)},
        karim={"unreachable": True},
        paul={"telegram_chat_id": None},
        lea={"forgotten": True},
        sam={"consent_at": None},
    )
    friday = due_prompts(example, states, utc(2027, 3, 5, 21, 0))
    assert friday == []  # Sam pressed Start but has not said yes yet
    monday = due_prompts(example, states, utc(2027, 3, 8, 21, 0))
    assert {o.member_id for o in monday} == {"amina"}  # her pause ended on Friday


def test_after_downtime_only_todays_prompts_are_due(example: Production) -> None:
    # Back at 00:30 on Tuesday: Monday's prompts are not sent any more, Tuesday's not due yet.
    assert due_prompts(example, linked_states(example), utc(2027, 3, 8, 23, 30)) == []
    # Back at 22:00 on Tuesday: every prompt of Tuesday is due, once each.
    due = due_prompts(example, linked_states(example), utc(2027, 3, 9, 21, 0))
    assert len(due) == 5 and len({o.key for o in due}) == 5


def test_upcoming_prompts_say_why_one_will_not_be_sent(example: Production) -> None:
    states = linked_states(example, amina={"paused_until": dt.date(2027, 3, 9)}, karim={"unreachable": True})
    listed = upcoming_prompts(example, states, utc(2027, 3, 8, 6, 0), days=2)
    reasons = {(o.member_id, o.day): why for o, why in listed if o.member_id in ("amina", "karim", "paul")}
    assert reasons[("amina", dt.date(2027, 3, 9))] == "paused"
    assert reasons[("karim", dt.date(2027, 3, 8))] == "unreachable"
    assert reasons[("paul", dt.date(2027, 3, 8))] is None


# --- Answers, reminders, missed prompts, digest ---------------------------------------------------


def _report(kind: ReportKind, day: dt.date, subject: str | None = None, rid: int = 1, **kw: object) -> Report:
    return Report("feux-aube", "amina", kind, day, {"x": Decimal(1)}, "1", "test", f"r{rid}",
                  utc(2027, 3, 1), subject=subject, id=rid, **kw)  # type: ignore[arg-type]


def test_answered_counts_active_reports_only() -> None:
    first = _report(ReportKind.MILEAGE, dt.date(2027, 3, 1), "mb1", rid=1)
    undone = _report(ReportKind.MILEAGE, dt.date(2027, 3, 1), "mb1", rid=2, corrects=1, void=True)
    other = _report(ReportKind.GENERATOR_LITRES, dt.date(2027, 3, 1), "g1", rid=3)
    keys = answered_keys([first, undone, other])
    assert (ReportKind.MILEAGE, "mb1", dt.date(2027, 3, 1)) not in keys
    assert (ReportKind.GENERATOR_LITRES, "g1", dt.date(2027, 3, 1)) in keys


def _sent(day: int, key: str = "amina:mileage:mb1", subject: str = "mb1") -> SentPrompt:
    return SentPrompt("amina", key, ReportKind.MILEAGE, subject, dt.date(2027, 3, day))


def test_missed_in_a_row() -> None:
    sent = [_sent(1), _sent(2), _sent(3), _sent(4)]
    answered = {(ReportKind.MILEAGE, "mb1", dt.date(2027, 3, 1))}
    run = missed_in_a_row(sent, answered, today=dt.date(2027, 3, 4))
    assert [p.day.day for p in run] == [2, 3]  # the 4th is still open today
    answered.add((ReportKind.MILEAGE, "mb1", dt.date(2027, 3, 3)))  # a late answer breaks the run
    assert missed_in_a_row(sent, answered, today=dt.date(2027, 3, 5)) == [_sent(4)]
    assert missed_in_a_row([], answered, today=dt.date(2027, 3, 5)) == []


def test_missed_days_count_once_however_many_prompts_a_day_has() -> None:
    g1 = [SentPrompt("lea", "lea:generator_hours:g1", ReportKind.GENERATOR_HOURS, "g1", dt.date(2027, 3, d))
          for d in (1, 2)]
    g2 = [SentPrompt("lea", "lea:generator_hours:g2", ReportKind.GENERATOR_HOURS, "g2", dt.date(2027, 3, d))
          for d in (1, 2)]
    run = missed_in_a_row(g1 + g2, set(), today=dt.date(2027, 3, 2))
    assert len(run) == 2 and missed_days(run) == [dt.date(2027, 3, 1)]
    # Day 1 half answered still counts as missed; day 2 is silent: two days in a row.
    answered = {(ReportKind.GENERATOR_HOURS, "g1", dt.date(2027, 3, 1))}
    run = missed_in_a_row(g1 + g2, answered, today=dt.date(2027, 3, 3))
    assert missed_days(run) == [dt.date(2027, 3, 1), dt.date(2027, 3, 2)]
    assert [p.assignment_key for p in run] == ["lea:generator_hours:g2", "lea:generator_hours:g1",
                                                "lea:generator_hours:g2"]


def test_generator_litres_answer_an_hours_prompt() -> None:
    sent = [SentPrompt("lea", "lea:generator_hours:g1", ReportKind.GENERATOR_HOURS, "g1", dt.date(2027, 3, 1))]
    answered = {(ReportKind.GENERATOR_LITRES, "g1", dt.date(2027, 3, 1))}
    assert missed_in_a_row(sent, answered, today=dt.date(2027, 3, 2)) == []


def test_a_reminder_is_due_after_the_delay_and_only_that_day() -> None:
    sent = due = utc(2027, 3, 1, 18, 30)  # 19:30 in Paris
    assert not reminder_is_due(sent, due, 120, utc(2027, 3, 1, 20, 29), PARIS)
    assert reminder_is_due(sent, due, 120, utc(2027, 3, 1, 20, 30), PARIS)
    assert reminder_is_due(sent, due, 120, utc(2027, 3, 1, 22, 59), PARIS)  # 23:59 local
    assert not reminder_is_due(sent, due, 120, utc(2027, 3, 1, 23, 0), PARIS)  # next day: dropped
    # A prompt sent late (after downtime) is reminded two hours after it really went out.
    assert not reminder_is_due(utc(2027, 3, 1, 20, 0), due, 120, utc(2027, 3, 1, 21, 0), PARIS)


def test_digest_covers_the_previous_shooting_day(example: Production) -> None:
    assert digest_day(example, utc(2027, 3, 2, 7, 59)) is None  # before 09:00 local
    assert digest_day(example, utc(2027, 3, 2, 8, 0)) == dt.date(2027, 3, 1)
    assert digest_day(example, utc(2027, 3, 6, 9, 0)) == dt.date(2027, 3, 5)  # Saturday covers Friday
    assert digest_day(example, utc(2027, 3, 7, 9, 0)) is None  # Sunday: Saturday had no prompts
    assert digest_day(example, utc(2027, 4, 6, 9, 0)) is None  # Tuesday: Easter Monday had none
    sent = [_sent(1), SentPrompt("paul", "paul:meals", ReportKind.MEALS, None, dt.date(2027, 3, 1))]
    summary = digest(example, dt.date(2027, 3, 1), sent, {(ReportKind.MEALS, None, dt.date(2027, 3, 1))})
    assert summary.expected == 2
    assert [(line.member_id, line.name) for line in summary.missing] == [("amina", "Amina Diallo")]


# --- Campaigns ------------------------------------------------------------------------------------


def test_campaign_audiences(example: Production) -> None:
    by_message = {c.message: c for c in example.sensitisation}
    assert [m.id for m in campaign_audience(example, by_message["engine-off"])] == ["amina", "karim"]
    assert len(campaign_audience(example, by_message["veggie-day"])) == len(example.crew)
    gaffer = Campaign("mains-hookup", "gaffer", dt.date(2027, 3, 4), dt.time(8, 30))
    assert [m.id for m in campaign_audience(example, gaffer)] == ["lea"]


def test_campaigns_go_out_on_their_day_through_each_members_channel(example: Production) -> None:
    states = linked_states(example, sam={"paused_until": dt.date(2027, 3, 10)})
    assert due_campaigns(example, states, utc(2027, 3, 2, 7, 29)) == []  # 08:29 in Paris
    due = due_campaigns(example, states, utc(2027, 3, 2, 7, 30))
    assert {(d.member_id, d.channel.value) for d in due} == {
        ("amina", "telegram"), ("karim", "telegram"), ("paul", "telegram"), ("lea", "telegram"),
        ("chloe", "discord"), ("marc", "dashboard"),
    }  # Sam is paused
    assert due_campaigns(example, states, utc(2027, 3, 3, 7, 30))[0].message == "engine-off"
    assert due_campaigns(example, states, utc(2027, 3, 3, 23, 30)) == []  # the day after: not sent late


def test_open_prompts_list_what_can_still_be_answered_late(example: Production) -> None:
    states = {s.member_id: s for s in linked_states(example, lea={"paused_until": dt.date(2027, 3, 2)})}
    answered = {(ReportKind.GENERATOR_LITRES, "g1", dt.date(2027, 3, 3))}
    now = utc(2027, 3, 4, 19, 30)  # Thursday 20:30 in Paris
    found = [(o.day.day, o.assignment_key) for o in open_prompts(example, "lea", states["lea"], answered, now)]
    # Paused until Tuesday; g1 of Wednesday answered with litres; Thursday's 20:00 prompts are due.
    assert found == [(3, "lea:generator_hours:g2"), (4, "lea:generator_hours:g1"), (4, "lea:generator_hours:g2")]
    assert open_prompts(example, "lea", states["lea"], answered, now, days_back=0) == [
        o for o in open_prompts(example, "lea", states["lea"], answered, now) if o.day.day == 4
    ]
    assert open_prompts(example, "nobody", None, answered, now) == []


@pytest.mark.parametrize("frequency", ["daily", "weekly-fri", "weekly-sun", "weekly-none", "monthly-14",
                                       "monthly-31", "monthly-last"])
def test_falls_on_agrees_with_the_listed_days(example: Production, frequency: str) -> None:
    base = Assignment("paul", ReportKind.MEALS, Frequency.DAILY, dt.time(18, 0))
    assignment = {
        "daily": base,
        "weekly-fri": replace(base, frequency=Frequency.WEEKLY, weekday=4),
        "weekly-sun": replace(base, frequency=Frequency.WEEKLY, weekday=6),
        "weekly-none": replace(base, frequency=Frequency.WEEKLY),
        "monthly-14": replace(base, frequency=Frequency.MONTHLY, day_of_month=14),
        "monthly-31": replace(base, frequency=Frequency.MONTHLY, day_of_month=31),
        "monthly-last": replace(base, frequency=Frequency.MONTHLY, last_shooting_day_of_month=True),
    }[frequency]
    calendar = replace(example.calendar, days_off=frozenset({dt.date(2027, 3, 26), dt.date(2027, 3, 31),
                                                             dt.date(2027, 4, 5)}))
    listed = set(assignment_days(calendar, assignment))
    every_day = [dt.date(2027, 2, 20) + dt.timedelta(days=n) for n in range(80)]
    assert {d for d in every_day if falls_on(calendar, assignment, d)} == listed
