"""Webhook mode: behind a reverse proxy, several instances on one store; an update given to two
instances (a retry landing elsewhere) is still stored once."""

from __future__ import annotations

import datetime as dt
import socket
from decimal import Decimal as D

import aiohttp
import pytest

from bots.telegram.app import start_telegram, stop_telegram
from bots.telegram.invites import create_invites
from bots.telegram.services import services_of
from common.app import App
from domain.usecases import load_production
from tests.support.botapi import BotApiServer
from tests.telegram.conftest import FIRST_EVENING, reference_production

SECRET = "webhook-secret-for-tests"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def _instance(server: BotApiServer, db_url: str) -> tuple[App, object, str]:
    port = _free_port()
    url = f"http://127.0.0.1:{port}/telegram-hook"
    app = App.from_env(database_url=db_url, telegram_token=server.token, telegram_api_url=server.base_url,
                       telegram_webhook_url=url, telegram_webhook_listen="127.0.0.1", telegram_webhook_port=port,
                       telegram_webhook_secret=SECRET)
    application = await start_telegram(app, rate_limit=False)
    services_of(application).clock = lambda: FIRST_EVENING
    return app, application, url


@pytest.mark.parametrize("db", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
async def test_two_webhook_instances_store_an_update_once(db, request):
    db_url = request.getfixturevalue("sqlite_db_url" if db == "sqlite" else "pg_db_url")
    server = BotApiServer()
    await server.start()
    loader = App.from_env(database_url=db_url)
    load_production(loader.uow(), reference_production())
    [link] = create_invites(loader, "feux-aube", server.username, ["karim"], now=FIRST_EVENING)
    loader.engine.dispose()
    instances = [await _instance(server, db_url) for _ in range(2)]
    try:
        assert server.webhook_url == instances[1][2]
        chat = 1002
        headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET}
        async with aiohttp.ClientSession() as http:
            async def post(url: str, payload: dict) -> None:
                async with http.post(url, json=payload, headers=headers) as response:
                    assert response.status == 200

            start = {"update_id": 1, "message": server.user_message(chat, "/start " + link.url.split("=")[1])}
            await post(instances[0][2], start)
            [welcome] = await server.replies(chat, since=0)
            press = {"update_id": 2, "callback_query": {
                "id": "1", "from": server.users[chat], "message": server.messages[(chat, welcome.message_id)],
                "chat_instance": "1", "data": "c:y"}}
            mark = server.mark()
            await post(instances[1][2], press)
            await server.replies(chat, since=mark)
            answer = {"update_id": 3, "message": server.user_message(chat, "12 080")}
            mark = server.mark()
            await post(instances[0][2], answer)
            await post(instances[1][2], answer)  # the same update, delivered to the other instance too
            # Telegram has its answer once each update is handled: both are, and one recap was sent.
            sent = [s.plain.splitlines()[0] for s in server.ledger[mark:] if s.chat_id == chat]
            assert sent == ["Compteur de Voiture régie 2 : 12 080 km."]
            async with http.post(instances[0][2], json=answer) as refused:  # no secret: not from Telegram
                assert refused.status == 403
        app = instances[0][0]
        with app.uow() as uow:
            reports = uow.reports.for_production("feux-aube", member_id="karim")
        assert [(r.day, dict(r.values)) for r in reports] == [(dt.date(2027, 3, 1), {"odometer": D(12080)})]
    finally:
        for app, application, _ in instances:
            await stop_telegram(application)
            app.engine.dispose()
        await server.stop()


async def _linked(server: BotApiServer, db_url: str, chat: int) -> tuple[App, object, str]:
    """One webhook instance, and Karim linked to ``chat`` with his consent given."""
    loader = App.from_env(database_url=db_url)
    load_production(loader.uow(), reference_production())
    [link] = create_invites(loader, "feux-aube", server.username, ["karim"], now=FIRST_EVENING)
    loader.engine.dispose()
    app, application, url = await _instance(server, db_url)
    async with aiohttp.ClientSession(headers={"X-Telegram-Bot-Api-Secret-Token": SECRET}) as http:
        start = {"update_id": 1, "message": server.user_message(chat, "/start " + link.url.split("=")[1])}
        async with http.post(url, json=start) as response:
            assert response.status == 200
        [welcome] = await server.replies(chat, since=0)
        press = {"update_id": 2, "callback_query": {
            "id": "1", "from": server.users[chat], "message": server.messages[(chat, welcome.message_id)],
            "chat_instance": "1", "data": "c:y"}}
        async with http.post(url, json=press) as response:
            assert response.status == 200
    return app, application, url


def _odometers(app: App) -> list[D]:
    with app.uow() as uow:
        return [r.values["odometer"] for r in uow.reports.for_production("feux-aube", member_id="karim")]


async def test_telegram_is_answered_only_once_the_figure_is_stored_and_confirmed(sqlite_db_url):
    server = BotApiServer()
    await server.start()
    chat = 1003
    app, application, url = await _linked(server, sqlite_db_url, chat)
    try:
        mark = server.mark()
        answer = {"update_id": 3, "message": server.user_message(chat, "12 080")}
        async with aiohttp.ClientSession(headers={"X-Telegram-Bot-Api-Secret-Token": SECRET}) as http:
            async with http.post(url, json=answer) as response:
                assert response.status == 200
                # Nothing awaited since: what Telegram was told is already true.
                assert _odometers(app) == [D(12080)]
                assert [s.chat_id for s in server.ledger[mark:] if s.method == "sendMessage"] == [chat]
            async with http.post(url, data=b"{not json") as response:
                assert response.status == 400
            async with http.post(url, json={"update_id": 4, "message": server.user_message(chat, "12 100")},
                                 headers={"X-Telegram-Bot-Api-Secret-Token": "guess"}) as response:
                assert response.status == 403
        assert _odometers(app) == [D(12080)]
    finally:
        await stop_telegram(application)
        app.engine.dispose()
        await server.stop()


@pytest.mark.postgres
async def test_an_answer_the_store_could_not_take_is_refused_then_stored_once_when_delivered_again(pg_db_url):
    from sqlalchemy import create_engine, make_url

    server = BotApiServer()
    await server.start()
    chat = 1004
    app, application, url = await _linked(server, pg_db_url, chat)
    services = services_of(application)
    database = make_url(pg_db_url).database
    admin = create_engine(make_url(pg_db_url).set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        # The store goes away: no new connection to its database, and none kept by the bot.
        for engine in (services.read_engine, services.async_engine):
            await engine.dispose()
        with admin.connect() as conn:
            conn.exec_driver_sql(f'ALTER DATABASE "{database}" ALLOW_CONNECTIONS false')
        answer = {"update_id": 3, "message": server.user_message(chat, "12 080")}
        async with aiohttp.ClientSession(headers={"X-Telegram-Bot-Api-Secret-Token": SECRET}) as http:
            async with http.post(url, json=answer) as response:
                assert response.status == 503  # Telegram keeps it and delivers it again
            with admin.connect() as conn:
                conn.exec_driver_sql(f'ALTER DATABASE "{database}" ALLOW_CONNECTIONS true')
            assert _odometers(app) == []
            mark = server.mark()
            for _ in range(2):  # delivered again, and once more (a retry that crossed our answer)
                async with http.post(url, json=answer) as response:
                    assert response.status == 200
        assert _odometers(app) == [D(12080)]
        assert len([s for s in server.ledger[mark:] if s.method == "sendMessage"]) >= 1
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'ALTER DATABASE "{database}" ALLOW_CONNECTIONS true')
        admin.dispose()
        await stop_telegram(application)
        app.engine.dispose()
        await server.stop()
