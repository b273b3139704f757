"""The committed JSON Schema is the one the reading models generate, and it accepts the example."""

from __future__ import annotations

import datetime as dt
import io
import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from common.production_file import _Loader, json_schema, main, schema_text

ROOT = Path(__file__).resolve().parents[2]
COMMITTED = ROOT / "docs" / "production-file.schema.json"
EXAMPLE = ROOT / "config" / "examples" / "feature-film.yaml"


def test_the_committed_schema_is_the_generated_one() -> None:
    assert COMMITTED.read_text(encoding="utf-8") == schema_text(), (
        "docs/production-file.schema.json is stale: run "
        "python -m common.production_file --schema > docs/production-file.schema.json"
    )


def test_the_command_prints_the_schema() -> None:
    out = io.StringIO()
    assert main(["--schema"], out=out.write) == 0
    assert json.loads(out.getvalue()) == json_schema()


def test_the_command_checks_files(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text("version: 2\n", encoding="utf-8")
    out = io.StringIO()
    assert main([str(EXAMPLE), str(broken)], out=out.write) == 1
    first, second = out.getvalue().splitlines()
    assert first == f"{EXAMPLE}: ok (feux-aube, 13 assignments)"
    assert second.startswith(f"{broken}: version: unsupported version 2")


def test_the_schema_describes_every_section() -> None:
    schema = json_schema()
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["required"] == ["version", "production"]
    assert schema["additionalProperties"] is False
    assert set(schema["properties"]) == {
        "version",
        "production",
        "crew",
        "vehicles",
        "generators",
        "meal_types",
        "waste_streams",
        "sites",
        "travel",
        "assignments",
        "reminders",
        "action_plan",
        "sensitisation",
        "discord",
    }
    assert all(d.get("additionalProperties") is not True for d in schema["$defs"].values())


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def test_the_example_is_valid_against_the_schema() -> None:
    jsonschema = pytest.importorskip("jsonschema")
    schema = json_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    data = _jsonable(yaml.load(EXAMPLE.read_text(encoding="utf-8"), Loader=_Loader))
    validator = jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())
    assert [e.message for e in validator.iter_errors(data)] == []
