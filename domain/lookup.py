"""A production's look-ups by id and key, built once per production (``Production._index``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from domain.model import Assignment, CrewMember, Generator, Production, Site, Vehicle


class ProductionIndex:
    """Members, vehicles, generators, sites and assignments by id and key: the first of each, as a search from the start
    finds it. A crew of 150 was searched from its start at each look-up, several times per answer."""

    def __init__(self, production: Production) -> None:
        self.members: dict[str, CrewMember] = {}
        for m in production.crew:
            self.members.setdefault(m.id, m)
        self.vehicles: dict[str, Vehicle] = {}
        for v in production.vehicles:
            self.vehicles.setdefault(v.id, v)
        self.generators: dict[str, Generator] = {}
        for g in production.generators:
            self.generators.setdefault(g.id, g)
        self.sites: dict[str, Site] = {}
        for site in production.sites:
            self.sites.setdefault(site.id, site)
        self.assignments: dict[str, Assignment] = {}
        self.assignments_of: dict[str, list[Assignment]] = {}
        for a in production.assignments:
            self.assignments.setdefault(a.key, a)
            self.assignments_of.setdefault(a.who, []).append(a)
