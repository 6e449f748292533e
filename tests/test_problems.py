"""newsdigest.problems.content_path: how every message names a content file."""

from __future__ import annotations

import os
from pathlib import Path

from newsdigest.problems import content_path


def test_named_from_the_project_as_the_settings_spell_it(tmp_path, monkeypatch):
    real = tmp_path / "elsewhere" / "real-content"
    (real / "items").mkdir(parents=True)
    (tmp_path / "site").mkdir()
    os.symlink(real, tmp_path / "site" / "content")
    monkeypatch.chdir(tmp_path / "site")
    settings = {"PATH": "content"}
    # Through the link or through its target: the name the curator knows.
    assert content_path(settings, "content/items/a.md") == "content/items/a.md"
    assert content_path(settings, str(real / "items" / "a.md")) == "content/items/a.md"


def test_a_path_outside_content_is_shown_as_it_is(tmp_path):
    settings = {"PATH": str(tmp_path / "content")}
    assert content_path(settings, "/somewhere/else/b.md") == "/somewhere/else/b.md"
    assert content_path(settings, str(tmp_path / "content" / "x.md")) == str(
        Path("content") / "x.md"
    )
