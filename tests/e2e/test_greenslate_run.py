"""The journey of one figure through the real entry points, as a deployment runs them.

`greenslate run` is started as its own process (under libfaketime, so its clock reads the first
shooting evening) against a local Bot API server; the coordinator uses the `greenslate` command;
Amina uses Telegram. Nothing is called in-process: what is checked is what crossed HTTP and what
the command line reads back from the store.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys
from pathlib import Path

import pytest

from tests.support.botapi import BotApiServer

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "config" / "examples" / "feature-film.yaml"
GREENSLATE = [sys.executable, "-m", "greenslate"]
AMINA = 1001
#: 19:29:40 in Paris on Monday 1 March 2027: twenty seconds before Amina's prompt is due.
START = "2027-03-01 18:29:40"
TOKEN = "4242:e2e-secret-token"

LIBFAKETIME = next(iter(sorted(Path("/usr/lib").glob("*/faketime/libfaketime.so.1"))), None)

pytestmark = pytest.mark.skipif(LIBFAKETIME is None, reason="libfaketime (Debian faketime) is needed")


async def _cli(env: dict[str, str], *args: str) -> str:
    proc = await asyncio.create_subprocess_exec(
        *GREENSLATE, *args, env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT
    )
    out, _ = await proc.communicate()
    assert proc.returncode == 0, out.decode()
    return out.decode()


async def test_a_prompt_an_answer_and_the_balance_through_greenslate_run(tmp_path):
    server = BotApiServer(token=TOKEN)
    await server.start()
    env = {
        **os.environ,
        "GREENSLATE_DATABASE_URL": f"sqlite:///{tmp_path / 'greenslate.sqlite3'}",
        "GREENSLATE_TELEGRAM_TOKEN": TOKEN,
        "GREENSLATE_TELEGRAM_API_URL": server.base_url,
        "GREENSLATE_SCHEDULER_TICK_SECONDS": "1",
        "PYTHONUNBUFFERED": "1",
    }
    run = None
    try:
        await _cli(env, "production", "load", str(EXAMPLE))
        invite = await _cli(env, "crew", "invite", "feux-aube", "--member", "amina", "--days", "365")
        token = invite.strip().split("?start=")[1].split()[0]

        # libfaketime preloaded into greenslate itself (not the faketime wrapper, which keeps signals).
        faked = {**env, "LD_PRELOAD": str(LIBFAKETIME), "FAKETIME": f"@{START}", "FAKETIME_DONT_FAKE_MONOTONIC": "1"}
        run = await asyncio.create_subprocess_exec(
            *GREENSLATE, "-v", "run", "--no-dashboard",
            env=faked, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
        )
        server.add_user(AMINA, "Amina", "fr")
        mark = server.mark()
        server.send(AMINA, f"/start {token}")
        [welcome] = await server.replies(AMINA, 1, since=mark, timeout=30)
        assert welcome.plain.startswith("Bonjour Amina.")
        mark = server.mark()
        server.press(AMINA, welcome.message_id, welcome.button("Oui"))
        await server.replies(AMINA, 1, since=mark, timeout=15)

        # The scheduler in the other process sends the 19:30 prompt on its own.
        mark = server.mark()
        [prompt] = await server.replies(AMINA, 1, since=mark, timeout=60)
        assert "compteur kilométrique de Minibus MB-1" in prompt.plain

        mark = server.mark()
        server.send(AMINA, "45 230", reply_to=prompt.message_id)
        [recap] = await server.replies(AMINA, 1, since=mark, timeout=15)
        assert "220 km" in recap.plain

        run.send_signal(signal.SIGTERM)
        output, _ = await asyncio.wait_for(run.communicate(), timeout=30)
        log = output.decode()
        assert run.returncode == 0, log
        assert "e2e-secret-token" not in log  # the token never reaches a log line
        run = None

        balance = json.loads(await _cli(env, "balance", "feux-aube", "--format", "json"))
        transport = next(c for c in balance["categories"] if c["category"] == "transport")
        assert transport["kgco2e"] == 71.418  # 220 km x 0.324626 kg per km (van factor, a proxy)
        assert len([s for s in server.sent_to(AMINA) if "quel est le compteur" in s.plain]) == 1  # prompted once
    finally:
        if run is not None and run.returncode is None:
            run.kill()
            await run.wait()
        await server.stop()
