"""Cycles that ended before a record came to KeepCert were brought in.

Until now the only closed cycles were the ones `create_certification` made for the years
before a certification was put on the record (nothing closes a cycle in KeepCert yet), so
every closed cycle is marked brought in. Reversing marks them recorded again.
"""

from django.db import migrations


def mark_brought_in(apps, schema_editor):  # type: ignore[no-untyped-def]
    Cycle = apps.get_model("certifications", "Cycle")
    Cycle.objects.exclude(status="open").update(origin="brought_in")


def mark_recorded(apps, schema_editor):  # type: ignore[no-untyped-def]
    Cycle = apps.get_model("certifications", "Cycle")
    Cycle.objects.filter(brought_in_points__isnull=True).update(origin="recorded")


class Migration(migrations.Migration):
    dependencies = [
        ("certifications", "0004_cycle_origin"),
    ]

    operations = [
        migrations.RunPython(mark_brought_in, mark_recorded),
    ]
