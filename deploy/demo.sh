#!/usr/bin/env bash
# The main job, locally and without Docker: start the local Kafka broker (if it is not running
# already), start a worker, replay seeds/, show the enriched seed article and the counts per
# outcome, then stop what it started. Run through `make demo`.
set -euo pipefail
cd "$(dirname "$0")/.."

SEEDS="${SEEDS:-seeds}"
# shellcheck source=deploy/demo-common.sh
source deploy/demo-common.sh

start_broker
start_worker

count=$(find "$SEEDS" -type f \( -name '*.txt' -o -name '*.json' -o -name '*.jsonl' \) | wc -l)
since_ms=$(( $(date +%s) * 1000 ))
echo "== replaying $SEEDS/ ($count articles, at full speed)"
# The dedupe stage judges in publish order, so "earlier" means what the seeds README says
# whatever the partitions and timing.
"$NW" replay "$SEEDS" --no-progress

echo "== waiting for every article to reach an outcome"
wait_outcomes "$count" "$since_ms"

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
