"""What is wrong with an imported file, each problem with its place (file, row, column) and its words.

The words are in ``config/locales/<lang>/LC_MESSAGES/import.po`` (keys ``import.problem.<key>``),
French and English: a problem is said in the language of whoever imports.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from base.i18n import t
from domain.errors import GreenslateError

#: Problems listed in full; beyond, their number (a file of ten thousand wrong rows is one mistake).
MAX_LISTED = 50


@dataclass(frozen=True)
class Problem:
    where: str  # the file's name (and sheet)
    key: str  # import.problem.<key>
    params: Mapping[str, Any] = field(default_factory=dict)
    row: int | None = None
    column: str | None = None  # "C (odometer)"

    def location(self, lang: str) -> str:
        if self.row is None:
            return self.where
        if self.column is None:
            return t(lang, "import.where.row", file=self.where, row=self.row)
        return t(lang, "import.where.cell", file=self.where, row=self.row, column=self.column)

    def text(self, lang: str) -> str:
        message = t(lang, f"import.problem.{self.key}", **self.params)
        return t(lang, "import.where.said", where=self.location(lang), problem=" ".join(message.splitlines()))


class ImportProblems(GreenslateError):
    """A file refused: nothing of it was stored. ``problems`` says where and why."""

    code = "import_problems"

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = list(problems)
        super().__init__(self.text("en"), problems=self.problems)

    def text(self, lang: str) -> str:
        """Nothing imported, then one problem a line (the first :data:`MAX_LISTED`)."""
        lines = [t(lang, "import.refused", count=len(self.problems))]
        lines += [p.text(lang) for p in self.problems[:MAX_LISTED]]
        if len(self.problems) > MAX_LISTED:
            lines.append(t(lang, "import.more", count=len(self.problems) - MAX_LISTED))
        return "\n".join(lines)
