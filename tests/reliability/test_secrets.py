"""Tokens and passwords never appear in logs or error messages.

greenslate runs with known secrets (a Telegram token, a Discord token, the dashboard's secret key,
a database password, a user's password typed at sign-in) at the most talkative log level, and is
made to fail in the ways that print things: the Bot API answering 500 and 401, a Discord login
that cannot reach Discord, a database that refuses connections, a wrong password at sign-in,
strangers writing to the bot. Then everything it printed is searched for each secret.
"""

from __future__ import annotations

import asyncio
import contextlib
import http.cookiejar
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from benchmarks.harness import REPO, BotProcess
from tests.support.botapi import BotApiServer

pytestmark = [pytest.mark.reliability, pytest.mark.timeout(300)]

TELEGRAM_TOKEN = "424242:AAH-telegram-secret-Zq7xW9vK2mN4pL8"
DISCORD_TOKEN = "MTA0-discord-secret.GhX2.Yq9w-vK2mN4pL8tR6sU1"
DASHBOARD_KEY = "dashboard-secret-key-7f3c9e1a5b"
DB_PASSWORD = "db-secret-Pa55w0rd-91x"
USER_PASSWORD = "user-secret-Hunter2-typed-at-login"

SECRETS = {
    "telegram token": TELEGRAM_TOKEN,
    "telegram token's secret part": TELEGRAM_TOKEN.split(":", 1)[1],
    "discord token": DISCORD_TOKEN,
    "dashboard key": DASHBOARD_KEY,
    "database password": DB_PASSWORD,
    "user password": USER_PASSWORD,
}


def assert_no_secret(output: str, where: str) -> None:
    assert output.strip(), f"{where} printed nothing: the search would prove nothing"
    for name, secret in SECRETS.items():
        assert secret not in output, f"the {name} appears in {where}"
        # also URL-encoded, as in a request line
        assert urllib.parse.quote(secret, safe="") not in output or secret == urllib.parse.quote(secret, safe=""), name


def _with_password(url: str) -> str:
    return make_url(url).set(password=DB_PASSWORD).render_as_string(hide_password=False)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _greenslate(*args: str, env: dict[str, str], timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(Path(sys.executable).with_name("greenslate")), *args],
                          cwd=REPO, env=env, capture_output=True, text=True, timeout=timeout)


def _base_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GREENSLATE_")}
    env.update(GREENSLATE_LOG_LEVEL="DEBUG", **extra)
    return env


def test_a_database_that_refuses_connections_does_not_print_its_password(tmp_path: Path) -> None:
    url = f"postgresql://postgres:{DB_PASSWORD}@127.0.0.1:{_free_port()}/greenslate"
    for args in (("--debug", "db", "upgrade"), ("--debug", "production", "list"), ("balance", "feux-aube")):
        run = _greenslate(*args, env=_base_env(GREENSLATE_DATABASE_URL=url))
        assert run.returncode != 0
        assert_no_secret(run.stdout + run.stderr, f"`greenslate {' '.join(args)}`")


@pytest.mark.postgres
async def test_the_bot_process_at_debug_level_never_prints_its_token(pg_db_url: str, tmp_path: Path) -> None:
    server = BotApiServer(token=TELEGRAM_TOKEN)
    await server.start()
    log = tmp_path / "bot.log"
    bot = BotProcess(server, "greenslate", database_url=_with_password(pg_db_url),
                     env={"GREENSLATE_LOG_LEVEL": "DEBUG"})
    try:
        await bot.start(stderr_path=log)
        server.fail_next("sendMessage", 500)
        server.fail_next("sendMessage", 401)
        for chat, text in ((5001, "/start not-an-invite"), (5002, "45 230"), (5003, TELEGRAM_TOKEN),
                           (5004, "/start " + "x" * 64)):
            server.send(chat, text)
        await asyncio.sleep(4)
    finally:
        await bot.stop()
        await server.stop()
    output = log.read_text(errors="replace")
    # The user typed the token as a message (5003): the bot may quote what users type, so the token
    # may only ever appear redacted; the check below holds because redaction covers every record.
    assert "getUpdates" in output  # DEBUG logging really ran, with every request
    assert_no_secret(output, "the bot's log")


@pytest.mark.postgres
def test_a_discord_login_that_fails_does_not_print_the_token(pg_db_url: str, tmp_path: Path) -> None:
    """Discord is out of reach here: the login fails, and says so without the token."""
    env = _base_env(GREENSLATE_DATABASE_URL=_with_password(pg_db_url), GREENSLATE_DISCORD_TOKEN=DISCORD_TOKEN,
                    GREENSLATE_DASHBOARD_SECRET_KEY=DASHBOARD_KEY)
    assert _greenslate("db", "upgrade", env=env).returncode == 0
    try:
        run = _greenslate("--debug", "run", "--no-dashboard", "--no-scheduler", env=env, timeout=60)
        output = run.stdout + run.stderr
    except subprocess.TimeoutExpired as still_running:  # it may keep retrying: what it printed counts
        output = (still_running.stdout or b"").decode() + (still_running.stderr or b"").decode()
    assert "discord" in output.lower()
    assert_no_secret(output, "the output of `greenslate --debug run` with Discord out of reach")


@pytest.mark.postgres
def test_greenslate_run_with_every_secret_set_never_prints_one(pg_db_url: str, tmp_path: Path) -> None:
    # The Bot API server runs in a thread's loop so this test can drive the dashboard synchronously.
    loop = asyncio.new_event_loop()
    server = BotApiServer(token=TELEGRAM_TOKEN)
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    asyncio.run_coroutine_threadsafe(server.start(), loop).result(10)
    port = _free_port()
    env = _base_env(
        GREENSLATE_DATABASE_URL=_with_password(pg_db_url),
        GREENSLATE_TELEGRAM_TOKEN=TELEGRAM_TOKEN,
        GREENSLATE_TELEGRAM_API_URL=server.base_url,
        GREENSLATE_DASHBOARD_SECRET_KEY=DASHBOARD_KEY,
        GREENSLATE_DASHBOARD_PORT=str(port),
    )
    upgrade = _greenslate("db", "upgrade", env=env)
    assert upgrade.returncode == 0, upgrade.stderr
    out_path, err_path = tmp_path / "run.out", tmp_path / "run.err"
    with open(out_path, "w") as out, open(err_path, "w") as err:
        run = subprocess.Popen([str(Path(sys.executable).with_name("greenslate")), "--debug", "run"], cwd=REPO,
                               env=env, stdout=out, stderr=err, start_new_session=True)
        try:
            _drive_dashboard(port)
            loop.call_soon_threadsafe(server.send, 6001, "/start expired-or-unknown")
            loop.call_soon_threadsafe(server.fail_next, "sendMessage", 500)
            loop.call_soon_threadsafe(server.send, 6002, "12,5")
            asyncio.run_coroutine_threadsafe(asyncio.sleep(4), loop).result(10)
        finally:
            os.killpg(run.pid, signal.SIGTERM)
            try:
                run.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(run.pid, signal.SIGKILL)
                run.wait(10)
            asyncio.run_coroutine_threadsafe(server.stop(), loop).result(10)
            loop.call_soon_threadsafe(loop.stop)
    output = out_path.read_text(errors="replace") + err_path.read_text(errors="replace")
    assert_no_secret(output, "the output of `greenslate --debug run`")


def _drive_dashboard(port: int) -> None:
    """Wait for the dashboard, then sign in with a wrong password and ask for pages and a download."""
    base = f"http://127.0.0.1:{port}"
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
    page = ""
    for _ in range(120):
        try:
            page = opener.open(base + "/login", timeout=2).read().decode()
            break
        except OSError:
            time.sleep(0.5)
    assert 'name="csrf"' in page, "the dashboard did not come up"
    csrf = re.search(r'name="csrf" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    body = urllib.parse.urlencode({"csrf": csrf, "email": "marc@example.org", "password": USER_PASSWORD}).encode()
    try:
        opener.open(base + "/login", data=body, timeout=5)
    except urllib.error.HTTPError as refused:
        assert refused.code == 401
        assert USER_PASSWORD not in refused.read().decode()
    for path in ("/", "/plan?production=feux-aube", "/download/feux-aube/csv", "/_dash-layout"):
        with contextlib.suppress(urllib.error.HTTPError):
            opener.open(base + path, timeout=5).read()


class _ThreadedBotApi:
    """The local Bot API server in a thread's loop, so a test can run commands synchronously."""

    def __init__(self, token: str) -> None:
        self.server = BotApiServer(token=token)
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)

    def __enter__(self) -> BotApiServer:
        self.thread.start()
        asyncio.run_coroutine_threadsafe(self.server.start(), self.loop).result(10)
        return self.server

    def __exit__(self, *exc: object) -> None:
        asyncio.run_coroutine_threadsafe(self.server.stop(), self.loop).result(10)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)


def _sqlite_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = _base_env(GREENSLATE_DATABASE_URL=f"sqlite:///{tmp_path / 'greenslate.sqlite3'}",
                    GREENSLATE_DASHBOARD_SECRET_KEY=DASHBOARD_KEY, GREENSLATE_DISCORD_TOKEN=DISCORD_TOKEN,
                    **extra)
    loaded = _greenslate("production", "load", "config/examples/feature-film.yaml", env=env)
    assert loaded.returncode == 0, loaded.stderr
    return env


def _greenslate_until_it_ends(*args: str, env: dict[str, str], log: Path, timeout: float = 60) -> tuple[int, str]:
    """Run a command that should end by itself; what it printed (stdout, then stderr) and its exit code."""
    with open(log, "w") as err:
        process = subprocess.Popen([str(Path(sys.executable).with_name("greenslate")), *args], cwd=REPO, env=env,
                                   stdout=subprocess.PIPE, stderr=err, text=True, start_new_session=True)
        try:
            out, _ = process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            out, _ = process.communicate(timeout=10)
    return process.returncode, out + log.read_text(errors="replace")


@pytest.mark.parametrize("api", ["rejects the token", "answers 404"])
@pytest.mark.parametrize("verbosity", [(), ("-v",), ("--debug",)])
def test_a_refused_token_or_a_wrong_api_url_ends_run_with_a_clear_line_and_no_token(
        tmp_path: Path, api: str, verbosity: tuple[str, ...]) -> None:
    with _ThreadedBotApi("999:the-token-the-server-knows") as server:
        url = server.base_url if api == "rejects the token" else server.base_url.replace("/bot", "/nothing/bot")
        env = _sqlite_env(tmp_path, GREENSLATE_TELEGRAM_TOKEN=TELEGRAM_TOKEN, GREENSLATE_TELEGRAM_API_URL=url)
        code, output = _greenslate_until_it_ends(*verbosity, "run", "--no-dashboard", "--no-scheduler",
                                                 env=env, log=tmp_path / "run.log")
    assert_no_secret(output, f"`greenslate {' '.join(verbosity)} run` against a Bot API that {api}")
    assert code == 1, output
    assert "Telegram refused the bot token" in output


@pytest.mark.parametrize("verbosity", [("-v",), ("--debug",)])
def test_crew_invite_at_every_log_level_never_prints_the_token(tmp_path: Path, verbosity: tuple[str, ...]) -> None:
    """The username is asked of the Bot API: its request lines (``/bot<token>/getMe``) are logged."""
    with _ThreadedBotApi(TELEGRAM_TOKEN) as server:
        env = _sqlite_env(tmp_path, GREENSLATE_TELEGRAM_TOKEN=TELEGRAM_TOKEN,
                          GREENSLATE_TELEGRAM_API_URL=server.base_url)
        code, output = _greenslate_until_it_ends(*verbosity, "crew", "invite", "feux-aube",
                                                 env=env, log=tmp_path / "invite.log")
    assert code == 0, output
    assert "getMe" in output  # the request lines were really logged
    assert "https://t.me/" in output
    assert_no_secret(output, f"`greenslate {' '.join(verbosity)} crew invite`")


def test_a_debug_traceback_never_prints_a_secret(tmp_path: Path) -> None:
    """An unexpected error with ``--debug`` ends with Python's traceback, written after the CLI's error line."""
    env = _sqlite_env(tmp_path, GREENSLATE_TELEGRAM_TOKEN=TELEGRAM_TOKEN,
                      # the token lands where the port goes: the URL parser's error quotes it
                      GREENSLATE_TELEGRAM_API_URL="http://127.0.0.1:{token}")
    code, output = _greenslate_until_it_ends("--debug", "run", "--no-dashboard", "--no-scheduler",
                                             env=env, log=tmp_path / "run.log")
    assert code != 0
    assert "Traceback" in output, output
    assert_no_secret(output, "the traceback of `greenslate --debug run`")
