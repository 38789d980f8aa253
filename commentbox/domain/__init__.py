"""The rules of commentbox on plain values: comments, threads, reading, screening and spam,
sites, sign-in sessions. No HTTP here (nothing imports Starlette)."""
