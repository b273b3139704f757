"""The locks that make and CI install from agree with pyproject.toml and stay above known advisories."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
#: The first release without the advisories known when the bound was set.
ADVISORY_FLOORS = {"waitress": "3.0.1", "aiohttp": "3.14.1", "setuptools": "78.1.1", "pip": "25.3"}


def pins(lock: str) -> dict[str, tuple[Version, int]]:
    """Each locked package: its version and how many hashes it carries."""
    found: dict[str, tuple[Version, int]] = {}
    name = ""
    for line in (ROOT / "requirements" / lock).read_text(encoding="utf-8").splitlines():
        match = re.match(r"^([A-Za-z0-9_.-]+)==(\S+)", line)
        if match:
            name = canonicalize_name(match[1])
            found[name] = (Version(match[2]), 0)
        elif "--hash=sha256:" in line and name:
            version, hashes = found[name]
            found[name] = (version, hashes + 1)
    return found


def requirements(*extras: str) -> list[Requirement]:
    listed = list(PYPROJECT["project"]["dependencies"])
    for extra in extras:
        listed += PYPROJECT["project"]["optional-dependencies"][extra]
    return [Requirement(r) for r in listed]


@pytest.mark.parametrize(("lock", "extras"), [("app.lock", ()), ("test.lock", ("test",))])
def test_every_dependency_is_locked_within_its_bounds_with_hashes(lock, extras):
    locked = pins(lock)
    for requirement in requirements(*extras):
        name = canonicalize_name(requirement.name)
        assert name in locked, f"{name} is missing from {lock}: run make lock"
        version, _ = locked[name]
        assert requirement.specifier.contains(version, prereleases=True), f"{lock}: {name} {version}"
    assert all(hashes for _, hashes in locked.values()), "every locked package is hash-checked"


@pytest.mark.parametrize("lock", ["app.lock", "test.lock"])
def test_the_locks_and_the_bounds_stay_above_known_advisories(lock):
    locked = pins(lock)
    for name, floor in ADVISORY_FLOORS.items():
        assert locked[name][0] >= Version(floor), f"{lock}: {name} {locked[name][0]} < {floor}"
    bounds = {canonicalize_name(r.name): r.specifier for r in requirements()}
    for name in ("waitress", "aiohttp"):
        release = Version(ADVISORY_FLOORS[name]).release
        below = ".".join(map(str, (*release[:-1], release[-1] - 1)))  # the release before the fix
        assert not bounds[name].contains(below), f"{name} allows {below}, which has advisories"
    assert Requirement(PYPROJECT["build-system"]["requires"][0]).specifier.contains(ADVISORY_FLOORS["setuptools"])
    assert not Requirement(PYPROJECT["build-system"]["requires"][0]).specifier.contains("78.1.0")


def test_make_and_ci_install_from_the_locks():
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert "--require-hashes -r $(APP_LOCK)" in makefile and "--require-hashes -r $(TEST_LOCK)" in makefile
    assert 'pip install --quiet -e ".[test]"' not in makefile  # no unpinned resolution left
    assert "make test" in (ROOT / ".ci" / "run").read_text(encoding="utf-8")
