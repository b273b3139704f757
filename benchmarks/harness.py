"""Running a bot process against the in-process Bot API server, and reading what it did."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Mapping
from pathlib import Path

from tests.support.botapi import BotApiServer

REPO = Path(__file__).resolve().parents[1]


def rss_kib(pid: int) -> dict[str, int]:
    """Resident memory of ``pid`` now and at its peak (``VmRSS``, ``VmHWM`` from /proc), in KiB."""
    out: dict[str, int] = {}
    with open(f"/proc/{pid}/status", encoding="ascii") as f:
        for line in f:
            key, _, value = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                out[key] = int(value.split()[0])
    return out


class BotProcess:
    """``python -m benchmarks.botproc ...`` with the server's URL and token in its environment."""

    def __init__(self, server: BotApiServer, bot: str, *, database_url: str | None = None,
                 flags: tuple[str, ...] = (), env: Mapping[str, str] | None = None) -> None:
        self.server = server
        self.args = [sys.executable, "-m", "benchmarks.botproc", bot, *flags]
        self.env = {
            **os.environ,
            "PYTHONPATH": str(REPO),
            "GREENSLATE_TELEGRAM_TOKEN": server.token,
            "GREENSLATE_TELEGRAM_API_URL": server.base_url,
            **({"GREENSLATE_DATABASE_URL": database_url} if database_url else {}),
            **(env or {}),
        }
        self.process: asyncio.subprocess.Process | None = None
        self.stderr_path: Path | None = None
        self.ready_line = ""  # what followed ``ready`` (the scheduler's first tick's seconds, if it runs)

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    async def start(self, timeout: float = 60.0, stderr_path: Path | None = None) -> None:
        self.stderr_path = stderr_path
        stderr = open(stderr_path, "ab") if stderr_path else subprocess.DEVNULL  # noqa: SIM115 - closed by the child's end
        self.process = await asyncio.create_subprocess_exec(
            *self.args, cwd=REPO, env=self.env, stdout=asyncio.subprocess.PIPE, stderr=stderr,
        )
        if stderr_path:
            stderr.close()  # type: ignore[union-attr]
        assert self.process.stdout is not None
        line = await asyncio.wait_for(self.process.stdout.readline(), timeout)
        word, _, rest = line.decode(errors="replace").strip().partition(" ")
        self.ready_line = rest
        if word != "ready":
            await self.process.wait()
            raise RuntimeError(f"the bot process did not start (exit {self.process.returncode}); "
                               f"see {stderr_path or 'its stderr'}")

    def cpu_seconds(self) -> float:
        """The CPU time (user and system, every thread) the process has used so far, from /proc."""
        with open(f"/proc/{self.pid}/stat", encoding="ascii") as f:
            fields = f.read().rpartition(")")[2].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def kill(self) -> None:
        """SIGKILL: no clean-up of any kind, as when the machine or the OOM killer stops it."""
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)

    async def stop(self, timeout: float = 30.0) -> int:
        assert self.process is not None
        if self.process.returncode is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(self.process.wait(), timeout)
            except TimeoutError:
                self.process.kill()
                await self.process.wait()
        return self.process.returncode or 0


@contextlib.asynccontextmanager
async def running_server(*, enforce_limits: bool = False) -> AsyncIterator[BotApiServer]:
    server = BotApiServer(enforce_limits=enforce_limits)
    await server.start()
    try:
        yield server
    finally:
        await server.stop()


async def wait_for(predicate, timeout: float, interval: float = 0.05) -> bool:  # type: ignore[no-untyped-def]
    """Poll ``predicate`` until true or ``timeout`` seconds pass; says which."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        await asyncio.sleep(interval)
    return bool(predicate())


async def feed_distances(server: BotApiServer, chats: list[int], rate: float) -> None:
    """Each chat types a distance (10 to 709 km, a different one each), ``rate`` answers a second."""
    for i, chat in enumerate(chats):
        server.send(chat, str(10 + i % 700))
        await asyncio.sleep(1 / rate)
