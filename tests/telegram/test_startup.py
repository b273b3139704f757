"""The bot's process stores answers with SQLAlchemy Core alone: SQLAlchemy's ORM is never imported.

The real bot runs in a fresh interpreter, on a SQLite store: a member joins, is prompted, answers,
and the answer is stored; then it prints the modules it imported (``sys.modules``). On PostgreSQL
the bot also opens SQLAlchemy's asyncio engine, whose package imports the ORM's ``AsyncSession``
as it loads: that import is SQLAlchemy's, not the store's.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

#: The bot started on the store given as argv[1]; one answer typed; the reply and the modules printed.
ANSWER_AND_LIST = """
import asyncio, datetime as dt, json, sys
from tests.telegram.conftest import CHATS, _start_rig, _stop_rig

async def answer(url):
    rig, _ = await _start_rig(url)
    try:
        chat = await rig.join("amina")
        await rig.prompt("amina", "amina:mileage:mb1", dt.date(2027, 3, 1))
        [recap] = await rig.say(chat, "45 230")
        print("RECAP " + json.dumps(recap.plain))
        print("STORED " + json.dumps(len(rig.reports("amina"))))
    finally:
        await _stop_rig(rig)

asyncio.run(answer(sys.argv[1]))
print("MODULES " + json.dumps(sorted(sys.modules)))
"""

REPO = Path(__file__).resolve().parents[2]


def _printed(out: str, key: str) -> object:
    return json.loads(next(ln for ln in out.splitlines() if ln.startswith(key + " ")).removeprefix(key + " "))


def test_the_bot_stores_an_answer_without_the_orm(sqlite_db_url: str) -> None:
    done = subprocess.run([sys.executable, "-c", ANSWER_AND_LIST, sqlite_db_url], capture_output=True, text=True,
                          cwd=REPO, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    assert "45 230 km" in str(_printed(done.stdout, "RECAP"))
    assert _printed(done.stdout, "STORED") == 1
    modules = set(_printed(done.stdout, "MODULES"))  # type: ignore[arg-type]
    assert {"bots.telegram.app", "store.uow", "sqlalchemy.dialects.sqlite"} <= modules
    assert "sqlalchemy.orm" not in modules
