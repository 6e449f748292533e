"""Small built sites for the deploy tests (plain helpers, not fixtures)."""

from __future__ import annotations

from pathlib import Path

from newsdigest.manifest import ALL_CHECKS, write_manifest

PAGE = "<!doctype html><title>Digest</title>" + "<p>Today's news, in short.</p>" * 20

SITE = {
    "index.html": PAGE,
    "archives.html": PAGE.replace("Digest", "Archives"),
    "feeds/all.atom.xml": "<?xml version='1.0'?><feed>" + "<entry/>" * 60 + "</feed>",
    "feeds/all.rss.xml": "<?xml version='1.0'?><rss>" + "<item/>" * 60 + "</rss>",
    "theme/css/style.3f2a9c1b.css": "body { margin: 0 auto; max-width: 40em; }\n" * 10,
    "theme/js/menu.js": "document.querySelector('nav').hidden = false;\n" * 10,
    "images/logo.png": b"\x89PNG\r\n\x1a\n" + bytes(range(256)),
    "robots.txt": "User-agent: *\n",
}


def make_site(root: Path, files: dict[str, str | bytes] | None = None) -> Path:
    """Write ``files`` (default: ``SITE``) under ``root``, record it as a checked
    build (its manifest, as `invoke publish` writes it) and return ``root``."""
    for name, content in (SITE if files is None else files).items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        data = content.encode() if isinstance(content, str) else content
        path.write_bytes(data)
    return republish(root)


def republish(root: Path, **manifest) -> Path:
    """Record ``root`` as it is now as a checked build, as a new publish would."""
    fields = {"checks": ALL_CHECKS, "settings_file": None, "siteurl": "", **manifest}
    write_manifest(root, **fields)
    return root


def read_tree(root: Path) -> dict[str, bytes]:
    """Relative path → content of every file under ``root``."""
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }
