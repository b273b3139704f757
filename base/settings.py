"""Settings, from the environment (prefix ``GREENSLATE_``) and an optional ``.env`` file.

Secrets are ``SecretStr``: they print as ``**********`` and never reach a log line.
"""

from __future__ import annotations

import os
from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


def default_data_dir() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "greenslate"


def default_database_url() -> str:
    return f"sqlite:///{default_data_dir() / 'greenslate.sqlite3'}"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="GREENSLATE_", env_file=".env", extra="ignore")

    database_url: str = Field(default_factory=default_database_url)
    telegram_token: SecretStr | None = None
    telegram_api_url: str = "https://api.telegram.org/bot"
    telegram_webhook_url: str | None = None  # set to run the bot behind a reverse proxy
    telegram_webhook_listen: str = "127.0.0.1"
    telegram_webhook_port: int = 8443
    telegram_webhook_secret: SecretStr | None = None
    # Telegram's 30 messages a second, shared by every process sending with the bot: memory:// (this process
    # only) or redis://host:6379 (the bot and its --scheduler processes, with the redis extra)
    telegram_rate_limit_storage: str = "memory://"
    telegram_rate_limit_fallback: int = 10  # messages a second one process sends while that Redis is out of reach
    discord_token: SecretStr | None = None
    dashboard_host: str = "127.0.0.1"
    dashboard_port: int = 8050
    dashboard_secret_key: SecretStr | None = None
    dashboard_login_limit: str = "5 per 15 minutes"  # failed sign-ins for one email address
    dashboard_login_limit_per_client: str = "30 per 15 minutes"  # failed sign-ins from one client address
    dashboard_login_limit_storage: str = "memory://"  # or redis://host:6379 for several dashboard processes
    dashboard_public_url: str | None = None  # the address coordinators open, e.g. https://greenslate.example.org
    dashboard_secure_cookies: bool | None = None  # default: on when dashboard_public_url is https
    dashboard_hsts_seconds: int | None = None  # default: one year when dashboard_public_url is https, else none
    scheduler_tick_seconds: float = 20.0  # how often the scheduler looks for what is due
    log_level: str = "INFO"


def load_settings(**overrides: object) -> Settings:
    return Settings(**overrides)  # type: ignore[arg-type]
