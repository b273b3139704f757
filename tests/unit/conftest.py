"""The unit layer: the domain's use cases over a unit of work in memory (``tests.unit.memory``)."""

from __future__ import annotations

# The small production built in code and the reference catalogue, shared with the domain tests.
from tests.domain.conftest import cat, production  # noqa: F401 - pytest fixtures, found by name
