"""Many rows, read fast: the rows of a ``values_list`` query without the ORM's per-row pipeline.

The board reads thousands of rows every 30 seconds. Django's iterator fetches in
chunks of 100 and calls each column's converter on every row, null or not; here
the rows come in one ``fetchall`` and a converter runs only on a value that is not
null (a null stays null: none of Django's converters turns a null into a value).
The result equals ``list(queryset)`` for a ``values_list`` queryset; the tests
compare the two on both databases.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db.models import QuerySet


def fetch_rows(queryset: QuerySet[Any, Any]) -> list[tuple[Any, ...]]:
    """Every row of a ``values_list`` queryset, as tuples, read in one go."""
    compiler = queryset.query.get_compiler(using=queryset.db)
    try:
        sql, params = compiler.as_sql()
    except EmptyResultSet:
        return []
    expressions = [selected[0] for selected in compiler.select[: compiler.col_count]]
    converters = list(compiler.get_converters(expressions).items())
    connection = compiler.connection
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows: list[tuple[Any, ...]] = cursor.fetchall()
    if not converters:
        return [tuple(row) for row in rows]
    converted = []
    for row in rows:
        values = list(row)
        for position, (functions, expression) in converters:
            value = values[position]
            if value is not None:
                for function in functions:
                    value = function(value, expression, connection)
                values[position] = value
        converted.append(tuple(values))
    return converted
