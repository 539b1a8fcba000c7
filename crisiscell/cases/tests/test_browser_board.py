"""In a real headless Chromium: a medico-legal officer takes a task from the live board.

The board's Take buttons carry their task in their value and rely on htmx to post
it and swap only their own row; this checks that the browser does exactly that.
"""

from __future__ import annotations

import pytest

from crisiscell.access.policy import Role
from crisiscell.cases.models import TaskKind
from crisiscell.cases.tests.test_board import register
from crisiscell.tests.browser import browser_login
from crisiscell.tests.factories import CellFactory, make_staff

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_taking_a_task_on_the_board_swaps_only_its_row(live_server, browser_page):
    cell = CellFactory(code="KHI")
    desk = make_staff(Role.DESK_OFFICER, cell, username="browser-desk")
    mlo = make_staff(Role.MEDICO_LEGAL_OFFICER, cell, username="browser-mlo", gender="female")
    first, second = register(desk, cell, hours_ago=2), register(desk, cell, hours_ago=1)
    page = browser_page
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    browser_login(page, live_server.url, mlo)

    page.goto(f"{live_server.url}/cells/KHI/board/")
    exam = first.tasks.get(kind=TaskKind.MLE)
    row = page.locator(f"#row-{first.pk}")
    other_row = page.locator(f"#row-{second.pk}")
    assert row.locator("text=browser-mlo").count() == 0
    takes_elsewhere = other_row.locator("button[name=task]").count()

    with page.expect_response(lambda r: r.url.endswith("/tasks/take/") and r.request.method == "POST") as posted:
        row.locator(f"button[value='{exam.pk}']").click()
    assert posted.value.status == 200
    assert posted.value.request.headers.get("hx-request") == "true"  # htmx, not a page load
    row.locator("text=browser-mlo").wait_for()

    exam.refresh_from_db()
    assert exam.owner == mlo
    assert row.locator(f"button[value='{exam.pk}']").count() == 0
    assert other_row.locator("button[name=task]").count() == takes_elsewhere  # the other row is untouched
    assert page.url.endswith("/cells/KHI/board/")  # no navigation
    assert not errors, errors


def test_the_board_fits_a_tablet_and_a_desktop_without_sideways_scrolling(live_server, browser_page):
    """The duties get a wide column (a row is a few lines, not a dozen) and a case code never breaks."""
    cell = CellFactory(code="KHI")
    desk = make_staff(Role.DESK_OFFICER, cell, username="browser-desk")
    mlo = make_staff(Role.MEDICO_LEGAL_OFFICER, cell, username="browser-mlo", gender="female")
    case = register(desk, cell, hours_ago=2)
    page = browser_page
    browser_login(page, live_server.url, mlo)
    for width, height in ((820, 1180), (1280, 800)):
        page.set_viewport_size({"width": width, "height": height})
        page.goto(f"{live_server.url}/cells/KHI/board/")
        row = page.locator(f"#row-{case.pk}")
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        duties, table = row.locator("td").last.bounding_box(), page.locator("table.board").bounding_box()
        assert duties is not None
        assert table is not None
        assert duties["width"] >= 0.4 * table["width"], (width, duties, table)
        assert row.locator("th a").evaluate("a => a.getClientRects().length") == 1, width  # one line
