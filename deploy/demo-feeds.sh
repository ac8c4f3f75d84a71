#!/usr/bin/env bash
# Feeds end to end, locally: start the local Kafka broker (if it is not running already) and a
# worker, serve examples/feeds/ (an RSS, an Atom and a JSON feed and two article pages) from a
# local web server, `newswire poll --once` them into the raw topic, show the enriched records,
# then poll again (the feeds answer 304 Not Modified), and stop what it started.
# Run through `make demo-feeds`; run it twice: the second time every item is known already.
set -euo pipefail
cd "$(dirname "$0")/.."

# shellcheck source=deploy/demo-common.sh
source deploy/demo-common.sh

start_broker
start_worker

echo "== serving examples/feeds/ on 127.0.0.1"
"$PY" deploy/feeds_server.py examples/feeds >"$STATE/feeds-server.log" 2>&1 &
extra_pids+=($!)
for _ in $(seq 50); do grep -q "^serving " "$STATE/feeds-server.log" && break; sleep 0.1; done
base=$(sed -n 's/^serving //p' "$STATE/feeds-server.log" | head -n 1)
[ -n "$base" ] || { echo "the feeds server did not start:" >&2; cat "$STATE/feeds-server.log" >&2; exit 1; }
feeds=("$base/rss.xml" "$base/atom.xml" "$base/feed.json")

since_ms=$(( $(date +%s) * 1000 ))
echo "== newswire poll --once ${feeds[*]}"
"$NW" poll --once --no-progress "${feeds[@]}" 2>&1 | tee "$STATE/poll.log"
new=$(sed -n 's/.*: \([0-9]*\) new items published.*/\1/p' "$STATE/poll.log")
if [ "${new:-0}" -gt 0 ]; then
  echo "== waiting for the $new new items to reach an outcome"
  wait_outcomes "$new" "$since_ms"
else
  echo "   (every item was published by an earlier run: the poller remembers them in its state topic)"
fi

echo "== the enriched records of polled items (newest per article):"
"$NW" tail --topic enriched --from-beginning --timeout 5 2>/dev/null >"$STATE/enriched.jsonl"
"$PY" - "$STATE/enriched.jsonl" <<'PY'
import sys, orjson
latest = {}
for line in open(sys.argv[1], "rb"):
    record = orjson.loads(line)
    if record["metadata"].get("format") in ("rss", "atom", "jsonfeed"):
        latest[record["id"]] = record
for r in latest.values():
    m = r["metadata"]
    page = f", page {m['page']}" if "page" in m else ""
    print(f"   {r['id']}  {m['format']:<8} {r['word_count']:>3} words{page}  {r['headline'][:58]}")
    print(f"      {r['body'][:110]}…")
PY

echo "== polling again: the feeds have not changed, so the server answers 304 Not Modified"
"$NW" poll --once --no-progress "${feeds[@]}"
echo "== done. The poller's memory is the topic newswire.poll-state; see README, Input: feeds."
