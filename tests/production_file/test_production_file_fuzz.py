"""Whatever a production file contains, reading it either gives a production or a ProductionFileError.

Random text, random edits of the reference example's lines, and random values put anywhere in its
data: nothing may escape as a KeyError, a TypeError, an OverflowError...
"""

from __future__ import annotations

import copy
import datetime as dt
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from common.production_file import _Loader, parse_production
from domain.errors import ProductionFileError
from domain.model import Production

# The reference file as it was before the whole footprint: these edits name its lines and positions.
EXAMPLE = Path(__file__).resolve().parents[1] / "fixtures" / "productions" / "feature-film-four-kinds.yaml"
TEXT = EXAMPLE.read_text(encoding="utf-8")
DATA = yaml.load(TEXT, Loader=_Loader)
NAME = "fuzzed.yaml"

FUZZ = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def read(source: str | bytes | dict[str, Any]) -> None:
    try:
        result = parse_production(source, NAME)
    except ProductionFileError as e:
        assert str(e).startswith(NAME)
        assert isinstance(e.where, str) and e.problem
    else:
        assert isinstance(result, Production)


def paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix]
    if isinstance(node, dict):
        for key, value in node.items():
            found += paths(value, (*prefix, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found += paths(value, (*prefix, index))
    return found


PATHS = paths(DATA)[1:]
SCALARS = sorted({str(p[-1]) for p in PATHS} | {str(v) for v in yaml.safe_load(TEXT).values()})
WORDS = sorted({str(x) for p in PATHS for x in p if isinstance(x, str)})

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.integers(min_value=-3, max_value=40),
    st.floats(allow_nan=True, allow_infinity=True),
    st.decimals(allow_nan=True, allow_infinity=True),
    st.text(max_size=20),
    st.sampled_from(WORDS),
    st.sampled_from(["", "all", "last_shooting_day", "25:00", "19:30", "2027-02-30", "Europe/Paris", "Nowhere/X"]),
    st.dates(),
    st.datetimes(),
    st.times(),
)
values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3),
        st.dictionaries(st.one_of(st.sampled_from(WORDS), st.text(max_size=8), st.integers()), inner, max_size=3),
    ),
    max_leaves=6,
)


def put(data: Any, path: tuple[Any, ...], value: Any, *, delete: bool = False) -> None:
    parent = data
    for part in path[:-1]:
        parent = parent[part]
    if delete:
        del parent[path[-1]]
    else:
        parent[path[-1]] = value


@FUZZ
@given(st.text())
def test_any_text(text: str) -> None:
    read(text)


@FUZZ
@given(st.binary())
def test_any_bytes(raw: bytes) -> None:
    read(raw)


@FUZZ
@given(st.sampled_from(PATHS), values)
def test_any_value_anywhere_in_the_example(path: tuple[Any, ...], value: Any) -> None:
    data = copy.deepcopy(DATA)
    put(data, path, value)
    read(data)


@FUZZ
@given(st.lists(st.tuples(st.sampled_from(PATHS), values, st.booleans()), min_size=1, max_size=4))
def test_several_edits_and_deletions(edits: list[tuple[tuple[Any, ...], Any, bool]]) -> None:
    data = copy.deepcopy(DATA)
    for path, value, delete in edits:
        try:
            put(data, path, value, delete=delete)
        except (KeyError, IndexError, TypeError):
            continue  # an earlier edit removed or replaced this path
    read(data)


@FUZZ
@given(st.data())
def test_line_edits_of_the_example(data: st.DataObject) -> None:
    lines = TEXT.splitlines(keepends=True)
    for _ in range(data.draw(st.integers(min_value=1, max_value=3))):
        index = data.draw(st.integers(min_value=0, max_value=len(lines) - 1))
        action = data.draw(st.sampled_from(["delete", "duplicate", "insert", "swap"]))
        if action == "delete" and len(lines) > 1:
            del lines[index]
        elif action == "duplicate":
            lines.insert(index, lines[index])
        elif action == "insert":
            line = lines[index]
            at = data.draw(st.integers(min_value=0, max_value=len(line)))
            lines[index] = line[:at] + data.draw(st.text(max_size=5)) + line[at:]
        else:
            other = data.draw(st.integers(min_value=0, max_value=len(lines) - 1))
            lines[index], lines[other] = lines[other], lines[index]
    read("".join(lines))


@FUZZ
@given(st.sampled_from(PATHS), st.sampled_from(SCALARS + WORDS))
def test_values_moved_to_another_place(path: tuple[Any, ...], value: str) -> None:
    # Values that are valid somewhere (ids, factor keys, words of the format) tried elsewhere.
    text = yaml.safe_dump(DATA, allow_unicode=True)
    data = yaml.load(text, Loader=_Loader)
    put(data, path, value)
    read(data)


def test_edges_of_the_calendar() -> None:
    for start, end in [(dt.date.min, dt.date.max), (dt.date.max, dt.date.max), (dt.date(1, 1, 1), dt.date(1, 1, 2))]:
        data = copy.deepcopy(DATA)
        data["production"]["calendar"].update(start=start, end=end)
        read(data)
