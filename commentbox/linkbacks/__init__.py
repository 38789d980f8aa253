"""Linkbacks: other sites telling us they link to a thread (Webmention, pingback), verified
by fetching their page and shown in the thread like WordPress shows pingbacks."""
