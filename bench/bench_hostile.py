"""Hostile-input benchmark: each CPU-heavy kind of bench/hostile.py through each core stage,
at several sizes, with seconds per stage and step and how they grow with the size.

    .venv/bin/python bench/bench_hostile.py [--sizes 100000,500000,1000000] [--timeout 60]
        [--kinds quoted_sentences,long_token] [--label after] [--compare before,after]

Stages: decode (decode_raw), clean (Cleaner.clean; steps: html = trafilatura, ftfy = unicode
repair, lead = headline/byline/dateline at the top, credits, chrome, langid) and annotate
(Annotator.annotate with en_core_web_sm, language forced to English; steps: model = nlp.pipe,
entities, records = salience and country codes, quotes, keywords; "lead" includes the
credits and chrome calls it makes). Seconds are CPU seconds of the child (this machine is
shared; wall time is noisier). Each (kind, size) runs in a forked child; a stage over --timeout
wall seconds is killed and shown as ">T" (larger sizes of that kind are then not tried).
Results go to bench/results/hostile-<label>.json; --compare prints two saved runs side by
side. Not a test: numbers depend on the machine.

Measured on this machine (2 cores, shared: load average ~9 during "before", ~2 during
"after"), CPU seconds decode/clean/annotate, ">90" = killed at 90 s wall. "before" ran the core
of commit d0d24ed (PYTHONPATH=<git archive d0d24ed>/service ... --label before, sizes
100k-1M); "after" the fixed core (--label after); `--compare before,after` prints every row.

kind               before 100k      before 500k      after 500k      after 1M        after 1.9M
quoted_sentences   0.00/0.02/9.12   0.01/0.07/>90    0.00/0.06/4.31  0.01/0.14/4.78  0.01/0.25/4.56
quote_chain        0.00/0.02/>90    -                0.00/0.11/4.95  0.01/0.20/4.83  0.01/0.33/5.23
unbalanced_quotes  0.00/0.07/3.65   0.01/0.37/>90    0.01/0.35/3.62  0.01/0.67/3.37  too_large
long_token         0.00/0.01/0.15   0.01/0.03/0.61   0.00/0.03/0.14  0.00/0.04/0.12  0.01/0.10/0.14
long_punct_token   0.00/0.01/>90    -                0.00/0.04/0.11  0.00/0.05/0.14  0.01/0.12/0.11
dateline_prefixes  0.00/0.02/6.39   0.01/0.08/>90    0.00/0.06/4.63  0.01/0.14/4.96  0.01/0.25/4.81
byline_repeats     0.00/0.21/0.04   0.00/1.08/0.03   0.00/0.08/0.04  0.00/0.15/0.04  0.01/0.34/0.04
nested_html        0.00/0.10/rej.   0.01/0.12/rej.   0.00/0.01/rej.  0.01/0.01/rej.  0.01/0.02/rej.
html_many_tags     0.00/0.74/3.21   0.01/5.77/20.66  0.00/0.30/4.09  0.01/0.50/4.15  0.01/1.02/4.01
chrome_bait        0.00/0.05/3.70   0.01/0.30/19.60  0.01/0.10/4.94  0.01/0.18/4.93  0.01/0.29/4.82
tiny_paragraphs    0.00/1.10/15.85  0.01/5.25/>90    0.00/0.64/4.91  0.01/1.31/5.66  too_large
whitespace_runs    0.00/0.01/0.02   0.01/0.03/0.03   0.00/0.03/0.02  0.01/0.04/0.02  too_large
mojibake           0.00/0.15/5.27   0.01/0.73/>90    0.01/0.62/4.93  0.02/1.12/4.72  too_large
entity_flood       0.00/0.08/7.79   0.01/0.39/>90    0.00/0.10/4.68  0.01/0.27/3.79  0.01/0.49/3.89
huge_headline      0.00/0.02/0.78   0.01/0.07/0.85   0.00/0.08/0.70  0.00/0.16/0.75  0.01/0.21/0.70
wide_metadata      0.26/0.00/0.03   0.87/0.00/0.03   0.22/0.01/0.04  0.39/0.01/0.04  0.76/0.01/0.04
huge_numbers, odd_unicode: <= 0.05 everywhere, before and after. (before at 1M: byline_repeats
clean 2.06, html_many_tags clean 19.99 with annotate >90.)

Before, the quadratic steps were: quotes 3.49 s of quoted_sentences' 9.12 at 100k and 3.30 of
entity_flood's 7.79; quote_chain's quotes 7.0 s already at 40k; the tokenizer on one run of
punctuation (long_punct_token, >90 at 100k); trafilatura 19 s at 1M (html_many_tags); ftfy and
per-paragraph credit/chrome matching ~13 us a paragraph (tiny_paragraphs 5.25 s at 500k). After,
what is left in annotate is the model itself on at most 100,000 characters / ~25,000 tokens
(status "partial" beyond): 3.4-5.7 CPU s on this machine, as for a normal 100,000-character
article; decode, clean and every annotation step outside the model grow linearly and stay
under 1.5 s at 1.9 MB.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import multiprocessing
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results"
MAX_BYTES = 2_000_000


def load_hostile() -> Any:
    spec = importlib.util.spec_from_file_location("newswire_bench_hostile", HERE / "hostile.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


class Steps:
    """Wraps module-level functions so each call adds its time to a named step."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = defaultdict(float)
        self._undo: list[tuple[Any, str, Any]] = []

    def wrap(self, owner: Any, name: str, step: str) -> None:
        original = getattr(owner, name)

        def timed(*args: Any, **kwargs: Any) -> Any:
            start = time.process_time()
            try:
                return original(*args, **kwargs)
            finally:
                self.seconds[step] += time.process_time() - start

        setattr(owner, name, timed)
        self._undo.append((owner, name, original))

    def restore(self) -> None:
        for owner, name, original in reversed(self._undo):
            setattr(owner, name, original)


def instrument() -> Steps:
    from newswire.core import clean, text
    from newswire.core.annotate import entities, keywords, quotes

    steps = Steps()
    for owner, name, step in (
        (text, "html_to_text", "html"),
        (text, "repair_unicode", "ftfy"),
        (clean.Cleaner, "_leading", "lead"),
        (clean, "parse_credit_paragraph", "credits"),
        (clean, "chrome_rule_for", "chrome"),
        (text, "detect_language", "langid"),
        (entities, "find", "entities"),
        (entities, "records", "records"),
        (quotes, "find", "quotes"),
        (keywords, "find", "keywords"),
    ):
        if hasattr(owner, name):
            steps.wrap(owner, name, step)
    return steps


class TimedPipe:
    """The model's nlp.pipe, timed (the spaCy work itself)."""

    def __init__(self, nlp: Any, steps: Steps) -> None:
        self._nlp, self._steps = nlp, steps

    def __getattr__(self, name: str) -> Any:
        return getattr(self._nlp, name)

    def pipe(self, texts: Any, **kwargs: Any) -> Any:
        iterator = iter(self._nlp.pipe(texts, **kwargs))
        while True:
            start = time.process_time()
            try:
                doc = next(iterator)
            except StopIteration:
                return
            finally:
                self._steps.seconds["model"] += time.process_time() - start
            yield doc


def run_case(data: bytes, nlp: Any, gazetteer: Any, send: Callable[[dict], None]) -> None:
    """In the child: decode, clean, annotate one message, sending each stage's times."""
    from dataclasses import replace

    from newswire.core.annotate import Annotator
    from newswire.core.clean import Cleaner
    from newswire.core.decode import decode_raw
    from newswire.core.records import Rejected
    from newswire.core.stages import annotate_input

    steps = instrument()
    start = time.process_time()
    raw = decode_raw(data, max_bytes=MAX_BYTES)
    send({"stage": "decode", "seconds": time.process_time() - start})
    if isinstance(raw, Rejected):
        send({"stage": "rejected", "reason": raw.reason})
        return
    cleaner = Cleaner()
    steps.seconds.clear()
    start = time.process_time()
    article = cleaner.clean(raw)
    send({"stage": "clean", "seconds": time.process_time() - start, "steps": dict(steps.seconds)})
    if isinstance(article, Rejected):
        send({"stage": "rejected", "reason": article.reason})
        return
    annotator = Annotator(TimedPipe(nlp, steps), gazetteer)
    item = replace(annotate_input(article), language=annotator.language)
    steps.seconds.clear()
    start = time.process_time()
    (annotation,) = annotator.annotate([item])
    send(
        {
            "stage": "annotate",
            "seconds": time.process_time() - start,
            "steps": dict(steps.seconds),
            "status": annotation["status"]["status"],
            "quotes": len(annotation["quotes"]),
            "entities": len(annotation["entities"]),
            "body_chars": len(article.body),
        }
    )


def measure(data: bytes, nlp: Any, gazetteer: Any, timeout: float) -> dict[str, Any]:
    """Run one message in a forked child; a stage over `timeout` seconds is killed."""
    context = multiprocessing.get_context("fork")
    receive, send_end = context.Pipe(duplex=False)
    child = context.Process(target=run_case, args=(data, nlp, gazetteer, send_end.send))
    child.start()
    send_end.close()
    result: dict[str, Any] = {}
    expected = ["decode", "clean", "annotate"]
    while expected:
        if not receive.poll(timeout):
            result[expected[0]] = {"timeout": timeout}
            child.kill()
            break
        try:
            message = receive.recv()
        except EOFError:
            result[expected[0]] = {"error": f"child exited with {child.exitcode}"}
            break
        if message["stage"] == "rejected":
            result["rejected"] = message["reason"]
            break
        result[message.pop("stage")] = message
        expected.pop(0)
    child.join()
    return result


def cell(stage: dict[str, Any] | None) -> str:
    if stage is None:
        return "-"
    if "timeout" in stage:
        return f">{stage['timeout']:.0f}"
    if "error" in stage:
        return "error"
    return f"{stage['seconds']:.2f}"


def print_table(results: list[dict[str, Any]], header: bool = True) -> None:
    if header:
        print(f"{'kind':18} {'size':>9} {'decode':>7} {'clean':>7} {'annot':>7}  steps over 0.05 s")
    for row in results:
        clean, annotate = row.get("clean"), row.get("annotate")
        steps = {**(clean or {}).get("steps", {}), **(annotate or {}).get("steps", {})}
        detail = " ".join(f"{k}={v:.2f}" for k, v in steps.items() if v >= 0.05)
        if "rejected" in row:
            detail = f"rejected: {row['rejected']}"
        elif annotate and "status" in annotate:
            detail += f" [{annotate['status']}, {annotate['quotes']} quotes]"
        print(
            f"{row['kind']:18} {row['size']:>9,} {cell(row.get('decode')):>7} "
            f"{cell(clean):>7} {cell(annotate):>7}  {detail}"
        )


def print_growth(results: list[dict[str, Any]]) -> None:
    """Time ratio of the largest to the smallest size, per stage, next to the size ratio:
    about equal for linear work, its square for quadratic."""
    by_kind: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in results:
        by_kind[row["kind"]].append(row)
    print("\ntime growth / size growth (smallest to largest size measured; under 0.005 s: -)")
    print(f"{'kind':18} {'decode':>12} {'clean':>12} {'annot':>12}")
    for kind, rows in by_kind.items():
        cells = []
        for stage in ("decode", "clean", "annotate"):
            timed = [r for r in rows if "seconds" in (r.get(stage) or {})]
            if any("timeout" in (r.get(stage) or {}) for r in rows):
                cells.append("timeout")
            elif len(timed) > 1 and timed[0][stage]["seconds"] > 0.005:
                first, last = timed[0], timed[-1]
                growth = last[stage]["seconds"] / first[stage]["seconds"]
                cells.append(f"x{growth:.1f}/x{last['size'] / first['size']:.0f}")
            else:
                cells.append("-")
        print(f"{kind:18} {cells[0]:>12} {cells[1]:>12} {cells[2]:>12}")


def order(runs: list[dict[str, Any]], kind: str) -> int:
    """Where a kind first appears in the saved runs (so the table keeps their order)."""
    kinds = [r["kind"] for run in runs for r in run["results"]]
    return kinds.index(kind)


def compare(labels: list[str]) -> None:
    runs = [json.loads((RESULTS / f"hostile-{label}.json").read_text()) for label in labels]
    keyed = [{(r["kind"], r["size"]): r for r in run["results"]} for run in runs]
    head = "  ".join(f"{label + ' d/c/a':>22}" for label in labels)
    print(f"{'kind':18} {'size':>9}  {head}")
    keys = sorted({key for run in keyed for key in run}, key=lambda k: (order(runs, k[0]), k[1]))
    for key in keys:
        cells = []
        for run in keyed:
            row = run.get(key, {})
            if not row:
                cells.append(f"{'not run':>22}")
            elif "rejected" in row and "clean" not in row:
                cells.append(f"{'rejected ' + row['rejected']:>22}")
            else:
                stages = [cell(row.get(s)) for s in ("decode", "clean", "annotate")]
                cells.append(f"{'/'.join(stages):>22}")
        print(f"{key[0]:18} {key[1]:>9,}  " + "  ".join(cells))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="100000,500000,1000000,1900000")
    parser.add_argument("--timeout", type=float, default=60.0)
    parser.add_argument("--kinds", default="")
    parser.add_argument("--label", default="latest")
    parser.add_argument("--compare", default="")
    args = parser.parse_args()
    if args.compare:
        compare(args.compare.split(","))
        return
    from newswire.core.annotate import load_nlp
    from newswire.core.gazetteer_data import load_gazetteer

    hostile = load_hostile()
    kinds = args.kinds.split(",") if args.kinds else list(hostile.CPU_KINDS)
    sizes = [int(s) for s in args.sizes.split(",")]
    import newswire.core.text as text

    nlp = load_nlp("en_core_web_sm")
    gazetteer = load_gazetteer()
    list(nlp.pipe(["Warm up the model, said Anna Smith in Paris."]))
    text.detect_language("The minister said the talks would resume on Monday in Paris. " * 5)
    text.html_to_text("<html><body><p>Warm up the HTML extraction.</p></body></html>")
    results = []
    for kind in kinds:
        for size in sizes:
            data = hostile.build(kind, size=size)
            row = {"kind": kind, "size": size, "bytes": len(data)}
            row.update(measure(data, nlp, gazetteer, args.timeout))
            results.append(row)
            print_table([row], header=len(results) == 1)
            sys.stdout.flush()
            if any("timeout" in (row.get(s) or {}) for s in ("decode", "clean", "annotate")):
                break  # a larger size would only time out too
    print()
    print_table(results)
    print_growth(results)
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / f"hostile-{args.label}.json"
    if args.kinds and out.exists():  # a partial run replaces its kinds in the saved run
        kept = [r for r in json.loads(out.read_text())["results"] if r["kind"] not in kinds]
        results = kept + results
    out.write_text(json.dumps({"sizes": sizes, "results": results}, indent=1))
    print(f"\nwrote {out}")


if __name__ == "__main__":
    main()
