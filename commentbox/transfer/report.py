"""What an import did, counted as it goes and printed at the end (text, or JSON for scripts)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

# Pages refused are listed by address, up to this many (the rest are counted).
MAX_LISTED = 20


@dataclass
class Report:
    source: str
    site: str
    dry_run: bool = False
    site_created: bool = False  # a restored backup made the site, with the backup's settings
    threads_created: int = 0
    threads_existing: int = 0
    created: Counter[str] = field(default_factory=Counter)  # by status
    kinds: Counter[str] = field(default_factory=Counter)  # pingbacks, trackbacks
    already_imported: int = 0
    skipped: Counter[str] = field(default_factory=Counter)  # by reason
    reparented: Counter[str] = field(default_factory=Counter)  # by reason
    refused_pages: dict[str, str] = field(default_factory=dict)  # address → reason
    refused_pages_more: int = 0

    def refuse_page(self, url: str, reason: str) -> None:
        if url in self.refused_pages:
            return
        if len(self.refused_pages) < MAX_LISTED:
            self.refused_pages[url] = reason
        else:
            self.refused_pages_more += 1

    def as_json(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "site": self.site,
            "dry_run": self.dry_run,
            "site_created": self.site_created,
            "threads": {"created": self.threads_created, "existing": self.threads_existing},
            "comments": {
                "created": dict(sorted(self.created.items())),
                "already_imported": self.already_imported,
                "kinds": dict(sorted(self.kinds.items())),
            },
            "skipped": dict(sorted(self.skipped.items())),
            "reparented": dict(sorted(self.reparented.items())),
            "refused_pages": self.refused_pages,
            "refused_pages_more": self.refused_pages_more,
        }

    def as_text(self) -> str:
        verb = "would create" if self.dry_run else "created"
        total = sum(self.created.values())
        statuses = ", ".join(f"{n} {status}" for status, n in sorted(self.created.items())) or "none"
        lines = [
            f"{self.source} → site {self.site}{' (dry run: nothing written)' if self.dry_run else ''}",
            f"threads: {verb} {self.threads_created}, {self.threads_existing} existing",
            f"comments: {verb} {total} ({statuses}); {self.already_imported} already imported",
        ]
        if self.site_created:
            lines.insert(1, f"site {self.site} created with the backup's settings")
        if self.kinds:
            lines.append("  of which " + ", ".join(f"{n} {k}" for k, n in sorted(self.kinds.items())))
        for reason, n in sorted(self.reparented.items()):
            lines.append(f"reattached: {n} — {reason}")
        for reason, n in sorted(self.skipped.items()):
            lines.append(f"skipped: {n} — {reason}")
        for url, reason in self.refused_pages.items():
            lines.append(f"page not imported: {url} ({reason})")
        if self.refused_pages_more:
            lines.append(f"… and {self.refused_pages_more} more pages not imported")
        return "\n".join(lines)
