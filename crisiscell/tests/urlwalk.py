"""Walk the URL configuration: every pattern with its name and view."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from django.urls import URLPattern, URLResolver, get_resolver


def walk(patterns: list[Any] | None = None, namespace: str = "") -> Iterator[tuple[str, Callable[..., Any], str]]:
    """Yield (qualified name or '', view callback, route) for every URL pattern."""
    for entry in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(entry, URLResolver):
            ns = entry.namespace or ""
            child_ns = f"{namespace}:{ns}" if namespace and ns else (ns or namespace)
            yield from walk(entry.url_patterns, child_ns)
        elif isinstance(entry, URLPattern):
            name = f"{namespace}:{entry.name}" if namespace and entry.name else (entry.name or "")
            yield name, entry.callback, str(entry.pattern)


def all_url_names() -> list[str]:
    return [name for name, _view, _route in walk()]
