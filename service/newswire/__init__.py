"""Newswire: news-wire articles cleaned, deduplicated and annotated, from Kafka to Kafka."""

__version__ = "0.1.0"  # the one place: pyproject reads it, records carry it, --version prints it
