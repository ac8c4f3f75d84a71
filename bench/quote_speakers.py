"""Share of quotes with a speaker, and how each was found, over a folder of articles.

    .venv/bin/python bench/quote_speakers.py [PATH ...]     # default: seeds/

Runs the offline clean and annotate stages (no dedupe: every article counts) and prints, per
article and in all, the quotes with a speaker and by which rule (`speaker_resolved`: named,
pronoun, title, continued). Run it on two versions of the code to compare them.
"""

from __future__ import annotations

import argparse
import json
from collections import Counter
from pathlib import Path

from newswire.adapters.files import read_inputs
from newswire.bootstrap import build_annotator, build_cleaner
from newswire.core import stages
from newswire.core.records import Rejected
from newswire.settings import load_settings

REPO = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("paths", nargs="*", default=[str(REPO / "seeds")])
    args = parser.parse_args()
    settings = load_settings()
    cleaner, annotator = build_cleaner(), build_annotator(settings)
    total: Counter[str] = Counter()
    for item in read_inputs(args.paths):
        article = stages.prepare(item.data, cleaner, max_bytes=settings.max_article_bytes)
        if isinstance(article, Rejected):
            continue
        (annotation,) = annotator.annotate([stages.annotate_input(article)])
        quotes = annotation["quotes"]
        if not quotes:
            continue
        kinds = Counter(
            q.get("speaker_resolved") or ("named" if q["speaker"] else "none") for q in quotes
        )
        total.update(kinds)
        total["quotes"] += len(quotes)
        total["with_speaker"] += sum(1 for q in quotes if q["speaker"])
        print(f"{article.id}: {len(quotes)} quotes, {dict(kinds)}")
    share = total["with_speaker"] / total["quotes"] if total["quotes"] else 0.0
    print(json.dumps({"quotes": total["quotes"], "with_speaker": total["with_speaker"],
                      "share": round(share, 3), "by_rule": {k: v for k, v in total.items()
                      if k not in ("quotes", "with_speaker")}}))  # fmt: skip


if __name__ == "__main__":
    main()
