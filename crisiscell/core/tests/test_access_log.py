"""The server's access log names what was asked for, never what was typed into it."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace

from gunicorn.config import Config
from gunicorn.glogging import Logger

from crisiscell.core.management.commands.serve import ACCESS_LOG_FORMAT

PATH = "/cases/KHI-2026-0042/digital/timeline/"


def test_the_access_log_keeps_the_path_and_drops_the_query_and_the_referrer() -> None:
    # A line formatted by gunicorn itself, for a request whose address carries a search
    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": PATH + "?sender=Synthetic+Name&q=synthetic+words",
        "PATH_INFO": PATH,
        "QUERY_STRING": "sender=Synthetic+Name&q=synthetic+words",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_REFERER": "http://127.0.0.1:8000" + PATH + "?q=synthetic+words",
        "REMOTE_ADDR": "127.0.0.1",
    }
    response = SimpleNamespace(status="200 OK", headers=[], sent=1024)
    atoms = Logger(Config()).atoms(response, SimpleNamespace(headers=[]), environ, timedelta(milliseconds=12))
    line = ACCESS_LOG_FORMAT % atoms
    assert f'"GET {PATH} HTTP/1.1" 200 12ms' in line
    assert "Synthetic" not in line
    assert "words" not in line
