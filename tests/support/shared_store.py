"""Redis for the tests that prove something shared between processes, and a bot token of each test's own."""

from __future__ import annotations

import os
import secrets

import pytest


def redis_url() -> str:
    """``GREENSLATE_TEST_REDIS_URL`` (default the machine's Redis); fails, rather than skips, without it."""
    url = os.environ.get("GREENSLATE_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
    try:
        import redis

        redis.Redis.from_url(url, socket_connect_timeout=2).ping()
    except Exception as exc:  # what is shared is proven on Redis: fail rather than skip
        pytest.fail(f"Redis is not reachable at {url}: {type(exc).__name__}: {exc}")
    return url


def bot_token() -> str:
    """A bot of its own for each test, so tests running at once never share Telegram's limits in Redis."""
    return f"{secrets.randbelow(10**9) + 10**9}:TEST-TOKEN"
