"""Links that last: snapshots of every original, and what became of it.

``config`` checks ``DIGEST_ARCHIVE`` once; ``frontedit`` adds ``archive_url`` and
``archive_date`` to an item's front matter in place, byte for byte around them;
``archive`` asks a Save Page Now-compatible service for snapshots, politely
(rate limit, back-off, bounded retries, resumable); ``linkcheck`` finds which
originals moved or are gone and ``linksfile`` keeps its findings in the
committed ``content/links.yml``, which the build reads instead of the network;
``original`` says which address a page, feed or email offers as the original.
Nothing here imports Pelican; every fetch goes through ``curate.fetch``.
"""
