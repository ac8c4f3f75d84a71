"""`python -m newswire`: the same as the `newswire` command."""

from newswire.entrypoints.cli import main

main()
