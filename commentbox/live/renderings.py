"""Each event is rendered once per language, however many streams are open on its thread.

A thousand readers of one thread would otherwise each read the new comment from the
database and render its fragment: the first stream to ask renders, the others await it.
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from typing import Generic, TypeVar

T = TypeVar("T")
KEPT = 1024


class Renderings(Generic[T]):
    def __init__(self) -> None:
        self._made: OrderedDict[tuple[str, str], asyncio.Future[T]] = OrderedDict()

    async def get(self, key: tuple[str, str], make: Callable[[], Awaitable[T]]) -> T:
        future = self._made.get(key)
        if future is None:
            future = self._made[key] = asyncio.get_running_loop().create_future()
            if len(self._made) > KEPT:
                self._made.popitem(last=False)
            try:
                future.set_result(await make())
            except BaseException as exc:
                self._made.pop(key, None)  # the next stream tries again
                future.set_exception(exc)
                future.exception()  # retrieved: awaiting streams get it, nobody logs it as lost
        return await future
