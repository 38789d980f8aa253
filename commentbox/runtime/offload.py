"""Running blocking work (the synchronous store, file reads) off the event loop.

One rule everywhere (STYLE.md §8): async code hands synchronous database work to the
thread pool through ``blocking()``. It is anyio's pool, the one Starlette uses too, so the
layers below HTTP need no web framework to follow the rule.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import ParamSpec, TypeVar

from anyio import to_thread

P = ParamSpec("P")
T = TypeVar("T")


async def blocking(fn: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
    return await to_thread.run_sync(functools.partial(fn, *args, **kwargs))
