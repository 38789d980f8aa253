"""commentbox: a self-hosted comment system.

The package is laid out by layer (see docs/architecture.md): ``http`` above the
composition root (``services``), the rules in ``domain`` below it, ``store`` at the bottom.
"""

from pathlib import Path

__version__ = "0.1.0"

# Shipped files every layer finds from here, wherever its module sits in the tree.
TEMPLATES = Path(__file__).with_name("templates")
STATIC = Path(__file__).with_name("static")
