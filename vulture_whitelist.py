"""Names vulture cannot see used (tests/test_typecheck.py runs vulture with it)."""

traceback  # noqa: B018, F821 -- __exit__'s third parameter: the context-manager protocol names it
