"""Times on pages: Asia/Karachi to the minute, each in a ``<time>`` the stylesheet keeps left to right."""

from __future__ import annotations

from datetime import UTC, date, datetime

from django.template import Context, Template

from crisiscell.core.times import day_html, in_sentence, local_minute, minute_html

AT = datetime(2026, 12, 6, 22, 5, tzinfo=UTC)  # 03:05 on the 7th in Karachi


def test_a_time_is_shown_in_karachi_with_its_offset_in_the_machine_readable_value() -> None:
    assert local_minute(AT) == "2026-12-07 03:05"
    assert minute_html(AT) == '<time datetime="2026-12-07T03:05+05:00">2026-12-07 03:05</time>'


def test_a_day_is_the_day_in_karachi_and_a_date_is_taken_as_it_is() -> None:
    assert day_html(AT) == '<time datetime="2026-12-07">2026-12-07</time>'
    assert day_html(date(2026, 1, 2)) == '<time datetime="2026-01-02">2026-01-02</time>'


def test_no_time_is_nothing() -> None:
    assert minute_html(None) == ""
    assert day_html(None) == ""


def test_the_filters_every_template_has_without_loading_them() -> None:
    template = Template("{{ at|local_time }} · {{ at|local_date }} · {{ on|local_time }} · [{{ none|local_date }}]")
    rendered = template.render(Context({"at": AT, "on": date(2026, 1, 2), "none": None}))
    assert rendered == (
        '<time datetime="2026-12-07T03:05+05:00">2026-12-07 03:05</time> · '
        '<time datetime="2026-12-07">2026-12-07</time> · '
        '<time datetime="2026-01-02">2026-01-02</time> · []'
    )
    assert Template('{{ none|local_date|default:"—" }}').render(Context({"none": None})) == "—"


def test_a_time_inside_a_plain_text_sentence_is_isolated_left_to_right() -> None:
    assert in_sentence("2026-12-07 03:05") == "\u20662026-12-07 03:05\u2069"  # LRI ... PDI
