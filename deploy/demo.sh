#!/usr/bin/env bash
# The main job, locally and without Docker: start the local Kafka broker (if it is not running
# already), start a worker, replay seeds/, show the enriched seed article and the counts per
# outcome, then stop what it started. Run through `make demo`.
set -euo pipefail
cd "$(dirname "$0")/.."

NW=.venv/bin/newswire
PY=.venv/bin/python
STATE=.newswire
mkdir -p "$STATE"
export NEWSWIRE_DATA_DIR="${NEWSWIRE_DATA_DIR:-$STATE/data}"
LOG="$STATE/worker.log"
SEEDS="${SEEDS:-seeds}"

started_broker=0
if ! "$NW" broker status >/dev/null 2>&1; then
  echo "== starting the local Kafka broker (first time: fetching its jars with Maven)"
  "$NW" broker start
  started_broker=1
fi

worker_pid=""
cleanup() {
  if [ -n "$worker_pid" ] && kill -0 "$worker_pid" 2>/dev/null; then
    echo "== stopping the worker"
    kill -TERM "$worker_pid" 2>/dev/null || true
    for _ in $(seq 60); do kill -0 "$worker_pid" 2>/dev/null || break; sleep 0.5; done
    kill -KILL "$worker_pid" 2>/dev/null || true
  fi
  if [ "$started_broker" = 1 ]; then
    echo "== stopping the local Kafka broker"
    "$NW" broker stop || true
  fi
}
trap cleanup EXIT INT TERM

echo "== starting a worker (log: $LOG)"
"$NW" worker >"$LOG" 2>&1 &
worker_pid=$!
for _ in $(seq 240); do
  grep -q "newswire worker ready" "$LOG" 2>/dev/null && break
  if ! kill -0 "$worker_pid" 2>/dev/null; then
    echo "the worker exited; its log:" >&2; tail -n 40 "$LOG" >&2; exit 1
  fi
  sleep 0.5
done
grep -q "newswire worker ready" "$LOG" || { echo "worker not ready after 120 s" >&2; tail -n 40 "$LOG" >&2; exit 1; }

count=$(find "$SEEDS" -type f \( -name '*.txt' -o -name '*.json' -o -name '*.jsonl' \) | wc -l)
since_ms=$(( $(date +%s) * 1000 ))
echo "== replaying $SEEDS/ ($count articles, at full speed)"
# The dedupe stage judges in publish order, so "earlier" means what the seeds README says
# whatever the partitions and timing.
"$NW" replay "$SEEDS" --no-progress

echo "== waiting for every article to reach an outcome"
"$PY" - "$count" "$since_ms" <<'PY'
import asyncio, sys, time
from newswire.adapters.kafka.tail import count_outcomes
from newswire.settings import load_settings

settings = load_settings()
expected, since_ms = int(sys.argv[1]), int(sys.argv[2])
deadline = time.monotonic() + 180
while True:
    counts = asyncio.run(count_outcomes(settings, since_ms))
    if sum(counts.values()) >= expected or time.monotonic() > deadline:
        break
    time.sleep(2)
print("   outcomes of this replay: " + ", ".join(f"{k} {v}" for k, v in counts.items()))
PY

echo "== the enriched topic, newest record per article:"
"$NW" tail --topic enriched --from-beginning --timeout 5 2>/dev/null >"$STATE/enriched.jsonl"
"$PY" - "$STATE/enriched.jsonl" <<'PY'
import sys, orjson
latest = {}
for line in open(sys.argv[1], "rb"):
    record = orjson.loads(line)
    latest[record["id"]] = record
for record in latest.values():
    d = record["dedupe"]
    print(f"   {record['id']}  v{record['version']} of {record['story_id']}  {d['status']:<7} "
          f"{record['language']}  {record['headline'][:70]}")
seed = latest.get("000_36e34dcb6d54f232")
if seed:
    print("\n== the seed article, enriched (entities: top 12 by salience)")
    shown = {k: seed[k] for k in ("id", "headline", "dateline", "byline", "language",
                                  "word_count", "story_id", "version", "dedupe")}
    shown["body"] = seed["body"][:300] + " …"
    shown["entities"] = [f"{e['text']} ({e['label']}{', ' + e['country_code'] if e['country_code'] else ''})"
                         for e in seed["entities"][:12]]
    shown["quotes"] = [f"{q['speaker']}: “{q['text'][:70]}…”" for q in seed["quotes"]]
    shown["keywords"] = seed["keywords"]
    sys.stdout.write(orjson.dumps(shown, option=orjson.OPT_INDENT_2).decode() + "\n")
PY
echo "== done. Run it again: the same seeds come back as duplicates (see: $NW tail --topic duplicates --from-beginning)"
