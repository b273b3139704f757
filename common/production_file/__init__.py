"""Production files (format version 1): read, check and turn into a ``domain.model.Production``.

A production file is the YAML a coordinator writes before the shoot (see
``docs/production-file.md``). Reading it happens in three steps, each of which reports what is wrong
as a ``ProductionFileError`` located by a path such as ``assignments[2].vehicle``:

1. YAML to plain data, with a YAML 1.2-like resolver: ``on``/``off``/``yes``/``no`` stay words (the
   key ``on:`` of a sensitisation date would otherwise become ``True``) and ``19:30`` stays a time
   instead of the sexagesimal number 1170.
2. Shape: pydantic models that mirror the format (unknown fields are refused), so the JSON Schema
   in ``docs/production-file.schema.json`` is generated from the very models that read the file.
3. Meaning: cross-references (crew ids, vehicles, generators), emission factors and their units,
   the calendar, the generator consumption table.

Every problem found at a step is reported, one per line, in file order; the exception's ``where``
and ``problem`` are those of the first one, and ``problems`` holds them all.

Run ``python -m common.production_file --schema`` to print the JSON Schema, or
``python -m common.production_file FILE...`` to check files.

The package follows those steps: ``types`` (field types and bounds), ``models`` (the pydantic
models and the JSON Schema), ``loading`` (YAML), ``messages`` (pydantic's errors in plain English),
``checks`` (meaning), ``conversion`` (to the domain) and ``problems`` (what is reported); this module
holds the entry points every caller uses.
"""

from __future__ import annotations

import dataclasses
import json
import re
import sys
from collections.abc import Callable, Collection, Mapping, Sequence
from pathlib import Path
from typing import Any, NoReturn

from pydantic import ValidationError

from common.production_file.checks import _Checker
from common.production_file.conversion import _to_domain
from common.production_file.loading import _Loader, _read_yaml
from common.production_file.messages import _shape_problems
from common.production_file.models import DiscordModel, ProductionFile, json_schema
from common.production_file.problems import Path_, Problem, ProductionFileProblems, _too_big
from common.production_file.types import (
    FIRST_YEAR,
    FORMAT_VERSION,
    FUEL_FACTOR_UNITS,
    LAST_SHOOTING_DAY,
    LAST_YEAR,
    MAX_CALENDAR_DAYS,
    MAX_DECIMALS,
    MAX_DEPTH,
    MAX_FILE_BYTES,
    MAX_FORECAST_TCO2E,
    MAX_HOUR_METER,
    MAX_INDICATOR_VALUE,
    MAX_LITRES_PER_HOUR,
    MAX_MISSED,
    MAX_NAME_LENGTH,
    MAX_ODOMETER_KM,
    MAX_RATED_KVA,
    MAX_ROLE_LENGTH,
    MAX_TEXT_LENGTH,
    MAX_VALUES,
    MEAL_FACTOR_UNITS,
    SCHEMA_ID,
    VEHICLE_FACTOR_UNITS,
    WASTE_FACTOR_UNITS,
    _describe,
)
from common.production_file.wording import Message, say
from domain.errors import ProductionFileError
from domain.factors import FactorSet
from domain.generators import ConsumptionTable
from domain.model import Production

__all__ = [
    "FIRST_YEAR",
    "FORMAT_VERSION",
    "FUEL_FACTOR_UNITS",
    "LAST_SHOOTING_DAY",
    "LAST_YEAR",
    "MAX_CALENDAR_DAYS",
    "MAX_DECIMALS",
    "MAX_DEPTH",
    "MAX_FILE_BYTES",
    "MAX_FORECAST_TCO2E",
    "MAX_HOUR_METER",
    "MAX_INDICATOR_VALUE",
    "MAX_LITRES_PER_HOUR",
    "MAX_MISSED",
    "MAX_NAME_LENGTH",
    "MAX_ODOMETER_KM",
    "MAX_RATED_KVA",
    "MAX_ROLE_LENGTH",
    "MAX_TEXT_LENGTH",
    "MAX_VALUES",
    "MEAL_FACTOR_UNITS",
    "SCHEMA_ID",
    "VEHICLE_FACTOR_UNITS",
    "WASTE_FACTOR_UNITS",
    "DiscordModel",
    "Message",
    "Problem",
    "ProductionFile",
    "ProductionFileProblems",
    "_Loader",
    "json_schema",
    "load_production_file",
    "load_production_file_with_discord",
    "main",
    "parse_production",
    "schema_text",
]


def _default_catalogue() -> tuple[FactorSet, ConsumptionTable]:
    from config.factors import load_consumption_table, load_factor_set

    return load_factor_set(), load_consumption_table()


def _raise(file: str, problems: list[Problem], lines: Mapping[Path_, int]) -> NoReturn:
    located = []
    for p in problems:
        line = None
        if lines:
            path = _parse_where(p.where)
            while path not in lines and path:
                path = path[:-1]
            line = lines.get(path)
        located.append(dataclasses.replace(p, line=line))
    if lines:
        located.sort(key=lambda p: p.line or 0)
    raise ProductionFileProblems(file, located)


def _parse_where(where: str) -> Path_:
    path: list[str | int] = []
    for name, index in re.findall(r"([^.\[\]]+)|\[(\d+)\]", where):
        path.append(int(index) if index else name)
    return tuple(path)


def _undo_yaml11_booleans(data: Any) -> Any:
    """A mapping read by a YAML 1.1 reader turns the key ``on:`` into ``True``: put it back."""
    if not isinstance(data, Mapping):
        return data
    items = data.get("sensitisation")
    if not isinstance(items, list) or not any(isinstance(c, Mapping) and True in c for c in items):
        return data
    fixed = [
        {("on" if k is True else k): v for k, v in c.items()} if isinstance(c, Mapping) and "on" not in c else c
        for c in items
    ]
    return {**data, "sensitisation": fixed}


def parse_production(
    source: str | bytes | Mapping[str, Any],
    file_name: str = "<production file>",
    *,
    factors: FactorSet | None = None,
    consumption: ConsumptionTable | None = None,
    telegram_bots: Collection[str] | None = None,
) -> Production:
    """Read a production file's text (or its already-parsed mapping) into a ``Production``.

    Raises ``ProductionFileError`` (a ``ProductionFileProblems``) for anything wrong in it.
    ``factors`` and ``consumption`` default to the current factor set and consumption table.
    ``telegram_bots``, when given, are the bots configured (GREENSLATE_TELEGRAM_BOTS): a
    ``production.telegram_bot`` must be one of them.
    """
    return _parse(source, file_name, factors, consumption, telegram_bots)[0]


def _parse(
    source: str | bytes | Mapping[str, Any],
    file_name: str,
    factors: FactorSet | None,
    consumption: ConsumptionTable | None,
    telegram_bots: Collection[str] | None = None,
) -> tuple[Production, ProductionFile]:
    """The production and the validated file it came from (for the sections outside the domain)."""
    lines: dict[Path_, int] = {}
    if isinstance(source, bytes):
        source = _decode(source, file_name)
    if isinstance(source, str):
        data, lines = _read_yaml(source, file_name)
    else:
        data = _undo_yaml11_booleans(source)
    doc = _validate(data, file_name, lines)
    if factors is None or consumption is None:
        default_factors, default_table = _default_catalogue()
        factors = factors or default_factors
        consumption = consumption or default_table
    checker = _Checker(doc, factors, consumption)
    problems = checker.run() + _bot_problems(doc, telegram_bots)
    if problems:
        _raise(file_name, problems, lines)
    return _to_domain(doc, checker.calendar()), doc


def _bot_problems(doc: ProductionFile, configured: Collection[str] | None) -> list[Problem]:
    """The bot the production names must be configured (its token lives in the settings only)."""
    name = doc.production.telegram_bot
    if not name or configured is None or name in configured:
        return []
    if not configured:
        return [Problem.of("production.telegram_bot", say("bot.none_configured", quoted=repr(name), name=name))]
    return [Problem.of("production.telegram_bot",
                       say("bot.unknown", quoted=repr(name), known=", ".join(sorted(configured))))]


def _decode(source: bytes, file_name: str) -> str:
    if len(source) > MAX_FILE_BYTES:
        raise ProductionFileProblems(file_name, [_too_big(len(source))])
    try:
        return source.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise ProductionFileProblems(
            file_name, [Problem.of("", say("file.not_utf8", byte=e.start))]
        ) from None


def _validate(data: Any, file_name: str, lines: Mapping[Path_, int]) -> ProductionFile:
    """The file's shape: a mapping, of format version 1, that the models accept."""
    if not isinstance(data, Mapping):
        got = say("value.empty_file") if data is None else _describe(data)
        raise ProductionFileProblems(file_name, [Problem.of("", say("file.not_a_mapping", got=got))])
    if "version" not in data:
        _raise(
            file_name,
            [Problem.of("version", say("file.no_version"))],
            lines,
        )
    version = data["version"]
    if isinstance(version, bool) or version != FORMAT_VERSION or not isinstance(version, int):
        _raise(
            file_name,
            [Problem.of("version", say("file.unsupported_version", got=_describe(version)))],
            lines,
        )
    try:
        return ProductionFile.model_validate(dict(data))
    except ValidationError as e:
        _raise(file_name, _shape_problems(e.errors(include_url=False)), lines)
    except RecursionError:
        _raise(file_name, [Problem.of("", say("file.too_deep"))], lines)


def load_production_file(
    path: str | Path,
    *,
    factors: FactorSet | None = None,
    consumption: ConsumptionTable | None = None,
    telegram_bots: Collection[str] | None = None,
) -> Production:
    """Read and check the production file at ``path``."""
    return load_production_file_with_discord(path, factors=factors, consumption=consumption,
                                             telegram_bots=telegram_bots)[0]


def load_production_file_with_discord(
    path: str | Path,
    *,
    factors: FactorSet | None = None,
    consumption: ConsumptionTable | None = None,
    telegram_bots: Collection[str] | None = None,
) -> tuple[Production, DiscordModel | None]:
    """Read and check the production file at ``path``: the production and its ``discord:`` section.

    The section is the validated one (ids as the reader understood them, ``0755`` as 755, a role
    ``yes`` as the word yes): whoever links the production to Discord uses exactly these values,
    never a second reading of the YAML with other rules.
    """
    path = Path(path)
    try:
        with path.open("rb") as f:
            raw = f.read(MAX_FILE_BYTES + 1)  # never more: the size is refused before parsing
            if len(raw) > MAX_FILE_BYTES:
                size = max(len(raw), path.stat().st_size)
                raise ProductionFileProblems(str(path), [_too_big(size)])
    except OSError as e:
        unreadable = Problem.of("", say("file.unreadable", detail=e.strerror or e))
        raise ProductionFileProblems(str(path), [unreadable]) from None
    production, doc = _parse(raw, str(path), factors, consumption, telegram_bots)
    return production, doc.discord


def schema_text() -> str:
    """The JSON Schema as committed in ``docs/production-file.schema.json``."""
    return json.dumps(json_schema(), indent=2, ensure_ascii=False) + "\n"


def main(argv: Sequence[str] | None = None, out: Callable[[str], Any] = sys.stdout.write) -> int:
    """``--schema`` prints the JSON Schema; otherwise check each file given."""
    args = list(sys.argv[1:] if argv is None else argv)
    if args == ["--schema"]:
        out(schema_text())
        return 0
    if not args or args[0].startswith("-"):
        out("usage: python -m common.production_file --schema | FILE...\n")
        return 2
    status = 0
    for name in args:
        try:
            production = load_production_file(name)
        except ProductionFileError as e:
            out(f"{e}\n")
            status = 1
        else:
            out(f"{name}: ok ({production.id}, {len(production.assignments)} assignments)\n")
    return status

