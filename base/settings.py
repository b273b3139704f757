"""Settings, from the environment (prefix ``GREENSLATE_``) and an optional ``.env`` file.

Secrets are ``SecretStr``: they print as ``**********`` and never reach a log line.
"""

from __future__ import annotations

import re

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from base.environment import ENV_FILE, PREFIX, default_database_url
from domain.errors import GreenslateError


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix=PREFIX, env_file=ENV_FILE, extra="ignore")

    database_url: str = Field(default_factory=default_database_url)
    telegram_token: SecretStr | None = None
    #: More bots, for productions that name one (``production.telegram_bot``): ``name=token`` pairs
    #: separated by commas or spaces. The plain ``telegram_token`` stays the default bot.
    telegram_bots: SecretStr | None = None
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


#: A bot's name as a production file and GREENSLATE_TELEGRAM_BOTS write it.
BOT_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,31}$")
#: The default bot (GREENSLATE_TELEGRAM_TOKEN): a production that names no bot is served by it.
DEFAULT_BOT = ""


def telegram_tokens(settings: Settings) -> dict[str, str]:
    """Every configured Telegram bot's token by name; the default bot is named ``""``.

    Raises ``GreenslateError`` (never quoting a token) when GREENSLATE_TELEGRAM_BOTS is malformed.
    """
    tokens: dict[str, str] = {}
    if settings.telegram_token is not None and settings.telegram_token.get_secret_value():
        tokens[DEFAULT_BOT] = settings.telegram_token.get_secret_value()
    raw = settings.telegram_bots.get_secret_value() if settings.telegram_bots is not None else ""
    for i, pair in enumerate(p for p in re.split(r"[\s,]+", raw) if p):
        name, sep, token = pair.partition("=")
        name = name.strip().lower()
        if not sep or not token:
            raise GreenslateError(f"GREENSLATE_TELEGRAM_BOTS: entry {i + 1} is not name=token")
        if not BOT_NAME.match(name):
            raise GreenslateError(f"GREENSLATE_TELEGRAM_BOTS: entry {i + 1}: a bot's name is lowercase letters, "
                             "digits, - and _ (at most 32)")
        if name in tokens:
            raise GreenslateError(f"GREENSLATE_TELEGRAM_BOTS: the bot {name!r} is named twice")
        tokens[name] = token
    return tokens


def telegram_bot_names(settings: Settings) -> list[str]:
    """The named bots of GREENSLATE_TELEGRAM_BOTS (not the default one), in order."""
    return [name for name in telegram_tokens(settings) if name != DEFAULT_BOT]


def load_settings(**overrides: object) -> Settings:
    return Settings(**overrides)  # type: ignore[arg-type]
