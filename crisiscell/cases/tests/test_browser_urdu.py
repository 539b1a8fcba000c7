"""In a real headless Chromium: Urdu pages keep times and left-to-right values readable.

The bidirectional algorithm reorders digits after Urdu words and a narrow column breaks a
time at a hyphen; only a browser shows where the characters land.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings

from crisiscell.access.policy import Role
from crisiscell.cases.tests.test_board import register
from crisiscell.tests.browser import browser_login
from crisiscell.tests.factories import CellFactory, make_staff

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def _urdu_case_for_a_desk_officer(live_server: Any, page: Any) -> Any:
    """A case two hours old; its cell's desk officer signed in, reading in Urdu."""
    cell = CellFactory(code="KHI")
    desk = make_staff(Role.DESK_OFFICER, cell, username="browser-desk")
    case = register(desk, cell, hours_ago=2)
    browser_login(page, live_server.url, desk)
    page.context.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME, "value": "ur", "url": live_server.url}])
    return case


# The left edges of a <time>'s first four characters (the year) and its last two (minutes or day).
_EDGES = """time => {
    const text = time.firstChild, range = document.createRange();
    range.setStart(text, 0); range.setEnd(text, 4);
    const year = range.getBoundingClientRect().left;
    range.setStart(text, text.length - 2); range.setEnd(text, text.length);
    return [year, range.getBoundingClientRect().left, time.getClientRects().length];
}"""


def test_on_urdu_pages_times_read_left_to_right_on_one_line(live_server, browser_page):
    """Without the isolate, "2026-12-07" after Urdu words shows as "07-12-2026", and a narrow column breaks it."""
    page, case = browser_page, _urdu_case_for_a_desk_officer(live_server, browser_page)
    page.set_viewport_size({"width": 820, "height": 1180})
    for url, selector in (
        ("/cells/KHI/board/", f"#row-{case.pk} td time"),  # arrival, in a narrow column
        (f"/cases/{case.code}/", "#versions-h ~ details summary time"),  # after "ورژن 1 ..."
        (f"/cases/{case.code}/", ".timeline time"),
    ):
        page.goto(f"{live_server.url}{url}")
        assert page.locator("html").get_attribute("dir") == "rtl"
        time = page.locator(selector).first
        year, last, lines = time.evaluate(_EDGES)
        assert year < last, (url, time.inner_text())
        assert lines == 1, (url, time.inner_text())


# The gaps between a cell's box and its text, on the inline start side and on the end side.
_GAPS = """cell => {
    const range = document.createRange(); range.selectNodeContents(cell);
    const text = range.getBoundingClientRect(), box = cell.getBoundingClientRect();
    return [box.right - text.right, text.left - box.left];
}"""


def test_on_urdu_pages_a_left_to_right_value_lines_up_with_its_column(live_server, browser_page):
    """A CNIC or phone number (set left-to-right) sits at the right edge of its column, as the Urdu around it."""
    page, case = browser_page, _urdu_case_for_a_desk_officer(live_server, browser_page)
    page.goto(f"{live_server.url}/cases/{case.code}/")
    values = page.locator('dl.facts dd[dir="ltr"]')
    assert values.count() >= 3  # CNIC, phone, her reference
    for index in range(values.count()):
        right_gap, left_gap = values.nth(index).evaluate(_GAPS)
        assert right_gap < 2 < left_gap, (values.nth(index).inner_text(), right_gap, left_gap)


# The left edges of the example CNIC's first digit and its last, in an element's text.
_EXAMPLE_EDGES = """element => {
    const walker = document.createTreeWalker(element, NodeFilter.SHOW_TEXT), range = document.createRange();
    for (let text = walker.nextNode(); text; text = walker.nextNode()) {
        const at = text.data.indexOf("12345-1234567-1");
        if (at < 0) continue;
        return [at, at + 14].map(i => {
            range.setStart(text, i); range.setEnd(text, i + 1);
            return range.getBoundingClientRect().left;
        });
    }
    return null;
}"""


def test_on_urdu_pages_the_example_cnic_reads_left_to_right(live_server, browser_page):
    """After Urdu words "12345-1234567-1" showed as "1-1234567-12345": in the hint, and in the error."""
    page, _ = browser_page, _urdu_case_for_a_desk_officer(live_server, browser_page)
    page.goto(f"{live_server.url}/cells/KHI/intake/")
    assert page.locator("html").get_attribute("dir") == "rtl"
    first, last = page.locator("p.help", has_text="12345").first.evaluate(_EXAMPLE_EDGES)
    assert first < last
    # a CNIC with too few digits in the look-up: the error names the example too
    page.locator("input[name$='lookup_cnic']").fill("123")
    page.locator("button[value='lookup']").click()
    first, last = page.locator("p.error", has_text="12345").first.evaluate(_EXAMPLE_EDGES)
    assert first < last
