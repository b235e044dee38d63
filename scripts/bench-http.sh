#!/usr/bin/env bash
# HTTP throughput: GET /api/services/nearest (k=10, random points in the province of Siena)
# against the constant GET /api/version, same server, same run, wrk with 64 connections.
# Usage: scripts/bench-http.sh   (uses the data set of bench-startup.sh; N=1000000)
# Measures ROUNDS pairs (default 5) of DURATION each (default 10s), version then nearest,
# alternating, and prints each pair's ratio and their median: on a shared VM the rate of
# the same binary drifts by a fifth over a minute, so each ratio compares two runs side by
# side rather than two measured minutes apart. Then the same under SCHED_BATCH.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${N:-1000000}
DIR=${DIR:-/tmp/mappatu-bench-$N}
PORT=${PORT:-18081}
DURATION=${DURATION:-10s}
ROUNDS=${ROUNDS:-5}
SETTLE=${SETTLE:-25}
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install wrk" >&2; exit 1; }
cargo build --release -q
BIN=${BIN:-target/release/mappatu}  # BIN=path compares another build
[ -f "$DIR/mappatu.sqlite3" ] || "$BIN" --data-dir "$DIR" generate --count "$N"
"$BIN" --data-dir "$DIR" serve --no-demo --listen "127.0.0.1:$PORT" 2>"$DIR/serve-http.log" &
pid=$!
trap 'kill $pid 2>/dev/null || true' EXIT
until curl -sf "http://127.0.0.1:$PORT/api/version" >/dev/null; do sleep 0.05; done
# The offline geocoder builds its gazetteer in the background after start-up: let it finish.
sleep "$SETTLE"
sample=$(curl -sf "http://127.0.0.1:$PORT/api/services/nearest?lat=43.318&lon=11.331&k=10")
echo "${sample:0:300}…"
# The server's own CPU time per request (user + system, from /proc), beside the rate:
# wrk shares the two cores, so the rate alone mixes the server's cost with wrk's.
ticks() { awk '{print $14 + $15}' "/proc/$pid/stat"; }
# On a shared VM the hypervisor lends the cores to other guests: the share of "steal" time
# in /proc/stat during each run says how far its figures can be trusted.
cpustat() { awk '/^cpu / {print $9, $2 + $3 + $4 + $5 + $6 + $7 + $8 + $9}' /proc/stat; }
# run PREFIX WRK-ARGS…: one wrk run, started through PREFIX (a scheduling policy or `env`).
run() {
  local prefix=$1 before out s0
  shift
  before=$(ticks)
  s0=$(cpustat)
  out=$($prefix wrk -t2 -c64 -d"$DURATION" --latency "$@")
  echo "$out" >&2
  awk -v t0="$before" -v t1="$(ticks)" -v hz="$(getconf CLK_TCK)" -v s0="$s0" -v s1="$(cpustat)" \
    '/requests in/ {n = $1} /Requests\/sec/ {r = $2} END {
      split(s0, a, " "); split(s1, b, " ")
      printf "%s %.1f %.1f\n", r, (t1 - t0) / hz / n * 1e6, 100 * (b[1] - a[1]) / (b[2] - a[2]) }' <<<"$out"
}
# wrk shares the two cores with the server. Under the default policy every response that
# wakes a wrk thread can preempt the server at once, and a slower answer means more such
# wake-ups per request; under SCHED_BATCH (`chrt -b 0`) wrk's wake-ups never preempt, as
# if it ran elsewhere. Both pairs are measured; BENCHMARKS.md reports both.
for policy in "env" "chrt -b 0"; do
  echo "== wrk started with: $policy"
  ratios=()
  for round in $(seq "$ROUNDS"); do
    read -r base base_cpu base_steal < <(run "$policy" "http://127.0.0.1:$PORT/api/version")
    read -r near near_cpu near_steal < <(run "$policy" -s scripts/nearest.lua "http://127.0.0.1:$PORT")
    ratio=$(awk -v a="$near" -v b="$base" 'BEGIN {printf "%.3f", a / b}')
    ratios+=("$ratio")
    echo "round $round: version $base req/s ($base_cpu µs server CPU, steal $base_steal %), nearest $near req/s ($near_cpu µs, steal $near_steal %); ratio $ratio"
  done
  echo "wrk via '$policy': ratios ${ratios[*]}; median $(printf '%s\n' "${ratios[@]}" | sort -n | awk '{a[NR] = $1} END {print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2}')"
done
