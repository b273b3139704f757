"""The database schema: SQLAlchemy Core tables on one shared ``metadata``.

The domain never sees these: ``store.repositories`` translates rows to domain objects and back.

Conventions every table follows:

- exact numbers (quantities, kg CO2e, factors) are :class:`ExactDecimal` columns: scaled integers,
  exact on SQLite and PostgreSQL alike and summable in SQL (``func.sum`` gives a ``Decimal`` back);
- instants are :class:`UtcDateTime` columns: stored in UTC, always returned timezone-aware;
- enumerations are plain strings holding the domain ``StrEnum`` values (no database enum types,
  so adding a value needs no migration);
- constraint and index names come from the naming convention below, so migrations can name them.

Adding a feature's tables (invites, outbox, discord, users, ...):

1. Create ``store/<feature>.py`` and define the tables on this module's ``metadata``::

       from store.tables import ExactDecimal, UtcDateTime, metadata

       invites = Table("invites", metadata, Column("token", String(64), primary_key=True), ...)

   Put nothing heavy at import time: :func:`load_all_tables` imports every module of the package.
2. Write the Alembic revision by hand in ``store/migrations/versions/`` (``NNNN_<feature>.py``,
   ``revision = "NNNN"``, ``down_revision`` = the previous number). Use ``op.batch_alter_table`` to
   alter an existing table, so the change also runs on SQLite.
3. ``tests/store/test_migrations.py`` then checks that ``upgrade head`` on a fresh database gives
   exactly this metadata, on SQLite and PostgreSQL. Run it before committing.
"""

from __future__ import annotations

import datetime as dt
import importlib
import pkgutil
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_N_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

metadata = MetaData(naming_convention=NAMING_CONVENTION)


BIGINT_MAX = 2**63 - 1


class ExactDecimal(TypeDecorator[Decimal]):
    """A ``Decimal`` stored as an integer count of 10^-scale units (BigInteger).

    Numeric on SQLite goes through float; an integer is exact everywhere and ``SUM`` stays exact.
    Values with more decimals than ``scale`` are rounded half-even (6 decimals is a milligram of
    CO2e per kg, or a millilitre per kilolitre). Results come back without trailing zeros.
    """

    impl = BigInteger
    cache_ok = True

    def __init__(self, scale: int = 6) -> None:
        super().__init__()
        self.scale = scale

    def process_bind_param(self, value: Any, dialect: Dialect) -> int | None:
        if value is None:
            return None
        if isinstance(value, float):
            value = Decimal(str(value))
        elif not isinstance(value, Decimal):
            value = Decimal(value)
        if not value.is_finite():
            raise ValueError(f"cannot store {value} as an exact decimal")
        scaled = int(value.scaleb(self.scale).to_integral_value(rounding=ROUND_HALF_EVEN))
        if not -BIGINT_MAX <= scaled <= BIGINT_MAX:
            raise ValueError(f"{value} is too large to store exactly with {self.scale} decimals")
        return scaled

    def process_result_value(self, value: Any, dialect: Dialect) -> Decimal | None:
        if value is None:
            return None
        return tidy_decimal(Decimal(value).scaleb(-self.scale))

    @property
    def python_type(self) -> type[Decimal]:
        return Decimal


def tidy_decimal(value: Decimal) -> Decimal:
    """``220.000000`` -> ``220``, ``0.300000`` -> ``0.3`` (never ``2.2E+2``)."""
    if value == value.to_integral_value():
        return value.quantize(Decimal(1))
    return value.normalize()


class UtcDateTime(TypeDecorator[dt.datetime]):
    """A timezone-aware instant, stored in UTC, returned aware (in UTC) on every backend.

    Refuses naive datetimes: an instant without a zone is a bug waiting for the next DST change.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        if not isinstance(value, dt.datetime):
            raise TypeError(f"expected a datetime, got {type(value).__name__}")
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(f"naive datetime {value!r}: give it a timezone")
        utc: dt.datetime = value.astimezone(dt.UTC)
        if dialect.name == "sqlite":
            return utc.replace(tzinfo=None)
        return utc

    def process_result_value(self, value: Any, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        instant: dt.datetime = value
        if instant.tzinfo is None:
            return instant.replace(tzinfo=dt.UTC)
        return instant.astimezone(dt.UTC)

    @property
    def python_type(self) -> type[dt.datetime]:
        return dt.datetime


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


ID = String(64)  # production, member, vehicle, generator and action ids are short slugs

productions = Table(
    "productions",
    metadata,
    Column("id", ID, primary_key=True),
    Column("title", Text, nullable=False),
    Column("type", String(32), nullable=False),
    Column("timezone", String(64), nullable=False),
    Column("language", String(8), nullable=False),
    Column("calendar_start", Date, nullable=False),
    Column("calendar_end", Date, nullable=False),
    Column("shooting_weekdays", JSON, nullable=False),  # [0, 1, 2, 3, 4]; 0 = Monday
    Column("days_off", JSON, nullable=False),  # ["2027-04-05", ...]
    Column("forecast_tco2e", JSON, nullable=False),  # {"transport": "38.0", ...}
    # Everything else the production file declares (vehicles, generators, assignments, plan, ...),
    # as written by store.repositories.production_definition; the crew lives in ``members``.
    Column("definition", JSON, nullable=False),
    Column("created_at", UtcDateTime, nullable=False, default=_now),
    Column("updated_at", UtcDateTime, nullable=False, default=_now),
)

members = Table(
    "members",
    metadata,
    Column("production_id", ID, ForeignKey("productions.id", ondelete="CASCADE"), nullable=False),
    Column("member_id", ID, nullable=False),
    Column("position", Integer, nullable=False),  # order in the production file
    Column("name", Text, nullable=False),  # "" once forgotten
    Column("role", String(32), nullable=False),
    Column("channel", String(16), nullable=False),
    Column("language", String(8), nullable=False),
    Column("voice", Boolean, nullable=False),
    Column("paused_until", Date, nullable=True),
    # Set when the member chose it in chat: reloading the file then keeps the member's choice.
    Column("language_set_in_chat", Boolean, nullable=False, default=False),
    Column("voice_set_in_chat", Boolean, nullable=False, default=False),
    Column("pause_set_in_chat", Boolean, nullable=False, default=False),
    Column("telegram_chat_id", BigInteger, nullable=True, index=True),
    # The bot the chat was linked through: a chat id means something to one bot only ("" is the default bot).
    Column("telegram_bot", String(32), nullable=False, default="", server_default=""),
    Column("consent_at", UtcDateTime, nullable=True),
    Column("unreachable", Boolean, nullable=False, default=False),
    Column("forgotten", Boolean, nullable=False, default=False),
    Column("active", Boolean, nullable=False, default=True),  # False once no longer in the file
    PrimaryKeyConstraint("production_id", "member_id"),
)

#: A report corrected, undone or confirmed after a warning (``ix_reports_flagged``'s condition).
REPORT_FLAGGED = "corrects IS NOT NULL OR void OR confirmed"

reports = Table(
    "reports",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("production_id", ID, ForeignKey("productions.id", ondelete="CASCADE"), nullable=False),
    Column("member_id", ID, nullable=True),
    Column("kind", String(32), nullable=False),
    Column("day", Date, nullable=False),
    Column("subject", ID, nullable=True),
    Column("raw_text", Text, nullable=False),
    Column("source", String(32), nullable=False),
    Column("source_ref", String(200), nullable=False),
    Column("received_at", UtcDateTime, nullable=False),
    Column("corrects", Integer, ForeignKey("reports.id"), nullable=True, index=True),
    Column("void", Boolean, nullable=False, default=False),
    Column("confirmed", Boolean, nullable=False, default=False),
    # A message delivered twice (a retry, two bot instances) is stored once.
    UniqueConstraint("source", "source_ref"),
    ForeignKeyConstraint(["production_id", "member_id"], ["members.production_id", "members.member_id"]),
    Index("ix_reports_production_kind_subject", "production_id", "kind", "subject"),
    # The dashboard's three reads at a season's size (migration 0014): newest first, a page at a
    # time; the two partial ones are added by _partial_report_indexes().
    Index("ix_reports_newest", "production_id", "day", "received_at", "id"),
)


def _partial_report_indexes() -> None:
    """The days answered per member, kind and subject from the index alone, and the few reports
    corrected, undone or confirmed (migration 0014): partial indexes.

    Their ``postgresql_*`` and ``sqlite_*`` options load both dialects when declared (about 20 ms,
    and PostgreSQL's on a SQLite store), so they join the table only where the whole schema is
    wanted (:func:`load_all_tables`: the migrations and the schema checks), not at every command's
    start; no query needs an index declared to use it.
    """
    if any(index.name == "ix_reports_answered" for index in reports.indexes):
        return
    Index("ix_reports_answered", reports.c.production_id, reports.c.member_id, reports.c.kind, reports.c.subject,
          reports.c.day, postgresql_include=["id"], postgresql_where=text("NOT void"), sqlite_where=text("NOT void"))
    Index("ix_reports_flagged", reports.c.production_id, postgresql_where=text(REPORT_FLAGGED),
          sqlite_where=text(REPORT_FLAGGED))

report_values = Table(
    "report_values",
    metadata,
    Column("report_id", Integer, ForeignKey("reports.id", ondelete="CASCADE"), nullable=False),
    Column("item", String(64), nullable=False),  # odometer, km, vegetarian, residual, ...
    Column("quantity", ExactDecimal(), nullable=False),
    PrimaryKeyConstraint("report_id", "item"),
)

emission_lines = Table(
    "emission_lines",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("report_id", Integer, ForeignKey("reports.id", ondelete="CASCADE"), nullable=True, index=True),
    Column("production_id", ID, ForeignKey("productions.id", ondelete="CASCADE"), nullable=False),
    Column("day", Date, nullable=False),
    Column("category", String(16), nullable=False),
    Column("kind", String(32), nullable=False),
    Column("subject", ID, nullable=False),
    Column("member_id", ID, nullable=True),
    Column("quantity", ExactDecimal(), nullable=False),
    Column("unit", String(32), nullable=False),
    Column("kgco2e", ExactDecimal(), nullable=False),
    Column("factor_key", String(100), nullable=False),
    Column("factor_set_version", String(32), nullable=False),
    Column("factor_kgco2e_per_unit", ExactDecimal(9), nullable=False),
    Column("factor_unit", String(32), nullable=False),
    Column("factor_source", Text, nullable=False),
    Column("factor_year", Text, nullable=False),  # "2026", or a note on the vintage
    Column("factor_proxy", Boolean, nullable=False),
    Column("estimated", Boolean, nullable=False),
    Index("ix_emission_lines_production_day", "production_id", "day"),
)

def _sum_of_lines(name: str, by: Column[Any]) -> Table:
    """A table of emission lines summed per production, ``by`` (a day or a subject) and factor.

    Keyed by every trace column, so each sum still names its factor, source and set version;
    ``lines`` counts the lines a row stands for.
    """
    trace = ("category", "kind", "unit", "estimated", "factor_key", "factor_set_version",
             "factor_kgco2e_per_unit", "factor_unit", "factor_source", "factor_year", "factor_proxy")
    return Table(
        name,
        metadata,
        Column("production_id", ID, ForeignKey("productions.id", ondelete="CASCADE"), nullable=False),
        by,
        *(Column(c, emission_lines.c[c].type, nullable=False) for c in trace),
        Column("quantity", ExactDecimal(), nullable=False),
        Column("kgco2e", ExactDecimal(), nullable=False),
        Column("lines", Integer, nullable=False),
        PrimaryKeyConstraint("production_id", by.name, *trace),
    )


# The emission lines summed per production, day and factor, kept up to date in the transaction
# that writes a report's lines (``SqlEmissionLineRepository.replace``): the dashboard's balance
# reads a few rows per day here instead of every line. A row whose lines are all gone is deleted,
# so a row exists exactly when lines do. Nothing else writes it, except a rebuild from the lines
# (migration 0007, ``greenslate db rebuild-sums``, the benchmark's generated season).
daily_emissions = _sum_of_lines("daily_emissions", Column("day", Date, nullable=False))

#: The columns of ``daily_emissions`` that identify a row (its primary key), in key order.
DAILY_EMISSION_KEY = tuple(c.name for c in daily_emissions.primary_key.columns)

# The emission lines summed per production, subject (vehicle, generator, meal type, waste stream)
# and factor, over the whole shoot: what the plan's indicators read. Kept like ``daily_emissions``,
# in the same transactions and by the same rules.
subject_emissions = _sum_of_lines("subject_emissions", Column("subject", ID, nullable=False))

#: The columns of ``subject_emissions`` that identify a row (its primary key), in key order.
SUBJECT_EMISSION_KEY = tuple(c.name for c in subject_emissions.primary_key.columns)

action_status = Table(
    "action_status",
    metadata,
    # History: a change adds a row, never overwrites one. The current status is the latest row.
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("production_id", ID, ForeignKey("productions.id", ondelete="CASCADE"), nullable=False),
    Column("action_id", ID, nullable=False),
    Column("status", String(16), nullable=False),
    Column("outcome", String(16), nullable=True),
    Column("note", Text, nullable=False),
    Column("by", Text, nullable=False),
    Column("at", UtcDateTime, nullable=False),
    Index("ix_action_status_production_action", "production_id", "action_id"),
)


# When the scheduler next plans each production (scheduler.wake): kept so a restart plans only what
# is due or changed, instead of every production. Written by every scheduler sharing the store (last
# writer wins: a stale row only makes a production planned sooner, never later). No foreign key: a
# row of a production deleted meanwhile is harmless, and pruned at the next full sweep.
scheduler_wakeups = Table(
    "scheduler_wakeups",
    metadata,
    Column("production_id", ID, primary_key=True),
    Column("next_change_at", UtcDateTime, nullable=True),  # when its plan can next change
    Column("turn_at", UtcDateTime, nullable=True),  # its next turn in the sweep
    Column("fingerprint", String(64), nullable=True),  # of its crew and file when last planned
    Column("planned_at", UtcDateTime, nullable=False),  # the scheduler's clock when last planned
)


def load_all_tables() -> MetaData:
    """Import every module of the ``store`` package, so ``metadata`` holds every feature's tables.

    Alembic's env.py and the schema test call this; a module only has to exist to be included.
    """
    import store

    _partial_report_indexes()
    for module in pkgutil.iter_modules(store.__path__):
        if module.name != "migrations" and not module.name.startswith("_"):
            importlib.import_module(f"store.{module.name}")
    return metadata
