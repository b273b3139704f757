"""The shared store: SQLAlchemy 2 tables, Alembic migrations, the unit of work and read queries.

- ``store.engine.make_engine(url)``: the engine (SQLite with WAL, or PostgreSQL through psycopg 3);
- ``store.migrate.upgrade(url)``: bring a database to the latest schema (Alembic, no ini file);
- ``store.uow.SqlUnitOfWork(engine)``: the unit of work the use cases take;
- ``store.tables``: the tables, and how a feature adds its own.

Importing the package builds nothing and connects to nothing.
"""
