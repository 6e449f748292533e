"""The build engine: running Pelican, and making a build cost what it changes.

Running Pelican in or out of process (``run``), a run's shared state
(``runstate``), the cache of read items (``readcache``), output keys and the
index of the live build's files (``fingerprint``, ``templatedeps``,
``outputcache``), rendering on every core (``parallel``) and the development
server that keeps one Pelican in memory (``devserver``).
"""
