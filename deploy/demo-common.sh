# Shared by deploy/demo.sh and deploy/demo-feeds.sh (sourced, not run): start the local Kafka
# broker if it is not running, start a worker and wait until it is ready, count outcomes, and
# stop what was started on exit. Expects to be sourced from the repo root.

NW=.venv/bin/newswire
PY=.venv/bin/python
STATE=.newswire
mkdir -p "$STATE"
export NEWSWIRE_DATA_DIR="${NEWSWIRE_DATA_DIR:-$STATE/data}"
LOG="$STATE/worker.log"

started_broker=0
worker_pid=""
extra_pids=()

cleanup() {
  for pid in "${extra_pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
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

start_broker() {
  if ! "$NW" broker status >/dev/null 2>&1; then
    echo "== starting the local Kafka broker (first time: fetching its jars with Maven)"
    "$NW" broker start
    started_broker=1
  fi
}

start_worker() {
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
  grep -q "newswire worker ready" "$LOG" || {
    echo "worker not ready after 120 s" >&2; tail -n 40 "$LOG" >&2; exit 1; }
}

# wait_outcomes EXPECTED SINCE_MS: until EXPECTED outcomes were written since SINCE_MS (3 min).
wait_outcomes() {
  "$PY" - "$1" "$2" <<'PY'
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
print("   outcomes: " + ", ".join(f"{k} {v}" for k, v in counts.items()))
PY
}
