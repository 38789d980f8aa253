"""The outbox and the notifications it carries (moderators, reply subscribers)."""
