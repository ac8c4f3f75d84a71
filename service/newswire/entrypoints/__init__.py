"""Entry points: the `newswire` command line and the offline runner."""
