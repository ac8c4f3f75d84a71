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

Measured on this machine (2 cores), seconds, before → after the linear fixes
(`--label before` on commit d0d24ed, `--label after` on the fixed tree; `--compare before,after`):

RESULTS_PLACEHOLDER
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
    from newswire.core import annotate, clean, text

    steps = Steps()
    for owner, name, step in (
        (text, "html_to_text", "html"),
        (text, "repair_unicode", "ftfy"),
        (clean.Cleaner, "_leading", "lead"),
        (clean, "parse_credit_paragraph", "credits"),
        (clean, "chrome_rule_for", "chrome"),
        (text, "detect_language", "langid"),
        (annotate, "_entities", "entities"),
        (annotate, "_entity_records", "records"),
        (annotate, "_quotes", "quotes"),
        (annotate, "_keywords", "keywords"),
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
    from newswire.core.parse import decode_raw
    from newswire.core.pipeline import annotate_input
    from newswire.core.records import Rejected

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


def print_table(results: list[dict[str, Any]]) -> None:
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
    print(f"\n{'kind':18} {'sizes':>9} {'decode':>8} {'clean':>8} {'annot':>8}")
    for kind, rows in by_kind.items():
        first, last = rows[0], rows[-1]
        ratios = []
        for stage in ("decode", "clean", "annotate"):
            a, b = first.get(stage), last.get(stage)
            if a and b and "seconds" in a and "seconds" in b and a["seconds"] > 0.001:
                ratios.append(f"x{b['seconds'] / a['seconds']:.1f}")
            elif b and "timeout" in b:
                ratios.append("timeout")
            else:
                ratios.append("-")
        size_ratio = f"x{last['size'] / first['size']:.0f}"
        print(f"{kind:18} {size_ratio:>9} {ratios[0]:>8} {ratios[1]:>8} {ratios[2]:>8}")


def compare(labels: list[str]) -> None:
    runs = [json.loads((RESULTS / f"hostile-{label}.json").read_text()) for label in labels]
    keyed = [{(r["kind"], r["size"]): r for r in run["results"]} for run in runs]
    head = "  ".join(f"{label + ' d/c/a':>22}" for label in labels)
    print(f"{'kind':18} {'size':>9}  {head}")
    for key in keyed[0]:
        cells = []
        for run in keyed:
            row = run.get(key, {})
            if "rejected" in row and "clean" not in row:
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
    from newswire.core.gazetteer import load_gazetteer

    hostile = load_hostile()
    kinds = args.kinds.split(",") if args.kinds else list(hostile.CPU_KINDS)
    sizes = [int(s) for s in args.sizes.split(",")]
    import newswire.core.clean
    import newswire.core.parse
    import newswire.core.pipeline
    import newswire.core.text as text
    import newswire.core.wire  # noqa: F401  (all loaded before forking: children share them)

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
            print_table([row])
            sys.stdout.flush()
            if any("timeout" in (row.get(s) or {}) for s in ("decode", "clean", "annotate")):
                break  # a larger size would only time out too
    print()
    print_table(results)
    print_growth(results)
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / f"hostile-{args.label}.json"
    out.write_text(json.dumps({"sizes": sizes, "results": results}, indent=1))
    print(f"\nwrote {out}")


if __name__ == "__main__":
    main()
