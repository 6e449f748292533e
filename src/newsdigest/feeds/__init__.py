"""Feeds: what a feed is (``formats``), which feeds a site has (``plan``), JSON Feed.

One definition of each feed's path, title and media type, shared by the feed
writers (the ``feeds`` and ``editions`` plugins), the templates' feed links, the
OPML list and the feed checks in ``sitecheck``.
"""
