"""What a deploy did (or, in a dry run, would do), in one shape for every target kind.

Kept in its own module so the kind modules can build results without importing the
package ``__init__`` that dispatches to them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from newsdigest.problems import printable


@dataclass(frozen=True)
class Site:
    """A build folder proven to match its manifest, as the kind modules get it.

    ``files`` (path → sha256) is what may be deployed: kind modules upload these
    and nothing else, whatever appears in ``folder`` later. ``protected`` are
    folders a destination must never contain or be (the project's content and
    output); ``folder`` itself is always protected.
    """

    folder: Path
    files: dict[str, str]
    protected: tuple[Path, ...] = ()


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
    # What the counts cannot say, e.g. a dry run that could not compare.
    notes: list[str] = field(default_factory=list)

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
        """One line of counts; a dry run then lists every file that would be
        uploaded, updated and deleted, as ``hugo deploy --dryRun`` does."""
        counts = ", ".join(f"{n} {what}" for what, n in self.counts.items())
        prefix = "[dry run] would deploy" if self.dry_run else "deployed"
        notes = "".join(f" ({note})" for note in self.notes)
        line = f"{prefix} to {self.target} ({self.kind}): {counts}{notes}"
        if not self.dry_run:
            return line
        lists = [
            ("upload", self.uploaded),
            ("update", self.updated),
            ("delete", self.deleted),
        ]
        # File names come from the build and the target: printable() keeps a
        # control character in one from reaching the terminal.
        rows = [
            f"  would {verb}: {printable(path)}"
            for verb, paths in lists
            for path in sorted(paths)
        ]
        return "\n".join([line, *rows])
