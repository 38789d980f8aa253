"""Moderator accounts and what moderators do with comments."""
