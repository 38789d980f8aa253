"""Signed webhooks: site owners' endpoints hear about comments (and linkbacks) as they change.

- ``events``: the event names, the payloads (never an email or an IP hash), and the
  in-transaction listeners that queue one delivery per subscribed endpoint in the same
  transaction as the change;
- ``endpoints``: registering, listing and removing endpoints, and their delivery log;
- ``signing``: Standard Webhooks signatures (the ``standardwebhooks`` package);
- ``sender``: the background delivery through the safe fetcher, with retries and backoff.

docs/webhooks.md is the reference for site owners.
"""
