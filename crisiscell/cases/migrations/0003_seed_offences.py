"""Seed the offence table from crisiscell/cases/offences.py (a deployment may correct rows later)."""

from django.db import migrations

from crisiscell.cases.offences import OFFENCES


def seed(apps, schema_editor):
    Offence = apps.get_model("cases", "Offence")
    for spec in OFFENCES:
        Offence.objects.update_or_create(code=spec.code, defaults=spec._asdict())


def unseed(apps, schema_editor):
    apps.get_model("cases", "Offence").objects.filter(code__in=[s.code for s in OFFENCES]).delete()


class Migration(migrations.Migration):
    dependencies = [("cases", "0002_initial")]

    operations = [migrations.RunPython(seed, unseed)]
