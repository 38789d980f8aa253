"""The one renderer: widget fragments, the no-JS page and emails share its templates."""
