"""Give every case registered before duty tracking its five duties and two offers.

Open cases get open tasks; closed cases get tasks closed as not applicable, with
the reason, so no closed case appears to owe work it was never tracked for.
"""

from django.db import migrations

DUTIES = ["mle", "evidence", "forensic", "fir", "other_action", "counselling", "legal_aid"]


def forwards(apps, schema_editor):
    Case = apps.get_model("cases", "Case")
    Task = apps.get_model("cases", "Task")
    import uuid

    from django.utils import timezone

    now = timezone.now()
    tracked = set(Task.objects.filter(kind__in=DUTIES).values_list("case_id", flat=True))
    batch = []
    for case in Case.objects.exclude(pk__in=tracked).only("pk", "status"):
        for kind in DUTIES:
            closed = case.status != "open"
            batch.append(
                Task(
                    id=uuid.uuid4(),
                    case_id=case.pk,
                    kind=kind,
                    status="n/a" if closed else "open",
                    reason="Closed before duties were tracked." if closed else "",
                    closed_at=now if closed else None,
                )
            )
        if len(batch) >= 5000:
            Task.objects.bulk_create(batch)
            batch = []
    Task.objects.bulk_create(batch)


class Migration(migrations.Migration):
    dependencies = [("cases", "0004_alert_clockresolution_contactattempt_ruleoverride_and_more")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
