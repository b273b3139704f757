"""What is wrong in a production file: one ``Problem`` each, raised together as ``ProductionFileProblems``."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from common.production_file.types import MAX_DEPTH, MAX_FILE_BYTES, MAX_VALUES
from common.production_file.wording import Labels, Message, Num, say
from domain.errors import ProductionFileError

Path_ = tuple[str | int, ...]


@dataclass(frozen=True)
class Problem:
    """One thing wrong in a production file: ``problem`` is its English text (what the CLI prints),
    ``message`` the same in words any language can render (``text``, ``describe``)."""

    where: str
    problem: str
    line: int | None = None
    message: Message | None = field(default=None, compare=False)

    @classmethod
    def of(cls, where: str, message: Message, line: int | None = None) -> Problem:
        return cls(where, message.render("en"), line, message)

    def text(self, lang: str = "en", labels: Labels | None = None) -> str:
        """What is wrong, in ``lang`` (the English text when the problem has no message)."""
        return self.message.render(lang, labels) if self.message is not None else self.problem

    def describe(self, lang: str = "en", labels: Labels | None = None) -> str:
        """What is wrong and, for a file, on which line."""
        text = self.text(lang, labels)
        return say("at_line", problem=text, line=Num(self.line)).render(lang) if self.line else text


class ProductionFileProblems(ProductionFileError):
    """A production file with one or more problems; ``where``/``problem`` are the first one's.

    ``str()`` lists every problem, one per line, each starting with the file name, in ``lang``
    (English unless asked: the CLI's language).
    """

    def __init__(self, file: str, problems: Sequence[Problem], lang: str = "en") -> None:
        first = problems[0]
        super().__init__(file, first.where, first.describe(lang))
        self.problems = tuple(problems)
        self.args = ("\n".join(_located(file, p, lang) for p in self.problems),)

    def in_language(self, lang: str) -> ProductionFileProblems:
        """The same problems, said in ``lang``."""
        return ProductionFileProblems(self.file, self.problems, lang)


def _located(file: str, problem: Problem, lang: str = "en") -> str:
    text = problem.describe(lang)
    return f"{file}: {problem.where}: {text}" if problem.where else f"{file}: {text}"


def _too_large() -> Problem:
    return Problem.of("", say("file.too_large", values=Num(MAX_VALUES), depth=Num(MAX_DEPTH)))


def _too_big(size: int) -> Problem:
    return Problem.of("", say("file.too_big", size=Num(size, grouped=True), limit=Num(MAX_FILE_BYTES, grouped=True)))
