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


def _environment(tmp_path: Path, server: BotApiServer, **more: str) -> dict[str, str]:
    """What a deployment sets: a SQLite store, the bot's token and API server, a tick every second."""
    return {
        **os.environ,
        "GREENSLATE_DATABASE_URL": f"sqlite:///{tmp_path / 'greenslate.sqlite3'}",
        "GREENSLATE_TELEGRAM_TOKEN": TOKEN,
        "GREENSLATE_TELEGRAM_API_URL": server.base_url,
        "GREENSLATE_SCHEDULER_TICK_SECONDS": "1",
        "PYTHONUNBUFFERED": "1",
        **more,
    }


async def _start_run(env: dict[str, str]) -> asyncio.subprocess.Process:
    """``greenslate -v run --no-dashboard``, libfaketime preloaded into greenslate itself (not the
    faketime wrapper, which keeps signals), its clock at ``START``."""
    faked = {**env, "LD_PRELOAD": str(LIBFAKETIME), "FAKETIME": f"@{START}", "FAKETIME_DONT_FAKE_MONOTONIC": "1"}
    return await asyncio.create_subprocess_exec(
        *GREENSLATE, "-v", "run", "--no-dashboard",
        env=faked, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
    )


async def _join(bot: BotApiServer, token: str) -> None:
    """Amina opens her invite link and says yes to the figures being collected."""
    bot.add_user(AMINA, "Amina", "fr")
    mark = bot.mark()
    bot.send(AMINA, f"/start {token}")
    [welcome] = await bot.replies(AMINA, 1, since=mark, timeout=30)
    assert welcome.plain.startswith("Bonjour Amina.")
    mark = bot.mark()
    bot.press(AMINA, welcome.message_id, welcome.button("Oui"))
    await bot.replies(AMINA, 1, since=mark, timeout=15)


async def _stop_run(run: asyncio.subprocess.Process) -> str:
    """SIGTERM, as a service manager stops it: it ends cleanly; its log."""
    run.send_signal(signal.SIGTERM)
    output, _ = await asyncio.wait_for(run.communicate(), timeout=30)
    log = output.decode()
    assert run.returncode == 0, log
    return log


async def test_a_prompt_an_answer_and_the_balance_through_greenslate_run(tmp_path):
    server = BotApiServer(token=TOKEN)
    await server.start()
    env = _environment(tmp_path, server)
    run = None
    try:
        await _cli(env, "production", "load", str(EXAMPLE))
        invite = await _cli(env, "crew", "invite", "feux-aube", "--member", "amina", "--days", "365")
        token = invite.strip().split("?start=")[1].split()[0]

        run = await _start_run(env)
        await _join(server, token)

        # The scheduler in the other process sends the 19:30 prompt on its own.
        mark = server.mark()
        [prompt] = await server.replies(AMINA, 1, since=mark, timeout=60)
        assert "compteur kilométrique de Minibus MB-1" in prompt.plain

        mark = server.mark()
        server.send(AMINA, "45 230", reply_to=prompt.message_id)
        [recap] = await server.replies(AMINA, 1, since=mark, timeout=15)
        assert "220 km" in recap.plain

        log = await _stop_run(run)
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


async def test_two_bots_in_one_greenslate_run_each_serving_its_own_production(tmp_path):
    """The same person on two crews, each served by its own bot: one prompt and one answer through each."""
    server = BotApiServer(token=TOKEN)
    south = server.add_bot("4343:e2e-south-token", bot_id=4343, username="feux_sud_bot")
    await server.start()
    second = tmp_path / "nuit-sud.yaml"
    second.write_text(EXAMPLE.read_text(encoding="utf-8").replace(
        "  id: feux-aube ", "  id: nuit-sud\n  telegram_bot: sud\n  # ", 1), encoding="utf-8")
    env = _environment(tmp_path, server, GREENSLATE_TELEGRAM_BOTS=f"sud={south.token}")
    env.pop("GREENSLATE_TELEGRAM_BOT_USERNAME", None)
    env.pop("GREENSLATE_TELEGRAM_BOT_USERNAMES", None)
    run = None
    try:
        await _cli(env, "production", "load", str(EXAMPLE))
        await _cli(env, "production", "load", str(second))
        links = {}
        for production, bot in (("feux-aube", server), ("nuit-sud", south)):
            invite = await _cli(env, "crew", "invite", production, "--member", "amina", "--days", "365")
            assert f"https://t.me/{bot.username}?start=" in invite  # the username asked of that bot
            links[production] = invite.strip().split("?start=")[1].split()[0]

        run = await _start_run(env)
        prompts = {}
        for production, bot in (("feux-aube", server), ("nuit-sud", south)):
            await _join(bot, links[production])
            prompts[production] = bot.mark()
        for production, bot in (("feux-aube", server), ("nuit-sud", south)):
            [prompt] = await bot.replies(AMINA, 1, since=prompts[production], timeout=60)
            assert "compteur kilométrique de Minibus MB-1" in prompt.plain
            mark = bot.mark()
            bot.send(AMINA, "45 230" if bot is server else "45 110", reply_to=prompt.message_id)
            [recap] = await bot.replies(AMINA, 1, since=mark, timeout=15)
            assert ("220 km" if bot is server else "100 km") in recap.plain

        log = await _stop_run(run)
        assert "e2e-secret-token" not in log and "e2e-south-token" not in log
        run = None

        for production, km in (("feux-aube", 220), ("nuit-sud", 100)):
            balance = json.loads(await _cli(env, "balance", production, "--format", "json"))
            transport = next(c for c in balance["categories"] if c["category"] == "transport")
            assert transport["kgco2e"] == round(km * 0.324626, 3)
        for bot in (server, south):
            assert len([s for s in bot.sent_to(AMINA) if "quel est le compteur" in s.plain]) == 1
    finally:
        if run is not None and run.returncode is None:
            run.kill()
            await run.wait()
        await server.stop()
