"""newsdigest: a static news digest site generator built on Pelican."""

from __future__ import annotations

from pathlib import Path

__version__ = "0.1.0"

THEMES = Path(__file__).parent / "themes"


def theme_path(name: str = "digest") -> str:
    """The folder of a theme shipped inside the package, for ``THEME = ...``.

    Sites use the installed theme in place, so upgrading newsdigest upgrades the
    theme too; ``newsdigest theme copy`` makes a copy to customise instead.
    """
    path = THEMES / name
    if not (path / "templates").is_dir():
        known = ", ".join(sorted(p.name for p in THEMES.iterdir() if p.is_dir()))
        raise ValueError(f"newsdigest has no theme {name!r}; it ships: {known}.")
    return str(path)
