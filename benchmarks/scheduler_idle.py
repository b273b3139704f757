"""The scheduler's idle cost: CPU of a tick when nothing is due, at N crew members.

N members (productions of 150, as the other bot benchmarks) on a SQLite file, each with a daily
prompt at 19:30 and two weeks of prompts already sent (what planning reads back: 45 days of outbox).
The real ``scheduler.runner.tick`` is driven by hand over simulated minutes of a quiet late morning
(nothing due), 20 simulated seconds apart as ``greenslate run`` ticks, back to back; the process's
CPU time (every thread: planning runs in worker threads) and each tick's wall time are read around
each tick. Two ways, in the same run on the same store:

- **every tick plans every production** (what the scheduler did before: a sweep at every tick);
- **planned at the next change** (what it does now: a production is planned when something of it
  can fall due, its crew's fingerprint changed, or its turn in the hourly sweep came, the turns
  spread over the hour; the window's first tick, the scheduler's first on a store without stored
  wake-ups, plans every production);
- **planned at the next change, after a restart**: the same, the scheduler started again on the
  wake-ups the warm-up stored: its first tick plans only what is due or changed.

Then the event loop while a tick plans every production (a start on a store without wake-ups, a
clock set back), two ways in turn: all in one worker-thread call (as before) and one production per
call with a pause between (as ``runner.plan_tick`` does now). A stand-in for an answer (three
round trips to the store through worker threads, as an answer makes) runs every 10 ms meanwhile;
its time is printed (p50, p99, slowest) with the planning's wall and CPU time.

Figures: CPU per tick (mean, and the share of one core it takes at one tick every 20 s), the
slowest tick, and what the ticks recorded (nothing, in both: nothing is due). For the second way,
also the first tick's CPU, the mean and the slowest of the other ticks (which include their share
of the sweep: in 10 simulated minutes, a sixth of the productions take their turn), and the share of
a core they take.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, text

from benchmarks.common import Result, scratch_sqlite_database, summary_ms
from benchmarks.crew import FIRST_DAY, HISTORY_DAYS, due_instant, load_crews, seed_history
from scheduler.planner import plan
from scheduler.runner import TICK_SECONDS, SchedulerContext, plan_tick, tick
from scheduler.wake import Wakeups
from store.engine import make_engine
from store.uow import SqlUnitOfWork


async def _window(ctx: SchedulerContext, start: dt.datetime, ticks: int) -> dict[str, Any]:
    cpu: list[float] = []
    wall: list[float] = []
    recorded = sent = 0
    for i in range(ticks):
        now = start + dt.timedelta(seconds=TICK_SECONDS * i)
        c0, w0 = time.process_time(), time.perf_counter()
        report = await tick(ctx, now)
        cpu.append(time.process_time() - c0)
        wall.append(time.perf_counter() - w0)
        recorded += report.recorded
        sent += report.sent
    mean = statistics.fmean(cpu)
    rest = statistics.fmean(cpu[1:]) if ticks > 1 else mean
    return {"ticks": ticks, "simulated_minutes": round(ticks * TICK_SECONDS / 60, 1),
            "cpu_per_tick_mean_ms": round(mean * 1000, 1), "cpu_per_tick_max_ms": round(max(cpu) * 1000, 1),
            "wall_per_tick_max_ms": round(max(wall) * 1000, 1),
            "share_of_one_core": round(mean / TICK_SECONDS, 4), "recorded": recorded, "sent": sent,
            "first_tick_cpu_ms": round(cpu[0] * 1000, 1), "other_ticks_cpu_mean_ms": round(rest * 1000, 2),
            "other_ticks_cpu_max_ms": round(max(cpu[1:] or cpu) * 1000, 1),
            "other_ticks_wall_max_ms": round(max(wall[1:] or wall) * 1000, 1),
            "share_of_one_core_after_the_first": round(rest / TICK_SECONDS, 4)}


async def _probed(engine: Engine, planning: Callable[[], Awaitable[object]]) -> dict[str, Any]:
    """How long a stand-in for an answer takes while ``planning`` runs: three round trips to the
    store through worker threads, as an answer's are, one every 10 ms (p50, p99, slowest)."""
    def query() -> None:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))

    took: list[float] = []
    done = False

    async def probe() -> None:
        while not done:
            t0 = time.perf_counter()
            for _ in range(3):
                await asyncio.to_thread(query)
            took.append(time.perf_counter() - t0)
            await asyncio.sleep(0.01)

    prober = asyncio.create_task(probe())
    w0, c0 = time.perf_counter(), time.process_time()
    await planning()
    wall, cpu = time.perf_counter() - w0, time.process_time() - c0
    done = True
    await prober
    return {"planning_wall_ms": round(wall * 1000, 1), "planning_cpu_ms": round(cpu * 1000, 1), **summary_ms(took)}


async def _run(quick: bool) -> Result:
    members = 600 if quick else 10_000
    ticks = 18 if quick else 30
    result = Result("scheduler_idle", quick)
    logging.getLogger("scheduler").setLevel(logging.ERROR)  # the warm-up's digests and escalations
    with tempfile.TemporaryDirectory() as d, scratch_sqlite_database(Path(d)) as url:
        engine = make_engine(url)
        try:
            started = time.perf_counter()
            chats = load_crews(engine, "idle", members, 800_000)
            history = seed_history(engine, chats, HISTORY_DAYS)
            productions = len({p for p, _ in chats})
            result.sizes = {"members": members, "productions": productions, "history_days": HISTORY_DAYS,
                            "outbox_rows_before": history, "tick_every_seconds": TICK_SECONDS,
                            "store": "SQLite file", "setup_seconds": round(time.perf_counter() - started, 1)}
            day = FIRST_DAY + dt.timedelta(days=HISTORY_DAYS)
            quiet = due_instant(day) - dt.timedelta(hours=8)  # 11:30 in Paris: nothing due until 19:30

            def context(wakeups: Wakeups) -> SchedulerContext:
                return SchedulerContext(engine=engine, uow_factory=lambda: SqlUnitOfWork(engine), wakeups=wakeups)

            # Warm-up: the digest and the escalations the history calls for are recorded and sent once
            # (a tick sends at most 1,000: as many ticks as that takes, a second apart, before the window).
            warm = context(Wakeups())
            for second in range(100):
                if not await tick(warm, quiet - dt.timedelta(seconds=100 - second)):
                    break
            # The warm-up stored the productions' wake-ups; these two windows neither read nor write them.
            every = await _window(context(Wakeups(sweep=dt.timedelta(0), stored=False)), quiet, ticks)
            planned = await _window(context(Wakeups(stored=False)), quiet, ticks)
            restarted = await _window(context(Wakeups()), quiet, ticks)
            # The event loop while a tick plans every production (a start on a store without wake-ups,
            # a clock set back): all in one worker-thread call, as before, or one production per call
            # with a pause between, as the tick does now.
            whole = await _probed(engine, lambda: asyncio.to_thread(plan, lambda: SqlUnitOfWork(engine), quiet,
                                                                    Wakeups(stored=False)))
            sliced = await _probed(engine, lambda: plan_tick(context(Wakeups(stored=False)), quiet))
        finally:
            engine.dispose()
    result.figures["every_tick_plans_every_production"] = every
    result.figures["planned_at_the_next_change"] = planned
    result.figures["planned_at_the_next_change_after_a_restart"] = restarted
    result.figures["loop_while_a_tick_plans_every_production"] = {
        "one_worker_thread_call": whole, "one_call_per_production": sliced}
    result.target("restart_first_tick_cpu_ms", restarted["first_tick_cpu_ms"],
                  planned["first_tick_cpu_ms"] / 10, at_least=False)
    result.figures["cpu_ratio_next_change_over_every_tick"] = round(
        planned["cpu_per_tick_mean_ms"] / every["cpu_per_tick_mean_ms"], 3) if every["cpu_per_tick_mean_ms"] else 0.0
    result.target("idle_share_of_one_core", planned["share_of_one_core_after_the_first"], 0.01, at_least=False)
    result.target("idle_ticks_recorded_nothing", planned["recorded"] + every["recorded"], 0, at_least=False)
    return result


def run(quick: bool = False) -> Result:
    return asyncio.run(_run(quick))
