"""Serve the example blog: ``python examples/blog/serve.py [--port 8000] [--backend URL]``.

The pages embed commentbox from ``http://localhost:8080`` exactly as a site owner would;
``--backend`` rewrites that address in the HTML as it is served, for a server elsewhere
(the browser tests use it with a random port). Register the blog with the server first:

    commentbox site add blog --origin http://127.0.0.1:8000 --name "A small blog"
"""

from __future__ import annotations

import argparse
from pathlib import Path

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import FileResponse, Response
from starlette.routing import Route

ROOT = Path(__file__).resolve().parent
EMBEDDED_BACKEND = "http://localhost:8080"
BLOG_ORIGIN = "http://127.0.0.1:8000"


def create_app(backend: str = EMBEDDED_BACKEND, origin: str = BLOG_ORIGIN) -> Starlette:
    """The blog as an ASGI app: static files, with the backend (and own) address filled in."""

    async def serve(request: Request) -> Response:
        path = (ROOT / request.path_params["path"]).resolve()
        if path.is_dir():
            path = path / "index.html"
        if not path.is_relative_to(ROOT) or not path.is_file() or path.suffix == ".py":
            return Response("Not found", status_code=404, media_type="text/plain")
        if path.suffix != ".html":
            return FileResponse(path)
        html = path.read_text(encoding="utf-8")
        html = html.replace(EMBEDDED_BACKEND, backend).replace(BLOG_ORIGIN, origin)
        return Response(html, media_type="text/html; charset=utf-8")

    return Starlette(routes=[Route("/{path:path}", serve, methods=["GET"])])


def main() -> None:
    import uvicorn

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--backend", default=EMBEDDED_BACKEND, help="the commentbox server's address")
    args = parser.parse_args()
    origin = f"http://127.0.0.1:{args.port}"
    print(f"blog on {origin}/ using commentbox at {args.backend}", flush=True)
    uvicorn.run(create_app(args.backend, origin), host="127.0.0.1", port=args.port, log_level="warning")


if __name__ == "__main__":
    main()
