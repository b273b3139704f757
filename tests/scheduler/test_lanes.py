"""Lanes: each sender's rows in claim order, the senders side by side, one sender as before."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import pytest

from scheduler.lanes import AHEAD_PER_LANE, Lanes


def _batch(lane: str, n: int) -> list[Any]:
    return [f"{lane}{i}" for i in range(n)]


async def test_a_slow_lane_does_not_hold_up_the_others_and_each_keeps_its_order() -> None:
    sent: list[tuple[str, float]] = []
    start = time.monotonic()

    async def send(items: list[Any]) -> None:
        for item in items:
            await asyncio.sleep(0.05 if item.startswith("slow") else 0.001)
            sent.append((item, time.monotonic() - start))

    lanes = Lanes(send, lanes=2)
    for n in range(3):
        await lanes.room()
        lanes.add({"slow": _batch(f"slow{n}-", 4), "fast": _batch(f"fast{n}-", 4)})
    await lanes.finish()
    slow = [item for item, _ in sent if item.startswith("slow")]
    fast = [(item, at) for item, at in sent if item.startswith("fast")]
    assert slow == [f"slow{n}-{i}" for n in range(3) for i in range(4)]
    assert [item for item, _ in fast] == [f"fast{n}-{i}" for n in range(3) for i in range(4)]
    assert fast[-1][1] < 0.5  # done long before the slow lane's 12 × 50 ms
    assert sent[-1][0] == "slow2-3"


async def test_with_one_lane_a_batch_is_claimed_only_once_the_last_one_is_sent() -> None:
    in_flight: list[int] = []

    async def send(items: list[Any]) -> None:
        in_flight.append(len(items))
        await asyncio.sleep(0.01)
        in_flight.remove(len(items))

    lanes = Lanes(send, lanes=1)
    for _ in range(3):
        await lanes.room()
        assert in_flight == []
        lanes.add({None: _batch("x", 5)})
    await lanes.finish()


async def test_several_lanes_claim_ahead_up_to_a_bound() -> None:
    release = asyncio.Event()

    async def send(items: list[Any]) -> None:
        await release.wait()

    lanes = Lanes(send, lanes=2)
    claimed = 0
    while True:
        try:
            await asyncio.wait_for(lanes.room(), 0.05)
        except TimeoutError:
            break
        lanes.add({"a": _batch("a", 20)})
        claimed += 20
    assert claimed == 2 * AHEAD_PER_LANE
    release.set()
    await lanes.finish()


async def test_an_error_in_a_lane_ends_the_tick_after_the_rest_is_sent() -> None:
    sent: list[Any] = []

    async def send(items: list[Any]) -> None:
        if items[0] == "bad0":
            raise RuntimeError("store unreachable")
        sent.extend(items)

    lanes = Lanes(send, lanes=2)
    lanes.add({"a": _batch("bad", 2), "b": _batch("b", 2)})
    lanes.add({"a": _batch("a", 2)})
    with pytest.raises(RuntimeError, match="store unreachable"):
        await lanes.finish()
    assert sorted(sent) == ["a0", "a1", "b0", "b1"]
    with pytest.raises(RuntimeError):
        await lanes.room()
