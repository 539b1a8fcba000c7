"""Finding identifiers in message text: phone numbers, e-mail addresses, profile links, handles.

Each is normalised so the same identifier written two ways gives the same keyed hash:
phone numbers to E.164 (``phonenumbers``, default region Pakistan, Urdu digits read),
e-mail addresses and handles lower-cased, profile links to host and path without
``www.``/``m.``, tracking parameters or a trailing slash.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from urllib.parse import parse_qs, urlsplit

import phonenumbers

from crisiscell.survivors.identity import western_digits

EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")
PROFILE = re.compile(
    r"https?://(?:www\.|m\.|web\.|mobile\.)?"
    r"(facebook\.com|fb\.com|instagram\.com|tiktok\.com|twitter\.com|x\.com|t\.me|wa\.me|snapchat\.com|youtube\.com)"
    r"/[^\s<>\"']+",
    re.IGNORECASE,
)
HANDLE = re.compile(r"(?<![\w@/.])@([A-Za-z0-9_](?:[A-Za-z0-9_.]{1,28}[A-Za-z0-9_]))")


def profile_key(url: str) -> str | None:
    parts = urlsplit(url)
    host = parts.netloc.lower()
    for prefix in ("www.", "m.", "web.", "mobile."):
        host = host.removeprefix(prefix)
    if host == "fb.com":
        host = "facebook.com"
    path = parts.path.rstrip("/.,;:!?)")
    if not path:
        return None
    if path == "/profile.php":
        ids = parse_qs(parts.query).get("id")
        return f"{host}/profile.php?id={ids[0]}" if ids else None
    return f"{host}{path.lower()}"


def phones(text: str, region: str = "PK") -> Iterator[str]:
    for match in phonenumbers.PhoneNumberMatcher(western_digits(text), region):
        yield phonenumbers.format_number(match.number, phonenumbers.PhoneNumberFormat.E164)


def extract(text: str, region: str = "PK") -> set[tuple[str, str]]:
    """Every (kind, normalised value) in ``text``."""
    found: set[tuple[str, str]] = set()
    for url in PROFILE.finditer(text):
        key = profile_key(url.group(0))
        if key:
            found.add(("profile", key))
    without_links = PROFILE.sub(" ", text)
    for email in EMAIL.finditer(without_links):
        found.add(("email", email.group(0).lower()))
    without_emails = EMAIL.sub(" ", without_links)
    for handle in HANDLE.finditer(without_emails):
        found.add(("handle", "@" + handle.group(1).lower()))
    for number in phones(without_emails, region):
        found.add(("phone", number))
    return found
