"""The published tree: staging, the atomic swap, the manifest, precompression.

A build is made in a staging folder (``staging``), checked, compressed
(``compress``), recorded in a manifest that deploys verify (``manifest``) and
swapped in at once; ``builddate`` pins the moment a build happens. No Pelican:
the ``publish`` plugin and the deploy targets call these.
"""
