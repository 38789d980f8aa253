"""In-process machinery with no business rules: the thread cache, freshness checks, events,
group commit, rate limits and the metrics registry."""
