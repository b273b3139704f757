"""A production's look-ups by id and key, built once per production (``Production._index``).

Each is the first item with that id or key, as a search from the start finds it: a crew of 150 was
searched from its start at each look-up, several times per answer. Generic over what it indexes, so
that it needs nothing of :mod:`domain.model`, which uses it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Generic, Protocol, TypeVar


class _Identified(Protocol):
    @property
    def id(self) -> str: ...


class _Assigned(Protocol):
    @property
    def key(self) -> str: ...

    @property
    def who(self) -> str: ...


M = TypeVar("M", bound=_Identified)
V = TypeVar("V", bound=_Identified)
G = TypeVar("G", bound=_Identified)
S = TypeVar("S", bound=_Identified)
A = TypeVar("A", bound=_Assigned)
T = TypeVar("T", bound=_Identified)


def _first_by_id(items: Iterable[T]) -> dict[str, T]:
    found: dict[str, T] = {}
    for item in items:
        found.setdefault(item.id, item)
    return found


@dataclass(frozen=True)
class ProductionIndex(Generic[M, V, G, S, A]):
    """Members, vehicles, generators, sites and assignments by id and key; assignments by member."""

    members: dict[str, M]
    vehicles: dict[str, V]
    generators: dict[str, G]
    sites: dict[str, S]
    assignments: dict[str, A]
    assignments_of: dict[str, list[A]]


def index(crew: Iterable[M], vehicles: Iterable[V], generators: Iterable[G], sites: Iterable[S],
          assignments: Iterable[A]) -> ProductionIndex[M, V, G, S, A]:
    by_key: dict[str, A] = {}
    by_member: dict[str, list[A]] = {}
    for a in assignments:
        by_key.setdefault(a.key, a)
        by_member.setdefault(a.who, []).append(a)
    return ProductionIndex(_first_by_id(crew), _first_by_id(vehicles), _first_by_id(generators),
                           _first_by_id(sites), by_key, by_member)
