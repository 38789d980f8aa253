"""Live threads: what was published, edited or deleted reaches every open stream of its
thread, on every worker of every instance (``GET /api/v1/threads/events``, docs/live.md).

``announce`` turns the domain's events into ``LiveEvent``s, a relay carries them between
processes (PostgreSQL ``LISTEN/NOTIFY``, Redis pub/sub, or nothing on one process), and
each process's ``Hub`` hands them to its open streams and keeps a short history for
readers who reconnect.
"""
