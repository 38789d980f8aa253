"""Sign-in with Google, X and Facebook through Authlib: one small module per provider's quirks.

``registry.AuthRegistry`` registers the configured providers on one Authlib ``OAuth`` whose
state cache is the database (``state.DatabaseStateCache``), so any instance can finish a flow
another one started. The HTTP side is ``routes/auth.py``; login ids live in ``logins.py``,
users and sessions in ``accounts.py``.
"""
