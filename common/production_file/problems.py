"""What is wrong in a production file: one ``Problem`` each, raised together as ``ProductionFileProblems``."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from common.production_file.types import MAX_DEPTH, MAX_FILE_BYTES, MAX_VALUES
from domain.errors import ProductionFileError

Path_ = tuple[str | int, ...]


@dataclass(frozen=True)
class Problem:
    """One thing wrong in a production file."""

    where: str
    problem: str
    line: int | None = None

    def describe(self) -> str:
        return f"{self.problem} (line {self.line})" if self.line else self.problem


class ProductionFileProblems(ProductionFileError):
    """A production file with one or more problems; ``where``/``problem`` are the first one's.

    ``str()`` lists every problem, one per line, each starting with the file name.
    """

    def __init__(self, file: str, problems: Sequence[Problem]) -> None:
        first = problems[0]
        super().__init__(file, first.where, first.describe())
        self.problems = tuple(problems)
        self.args = ("\n".join(_located(file, p) for p in self.problems),)


def _located(file: str, problem: Problem) -> str:
    return f"{file}: {problem.where}: {problem.describe()}" if problem.where else f"{file}: {problem.describe()}"


def _too_large() -> Problem:
    return Problem(
        "",
        f"the file expands to more than {MAX_VALUES} values or {MAX_DEPTH} levels "
        "(aliases nested too deep, or looping)",
    )


def _too_big(size: int) -> Problem:
    return Problem(
        "",
        f"the file is {size:,} bytes; a production file is at most {MAX_FILE_BYTES:,} bytes "
        "(check that this is the right file)",
    )
