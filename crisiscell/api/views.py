"""The API's docs page: the operations listed from the OpenAPI schema, server-rendered, no script."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from crisiscell.access.decorators import public


def _operations(schema: dict[str, Any]) -> list[dict[str, Any]]:
    operations = []
    for route, methods in schema.get("paths", {}).items():
        for method, op in methods.items():
            body = op.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema", {})
            ref = body.get("$ref", "")
            component = schema.get("components", {}).get("schemas", {}).get(ref.rsplit("/", 1)[-1], {})
            operations.append(
                {
                    "method": method.upper(),
                    "path": "/api" + route if not route.startswith("/api") else route,
                    "summary": op.get("summary", ""),
                    "headers": [p["name"] for p in op.get("parameters", []) if p.get("in") == "header"],
                    "fields": [
                        {"name": name, "required": name in component.get("required", []), **spec}
                        for name, spec in component.get("properties", {}).items()
                    ],
                    "statuses": sorted(op.get("responses", {})),
                }
            )
    return operations


@public
def docs(request: HttpRequest) -> HttpResponse:
    from crisiscell.api.api import api

    schema = api.get_openapi_schema(path_prefix="")
    return render(
        request,
        "api/docs.html",
        {
            "info": schema.get("info", {}),
            "version": schema.get("openapi"),
            "operations": _operations(schema),
            "auth_header": "Authorization: Bearer <token>",
        },
    )
