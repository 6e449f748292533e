"""Curator tools: a title, a link, a saved page, a text capture or a feed to drafts.

The tools floor of newsdigest: these modules use the model (``schema``,
``topics``, ``urls``, ``frontmatter``) and never import Pelican or a plugin.
One module per job: ``drafts`` (writing files), ``catalogue`` (what the digest
already holds), ``fetch`` (HTTP), ``extract`` (HTML), ``capture`` (plain-text
captures), ``article`` (from an extracted article to a draft), ``ingest``
(source feeds).
"""
