"""The repository stands alone: tests, benchmarks and the Makefile read nothing outside the checkout.

A clone into an empty folder must run every test. A path that climbs out of the repository (``../examples``,
``Path(__file__).parents[3]`` from ``tests/config/``, ``ROOT.parent``) or names a machine's folder
(``/work/``, ``/home/``) works only where that folder happens to be, and hides the gap elsewhere.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
CHECKED = ("tests", "benchmarks")
SUFFIXES = {".py", ".cfg", ".ini", ".toml", ".yaml", ".yml", ".json", ".sh", ".txt"}

#: Forms that name a place outside the repository whatever file they are in.
OUTSIDE = [
    (re.compile(r"\.\./\w"), "a relative path that climbs out (../name)"),
    (re.compile(r"""["']\.\.["']"""), "a '..' path component"),
    (re.compile(r"""/\s*["']shared["']"""), "the folder 'shared' beside the repository"),
    (re.compile(r"/(?:work|home|root|Users)/"), "an absolute path to a machine's folder"),
    (re.compile(r"\b(?:ROOT|REPO|REPOSITORY|HERE_ROOT)\.parent\b"), "the folder above the repository"),
    (re.compile(r"parents\[\d+\]\.parent\b"), "the folder above a parent"),
]
#: Strings that are test data, not paths read: path traversal attempts fed to the parsers, and URL
#: paths with a traversal sent to the dashboard (a quoted path that starts at the site's root).
DATA = re.compile(r"\.\./\.\./etc/passwd|/start \.\./|[\"']/\w[^\"'\s]*/\.\./[^\"']*[\"']")
PARENTS = re.compile(r"Path\(__file__\)(?:\.resolve\(\))?\.parents\[(\d+)\]")


def outside_paths(path: Path, text: str) -> list[str]:
    """Each line of ``text`` (the file at ``path``, inside the repository) that names a path outside it."""
    depth = len(path.relative_to(REPO).parts) - 1  # parents[depth] is the repository's root
    found = []
    for number, line in enumerate(text.splitlines(), 1):
        code = DATA.sub("", line)
        for pattern, what in OUTSIDE:
            if pattern.search(code):
                found.append(f"{path.relative_to(REPO)}:{number}: {what}: {line.strip()}")
        for m in PARENTS.finditer(code):
            if int(m.group(1)) > depth:
                found.append(f"{path.relative_to(REPO)}:{number}: parents[{m.group(1)}] is above the "
                             f"repository: {line.strip()}")
    return found


def checked_files() -> list[Path]:
    files = [REPO / "Makefile"]
    for folder in CHECKED:
        files += [p for p in (REPO / folder).rglob("*")
                  if p.suffix in SUFFIXES and p.is_file() and "node_modules" not in p.parts]
    return sorted(files)


def test_no_test_benchmark_or_make_target_reads_outside_the_repository():
    found = [hit for path in checked_files() if path != Path(__file__).resolve()
             for hit in outside_paths(path, path.read_text(encoding="utf-8"))]
    assert not found, "paths outside the repository:\n" + "\n".join(found)


#: A folder that sits beside a checkout on some machines only; the lines below name it as data.
BESIDE = "sha" + "red"


@pytest.mark.parametrize("line", [
    f'EXAMPLE = Path(__file__).resolve().parents[2].parent / "{BESIDE}" / "examples" / "feature-film.yaml"',
    'REFERENCE = Path(__file__).resolve().parents[3] / "reference"',
    'EXAMPLE = ROOT.parent / "examples" / "feature-film.yaml"',
    f'    return Path("/work/{BESIDE}/examples/feature-film.yaml")',
    f'yaml = open("../{BESIDE}/examples/feature-film.yaml")',
    f'yaml = open("tests/../../{BESIDE}/examples/feature-film.yaml")',
])
def test_the_check_sees_each_way_of_climbing_out(line):
    assert outside_paths(REPO / "tests" / "config" / "test_x.py", line)


@pytest.mark.parametrize("line", [
    'EXAMPLE = Path(__file__).resolve().parents[2] / "config" / "examples" / "feature-film.yaml"',
    'FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "productions"',
    '    "../../etc/passwd",',
    'path=Path("/tmp/x.ogg")',
])
def test_paths_inside_the_repository_and_test_data_pass(line):
    assert outside_paths(REPO / "tests" / "config" / "test_x.py", line) == []
