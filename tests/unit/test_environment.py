"""The store's URL read without pydantic agrees with the settings class, wherever it is given."""

from __future__ import annotations

from pathlib import Path

import pytest

from base import environment
from base.settings import Settings


@pytest.fixture
def clean(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """No GREENSLATE_ variable in the environment, the working directory an empty folder."""
    import os

    for name in list(os.environ):
        if name.lower().startswith("greenslate_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_nothing_given_is_the_default_store(clean: Path) -> None:
    expected = f"sqlite:///{clean / 'data' / 'greenslate' / 'greenslate.sqlite3'}"
    assert environment.database_url() == Settings().database_url == expected


def test_the_environment_in_any_case_wins_over_the_env_file(clean: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (clean / ".env").write_text("GREENSLATE_DATABASE_URL=sqlite:///from-file.sqlite3\n", encoding="utf-8")
    assert environment.database_url() == Settings().database_url == "sqlite:///from-file.sqlite3"
    monkeypatch.setenv("greenslate_database_url", "postgresql://db/from-env")
    assert environment.database_url() == Settings().database_url == "postgresql://db/from-env"


def test_the_env_file_s_quotes_comments_and_export_are_read_alike(clean: Path) -> None:
    (clean / ".env").write_text(
        "# the store\nexport greenslate_Database_URL='postgresql://u:p@h/db'  # shared\nOTHER=1\n", encoding="utf-8")
    assert environment.database_url() == Settings().database_url == "postgresql://u:p@h/db"


def test_a_key_without_a_value_is_not_given(clean: Path) -> None:
    (clean / ".env").write_text("GREENSLATE_DATABASE_URL\n", encoding="utf-8")
    assert environment.database_url() == Settings().database_url


def test_the_secrets_hidden_at_start_are_the_settings_class_s(clean: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from base.redaction import SECRET_SETTINGS, URL_SETTINGS, secrets_of

    (clean / ".env").write_text("GREENSLATE_TELEGRAM_TOKEN=123456:secret-part-of-the-token\n"
                                "GREENSLATE_DATABASE_URL=postgresql://u:file-password@h/db\n", encoding="utf-8")
    monkeypatch.setenv("GREENSLATE_DASHBOARD_SECRET_KEY", "a-dashboard-key-from-the-environment")
    light = environment.given(SECRET_SETTINGS + URL_SETTINGS)
    assert sorted(secrets_of(type("Given", (), light)())) == sorted(secrets_of(Settings()))
    assert "file-password" in secrets_of(Settings()) and "secret-part-of-the-token" in secrets_of(Settings())


def test_every_extra_bot_s_token_is_hidden(clean: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from base.redaction import SECRET_SETTINGS, URL_SETTINGS, add_secrets, redact, secrets_of

    monkeypatch.setenv("GREENSLATE_TELEGRAM_BOTS", "north=111111:north-secret-part, south=222222:south-secret-part")
    light = environment.given(SECRET_SETTINGS + URL_SETTINGS)
    assert sorted(secrets_of(type("Given", (), light)())) == sorted(secrets_of(Settings()))
    add_secrets(secrets_of(Settings()))
    line = "POST /bot222222:south-secret-part/sendMessage; north uses 111111:north-secret-part"
    assert "secret-part" not in redact(line) and "222222" not in redact(line)
    alone = redact("south-secret-part alone")
    assert "south" not in alone and "<secret>" in alone and alone.endswith(" alone")
