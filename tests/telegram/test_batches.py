"""Store work handed over by concurrent handlers goes together (``bots.telegram.batches.Batches``).

What is handed over while a batch runs goes together into the next one, in the order it came;
each handler gets its own outcome; a batch that fails as a whole fails every request in it and
only those; at most ``max_batch`` requests go together; a lone request is run at once. The batch
function runs in a worker thread: a ``threading.Event`` holds the first batch open while more
requests arrive.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Iterator, Sequence

import pytest

from bots.telegram.batches import Batches

WAIT = 2.0  # seconds: far longer than anything here takes; only a broken batcher waits this long


class Recorder:
    """A batch function: records each batch, holds the first one until ``release()``."""

    def __init__(self, outcome: Callable[[str], object] = lambda r: f"done:{r}") -> None:
        self.batches: list[list[str]] = []
        self.started = threading.Event()
        self.gate = threading.Event()
        self.outcome = outcome
        self.failures: dict[int, Exception] = {}  # the batch (counted from 0) that raises, and what

    def __call__(self, requests: list[str]) -> Sequence[object]:
        assert threading.current_thread() is not threading.main_thread(), "a batch runs in a worker thread"
        number = len(self.batches)
        self.batches.append(list(requests))
        self.started.set()
        assert self.gate.wait(WAIT), "the first batch was never released"
        if number in self.failures:
            raise self.failures[number]
        return [self.outcome(r) for r in requests]

    def release(self) -> None:
        self.gate.set()


@pytest.fixture
def recorder() -> Iterator[Recorder]:
    rec = Recorder()
    yield rec
    rec.release()  # never leave a worker thread waiting


async def _hold_first_batch(batches: Batches[str, object], recorder: Recorder, first: str) -> asyncio.Task[object]:
    """Submit ``first`` and wait until its batch is running (held by the gate) in the worker thread."""
    task = asyncio.create_task(batches.submit(first))
    assert await asyncio.to_thread(recorder.started.wait, WAIT), "the first request was not run"
    return task


async def _submit_while_running(batches: Batches[str, object], requests: list[str]) -> list[asyncio.Task[object]]:
    tasks = [asyncio.create_task(batches.submit(r)) for r in requests]
    await asyncio.sleep(0)  # every task has handed its request over and waits
    return tasks


async def test_requests_arriving_during_a_batch_go_together_into_the_next_one(recorder: Recorder) -> None:
    batches: Batches[str, object] = Batches(recorder)
    first = await _hold_first_batch(batches, recorder, "a")
    later = await _submit_while_running(batches, ["b", "c", "d"])
    assert recorder.batches == [["a"]], "nothing else may run while the first batch runs"
    recorder.release()
    results = await asyncio.wait_for(asyncio.gather(first, *later), WAIT)
    assert recorder.batches == [["a"], ["b", "c", "d"]]
    assert results == ["done:a", "done:b", "done:c", "done:d"]  # each submitter gets its own result
    assert (batches.batches, batches.requests) == (2, 4)


async def _outcomes(tasks: Sequence[asyncio.Future[object]]) -> list[tuple[str, object]]:
    """What each submitter sees: ("returned", value) or ("raised", exception)."""

    async def one(task: asyncio.Future[object]) -> tuple[str, object]:
        try:
            return "returned", await task
        except Exception as exc:
            return "raised", exc

    return list(await asyncio.wait_for(asyncio.gather(*(one(t) for t in tasks)), WAIT))


async def test_an_exception_for_one_request_goes_only_to_its_submitter() -> None:
    refusals = {"bad": ValueError("negative figure"), "worse": LookupError("unknown member")}
    recorder = Recorder(outcome=lambda r: refusals.get(r, f"done:{r}"))
    try:
        batches: Batches[str, object] = Batches(recorder)
        first = await _hold_first_batch(batches, recorder, "first")
        later = await _submit_while_running(batches, ["a", "bad", "b", "worse", "c"])
        recorder.release()
        outcomes = await _outcomes([first, *later])
    finally:
        recorder.release()
    assert recorder.batches == [["first"], ["a", "bad", "b", "worse", "c"]]
    assert outcomes == [("returned", "done:first"), ("returned", "done:a"), ("raised", refusals["bad"]),
                        ("returned", "done:b"), ("raised", refusals["worse"]), ("returned", "done:c")]
    assert outcomes[2][1] is refusals["bad"] and outcomes[4][1] is refusals["worse"]


async def test_a_failed_batch_fails_each_of_its_requests_and_the_next_submit_works(recorder: Recorder) -> None:
    failure = ConnectionError("the database went away")
    recorder.failures[0] = failure  # the first batch fails, once released
    batches: Batches[str, object] = Batches(recorder)
    doomed = await _submit_while_running(batches, ["x", "y", "z"])  # handed over together: one batch
    assert await asyncio.to_thread(recorder.started.wait, WAIT)
    behind = await _submit_while_running(batches, ["p", "q"])  # waiting behind the batch that fails
    recorder.release()
    outcomes = await _outcomes([*doomed, *behind])
    assert outcomes == [("raised", failure)] * 3 + [("returned", "done:p"), ("returned", "done:q")]
    assert all(exc is failure for _, exc in outcomes[:3])
    assert await asyncio.wait_for(batches.submit("after"), WAIT) == "done:after"
    assert recorder.batches == [["x", "y", "z"], ["p", "q"], ["after"]]


async def test_a_batch_giving_the_wrong_number_of_outcomes_fails_each_request() -> None:
    batches: Batches[str, object] = Batches(lambda requests: ["only one"])
    outcomes = await asyncio.wait_for(
        asyncio.gather(batches.submit("a"), batches.submit("b"), return_exceptions=True), WAIT)
    assert [type(o) for o in outcomes] == [RuntimeError, RuntimeError]
    assert "1 outcomes for 2 requests" in str(outcomes[0])


async def test_at_most_max_batch_requests_go_together(recorder: Recorder) -> None:
    batches: Batches[str, object] = Batches(recorder, max_batch=2)
    first = await _hold_first_batch(batches, recorder, "first")
    waiting = await _submit_while_running(batches, ["r1", "r2", "r3", "r4", "r5"])
    recorder.release()
    results = await asyncio.wait_for(asyncio.gather(*waiting), WAIT)
    assert await first == "done:first"
    assert recorder.batches == [["first"], ["r1", "r2"], ["r3", "r4"], ["r5"]]
    assert results == ["done:r1", "done:r2", "done:r3", "done:r4", "done:r5"]
    assert (batches.batches, batches.requests) == (4, 6)


async def test_a_lone_request_is_run_at_once() -> None:
    calls: list[list[str]] = []

    def run_batch(requests: list[str]) -> list[str]:
        calls.append(list(requests))
        return [r.upper() for r in requests]

    batches: Batches[str, str] = Batches(run_batch)
    loop = asyncio.get_running_loop()
    started = loop.time()
    assert await asyncio.wait_for(batches.submit("solo"), 0.5) == "SOLO"
    assert loop.time() - started < 0.25  # not held back waiting for company
    assert calls == [["solo"]]


async def test_work_done_on_the_loop_skips_the_worker_thread() -> None:
    on_loop_batches: list[list[str]] = []

    def on_loop(requests: list[str]) -> list[object]:
        assert threading.current_thread() is threading.main_thread()
        on_loop_batches.append(list(requests))
        return [f"loop:{r}" for r in requests]

    def in_thread(requests: list[str]) -> list[object]:
        raise AssertionError("the worker thread is not used when the loop can do the work")

    batches: Batches[str, object] = Batches(in_thread, on_loop=on_loop)
    assert await asyncio.gather(batches.submit("a"), batches.submit("b")) == ["loop:a", "loop:b"]
    assert on_loop_batches == [["a"], ["b"]] or on_loop_batches == [["a", "b"]]


async def test_a_busy_lock_sends_the_batch_to_a_worker_thread() -> None:
    from store.uow import LockBusy

    tried: list[list[str]] = []
    threads: list[bool] = []

    def on_loop(requests: list[str]) -> list[object]:
        tried.append(list(requests))
        raise LockBusy("another process is writing")

    def in_thread(requests: list[str]) -> list[object]:
        threads.append(threading.current_thread() is not threading.main_thread())
        return [f"thread:{r}" for r in requests]

    batches: Batches[str, object] = Batches(in_thread, on_loop=on_loop)
    assert await batches.submit("x") == "thread:x"
    assert tried == [["x"]] and threads == [True]


async def test_an_awaited_runner_replaces_the_worker_thread() -> None:
    async def run_async(requests: list[str]) -> list[object]:
        await asyncio.sleep(0)
        return [f"async:{r}" for r in requests]

    def in_thread(requests: list[str]) -> list[object]:
        raise AssertionError("the worker thread is not used when an awaited runner is given")

    batches: Batches[str, object] = Batches(in_thread, run_async=run_async)
    assert await asyncio.wait_for(batches.submit("y"), WAIT) == "async:y"

