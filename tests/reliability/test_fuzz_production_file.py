"""Fuzzing the production file loader with hostile and odd inputs, down to the store.

The reference example is read as data; one to three of its values (anywhere: a title, a date, a
vehicle's factor, an assignment's time, a whole section) are replaced by a huge or negative
number, unicode, emoji, an empty value, 4,096 characters, an injection string, a list or a map.
The file is written back as YAML and loaded. Either it is refused with a ``ProductionFileError``
naming where and what, or it loads, and then the production goes into a real store and comes back
the same: no unhandled exception, no wrong write.
"""

from __future__ import annotations

import contextlib
import copy
from collections.abc import Iterator
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from common.production_file import parse_production
from domain.errors import ProductionFileError
from domain.model import Production
from domain.usecases import load_production
from greenslate.demo import example_path
from store.engine import make_engine
from store.migrate import upgrade
from store.uow import SqlUnitOfWork
from tests.reliability.evil import EMOJI, INJECTIONS
from tests.reliability.sizes import FUZZ_LOADER

pytestmark = pytest.mark.reliability

DATA = yaml.safe_load(example_path().read_text(encoding="utf-8"))
NAME = "fuzzed.yaml"


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    yield prefix
    if isinstance(node, dict):
        for k, v in node.items():
            yield from _paths(v, (*prefix, k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from _paths(v, (*prefix, i))


PATHS = [p for p in _paths(DATA) if p]

scalars = st.one_of(
    st.integers(min_value=10**15, max_value=10**400),
    st.integers(min_value=-10**400, max_value=-1),
    st.floats(),
    st.decimals(allow_nan=True).map(str),
    st.text(max_size=40),
    st.sampled_from(EMOJI),
    st.sampled_from(INJECTIONS),
    st.sampled_from(("", " ", None, True, False, 0, "24:61", "2027-02-30", "9999-12-31", "0000-01-01",
                     "Mars/Olympus_Mons", "../../etc/passwd")),
    st.text(min_size=4096, max_size=4096),
)
values = st.one_of(
    scalars,
    st.lists(scalars, max_size=3),
    st.dictionaries(st.text(max_size=8), scalars, max_size=3),
)


def _set(data: Any, path: tuple[Any, ...], value: Any) -> None:
    node = data
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value


@settings(max_examples=FUZZ_LOADER, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                 HealthCheck.function_scoped_fixture])
@given(edits=st.lists(st.tuples(st.sampled_from(PATHS), values), min_size=1, max_size=3))
def test_any_edited_production_file_loads_and_stores_faithfully_or_is_refused_with_where_and_what(
    tmp_path_factory: pytest.TempPathFactory, edits: list[tuple[tuple[Any, ...], Any]]
) -> None:
    data = copy.deepcopy(DATA)
    for path, value in edits:
        with contextlib.suppress(KeyError, IndexError, TypeError):
            _set(data, path, value)  # fails when an earlier edit replaced the branch this path went through
    text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
    try:
        production = parse_production(text, NAME)
    except ProductionFileError as refused:
        message = str(refused)
        assert message.startswith(NAME), message
        assert refused.problem.strip(), message
        assert "Traceback" not in message
        return
    assert isinstance(production, Production)
    _round_trip(tmp_path_factory, production)


_store: dict[str, Any] = {}


def _round_trip(tmp_path_factory: pytest.TempPathFactory, production: Production) -> None:
    """Store the production and read it back: what was loaded is what is kept."""
    if "engine" not in _store:
        path = tmp_path_factory.mktemp("loader") / "store.sqlite3"
        upgrade(f"sqlite:///{path}")
        _store["engine"] = make_engine(f"sqlite:///{path}")
    engine = _store["engine"]
    load_production(SqlUnitOfWork(engine), production)
    with SqlUnitOfWork(engine) as uow:
        back = uow.productions.get(production.id)
    assert back.title == production.title and back.calendar == production.calendar
    assert [m.id for m in back.crew] == [m.id for m in production.crew]
    assert back.assignments == production.assignments
    assert back.vehicles == production.vehicles and back.generators == production.generators
    assert dict(back.meal_types) == dict(production.meal_types)
    assert dict(back.forecast_tco2e) == dict(production.forecast_tco2e)
