"""Duties as tasks, the board (order, filters, constant queries), contact rules, alerts, rule overrides."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import escape

from crisiscell.access.policy import Role
from crisiscell.accounts.models import User
from crisiscell.audit.models import AuditEvent
from crisiscell.cases import board, deadlines, duties
from crisiscell.cases.alerts import alerts_scan
from crisiscell.cases.models import Alert, CaseStatus, Task, TaskKind
from crisiscell.cases.rules_in_force import rules_in_force
from crisiscell.cases.services import case_close, case_register
from crisiscell.cases.tests.helpers import intake_data
from crisiscell.tests.factories import login_client, make_staff


@pytest.fixture
def desk(cell, staff):
    return staff(Role.DESK_OFFICER, cell, username="desk")


@pytest.fixture
def mlo(cell, staff):
    return staff(Role.MEDICO_LEGAL_OFFICER, cell, username="mlo", gender="female")


def register(desk, cell, hours_ago=1.0, incident_hours_before=5.0, **overrides):
    arrival = timezone.now() - timedelta(hours=hours_ago)
    return case_register(
        actor=desk,
        cell=cell,
        data=intake_data(arrival_at=arrival, incident_at=arrival - timedelta(hours=incident_hours_before), **overrides),
    )


def test_every_case_gets_the_five_duties_and_the_offers(cell, desk):
    case = register(desk, cell)
    kinds = sorted(case.tasks.exclude(kind=TaskKind.FOLLOW_UP).values_list("kind", flat=True))
    assert kinds == sorted(["mle", "evidence", "forensic", "fir", "other_action", "counselling", "legal_aid"])
    follow_ups = sorted(case.tasks.filter(kind=TaskKind.FOLLOW_UP).values_list("rule_key", flat=True))
    assert follow_ups == ["fu_1m", "fu_2w", "fu_3m", "fu_6m"]


def test_task_life_cycle_is_policed_and_audited(cell, desk, mlo):
    case = register(desk, cell)
    exam = case.tasks.get(kind=TaskKind.MLE)
    with pytest.raises(PermissionDenied):  # the desk officer has no medical section
        duties.task_take(actor=desk, task=exam)
    duties.task_take(actor=mlo, task=exam)
    exam.refresh_from_db()
    assert (exam.owner, exam.status) == (mlo, "open")
    with pytest.raises(ValidationError):  # not done: a reason is needed
        duties.task_close(actor=mlo, task=exam, status="declined")
    done_at = timezone.now() - timedelta(minutes=10)
    duties.task_close(actor=mlo, task=exam, status="done", done_at=done_at)
    exam.refresh_from_db()
    assert (exam.status, exam.closed_at, exam.closed_by) == ("done", done_at, mlo)
    with pytest.raises(ValidationError):
        duties.task_close(actor=mlo, task=exam, status="done")
    actions = list(AuditEvent.objects.filter(object_ref=case.code).values_list("action", flat=True))
    assert {"task.taken", "task.closed"} <= set(actions)
    # Completing the examination meets its clock.
    now = timezone.now()
    row = board.case_clocks(case, now=now)
    assert next(c for c in row.clocks if c.key == "mle").state == "met"
    # The case page passes the tasks it has read already: the same clocks, one query fewer.
    tasks = list(case.tasks.all())
    with CaptureQueriesContext(connection) as given:
        known = board.case_clocks(case, now=now, tasks=tasks)
    with CaptureQueriesContext(connection) as read:
        board.case_clocks(case, now=now)
    assert known.clocks == row.clocks
    assert [t.pk for t in known.open_tasks] == [t.pk for t in row.open_tasks]
    assert len(given) == len(read) - 1


def test_board_orders_by_the_most_urgent_clock(cell, desk, mlo):
    """What can still be saved, then overdue work (latest first), open deadlines, closed windows, settled."""
    calm = register(desk, cell, hours_ago=0.2, incident_hours_before=1)  # hours left everywhere
    # PEP closing in about 2 h; she declined swabs, whose windows would otherwise be missed.
    closing = register(desk, cell, hours_ago=2, incident_hours_before=68, choice_evidence="no")
    # Examination targets missed 2 and 20 hours ago; every window from the incident still open.
    missed_lately = register(desk, cell, hours_ago=8, incident_hours_before=1, choice_evidence="no")
    missed_long_ago = register(desk, cell, hours_ago=26, incident_hours_before=1, choice_evidence="no")
    # She came after 200 hours: the swab windows closed before she arrived; examined at once.
    too_late = register(desk, cell, hours_ago=1, incident_hours_before=200, choice_medical="no")
    done = too_late.tasks.get(kind=TaskKind.MLE)
    duties.task_close(actor=mlo, task=done, status="done", done_at=timezone.now())
    # Examined two hours after the target; nothing else to do: late, but settled.
    settled = register(desk, cell, hours_ago=10, incident_hours_before=1, choice_medical="no", choice_evidence="no")
    exam = settled.tasks.get(kind=TaskKind.MLE)
    duties.task_close(actor=mlo, task=exam, status="done", done_at=timezone.now() - timedelta(hours=2))
    rows = board.board_for(mlo, cell, now=timezone.now())
    assert [r.case.code for r in rows] == [
        closing.code, missed_lately.code, missed_long_ago.code, calm.code, too_late.code, settled.code,
    ]  # fmt: skip
    urgent = [(r.urgent.key, r.urgent.state) if r.urgent else None for r in rows]
    assert urgent[:4] == [("pep", "open"), ("mle", "missed"), ("mle", "missed"), ("mle", "open")]
    assert urgent[4] == ("urine", "missed")  # of the windows closed before she came, the last to close
    assert urgent[5] is None
    # Overdue: work late and still due. The late examination is done; windows that closed
    # before she came are missed, not overdue.
    assert [r.overdue for r in rows] == [False, True, True, False, False, False]
    assert [r.case.code for r in board.board_for(mlo, cell, now=timezone.now(), filt="overdue")] == [
        missed_lately.code, missed_long_ago.code,
    ]  # fmt: skip


def test_an_overdue_follow_up_ranks_as_overdue_work_and_one_due_soon_as_open(cell, desk, mlo):
    calm = register(desk, cell, hours_ago=0.2, incident_hours_before=1)  # examination due in 5.8 hours
    closing = register(desk, cell, hours_ago=2, incident_hours_before=68, choice_evidence="no")
    # Arrived 16 and 13 days ago, examined and given the first hepatitis B dose on time: the
    # two-week visit is two days overdue for one and due tomorrow for the other; their other
    # windows from the incident have closed.
    back, soon = (
        register(desk, cell, hours_ago=days * 24, incident_hours_before=1, choice_evidence="no") for days in (16, 13)
    )
    for case in (back, soon):
        exam = case.tasks.get(kind=TaskKind.MLE)
        duties.task_close(actor=mlo, task=exam, status="done", done_at=case.arrival_at + timedelta(hours=1))
        duties.clock_resolve(actor=mlo, case=case, clock_key="hep_b", state="met", done_at=exam.closed_at)
    rows = board.board_for(mlo, cell, now=timezone.now())
    assert [r.case.code for r in rows] == [closing.code, back.code, calm.code, soon.code]
    assert [f.overdue for f in rows[1].follow_ups] == [True]
    assert [f.overdue for f in rows[3].follow_ups] == [False]
    assert (rows[1].urgent.state, rows[3].urgent.state) == ("missed", "missed")  # closed windows, shown
    # and in each row the visit, the work left to do, is shown before the window that closed
    page = login_client(mlo).get(reverse("cases:board", kwargs={"cell_code": cell.code})).content.decode()
    for case, row in ((back, rows[1]), (soon, rows[3])):
        most_urgent = page.split(f'id="row-{case.pk}"', 1)[1].split("</td>", 2)[1]
        assert most_urgent.index("Follow-up") < most_urgent.index(str(row.urgent.label))


def test_board_filters(cell, desk, mlo, staff):
    child = register(desk, cell, age_years=11, consents=[])
    adult = register(desk, cell)
    duties.task_take(actor=mlo, task=adult.tasks.get(kind=TaskKind.MLE))
    assert [r.case.code for r in board.board_for(mlo, cell, now=timezone.now(), filt="children")] == [child.code]
    assert [r.case.code for r in board.board_for(mlo, cell, now=timezone.now(), filt="mine")] == [adult.code]
    assert {r.case.code for r in board.board_for(mlo, cell, now=timezone.now(), filt="unassigned")} == {
        child.code,
        adult.code,
    }
    late = register(desk, cell, hours_ago=30)
    assert [r.case.code for r in board.board_for(mlo, cell, now=timezone.now(), filt="overdue")] == [late.code]


def test_home_links_the_board_and_only_a_national_role_the_network_view(cell, desk):
    board_url = reverse("cases:board", kwargs={"cell_code": cell.code})
    network_urls = [reverse("cases:national_board"), reverse("digital:repeat_statistics")]
    page = login_client(desk).get(reverse("core:home")).content.decode()
    assert board_url in page
    assert not any(url in page for url in network_urls)
    analyst = make_staff(Role.NATIONAL_ANALYST, None, username="analyst")
    page = login_client(analyst).get(reverse("core:home")).content.decode()
    assert all(url in page for url in network_urls)
    assert board_url not in page  # counts only: no cell's board
    for url in network_urls:
        assert login_client(analyst).get(url).status_code == 200


def test_board_query_count_does_not_grow_with_cases(cell, desk, mlo):
    register(desk, cell)
    viewer = User.objects.get(pk=mlo.pk)  # a fresh user, as in each request
    with CaptureQueriesContext(connection) as few:
        board.board_for(viewer, cell, now=timezone.now())
    for i in range(12):
        register(desk, cell, hours_ago=i + 0.5)
    closed = register(desk, cell, hours_ago=300)
    case_close(actor=desk, case=closed, reason="duplicate")
    viewer = User.objects.get(pk=mlo.pk)
    with CaptureQueriesContext(connection) as many:
        rows = board.board_for(viewer, cell, now=timezone.now())
    assert len(rows) == 13
    assert closed.code not in [r.case.code for r in rows]
    assert len(many) == len(few)


def test_board_page_and_live_rows_and_one_click_take(cell, desk, mlo):
    case = register(desk, cell)
    client = login_client(mlo)
    page = client.get(reverse("cases:board", kwargs={"cell_code": cell.code}))
    assert page.status_code == 200
    assert case.code.encode() in page.content
    assert b'hx-trigger="every 30s"' in page.content
    rows = client.get(reverse("cases:board_rows", kwargs={"cell_code": cell.code}), HTTP_HX_REQUEST="true")
    assert rows.content.lstrip().startswith(b"<tbody")
    exam = case.tasks.get(kind=TaskKind.MLE)
    take_url = reverse("cases:task_take")
    # One take form on the page; the button names this very task, posts it and swaps its own row.
    assert f'<form id="take-task" method="post" action="{take_url}" autocomplete="off">'.encode() in page.content
    assert f'<button class="small" form="take-task" name="task" value="{exam.pk}" hx-post="{take_url}">'.encode() in (
        rows.content
    )
    assert b'<ul class="duties" hx-target="closest tr">' in rows.content
    assert b'hx-swap="outerHTML"' in rows.content.split(b">", 1)[0]  # the row inherits the swap
    assert f'<tr id="row-{case.pk}"'.encode() in rows.content
    response = client.post(take_url, {"task": str(exam.pk)}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert response.content.lstrip().startswith(f'<tr id="row-{case.pk}"'.encode())
    exam.refresh_from_db()
    assert exam.owner == mlo
    assert f'<span dir="ltr">{mlo.username}</span>'.encode() in response.content


def test_take_without_script_returns_to_where_it_was_asked(cell, desk, mlo):
    case = register(desk, cell)
    client = login_client(mlo)
    url = reverse("cases:task_take")
    exam, swab = case.tasks.get(kind=TaskKind.MLE), case.tasks.get(kind=TaskKind.EVIDENCE)
    from_board = client.post(url, {"task": str(exam.pk)})
    assert from_board.status_code == 302
    assert from_board["Location"] == reverse("cases:board", kwargs={"cell_code": cell.code})
    from_case = client.post(url, {"task": str(swab.pk), "return_to": "case"})
    assert from_case["Location"] == reverse("cases:detail", kwargs={"code": case.code})
    assert set(case.tasks.filter(owner=mlo).values_list("kind", flat=True)) == {TaskKind.MLE, TaskKind.EVIDENCE}


@pytest.mark.parametrize("value", ["", "not-a-uuid", "00000000-0000-0000-0000-000000000000"])
def test_take_of_a_missing_or_malformed_task_is_a_404(cell, mlo, value):
    response = login_client(mlo).post(reverse("cases:task_take"), {"task": value})
    assert response.status_code == 404


def test_polling_does_not_keep_an_idle_session_alive(cell, desk, mlo):
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        client = login_client(mlo)
        url = reverse("cases:board_rows", kwargs={"cell_code": cell.code})
        for _ in range(16):
            traveller.shift(timedelta(minutes=1))
            response = client.get(url, HTTP_HX_REQUEST="true")
        assert response.status_code == 204
        assert response["HX-Redirect"].startswith(reverse("accounts:login"))


def test_national_view_shows_counts_never_codes(cell, other_cell, desk, staff):
    register(desk, cell, age_years=12, consents=[])
    register(desk, cell, hours_ago=30)
    analyst = staff(Role.NATIONAL_ANALYST, None)
    client = login_client(analyst)
    page = client.get(reverse("cases:national_board")).content.decode()
    counts = {c.cell.code: c for c in board.national_counts(analyst, now=timezone.now())}
    assert (counts["KHI"].open_cases, counts["KHI"].children, counts["KHI"].overdue) == (2, 1, 1)
    assert counts["LHR1"].open_cases == 0
    assert "KHI-" not in page


def test_contact_respects_her_choices(cell, desk):
    case = register(desk, cell)  # may_call=True, day window, no texts
    with time_machine.travel(timezone.localtime().replace(hour=11, minute=0), tick=False):
        duties.contact_attempt_record(actor=desk, case=case, method="call", outcome="reached")
    with (
        time_machine.travel(timezone.localtime().replace(hour=22, minute=0), tick=False),
        pytest.raises(ValidationError, match="09:00 to 17:00"),
    ):
        duties.contact_attempt_record(actor=desk, case=case, method="call", outcome="reached")
    with pytest.raises(ValidationError, match="text"):
        duties.contact_attempt_record(actor=desk, case=case, method="text", outcome="reached")
    never = register(desk, cell, may_call=False)
    with pytest.raises(ValidationError, match="not to be phoned"):
        duties.contact_attempt_record(actor=desk, case=never, method="call", outcome="reached")


# What a message must never say, in each language it is offered in.
REVEALING = {
    "en": ("crisis", "cell", "case", "rape", "assault", "police", "violence", "abuse", "hospital", "hiv"),
    "ur": ("سیل", "کیس", "مقدمہ", "زیادتی", "ریپ", "پولیس", "تشدد", "ہسپتال", "بحران", "ایچ آئی وی"),
}


def test_message_templates_reveal_nothing_about_the_case_in_either_language():
    messages = duties.contact_messages()
    assert len(messages) == len(duties.CONTACT_TEMPLATES)
    for text in messages:
        assert set(text) == set(REVEALING) == set(duties.MESSAGE_LANGUAGES)
        assert text["ur"] != text["en"]  # translated, not the English again
        for language, words in REVEALING.items():
            lowered = text[language].lower()
            assert not [word for word in words if word in lowered], text[language]
    assert "{date}" in messages[0]["ur"]  # the appointment's date is still filled in


def test_the_case_page_offers_each_message_in_urdu_and_english_whatever_its_language(cell, desk):
    case = register(desk, cell)
    client = login_client(desk)
    url = reverse("cases:detail", kwargs={"code": case.code})
    english = client.get(url).content.decode()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ur"
    urdu = client.get(url).content.decode()
    for text in duties.contact_messages():
        for page in (english, urdu):
            assert f'<span lang="ur" dir="rtl">{escape(text["ur"])}</span>' in page
            assert f'<span lang="en" dir="ltr">{escape(text["en"])}</span>' in page


def test_alerts_reach_the_owner_and_the_cell_head_once(cell, desk, mlo, staff):
    head = staff(Role.CELL_HEAD, cell, username="head")
    case = register(desk, cell, hours_ago=5)  # examination due in an hour: warning
    duties.task_take(actor=mlo, task=case.tasks.get(kind=TaskKind.MLE))
    assert alerts_scan(now=timezone.now()) >= 2
    mine = Alert.objects.filter(case=case, clock_key="mle", kind="warning")
    assert set(mine.values_list("user__username", flat=True)) == {"mlo", "head"}
    assert alerts_scan(now=timezone.now()) == 0  # raised once
    assert alerts_scan(now=timezone.now() + timedelta(hours=2)) >= 2  # now missed
    assert Alert.objects.filter(case=case, clock_key="mle", kind="missed", user=head).exists()
    assert AuditEvent.objects.filter(action="alert.raised").exists()


def test_a_miss_is_told_while_it_is_news_or_its_work_is_still_due(cell, desk, mlo, staff):
    head = staff(Role.CELL_HEAD, cell, username="head")
    # She came nine days ago: her windows closed a week ago, her examination is still not done.
    old = register(desk, cell, hours_ago=9 * 24, incident_hours_before=1)
    # She came 70 hours ago, 4 hours after the incident: the PEP window closed two hours ago.
    fresh = register(desk, cell, hours_ago=70, incident_hours_before=4)
    # Somewhere in the two days before she came, 80 hours ago: the PEP window closed for
    # certain (72 hours from the latest possible time) 9 hours ago. That is news, though
    # its deadline, counted from the earliest possible time, passed 57 hours ago.
    ranged = register(desk, cell, hours_ago=80, incident_hours_before=1)
    ranged.incident_time_kind, ranged.incident_at = "approximate", None
    ranged.incident_earliest, ranged.incident_latest = (ranged.arrival_at - timedelta(hours=h) for h in (49, 1))
    ranged.save()
    # Examined eight hours after she came: the six-hour target was met late.
    late = register(desk, cell, hours_ago=10, incident_hours_before=1)
    exam = late.tasks.get(kind=TaskKind.MLE)
    duties.task_close(actor=mlo, task=exam, status="done", done_at=late.arrival_at + timedelta(hours=8))
    alerts_scan(now=timezone.now())
    told = set(Alert.objects.filter(user=head, kind="missed").values_list("case_id", "clock_key"))
    assert (old.pk, "mle") in told  # work still due, however long ago its target passed
    assert not {(old.pk, key) for key in ("ec", "pep", "swab_hvs", "swab_anal", "urine")} & told
    assert (fresh.pk, "pep") in told  # closed two hours ago: still news
    assert (fresh.pk, "swab_anal") not in told  # closed two days ago
    assert (late.pk, "mle") not in told  # done, if late
    assert (ranged.pk, "pep") in told  # surely closed 9 hours ago
    assert (ranged.pk, "swab_anal") not in told  # 24 hours from the latest time: surely closed 57 hours ago
    # the board still shows every one of them as missed
    rows = {row.case.pk: row for row in board.board_for(head, cell, now=timezone.now())}
    assert {c.key for c in rows[old.pk].clocks if c.state == "missed"} >= {"pep", "swab_anal", "mle"}
    assert "mle" in {c.key for c in rows[late.pk].clocks if c.state == "missed"}


def test_alerts_page_groups_by_case_and_kind_and_never_cuts_off_an_unread_alert(cell, desk, mlo, staff):
    head = staff(Role.CELL_HEAD, cell, username="head")
    cases = [register(desk, cell, hours_ago=i + 1) for i in range(6)]
    now = timezone.now()
    keys = ["ec", "pep", "swab_hvs", "swab_anal", "swab_oral", "urine", "hep_b", "mle", "fir"]
    Alert.objects.bulk_create(
        Alert(user=head, case=case, kind=kind, clock_key=key, created_at=now - timedelta(days=n, minutes=k))
        for n, case in enumerate(cases)
        for kind in ("missed", "warning")
        for k, key in enumerate(keys)
    )  # 108 unread alerts; the oldest case's are the oldest of all
    Alert.objects.create(user=mlo, case=cases[0], kind="missed", clock_key="ec", created_at=now)
    client = login_client(head)
    page = client.get(reverse("cases:alerts")).content.decode()
    assert page.count('class="unread"') == 12  # one line per case and kind
    assert cases[5].code in page  # the oldest still shows (the page once kept only the latest 100)
    assert "Deadline missed: Emergency contraception, HIV post-exposure prophylaxis (start)" in page
    assert page.index("Deadline approaching") < page.index("Deadline missed")  # what can still be saved first
    read = reverse("cases:alerts_read")
    assert client.post(read, {"case": str(cases[1].pk), "kind": "warning"}).status_code == 302
    assert not Alert.objects.filter(user=head, case=cases[1], kind="warning", read_at__isnull=True).exists()
    assert Alert.objects.filter(user=head, read_at__isnull=True).count() == 108 - len(keys)
    page = client.get(reverse("cases:alerts")).content.decode()
    assert page.count('class="unread"') == 11
    assert "Already read" in page
    assert client.post(read, {"case": "not-a-case"}).status_code == 404
    assert client.post(read).status_code == 302  # all of them
    assert not Alert.objects.filter(user=head, read_at__isnull=True).exists()
    assert Alert.objects.filter(user=mlo, read_at__isnull=True).count() == 1  # hers only
    assert "No unread alerts." in client.get(reverse("cases:alerts")).content.decode()


def test_closed_cases_raise_no_alerts(cell, desk, staff):
    staff(Role.CELL_HEAD, cell, username="head")
    case = register(desk, cell, hours_ago=50)
    case_close(actor=desk, case=case, reason="duplicate")
    assert case.status == CaseStatus.CLOSED
    assert alerts_scan(now=timezone.now()) == 0


def test_rule_override_without_code_change(db, capsys):
    call_command("rules_set", "mle", "4", reason="Provincial circular (test)")
    rule = rules_in_force()["mle"]
    assert (rule.hours, rule.overridden) == (4, True)
    call_command("rules_set", "mle", default=True, reason="Back to the national target")
    assert rules_in_force()["mle"].overridden is False
    call_command("rules_set")
    assert "mle" in capsys.readouterr().out
    assert AuditEvent.objects.filter(action="rules.overridden").count() == 2


def test_rules_page_shows_tags(cell, desk):
    page = login_client(desk).get(reverse("cases:rules")).content.decode()
    assert "Emergency contraception" in page
    assert "tag-law" in page
    assert "tag-verify" in page


def test_rules_page_in_urdu_says_in_urdu_what_each_source_says_of_its_window(cell, desk):
    client = login_client(desk)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ur"
    page = client.get(reverse("cases:rules")).content.decode()
    with translation.override("ur"):
        sources = {str(rule.source) for rule in deadlines.RULES}
    for source in sources:
        assert escape(source) in page
    assert "working target, not law" not in page
    assert "کام کا ہدف ہے، قانون نہیں" in page


def test_pep_given_schedules_the_course_check(cell, desk, mlo):
    case = register(desk, cell)
    duties.clock_resolve(actor=mlo, case=case, clock_key="pep", state="met", done_at=timezone.now())
    assert Task.objects.filter(case=case, kind=TaskKind.FOLLOW_UP, rule_key="pep_course").exists()
    with pytest.raises(ValidationError):
        duties.clock_resolve(actor=mlo, case=case, clock_key="fir", state="met", done_at=timezone.now())


def test_board_page_query_count_does_not_grow_with_cases(cell, desk, mlo, staff):
    """The whole request, template included: no query per case or per task."""
    staff(Role.EVIDENCE_CUSTODIAN, cell)
    register(desk, cell)
    url = reverse("cases:board", kwargs={"cell_code": cell.code})

    def count() -> int:
        client = login_client(User.objects.get(pk=mlo.pk))
        client.get(url)  # warm the session
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    few = count()
    for i in range(10):
        register(desk, cell, hours_ago=i + 0.5, age_years=10 + i, consents=[])
    assert count() == few


def test_the_case_page_names_each_follow_up_by_its_visit_not_its_rule_key(cell, desk):
    case = register(desk, cell)
    assert case.tasks.filter(kind=TaskKind.FOLLOW_UP, rule_key="fu_2w").exists()
    client = login_client(desk)
    page = client.get(reverse("cases:detail", kwargs={"code": case.code})).content.decode()
    for key in duties.FOLLOW_UP_RULES:
        assert f"<td>{escape(str(deadlines.DEFAULTS[key].label))}</td>" in page
        assert key not in page
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ur"
    urdu = client.get(reverse("cases:detail", kwargs={"code": case.code})).content.decode()
    with translation.override("ur"):
        assert f"<td>{escape(str(deadlines.DEFAULTS['fu_2w'].label))}</td>" in urdu
