"""In a real headless Chromium: on a narrow screen a wide table scrolls inside its panel.

The chain of custody has eight columns; on a tablet held upright, or a small laptop, the page
itself used to scroll sideways, taking the headings and the forms with it.
"""

from __future__ import annotations

from typing import Any

import pytest

from crisiscell.evidence.tests.helpers import sealed
from crisiscell.tests.browser import browser_login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

_WIDTHS = """() => {
    const page = document.documentElement, panel = document.querySelector('[aria-labelledby="custody-h"]');
    const table = panel.querySelector('table');
    return {page: page.scrollWidth, viewport: page.clientWidth, panel: panel.clientWidth,
            table: table.getBoundingClientRect().width, scrolls: panel.scrollWidth > panel.clientWidth};
}"""


def test_the_custody_table_scrolls_in_its_panel_not_the_page(live_server: Any, browser_page: Any, mlo, case) -> None:
    item = sealed(mlo, case)
    page = browser_page
    page.set_viewport_size({"width": 560, "height": 900})
    browser_login(page, live_server.url, mlo)
    page.goto(f"{live_server.url}/evidence/items/{item.human_id}/")
    widths = page.evaluate(_WIDTHS)
    assert widths["table"] > widths["panel"], widths  # the table is too wide for the screen...
    assert widths["scrolls"], widths  # ...so its panel scrolls
    assert widths["page"] <= widths["viewport"], widths  # and the page does not
