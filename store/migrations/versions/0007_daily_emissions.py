"""Daily emissions: the emission lines summed per production, day and factor, for the dashboard's balance.

Revision ID: 0007
Revises: 0006

The table is created, then filled from the emission lines already stored (one INSERT ... SELECT),
in the migration's transaction: from then on the store keeps it up to date as it writes lines.
Amounts are BigInteger counts of 10^-6 units (10^-9 for the factor), like the lines they sum.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

KEY = (
    "production_id", "day", "category", "kind", "unit", "estimated", "factor_key", "factor_set_version",
    "factor_kgco2e_per_unit", "factor_unit", "factor_source", "factor_year", "factor_proxy",
)


def upgrade() -> None:
    op.create_table(
        "daily_emissions",
        sa.Column("production_id", sa.String(length=64), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("category", sa.String(length=16), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("unit", sa.String(length=32), nullable=False),
        sa.Column("estimated", sa.Boolean(), nullable=False),
        sa.Column("factor_key", sa.String(length=100), nullable=False),
        sa.Column("factor_set_version", sa.String(length=32), nullable=False),
        sa.Column("factor_kgco2e_per_unit", sa.BigInteger(), nullable=False),  # x 10^9
        sa.Column("factor_unit", sa.String(length=32), nullable=False),
        sa.Column("factor_source", sa.Text(), nullable=False),
        sa.Column("factor_year", sa.Text(), nullable=False),
        sa.Column("factor_proxy", sa.Boolean(), nullable=False),
        sa.Column("quantity", sa.BigInteger(), nullable=False),  # x 10^6
        sa.Column("kgco2e", sa.BigInteger(), nullable=False),  # x 10^6
        sa.Column("lines", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["production_id"],
            ["productions.id"],
            name=op.f("fk_daily_emissions_production_id_productions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(*KEY, name=op.f("pk_daily_emissions")),
    )
    key = ", ".join(KEY)
    op.execute(
        f"INSERT INTO daily_emissions ({key}, quantity, kgco2e, lines) "
        f"SELECT {key}, SUM(quantity), SUM(kgco2e), COUNT(*) FROM emission_lines GROUP BY {key}"
    )


def downgrade() -> None:
    op.drop_table("daily_emissions")
