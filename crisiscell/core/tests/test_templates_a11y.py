"""What a screen reader meets on every page: no unnamed column, no text outside a landmark.

Found by running axe-core over the demo pages of every role: an actions column had an empty
header, and the demo banner sat outside the page's landmarks.
"""

from __future__ import annotations

import re

from django.test import Client, override_settings
from django.urls import reverse

from crisiscell.tests.templates import PACKAGE, html_templates

EMPTY_HEADER = re.compile(r"<th\b[^>]*>\s*</th>")


def test_no_table_header_is_empty() -> None:
    templates = html_templates()
    assert len(templates) >= 20
    problems = [
        f"{path.relative_to(PACKAGE.parent)}: {match.group()}"
        for path in templates
        for match in EMPTY_HEADER.finditer(path.read_text(encoding="utf-8"))
    ]
    assert not problems, "name the column, if only for screen readers (visually-hidden):\n" + "\n".join(problems)


def test_the_finder_sees_an_empty_header() -> None:
    assert EMPTY_HEADER.search('<tr><th scope="col">Kind</th><th scope="col"> </th></tr>')
    assert not EMPTY_HEADER.search('<th scope="col"><span class="visually-hidden">Actions</span></th>')


def test_the_demo_banner_is_a_landmark_named_by_its_word(db: None) -> None:
    with override_settings(CRISISCELL_DEMO=True):
        page = Client().get(reverse("accounts:login")).content.decode()
    banner = re.search(r'<aside class="demo-banner" aria-labelledby="([^"]+)">(.*?)</aside>', page, re.S)
    assert banner is not None
    assert f'id="{banner.group(1)}">DEMO<' in banner.group(2)
