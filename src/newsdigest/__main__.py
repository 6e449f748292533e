"""`python -m newsdigest` runs the newsdigest command."""

from newsdigest.cli import main

main()
