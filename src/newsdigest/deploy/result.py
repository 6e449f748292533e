"""What a deploy did (or, in a dry run, would do), in one shape for every target kind.

Kept in its own module so the kind modules can build results without importing the
package ``__init__`` that dispatches to them.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class DeployResult:
    """Paths are relative to the site folder, with forward slashes.

    ``uploaded`` are files new at the target, ``updated`` files whose content
    changed, ``deleted`` files removed from the target, ``unchanged`` files left
    alone because the target already had them.
    """

    target: str
    kind: str
    dry_run: bool = False
    uploaded: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)

    @property
    def counts(self) -> dict[str, int]:
        return {
            "uploaded": len(self.uploaded),
            "updated": len(self.updated),
            "deleted": len(self.deleted),
            "unchanged": len(self.unchanged),
        }

    @property
    def changed(self) -> bool:
        return bool(self.uploaded or self.updated or self.deleted)

    def summary(self) -> str:
        counts = ", ".join(f"{n} {what}" for what, n in self.counts.items())
        prefix = "[dry run] would deploy" if self.dry_run else "deployed"
        return f"{prefix} to {self.target} ({self.kind}): {counts}"
