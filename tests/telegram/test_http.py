"""The bot's HTTP client (``bots.telegram.http``): how many requests it keeps in flight, and to where."""

from __future__ import annotations

import asyncio

import pytest

from bots.telegram.http import IN_FLIGHT, IN_FLIGHT_LOCAL, BoundedRequest, in_flight_for


@pytest.mark.parametrize(("url", "expected"), [
    ("https://api.telegram.org/bot", IN_FLIGHT),
    ("https://botapi.example.org:8443/bot", IN_FLIGHT),
    ("http://127.0.0.1:8081/bot", IN_FLIGHT_LOCAL),
    ("http://localhost:8081/bot{token}", IN_FLIGHT_LOCAL),
    ("http://[::1]:8081/bot", IN_FLIGHT_LOCAL),
])
def test_a_bot_api_server_on_this_machine_gets_fewer_connections(url: str, expected: int) -> None:
    assert in_flight_for(url) == expected
    assert IN_FLIGHT_LOCAL < IN_FLIGHT


async def test_no_more_requests_than_allowed_are_in_flight(monkeypatch: pytest.MonkeyPatch) -> None:
    running, most = 0, 0

    async def slow(self: object, *args: object, **kwargs: object) -> tuple[int, bytes]:
        nonlocal running, most
        running += 1
        most = max(most, running)
        await asyncio.sleep(0.01)
        running -= 1
        return 200, b"{}"

    monkeypatch.setattr("telegram.request.HTTPXRequest.do_request", slow)
    request = BoundedRequest(3)
    results = await asyncio.gather(*(request.do_request(f"http://127.0.0.1/{i}", "POST") for i in range(10)))
    assert results == [(200, b"{}")] * 10
    assert most == 3
