"""Reports read by the dashboard at a season's size: three indexes on ``reports``.

Revision ID: 0014_report_reading
Revises: 0013_scheduler_wakeups

A season's production holds tens of thousands of reports; the dashboard reads them three ways,
each of which otherwise scanned and sorted every report of the production at each page:

- ``ix_reports_newest``: the data page lists a production's reports newest first, a page at a time
  (production, day, time received, id): the first page is read off the index's end;
- ``ix_reports_answered``: the reporting page's days answered per member, kind and subject, read in
  that order from the index alone (the report's id rides along for the "corrected away" check);
  only the reports not undone;
- ``ix_reports_flagged``: the few reports corrected, undone or confirmed after a warning, for the
  changed figures and their counts.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014_report_reading"
down_revision = "0013_scheduler_wakeups"
branch_labels = None
depends_on = None

FLAGGED = "corrects IS NOT NULL OR void OR confirmed"  # store.tables.REPORT_FLAGGED, as it was then
NOT_VOID = "NOT void"


def upgrade() -> None:
    op.create_index("ix_reports_newest", "reports", ["production_id", "day", "received_at", "id"])
    op.create_index("ix_reports_answered", "reports", ["production_id", "member_id", "kind", "subject", "day"],
                    postgresql_include=["id"], postgresql_where=sa.text(NOT_VOID), sqlite_where=sa.text(NOT_VOID))
    op.create_index("ix_reports_flagged", "reports", ["production_id"],
                    postgresql_where=sa.text(FLAGGED), sqlite_where=sa.text(FLAGGED))


def downgrade() -> None:
    op.drop_index("ix_reports_flagged", "reports")
    op.drop_index("ix_reports_answered", "reports")
    op.drop_index("ix_reports_newest", "reports")
