"""PDF rendering for every document crisiscell issues (WeasyPrint, fonts shipped with the app).

Pages are HTML templates rendered in the document's language, so an Urdu copy is
laid out right to left and shaped by HarfBuzz with Noto Nastaliq Urdu; Latin text
uses Noto Sans. Both fonts (SIL Open Font License) live in ``documents/fonts`` so a
PDF looks the same on any server, with no system fonts and no network.
"""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from django.template import engines
from django.template.loader import render_to_string
from django.utils import translation

FONTS = Path(__file__).resolve().parent / "fonts"

FONT_FACES = "\n".join(
    f'@font-face {{ font-family: "{family}"; font-weight: {weight}; src: url("{(FONTS / file).as_uri()}"); }}'
    for family, weight, file in [
        ("Noto Sans", 400, "NotoSans-400.ttf"),
        ("Noto Sans", 700, "NotoSans-700.ttf"),
        ("Noto Nastaliq Urdu", 400, "NotoNastaliqUrdu-400.ttf"),
        ("Noto Nastaliq Urdu", 700, "NotoNastaliqUrdu-700.ttf"),
    ]
)


class _VisibleText(HTMLParser):
    """The text a reader sees on the page, one line per block, without styles or scripts."""

    BLOCKS = frozenset({"p", "div", "h1", "h2", "h3", "tr", "li", "br", "section", "table", "dt", "dd"})

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in {"style", "script", "title"}:
            self._skip += 1
        elif tag in self.BLOCKS:
            self.parts.append("\n")
        elif tag in {"td", "th"}:
            self.parts.append("\t")

    def handle_endtag(self, tag: str) -> None:
        if tag in {"style", "script", "title"}:
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)

    def text(self) -> str:
        lines = ("".join(self.parts)).splitlines()
        return "\n".join(" ".join(line.split()) for line in lines if line.strip()) + "\n"


def visible_text(html: str) -> str:
    parser = _VisibleText()
    parser.feed(html)
    return parser.text()


def render_pdf(template: str | Any, context: dict[str, Any], *, language: str = "en") -> bytes:
    """Render ``template`` in ``language`` to PDF bytes.

    The PDF carries, as an attached file ``text-<language>.txt``, the exact text of its
    pages. Copying Urdu text out of a PDF page is unreliable (WeasyPrint's text layer
    maps shared Arabic-script glyphs to the wrong letters, upstream issue #2841), so
    a court or an agency that needs the words themselves takes them from there.
    """
    from weasyprint import HTML, Attachment
    from weasyprint.text.fonts import FontConfiguration

    with translation.override(language):
        full = {**context, "font_faces": FONT_FACES, "language": language, "rtl": translation.get_language_bidi()}
        # A template name, or a compiled template (tests build small ones in memory).
        html = render_to_string(template, full) if isinstance(template, str) else template.render(full)
    text_copy = Attachment(
        string=visible_text(html).encode("utf-8"),
        name=f"text-{language}.txt",
        description="The exact text of this document (UTF-8)",
    )
    fonts = FontConfiguration()
    document = HTML(string=html, base_url=str(FONTS))
    result: bytes = document.write_pdf(font_config=fonts, attachments=[text_copy])
    return result


def warm_up() -> bytes:
    """Render a small page in both scripts, so that a server worker pays WeasyPrint's start-up as it starts.

    Importing WeasyPrint and first using its fonts made the first label sheet after a
    restart take 1.6 to 2.3 s instead of about 0.2 s: the desk officer printing it at
    night waited for that. Called by the WSGI module; returns the page (for the test).
    """
    template = engines["django"].from_string(
        '{% extends "documents/base.html" %}{% block body %}<p>crisiscell</p><p>کیس</p>{% endblock %}'
    )
    return render_pdf(template, {}, language="ur")
