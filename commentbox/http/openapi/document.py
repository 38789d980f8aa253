"""The OpenAPI 3.1 document built from the operation tables, with the pydantic shapes' schemas."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import models_json_schema
from starlette.applications import Starlette

from commentbox import __version__
from commentbox.http.openapi.operation import Operation

PROBLEM_SCHEMA = {
    "type": "object",
    "required": ["type", "title", "status", "detail"],
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "errors": {"type": "array", "items": {"type": "object"}},
    },
}


def _response(target: type[BaseModel] | str) -> dict[str, Any]:
    if isinstance(target, str):
        return {"description": target}
    ref = {"$ref": f"#/components/schemas/{target.__name__}"}
    return {"description": target.__name__, "content": {"application/json": {"schema": ref}}}


def build_document(operations: list[Operation]) -> dict[str, Any]:
    models = {op.body for op in operations if op.body} | {
        r for op in operations for r in op.responses.values() if not isinstance(r, str)
    }
    _, schemas = models_json_schema(
        [(m, "validation") for m in sorted(models, key=lambda m: m.__name__)],
        ref_template="#/components/schemas/{model}",
    )
    paths: dict[str, dict[str, Any]] = {}
    for op in operations:
        entry: dict[str, Any] = {
            "summary": op.summary,
            "tags": [op.tag],
            "parameters": [
                {
                    "name": n,
                    "in": where,
                    "required": req,
                    "description": d,
                    "schema": {"type": "string"},
                }
                for n, where, req, d in op.params
            ],
            "responses": {str(s): _response(t) for s, t in op.responses.items()}
            | {
                "default": {
                    "description": "problem details",
                    "content": {
                        "application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}
                    },
                }
            },
        }
        if op.body is not None:
            entry["requestBody"] = {
                "required": True,
                "content": {op.body_media: {"schema": {"$ref": f"#/components/schemas/{op.body.__name__}"}}},
            }
        paths.setdefault(op.path, {})[op.method] = entry
    return {
        "openapi": "3.1.0",
        "info": {"title": "commentbox", "version": __version__},
        "paths": paths,
        "components": {"schemas": {**schemas.get("$defs", {}), "Problem": PROBLEM_SCHEMA}},
    }


def openapi_document(app: Starlette) -> dict[str, Any]:
    """Built once per app; extensions append to ``app.state.operations`` while wiring routes."""
    if getattr(app.state, "openapi", None) is None:
        app.state.openapi = build_document(app.state.operations)
    return app.state.openapi  # type: ignore[no-any-return]
