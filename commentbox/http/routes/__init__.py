"""Thin HTTP handlers: parse, call one domain function, answer.

Row ids in paths use the ``id`` convertor. An id larger than any the database can hold
names no row, so it becomes 0 (ids start at 1): the handler answers its usual "not found"
instead of the driver failing on an out-of-range integer.
"""

from starlette.convertors import Convertor, register_url_convertor

from commentbox.store.models import MAX_ROW_ID


class RowId(Convertor[int]):
    regex = "[0-9]+"

    def convert(self, value: str) -> int:
        if len(value) > len(str(MAX_ROW_ID)):  # more digits than any id can have
            return 0
        number = int(value)
        return number if number <= MAX_ROW_ID else 0

    def to_string(self, value: int) -> str:
        return str(value)


register_url_convertor("id", RowId())
