"""Worst-case cost of rendering a comment: pathological Markdown at the length cap.

    python bench/markup.py            # prints one line per input and the worst ms per KB

Issue 14 asks that no input within the caps takes more than a few milliseconds per KB to
render and sanitize. Each input is 10,000 characters (the body cap) of one shape that
stresses the parser or the sanitizer; each is rendered ``--repeat`` times in this process
and the median is reported. Inputs the server refuses (nesting past the limit) are timed
too: the refusal must be cheap as well.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from commentbox.domain.markup import render_markdown
from commentbox.errors import InvalidInput

CAP = 10_000


def _fill(unit: str) -> str:
    return (unit * (CAP // len(unit) + 1))[:CAP]


INPUTS = {
    "plain words": _fill("lorem ipsum "),
    "nested quotes (refused)": _fill("> "),
    "nested lists (refused)": _fill("- "),
    "quotes 16 deep per line": _fill(">" * 16 + " x\n"),
    "emphasis runs": _fill("*a _b "),
    "unclosed brackets": _fill("["),
    "link reference soup": _fill("[a][b] "),
    "many links": _fill("[x](https://a.example/) "),
    "autolinks": _fill("<https://a.example/> "),
    "backtick runs": _fill("`` ` "),
    "entities": _fill("&amp;&#x41;&lt; "),
    "raw html (shown as text)": _fill("<b onclick=x>"),
    "html comment openers": _fill("<!-- "),
    "rust-parser panic input": _fill("[`"),
    "combining marks": "Z" + "\u0301" * (CAP - 1),
    "one long word": "x" * CAP,
}


def measure(source: str, repeat: int) -> tuple[float, str]:
    timings = []
    outcome = ""
    for _ in range(repeat):
        start = time.perf_counter()
        try:
            outcome = f"{len(render_markdown(source, allow_images=True))} B of HTML"
        except InvalidInput:
            outcome = "refused (422)"
        timings.append(time.perf_counter() - start)
    return statistics.median(timings) * 1000, outcome


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()
    worst = 0.0
    for name, source in INPUTS.items():
        milliseconds, outcome = measure(source, args.repeat)
        per_kb = milliseconds / (len(source.encode()) / 1024)
        worst = max(worst, per_kb)
        print(f"{name:28} {milliseconds:8.2f} ms  {per_kb:6.3f} ms/KB  {outcome}")
    print(f"worst: {worst:.3f} ms per KB")


if __name__ == "__main__":
    main()
