"""The shared store: SQLAlchemy 2 tables, Alembic migrations, the unit of work and read queries."""
