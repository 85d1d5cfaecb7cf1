"""ActivityClaim becomes CycleActivity (issue 6, finding 6): "claim" meant four things.

A rename, not a re-creation: the rows and their ids stay as they are (the unique index is rebuilt under its new name).
"""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("activities", "0004_claims_indexed_by_cycle_then_activity"),
        ("certifications", "0003_status_labels"),
    ]

    operations = [
        migrations.RemoveConstraint(model_name="activityclaim", name="claim_once_per_cycle"),
        migrations.RenameModel(old_name="ActivityClaim", new_name="CycleActivity"),
        migrations.AlterField(
            model_name="cycleactivity",
            name="activity",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="cycle_links",
                to="activities.activity",
            ),
        ),
        migrations.AlterField(
            model_name="cycleactivity",
            name="cycle",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="activity_links",
                to="certifications.cycle",
            ),
        ),
        migrations.AlterField(
            model_name="activity",
            name="cycles",
            field=models.ManyToManyField(
                related_name="activities",
                through="activities.CycleActivity",
                to="certifications.cycle",
            ),
        ),
        migrations.AddConstraint(
            model_name="cycleactivity",
            constraint=models.UniqueConstraint(
                fields=("cycle", "activity"), name="activity_once_per_cycle"
            ),
        ),
    ]
