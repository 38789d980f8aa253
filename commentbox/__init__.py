"""commentbox: a self-hosted comment system."""

__version__ = "0.1.0"
