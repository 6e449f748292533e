"""newsdigest: a static news digest site generator built on Pelican."""

__version__ = "0.1.0"
