"""Everything that leaves the server over HTTP goes through ``fetch.Fetcher`` (docs/fetcher.md).

The modules: ``addresses`` decides which resolved addresses may be reached, ``network``
connects only to those and holds every read and write to one deadline, ``sniff`` tells what
a body really is, and ``fetch`` puts them together with redirects, caps and one error type.
"""
