"""Storage: the only layer that sees a database session, and the only one that builds queries.

Engines and schema (``db``, ``models``, ``migrate``, ``migrations/``), hand-written hot
statements (``statements``), and one module per aggregate: ``rows`` (sites, save/remove),
``versions`` (what tells a cached thread is current), ``posting``, ``comments``, ``users``,
``bans``, ``queue``, ``admins``, ``mail``. Functions take an open ``Session`` (or a bare
connection on the hot paths) and plain values; whole threads load as column tuples, not ORM
objects, because that is 4x cheaper per row. Nothing re-exports them all: import the module.
"""
