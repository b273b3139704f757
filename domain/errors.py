"""The errors the core raises. Entry points translate them into the user's language.

Every error carries a stable ``code`` (a message key) and the parameters a message needs,
so a bot, the CLI and the dashboard can each say it in their own words and language.
"""

from __future__ import annotations

from typing import Any


class GreenslateError(Exception):
    """Base of every error greenslate raises on purpose."""

    code = "error"

    def __init__(self, message: str = "", **params: Any) -> None:
        self.params = params
        super().__init__(message or self.code)


class NotFound(GreenslateError):
    code = "not_found"


class UnknownProduction(NotFound):
    code = "unknown_production"

    def __init__(self, production_id: str) -> None:
        super().__init__(f"no production with id {production_id!r}", production_id=production_id)


class UnknownMember(NotFound):
    code = "unknown_member"

    def __init__(self, member_id: str, production_id: str = "") -> None:
        where = f" in production {production_id!r}" if production_id else ""
        super().__init__(f"no crew member {member_id!r}{where}", member_id=member_id)


class UnknownFactor(NotFound):
    code = "unknown_factor"

    def __init__(self, key: str, version: str) -> None:
        super().__init__(f"no emission factor {key!r} in factor set {version}", key=key, version=version)


class UnknownReport(NotFound):
    code = "unknown_report"


class UnknownAction(NotFound):
    code = "unknown_action"


class DuplicateReport(GreenslateError):
    """The source message was stored already, by a concurrent delivery (``report`` is that copy)."""

    code = "duplicate_report"

    def __init__(self, report: Any) -> None:
        self.report = report  # the domain.model.Report stored first
        super().__init__(
            f"{report.source} message {report.source_ref!r} is already stored",
            source=report.source,
            source_ref=report.source_ref,
        )


class InvalidReport(GreenslateError):
    """A figure that cannot be stored as it is. Nothing was stored."""

    code = "invalid_report"


class ConflictingReport(InvalidReport):
    """The same source reference was stored already with another figure (``stored``). Nothing was stored."""

    code = "conflicting_report"

    def __init__(self, stored: Any, new: Any) -> None:
        self.stored = stored  # the domain.model.Report stored first under that reference
        self.new = new  # the domain.model.Report refused
        super().__init__(
            f"{stored.source} reference {stored.source_ref!r} is already stored with another figure",
            reason="conflicting", stored=stored, new=new,
        )


class NeedsConfirmation(InvalidReport):
    """A figure that looks implausible: store it only if the member confirms it."""

    code = "needs_confirmation"


class AmbiguousNumber(InvalidReport):
    code = "ambiguous_number"


class NotANumber(InvalidReport):
    code = "not_a_number"


class ProductionFileError(GreenslateError):
    """A production file that cannot be loaded. ``where`` is a path such as ``assignments[2].vehicle``."""

    code = "production_file"

    def __init__(self, file: str, where: str, problem: str) -> None:
        self.file = file
        self.where = where
        self.problem = problem
        location = f"{file}: {where}: " if where else f"{file}: "
        super().__init__(location + problem, file=file, where=where, problem=problem)
