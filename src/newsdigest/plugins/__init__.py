"""newsdigest's Pelican plugins: each module here defines ``register()``.

The modules connect Pelican's signals and hold as little logic as they can;
what they do lives in the library modules one level up (``newsdigest.*``),
which never import Pelican and never import a plugin, so tests call them
without a build. ``newsdigest.siteconf.PLUGINS`` lists them in order.
"""
