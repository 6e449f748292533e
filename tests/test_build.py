"""How a build is run (newsdigest.engine.run): the Pelican command line."""

from __future__ import annotations

from newsdigest.engine.run import pelican_command


def test_every_override_reaches_pelican():
    """Pelican keeps only the last ``-e``: all overrides must follow one."""
    command = pelican_command("s.py", overrides={"A": 1, "B": [2]})
    assert command.count("-e") == 1
    assert command[-2:] == ["A=1", "B=[2]"]
