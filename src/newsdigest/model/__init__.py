"""The content contract, on plain data: what an item, a page and a topic are.

Front matter and its YAML (``frontmatter``), the field-by-field rules
(``schema``), bodies and their sanitising (``body``, ``sanitize``), publishable
files (``staticfiles``), topics, spellings and slugs, addresses and aliases,
scheduling and ordering, and the rules over the whole site (``site``). Nothing
here imports Pelican: tests call it with plain values, and the reader plugin
only hands it what Pelican read.
"""
