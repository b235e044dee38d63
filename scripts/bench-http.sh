#!/usr/bin/env bash
# HTTP throughput: GET /api/services/nearest (k=10, random points in the province of Siena)
# against the constant GET /api/version, same server, same run, wrk with 64 connections.
# Usage: scripts/bench-http.sh   (uses the data set of bench-startup.sh; N=1000000)
# Prints the pair twice: wrk under the default scheduling policy, then under SCHED_BATCH.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${N:-1000000}
DIR=${DIR:-/tmp/mappatu-bench-$N}
PORT=${PORT:-18081}
DURATION=${DURATION:-20s}
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install wrk" >&2; exit 1; }
cargo build --release -q
BIN=target/release/mappatu
[ -f "$DIR/mappatu.sqlite3" ] || "$BIN" --data-dir "$DIR" generate --count "$N"
"$BIN" --data-dir "$DIR" serve --no-demo --listen "127.0.0.1:$PORT" 2>"$DIR/serve-http.log" &
pid=$!
trap 'kill $pid 2>/dev/null || true' EXIT
until curl -sf "http://127.0.0.1:$PORT/api/version" >/dev/null; do sleep 0.05; done
sample=$(curl -sf "http://127.0.0.1:$PORT/api/services/nearest?lat=43.318&lon=11.331&k=10")
echo "${sample:0:300}…"
# The server's own CPU time per request (user + system, from /proc), beside the rate:
# wrk shares the two cores, so the rate alone mixes the server's cost with wrk's.
ticks() { awk '{print $14 + $15}' "/proc/$pid/stat"; }
# run PREFIX WRK-ARGS…: one wrk run, started through PREFIX (a scheduling policy or `env`).
run() {
  local prefix=$1 before out
  shift
  before=$(ticks)
  out=$($prefix wrk -t2 -c64 -d"$DURATION" --latency "$@")
  echo "$out" >&2
  awk -v t0="$before" -v t1="$(ticks)" -v hz="$(getconf CLK_TCK)" \
    '/requests in/ {n = $1} /Requests\/sec/ {r = $2} END {printf "%s %.1f\n", r, (t1 - t0) / hz / n * 1e6}' <<<"$out"
}
# wrk shares the two cores with the server. Under the default policy every response that
# wakes a wrk thread can preempt the server at once, and a slower answer means more such
# wake-ups per request; under SCHED_BATCH (`chrt -b 0`) wrk's wake-ups never preempt, as
# if it ran elsewhere. Both pairs are measured; BENCHMARKS.md reports both.
for policy in "env" "chrt -b 0"; do
  echo "== wrk started with: $policy"
  echo "-- trivial JSON: /api/version"
  read -r base base_cpu < <(run "$policy" "http://127.0.0.1:$PORT/api/version")
  echo "-- nearest k=10"
  read -r near near_cpu < <(run "$policy" -s scripts/nearest.lua "http://127.0.0.1:$PORT")
  echo "server CPU per request: version $base_cpu µs, nearest $near_cpu µs"
  echo "wrk via '$policy': version: $base req/s; nearest: $near req/s; ratio: $(awk -v a="$near" -v b="$base" 'BEGIN {printf "%.2f", a / b}')"
done
