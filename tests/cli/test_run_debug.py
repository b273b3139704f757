"""``greenslate run --debug``: more log lines, never an interactive debugger, and it stops when told."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
GREENSLATE = str(Path(sys.executable).with_name("greenslate"))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


def _get(url: str) -> tuple[int, dict[str, str], str]:
    opener = urllib.request.build_opener(_NoRedirect)
    try:
        with opener.open(url, timeout=5) as response:
            return response.status, dict(response.headers), response.read().decode(errors="replace")
    except urllib.error.HTTPError as answer:
        return answer.code, dict(answer.headers), answer.read().decode(errors="replace")


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GREENSLATE_")}
    env["GREENSLATE_DATABASE_URL"] = f"sqlite:///{tmp_path / 'greenslate.sqlite3'}"
    subprocess.run([GREENSLATE, "db", "upgrade"], cwd=REPO, env=env, check=True, capture_output=True)
    return env


@pytest.mark.parametrize("debug", [["run", "--debug"], ["--debug", "run"]], ids=["run --debug", "--debug run"])
@pytest.mark.parametrize("stop_with", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_debug_serves_no_debugger_and_the_process_stops_when_told(
        env: dict[str, str], tmp_path: Path, debug: list[str], stop_with: signal.Signals) -> None:
    port = _free_port()
    err_path = tmp_path / "run.err"
    with open(err_path, "w") as err:
        process = subprocess.Popen([GREENSLATE, *debug, "--no-bots", "--no-scheduler", "--port", str(port)],
                                   cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=err, start_new_session=True)
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(120):
            try:
                status, _, _ = _get(base + "/login")
                break
            except OSError:
                time.sleep(0.25)
        assert status == 200, "the dashboard did not come up"
        for path in ("/console", "/console?__debugger__=yes&cmd=resource&f=debugger.js", "/?__debugger__=yes"):
            status, headers, body = _get(base + path)
            assert "werkzeug" not in headers.get("Server", "").lower(), path
            assert status in (302, 401, 404), (path, status)  # the sign-in page, or nothing: never a console
            if status == 302:
                assert headers["Location"].startswith("/login"), path
            else:
                assert "Werkzeug" not in body and "debugger" not in body, path
        process.send_signal(stop_with)
        code = process.wait(timeout=20)  # TimeoutExpired: the process ignored the signal
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(10)
    assert code == 0
    assert " DEBUG " in err_path.read_text(), "--debug shows debug log lines"
