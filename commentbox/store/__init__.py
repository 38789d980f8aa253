"""Storage: the only layer that sees a database session. Engines and schema (``db``, ``models``,
``migrate``, ``migrations/``), hand-written hot statements, and one module per aggregate."""
