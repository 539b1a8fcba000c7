"""A server thread reuses its database connection from one request to the next."""

from __future__ import annotations

import pytest
from django.core.signals import request_finished, request_started
from django.db import connection


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_connection_outlives_the_request_that_opened_it() -> None:
    """Opening one costs about 2 ms on SQLite (pragmas, Django's functions) and a log-in on PostgreSQL.

    The signals are the ones the WSGI handler sends around every request; Django closes
    a connection at their end when its maximum age has passed.
    """
    request_started.send(sender=None)
    connection.ensure_connection()
    opened = connection.connection
    request_finished.send(sender=None)
    request_started.send(sender=None)
    assert connection.connection is opened
    request_finished.send(sender=None)


@pytest.mark.django_db
def test_postgresql_plans_a_statement_that_a_connection_repeats_only_once() -> None:
    """Planning was most of a PostgreSQL look-up's query time; a prepared statement is planned once.

    SQLite caches its own compiled statements; the PostgreSQL options must not reach it.
    """
    if connection.vendor != "postgresql":
        assert "prepare_threshold" not in connection.settings_dict.get("OPTIONS", {})
        return
    with connection.cursor() as cursor:
        for _ in range(3):
            cursor.execute("SELECT count(*) FROM cells_cell WHERE code = %s", ["KHI"])
        cursor.execute(
            "SELECT count(*) FROM pg_prepared_statements WHERE statement = %s",
            ["SELECT count(*) FROM cells_cell WHERE code = $1"],
        )
        assert cursor.fetchone()[0] == 1
