"""Starlette: routes, middleware, the fast read path, problem+json answers and the OpenAPI document."""
