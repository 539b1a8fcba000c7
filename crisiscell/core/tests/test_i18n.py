"""Urdu: the catalogue is complete and compiled, pages turn right-to-left, no English slips through.

The Urdu catalogue lives in ``crisiscell/locale/ur/LC_MESSAGES``; ``make messages`` regenerates
and compiles it. These tests fail when a string is added without a translation, when the
``.mo`` file was not recompiled, or when a template shows English outside a translation tag.
"""

from __future__ import annotations

import importlib
import pkgutil
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import polib
import pytest
from django import forms
from django.conf import settings
from django.db.models.fields import BLANK_CHOICE_LABEL
from django.test import Client
from django.utils import translation

from crisiscell.access.policy import Role
from crisiscell.cases.models import Offence
from crisiscell.cases.offences import OFFENCES
from crisiscell.tests.factories import login_client

PACKAGE = Path(__file__).resolve().parents[2]
LC_MESSAGES = PACKAGE / "locale" / "ur" / "LC_MESSAGES"
PO_PATH = LC_MESSAGES / "django.po"
MO_PATH = LC_MESSAGES / "django.mo"

# Names shown as they are in Urdu too: the product name, which is also what the
# authenticator app displays next to the code.
KEPT_IN_LATIN = {"crisiscell"}
URDU_LETTER = re.compile(r"[\u0600-\u06ff]")
PLACEHOLDER = re.compile(r"%(?:\([^)]*\))?[-#0 +]*\d*(?:\.\d+)?[a-zA-Z%]")
MARKUP = re.compile(r"<[^>]*>")


@pytest.fixture(scope="module")
def po() -> polib.POFile:
    return polib.pofile(str(PO_PATH))


def _key(entry: polib.POEntry) -> tuple[str | None, str, str]:
    return (entry.msgctxt, entry.msgid, entry.msgid_plural or "")


def _translations(entry: polib.POEntry) -> list[str]:
    if entry.msgid_plural:
        return [entry.msgstr_plural[n] for n in sorted(entry.msgstr_plural)]
    return [entry.msgstr]


# --- The catalogue ---------------------------------------------------------------------------


def test_header_declares_urdu(po: polib.POFile) -> None:
    assert po.metadata["Language"] == "ur"
    assert po.metadata["Plural-Forms"] == "nplurals=2; plural=(n != 1);"
    assert po.metadata["Content-Type"] == "text/plain; charset=UTF-8"
    assert not po.metadata_is_fuzzy, "the header is still marked fuzzy"


def test_every_message_is_translated(po: polib.POFile) -> None:
    problems = []
    for entry in po:
        if entry.obsolete:
            problems.append(f"obsolete: {entry.msgid!r}")
        elif "fuzzy" in entry.flags:
            problems.append(f"fuzzy: {entry.msgid!r}")
        elif not all(text.strip() for text in _translations(entry)):
            problems.append(f"untranslated: {entry.msgid!r}")
        elif entry.msgid_plural and len(entry.msgstr_plural) != 2:
            problems.append(f"needs two plural forms: {entry.msgid!r}")
    assert len(po) > 0
    assert not problems, "\n".join(problems)


def test_translations_are_urdu_and_keep_placeholders(po: polib.POFile) -> None:
    problems = []
    for entry in po:
        for text in _translations(entry):
            if not text:
                continue  # reported by test_every_message_is_translated
            if sorted(PLACEHOLDER.findall(text)) != sorted(PLACEHOLDER.findall(entry.msgid)):
                problems.append(f"placeholders differ: {entry.msgid!r} -> {text!r}")
            if sorted(MARKUP.findall(text)) != sorted(MARKUP.findall(entry.msgid)):
                problems.append(f"markup differs: {entry.msgid!r} -> {text!r}")
            if entry.msgid not in KEPT_IN_LATIN and not URDU_LETTER.search(text):
                problems.append(f"not in Urdu script: {entry.msgid!r} -> {text!r}")
    assert not problems, "\n".join(problems)


def test_the_anti_rape_act_has_one_urdu_name(po: polib.POFile) -> None:
    """Staff, the police and courts read the Act's name in forms, reports and the FIR draft.

    One name everywhere: never the English acronym in Urdu text, and never "zina", which
    names a different offence (the catalogue once called the Act that in the court bundle).
    """
    mentions = [entry for entry in po if re.search(r"\bARITA\b|Anti-Rape", entry.msgid)]
    assert len(mentions) >= 15
    problems = [
        f"{entry.msgid!r} -> {text!r}"
        for entry in mentions
        for text in _translations(entry)
        if "اینٹی ریپ" not in text or "ARITA" in text or "انسداد" in text or "زنا (" in text
    ]
    assert not problems, "\n".join(problems)


def test_compiled_catalogue_matches_the_po_file(po: polib.POFile) -> None:
    """The .mo file is committed; it must say what the .po file says (run compilemessages)."""
    assert MO_PATH.is_file(), "django.mo is missing: run make messages"
    mo = polib.mofile(str(MO_PATH))

    def messages(
        catalogue: polib.POFile | polib.MOFile,
    ) -> dict[tuple[str | None, str, str], tuple[str, ...]]:
        return {
            _key(entry): tuple(_translations(entry))
            for entry in catalogue
            if entry.msgid and not entry.obsolete and "fuzzy" not in entry.flags and any(_translations(entry))
        }

    compiled, source = messages(mo), messages(po)
    stale = sorted(
        f"{key[1]!r}: .mo has {compiled.get(key)!r}, .po has {source.get(key)!r}"
        for key in compiled.keys() | source.keys()
        if compiled.get(key) != source.get(key)
    )
    assert not stale, "django.mo is out of date; run make messages:\n" + "\n".join(stale)
    assert mo.metadata.get("Plural-Forms") == po.metadata["Plural-Forms"]


def test_catalogue_holds_every_string_of_the_source(tmp_path: Path, po: polib.POFile) -> None:
    """Regenerate the catalogue from a copy of the package and compare the messages."""
    for tool in ("xgettext", "msgmerge"):
        assert shutil.which(tool), f"{tool} not found: install GNU gettext"
    committed_bytes = PO_PATH.read_bytes()
    copy = tmp_path / "crisiscell"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__"))
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "crisiscell",
            "makemessages",
            "-l",
            "ur",
            "--no-obsolete",
            "--no-location",
        ],
        cwd=copy,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr + result.stdout
    assert PO_PATH.read_bytes() == committed_bytes, "makemessages wrote to the real catalogue"

    regenerated = polib.pofile(str(copy / PO_PATH.relative_to(PACKAGE)))
    in_source = {_key(entry) for entry in regenerated if not entry.obsolete}
    in_catalogue = {_key(entry) for entry in po if not entry.obsolete}
    missing = sorted(key[1] for key in in_source - in_catalogue)
    unused = sorted(key[1] for key in in_catalogue - in_source)
    assert not missing, "strings missing from the Urdu catalogue (run make messages):\n" + "\n".join(missing)
    assert not unused, "strings the source no longer uses (run make messages):\n" + "\n".join(unused)


# --- Pages in Urdu -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_urdu_login_page_renders_right_to_left(client: Client, po: polib.POFile) -> None:
    log_in = po.find("Log in").msgstr
    switched = client.post("/i18n/setlang/", {"language": "ur", "next": "/accounts/login/"})
    assert switched.status_code == 302
    assert switched["Location"] == "/accounts/login/"
    assert switched.cookies[settings.LANGUAGE_COOKIE_NAME].value == "ur"

    page = client.get("/accounts/login/").content.decode()
    assert '<html lang="ur" dir="rtl">' in page
    assert f"<h1>{log_in}</h1>" in page
    assert "<h1>Log in</h1>" not in page
    # The switch back to English is offered in English, whatever the page's language.
    assert 'lang="en">English</button>' in page


@pytest.mark.django_db
def test_english_login_page_renders_left_to_right(client: Client) -> None:
    page = client.get("/accounts/login/").content.decode()
    assert '<html lang="en" dir="ltr">' in page
    assert "<h1>Log in</h1>" in page
    assert 'lang="ur">اردو</button>' in page


def test_home_page_in_urdu_for_a_logged_in_cell_head(cell, staff, po: polib.POFile) -> None:
    user = staff(Role.CELL_HEAD, cell)
    client = login_client(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ur"

    response = client.get("/")
    assert response.status_code == 200
    page = response.content.decode()
    assert '<html lang="ur" dir="rtl">' in page
    assert po.find("Your roles").msgstr in page
    assert po.find("Cell head").msgstr in page  # the role's label, from the model's choices
    assert po.find("Staff of cell %(code)s").msgstr % {"code": cell.code} in page
    assert "Your roles" not in page


# --- Django's own words on our pages ------------------------------------------------------------


class _AnyNumber(dict[str, int]):
    """Parameters for any message: a plural message picks its form by the number it is given."""

    def __missing__(self, key: str) -> int:
        return 2


def _shown(message: object, language: str) -> str:
    with translation.override(language):
        return str(message % _AnyNumber())  # type: ignore[operator]


def _project_forms() -> Iterator[type[forms.BaseForm]]:
    for module_info in pkgutil.walk_packages([str(PACKAGE)], "crisiscell."):
        if module_info.name.rsplit(".", 1)[-1] != "forms":
            continue
        module = importlib.import_module(module_info.name)
        for value in vars(module).values():
            if isinstance(value, type) and issubclass(value, forms.BaseForm) and value.__module__ == module.__name__:
                yield value


def test_every_message_django_gives_our_form_fields_is_in_urdu() -> None:
    """Django's Urdu catalogue lacks some of its own messages; ``core/django_urdu.py`` supplies them."""
    project_forms = list(_project_forms())
    assert len(project_forms) > 40  # the walk found the domains' forms
    english = []
    for form in project_forms:
        for name, field in form.base_fields.items():
            messages = [*field.error_messages.values(), *(getattr(v, "message", None) for v in field.validators)]
            for message in filter(None, messages):
                if _shown(message, "ur") == _shown(message, "en"):
                    english.append(f"{form.__name__}.{name}: {_shown(message, 'en')}")
    assert not english, "\n".join(sorted(set(english)))


def test_the_empty_choice_of_a_select_is_in_urdu() -> None:
    assert _shown(BLANK_CHOICE_LABEL, "ur") == "- کوئی ایک منتخب کریں -"
    assert _shown(BLANK_CHOICE_LABEL, "en") == "- Select an option -"


@pytest.mark.django_db
def test_every_seeded_offence_is_named_in_urdu_and_a_corrected_title_shows_as_stored() -> None:
    offences = list(Offence.objects.all())
    assert {offence.code for offence in offences} == {spec.code for spec in OFFENCES}
    with translation.override("ur"):
        for offence in offences:
            assert URDU_LETTER.search(offence.display_title), offence.code
            assert offence.display_title in str(offence)
        offences[0].title = "A title this deployment corrected (test)"
        assert offences[0].display_title == "A title this deployment corrected (test)"


# --- Templates carry no untranslated English ---------------------------------------------------

# 500.html is plain, bilingual HTML on purpose: it must render even when templates or
# translations are what failed.
STATIC_BILINGUAL = {PACKAGE / "templates" / "500.html"}

_DJANGO_COMMENT = re.compile(r"{#.*?#}|{%-?\s*comment\b.*?%}.*?{%\s*endcomment\s*%}", re.S)
_BLOCKTRANSLATE = re.compile(r"{%\s*blocktrans(?:late)?\b.*?%}.*?{%\s*endblocktrans(?:late)?\s*%}", re.S)
_DJANGO_TAG_OR_VARIABLE = re.compile(r"{%.*?%}|{{.*?}}", re.S)
_HTML_COMMENT = re.compile(r"<!--.*?-->", re.S)
_SCRIPT_OR_STYLE = re.compile(r"<(script|style)\b.*?</\1\s*>", re.S | re.I)
_HTML_TAG = re.compile(r"</?[A-Za-z!][^>]*>")
_ENTITY = re.compile(r"&(?:[A-Za-z][A-Za-z0-9]*|#\d+|#[xX][0-9A-Fa-f]+);")
_ATTRIBUTE = re.compile(r"""\s([A-Za-z][\w:.-]*)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+))""", re.S)
_WORD = re.compile(r"[A-Za-z]{3,}")
# Attributes whose values people read or hear.
VISIBLE_ATTRIBUTES = {
    "alt",
    "aria-description",
    "aria-label",
    "aria-placeholder",
    "aria-roledescription",
    "aria-valuetext",
    "placeholder",
    "title",
}
_BUTTON_INPUT_TYPES = {"button", "reset", "submit"}


def _blank(match: re.Match[str]) -> str:
    """Replace a region by spaces, keeping newlines, so offsets and line numbers stay true."""
    return re.sub(r"[^\n]", " ", match.group())


def untranslated_text(source: str) -> list[tuple[int, str]]:
    """(line, text) for every English word a template shows outside translation tags."""
    text = _DJANGO_COMMENT.sub(_blank, source)
    text = _BLOCKTRANSLATE.sub(_blank, text)
    text = _DJANGO_TAG_OR_VARIABLE.sub(_blank, text)  # {% translate %} goes with the other tags
    text = _HTML_COMMENT.sub(_blank, text)
    text = _SCRIPT_OR_STYLE.sub(_blank, text)

    def line(offset: int) -> int:
        return text.count("\n", 0, offset) + 1

    found = []
    for tag in _HTML_TAG.finditer(text):
        attributes = {
            m.group(1).lower(): (m.group(2) or m.group(3) or m.group(4) or "", m.start(1))
            for m in _ATTRIBUTE.finditer(tag.group())
        }
        visible = set(VISIBLE_ATTRIBUTES)
        is_button = attributes.get("type", ("", 0))[0].strip().lower() in _BUTTON_INPUT_TYPES
        if tag.group().lower().startswith("<input") and is_button:
            visible.add("value")
        for name, (value, offset) in attributes.items():
            if name in visible and _WORD.search(_ENTITY.sub(" ", value)):
                found.append((line(tag.start() + offset), f'{name}="{value.strip()}"'))
    text = _HTML_TAG.sub(_blank, text)
    text = _ENTITY.sub(_blank, text)
    found += [(line(word.start()), word.group()) for word in _WORD.finditer(text)]
    return sorted(found)


def _templates() -> list[Path]:
    return sorted(
        path
        for path in PACKAGE.rglob("*")
        if path.suffix in {".html", ".txt"}
        and "templates" in path.relative_to(PACKAGE).parts
        and path not in STATIC_BILINGUAL
    )


def test_templates_have_no_untranslated_text() -> None:
    templates = _templates()
    assert len(templates) >= 20, "the template scan found too few templates"
    problems = [
        f"{path.relative_to(PACKAGE.parent)}:{line}: {text}"
        for path in templates
        for line, text in untranslated_text(path.read_text(encoding="utf-8"))
    ]
    assert not problems, "wrap these in {% translate %}:\n" + "\n".join(problems)


@pytest.mark.parametrize(
    ("template", "expected"),
    [
        ("<p>Hello</p>", [(1, "Hello")]),
        ("<h1>{% translate 'Hello' %}</h1>\n<p>Goodbye</p>", [(2, "Goodbye")]),
        ("{% blocktranslate with n=x %}Hi {{ n }}, there{% endblocktranslate %}", []),
        ("{% blocktrans trimmed %}\nHi\n{% plural %}Hiya{% endblocktrans %}", []),
        ('<nav aria-label="Main">', [(1, 'aria-label="Main"')]),
        ("<nav aria-label=\"{% translate 'Main' %}\">", []),
        ('<img src="x.png" alt="Logo of the cell">', [(1, 'alt="Logo of the cell"')]),
        ('<abbr\n  title="Medico-legal officer">', [(2, 'title="Medico-legal officer"')]),
        ('<input type="search" placeholder=Search name="q">', [(1, 'placeholder="Search"')]),
        ('<input type="submit" value="Save">', [(1, 'value="Save"')]),
        ('<input type="hidden" name="next" value="{{ path }}">', []),
        ('<input type="hidden" name="mode" value="quick">', []),
        ("<title>{% block title %}Cases{% endblock %}</title>", [(1, "Cases")]),
        ("{% if code == 'ur' %}اردو{% else %}English{% endif %}", [(1, "English")]),
        ('<!doctype html>\n<html lang="{{ L }}" dir="ltr"><body class="wide">', []),
        ("<!-- TODO remove --><script>let shown = 1;</script><style>p {}</style>", []),
        ("{# note to self #}{% comment %}Draft text{% endcomment %}", []),
        ("<p>{{ e.id }} · # &amp; &nbsp; 12 OK</p>", []),
        ("{{ protocol }}://{{ domain }}{% url 'accounts:login' %}\n", []),
    ],
)
def test_untranslated_text_finder(template: str, expected: list[tuple[int, str]]) -> None:
    assert untranslated_text(template) == expected


# --- Stylesheets work both ways, and Urdu letters always have a face -------------------------

STYLESHEETS = sorted(PACKAGE.glob("*/static/**/*.css"))
_PHYSICAL = re.compile(
    r"(?:margin|padding|border)-(?:left|right)\b|(?<![-\w])(?:left|right)\s*:|"
    r"(?:text-align|float|clear)\s*:\s*(?:left|right)\b"
)


@pytest.mark.parametrize("sheet", STYLESHEETS, ids=lambda p: p.name)
def test_stylesheets_use_logical_properties_only(sheet: Path) -> None:
    # margin-left in a right-to-left page would sit on the wrong side: inline-start does not
    css = re.sub(r"/\*.*?\*/", "", sheet.read_text(), flags=re.S)
    assert _PHYSICAL.findall(css) == []


def test_the_urdu_face_covers_the_arabic_script_and_leads_every_page() -> None:
    css = (PACKAGE / "core" / "static" / "crisiscell" / "css" / "crisiscell.css").read_text()
    faces = re.findall(r"@font-face\s*{([^}]*)}", css)
    urdu = [face for face in faces if '"Noto Nastaliq Urdu"' in face]
    assert len(urdu) == 2  # regular and bold
    for face in urdu:
        assert re.search(r"unicode-range:\s*U\+0600-06FF", face)
    root = re.search(r":root\s*{([^}]*)}", css)
    assert root is not None
    family = re.search(r"font-family:\s*([^;]+);", root.group(1))
    assert family is not None
    assert family.group(1).startswith('"Noto Nastaliq Urdu"')
