"""The store's address from the environment, read without the settings class.

A command on the store needs only ``GREENSLATE_DATABASE_URL``; validating every setting with
pydantic (``base.settings``) costs a command about a tenth of a second of imports. This reads that
one value the way ``Settings`` does: the environment first (the name in any case), then a ``.env``
file in the working directory, then the default store. ``tests/unit/test_environment.py`` checks
that both agree.
"""

from __future__ import annotations

import os
from pathlib import Path

PREFIX = "GREENSLATE_"
ENV_FILE = ".env"


def default_data_dir() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "greenslate"


def default_database_url() -> str:
    return f"sqlite:///{default_data_dir() / 'greenslate.sqlite3'}"


def given(names: tuple[str, ...], env_file: str | Path | None = ENV_FILE) -> dict[str, str | None]:
    """The values of settings ``names`` (``database_url``...) given in the environment or the ``.env``
    file, None for those given in neither."""
    found = {k.lower(): v for k, v in os.environ.items()}
    if env_file is not None and Path(env_file).is_file():
        from dotenv import dotenv_values  # only when there is such a file

        from_file = {k.lower(): v for k, v in dotenv_values(env_file).items() if v is not None}
        found = from_file | found  # the environment first
    return {name: found.get(f"{PREFIX}{name}".lower()) for name in names}


def database_url() -> str:
    """The store's URL, as ``Settings().database_url`` gives it."""
    url = given(("database_url",))["database_url"]
    return default_database_url() if url is None else url
