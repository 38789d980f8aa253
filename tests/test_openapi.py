"""The OpenAPI document describes every route the app serves, and nothing else."""

import re

from openapi_spec_validator import validate
from starlette.routing import Mount, Route


def served_operations(routes, prefix=""):
    for route in routes:
        if isinstance(route, Mount):
            yield from served_operations(route.routes, prefix + route.path)
        elif isinstance(route, Route):
            path = re.sub(r"{(\w+)(:\w+)?}", r"{\1}", prefix + route.path)
            for method in route.methods or ():
                if method != "HEAD":
                    yield method.lower(), path


def test_every_route_is_documented_and_every_documented_route_exists(client, app):
    document = client.get("/api/v1/openapi.json").json()
    documented = {(method, path) for path, item in document["paths"].items() for method in item}
    assert set(served_operations(app.routes)) == documented


def test_the_demo_apps_document_matches_its_routes_too(database_url, tmp_path):
    from starlette.testclient import TestClient

    from commentbox.app import create_app
    from tests.test_auth import demo_settings

    demo = create_app(demo_settings(database_url, tmp_path), demo=True)
    with TestClient(demo) as client:
        document = client.get("/api/v1/openapi.json").json()
    validate(document)
    documented = {(method, path) for path, item in document["paths"].items() for method in item}
    assert set(served_operations(demo.routes)) == documented


def test_the_document_is_valid_openapi_3_1(client):
    document = client.get("/api/v1/openapi.json").json()
    assert document["openapi"].startswith("3.1")
    validate(document)
