#!/usr/bin/env bash
# npm run bench: starts keydb-ts-server and a reference redis-server on free
# loopback ports, runs redis-benchmark against both alternately
# (perf-vs-redis.sh), prints the table and writes it as JSON to
# bench-results/perf-<date>.json. Knobs: see perf-vs-redis.sh (PERF_SCALE=0.2
# for a quick run).
set -euo pipefail
cd "$(dirname "$0")/../.."
command -v redis-benchmark >/dev/null || { echo "redis-benchmark not found (apt-get install redis-tools redis-server)" >&2; exit 2; }

PORT=${BENCH_PORT:-$((20000 + RANDOM % 20000))}
LOG=$(mktemp /tmp/kts-bench.XXXXXX.log)
# An empty working dir: a dump.rdb left in the checkout would be loaded and
# restore a replication backlog, which makes every write pay for the stream.
DIR=$(mktemp -d /tmp/kts-bench.XXXXXX)
bin/keydb-ts-server --port "$PORT" --bind 127.0.0.1 --save "" --loglevel warning --dir "$DIR" >"$LOG" 2>&1 &
SPID=$!
trap 'kill $SPID 2>/dev/null || true; wait $SPID 2>/dev/null || true; rm -rf "$DIR"' EXIT
for _ in $(seq 100); do redis-cli -p "$PORT" PING >/dev/null 2>&1 && break; sleep 0.1; done

OUT=$(mktemp /tmp/kts-bench.XXXXXX.txt)
bash scripts/bench/perf-vs-redis.sh "$PORT" | tee "$OUT"

mkdir -p bench-results
JSON="bench-results/perf-$(date -u +%Y%m%dT%H%M%SZ).json"
node - "$OUT" "$JSON" <<'NODE'
const fs = require('fs');
const [, , txt, json] = process.argv;
const lines = fs.readFileSync(txt, 'utf8').split('\n');
const rows = [];
for (const l of lines) {
  const m = /^(\S+)\s+(\d+)\s+([\d.]+|NA)\s+([\d.]+|NA)\s+([\d.]+|NA)(?:\s+([\d.]+|NA)\s+([\d.]+|NA)\s+([\d.]+|NA)\s+([\d.]+|NA))?$/.exec(l.trim());
  if (m) {
    rows.push({
      test: m[1], pipeline: +m[2], redis_ops: +m[3] || null, ours_ops: +m[4] || null, ratio: +m[5] || null,
      redis_p50_ms: +m[6] || null, ours_p50_ms: +m[7] || null, redis_p99_ms: +m[8] || null, ours_p99_ms: +m[9] || null,
    });
  }
}
const summary = lines.find((l) => l.startsWith('geomean')) || '';
const mem = lines.filter((l) => /^(redis|target)\s/.test(l));
fs.writeFileSync(json, JSON.stringify({ date: new Date().toISOString(), summary, memory: mem, rows, header: lines.filter((l) => l.startsWith('#')) }, null, 2));
console.log(`written ${json}`);
NODE
