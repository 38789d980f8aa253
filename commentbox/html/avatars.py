"""Generated avatars for guests: a symmetric 5×5 pattern from a keyed hash of their email.

Why not Gravatar: its MD5 of the email lets anyone re-identify commenters across sites,
and it sends every reader's IP to a third party.
"""

from __future__ import annotations

import hashlib

CELLS = 5


def identicon_svg(key: str) -> str:
    digest = hashlib.sha256(key.encode()).digest()
    hue = digest[0] * 360 // 256
    color = f"hsl({hue} 55% 45%)"
    cells = []
    for row in range(CELLS):
        for col in range((CELLS + 1) // 2):
            if digest[1 + row * 3 + col] % 2:
                for x in {col, CELLS - 1 - col}:
                    cells.append(f'<rect x="{x}" y="{row}" width="1" height="1"/>')
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="-1 -1 7 7" width="48" height="48">'
        f'<rect x="-1" y="-1" width="7" height="7" fill="hsl({hue} 40% 92%)"/>'
        f'<g fill="{color}">{"".join(cells)}</g></svg>'
    )
