"""Writing batches of generated rows: COPY on PostgreSQL, ``bulk_create`` elsewhere.

Every column list comes from the row types in ``bench/rows.py``; ids are assigned by the
generator, so neither writer needs rows back. :meth:`Writer.finish` brings the sequences
past the ids used and analyses the tables.
"""

from __future__ import annotations

from dataclasses import astuple
from typing import TYPE_CHECKING

from rows import TABLES, Batch, Ids, Table

if TYPE_CHECKING:
    from django.db.models import Model


class Writer:
    """Writes a batch of rows per transaction; subclasses choose COPY or bulk_create."""

    def __init__(self, first_ids: Ids) -> None:
        from django.apps import apps

        self.models: dict[str, type[Model]] = {
            table.name: apps.get_model(table.model_label) for table in TABLES
        }
        for table in TABLES:
            _check_columns(self.models[table.name], table)
        self.first_ids = dict(
            zip((table.name for table in TABLES), astuple(first_ids), strict=True)
        )

    def begin(self) -> None:
        """Prepare the transaction that is about to receive one batch."""

    def write(self, batch: Batch) -> None:
        from django.db import transaction

        with transaction.atomic():
            self.begin()
            for table in TABLES:
                rows = batch.rows(table)
                if rows:
                    self.write_table(self.models[table.name], table, rows)

    def write_table(self, model: type[Model], table: Table, rows: list[tuple[object, ...]]) -> None:
        raise NotImplementedError

    def finish(self) -> None:
        """Bring the sequences past the ids used here and refresh the planner's statistics."""
        from django.core.management.color import no_style
        from django.db import connection

        models = list(self.models.values())
        with connection.cursor() as cursor:
            for statement in connection.ops.sequence_reset_sql(no_style(), models):
                cursor.execute(statement)
            for model in models:
                cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")


def _check_columns(model: type[Model], table: Table) -> None:
    """Fail with a clear message when a model and its row type disagree on the columns.

    Another developer adding a field should see which file to update, not a NOT NULL
    error from the middle of a COPY.
    """
    known = {f.attname for f in model._meta.concrete_fields}
    columns = set(table.row_type._fields)  # type: ignore[attr-defined]
    if columns != known:
        raise SystemExit(
            f"bench/rows.py ({table.row_type.__name__}) is out of date with "
            f"{model.__name__}: missing {sorted(known - columns)}, "
            f"unknown {sorted(columns - known)}."
        )


class CopyWriter(Writer):
    """PostgreSQL: one ``COPY … FROM STDIN`` per table and batch.

    Row-by-row foreign-key triggers cost more than the COPY itself (10 s of 16 s for
    2,000 members), so when the role may, batches are loaded with
    ``session_replication_role = replica``, which skips them, and :meth:`finish` then
    checks every new row's references with one anti-join per foreign key instead.
    """

    def __init__(self, first_ids: Ids) -> None:
        from django.db import connection

        super().__init__(first_ids)
        with connection.cursor() as cursor:
            cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
            row = cursor.fetchone()
        self.skip_triggers = bool(row and row[0])

    def begin(self) -> None:
        from django.db import connection

        if self.skip_triggers:
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL session_replication_role = replica")

    def finish(self) -> None:
        super().finish()
        if self.skip_triggers:
            self.check_references()

    def check_references(self) -> None:
        """Fail if any row written here points at a row that does not exist."""
        from django.db import connection
        from django.db.models import ForeignKey

        quote = connection.ops.quote_name
        dangling: list[str] = []
        with connection.cursor() as cursor:
            for name, model in self.models.items():
                for fk in model._meta.concrete_fields:
                    if not isinstance(fk, ForeignKey):
                        continue
                    target = fk.related_model._meta
                    cursor.execute(
                        f"SELECT count(*) FROM {quote(model._meta.db_table)} AS child "
                        f"WHERE child.id >= %s AND child.{quote(fk.column)} IS NOT NULL "
                        f"AND NOT EXISTS (SELECT 1 FROM {quote(target.db_table)} AS parent "
                        f"WHERE parent.{quote(fk.target_field.column)} = child.{quote(fk.column)})",
                        [self.first_ids[name]],
                    )
                    (count,) = cursor.fetchone()
                    if count:
                        dangling.append(f"{model.__name__}.{fk.name}: {count:,}")
        if dangling:
            raise SystemExit(f"Rows with dangling references: {'; '.join(dangling)}.")

    def write_table(self, model: type[Model], table: Table, rows: list[tuple[object, ...]]) -> None:
        from django.db import connection

        quote = connection.ops.quote_name
        fields: tuple[str, ...] = table.row_type._fields  # type: ignore[attr-defined]
        names = ", ".join(quote(model._meta.get_field(name).column) for name in fields)
        sql = f"COPY {quote(model._meta.db_table)} ({names}) FROM STDIN"
        with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
            for row in rows:
                copy.write_row(row)


class BulkCreateWriter(Writer):
    """Any other database: ``bulk_create`` in the largest batches the backend allows."""

    def write_table(self, model: type[Model], table: Table, rows: list[tuple[object, ...]]) -> None:
        objects = [model(**row._asdict()) for row in rows]  # type: ignore[attr-defined]
        model._default_manager.bulk_create(objects)  # type: ignore[attr-defined]


def writer_for_connection(first_ids: Ids) -> Writer:
    """The fastest writer the default database supports."""
    from django.db import connection

    if connection.vendor == "postgresql":
        return CopyWriter(first_ids)
    return BulkCreateWriter(first_ids)
