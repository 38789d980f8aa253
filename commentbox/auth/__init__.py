"""Sign-in with Google, X and Facebook through Authlib: one small module per provider's quirks.

``registry.AuthRegistry`` registers the configured providers on one Authlib ``OAuth`` whose
state cache is the database (``state.DatabaseStateCache``), so any instance can finish a flow
another one started. The HTTP side is ``http/routes/auth.py``; login ids live in
``domain/signins.py``, users and their sessions in ``domain/user_sessions.py``.
"""
