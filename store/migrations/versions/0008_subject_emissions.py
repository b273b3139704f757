"""Subject emissions: the emission lines summed per production, subject and factor, for the plan's indicators.

Revision ID: 0008
Revises: 0007

Created, then filled from the emission lines already stored (one INSERT ... SELECT), in the
migration's transaction: from then on the store keeps it up to date as it writes lines, as it does
daily_emissions. Amounts are BigInteger counts of 10^-6 units (10^-9 for the factor).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

KEY = (
    "production_id", "subject", "category", "kind", "unit", "estimated", "factor_key", "factor_set_version",
    "factor_kgco2e_per_unit", "factor_unit", "factor_source", "factor_year", "factor_proxy",
)


def upgrade() -> None:
    op.create_table(
        "subject_emissions",
        sa.Column("production_id", sa.String(length=64), nullable=False),
        sa.Column("subject", sa.String(length=64), nullable=False),
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
            name=op.f("fk_subject_emissions_production_id_productions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(*KEY, name=op.f("pk_subject_emissions")),
    )
    key = ", ".join(KEY)
    op.execute(
        f"INSERT INTO subject_emissions ({key}, quantity, kgco2e, lines) "
        f"SELECT {key}, SUM(quantity), SUM(kgco2e), COUNT(*) FROM emission_lines GROUP BY {key}"
    )


def downgrade() -> None:
    op.drop_table("subject_emissions")
