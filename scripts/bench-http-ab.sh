#!/usr/bin/env bash
# Two or more builds compared over HTTP, alternating, on the data set of bench-http.sh:
# for each cycle and each build, start the server, let the gazetteer build, then measure
# ROUNDS pairs of /api/version and nearest k=10 at random points (wrk -t2 -c64, default
# policy), printing each pair's rates, ratio and the server's CPU time per request.
# Alternating matters here: the rate of one binary drifts by a tenth within minutes.
# Usage: scripts/bench-http-ab.sh OLD-BINARY NEW-BINARY…   (CYCLES=3 ROUNDS=3 DURATION=8s)
set -euo pipefail
cd "$(dirname "$0")/.."
[ $# -ge 2 ] || { echo "usage: $0 BINARY BINARY…" >&2; exit 2; }
N=${N:-1000000}
DIR=${DIR:-/tmp/mappatu-bench-$N}
PORT=${PORT:-18082}
CYCLES=${CYCLES:-3}
ROUNDS=${ROUNDS:-3}
DURATION=${DURATION:-8s}
SETTLE=${SETTLE:-25}
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install wrk" >&2; exit 1; }
[ -f "$DIR/mappatu.sqlite3" ] || { echo "no data set in $DIR: run scripts/bench-http.sh once" >&2; exit 1; }
ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
# Steal time (the hypervisor lending the cores elsewhere) against all CPU time, in jiffies.
cpustat() { awk '/^cpu / {print $9, $2 + $3 + $4 + $5 + $6 + $7 + $8 + $9}' /proc/stat; }
rate() { awk '/Requests\/sec/ {print $2}'; }
for cycle in $(seq "$CYCLES"); do
  for bin in "$@"; do
    "$bin" --data-dir "$DIR" serve --no-demo --listen "127.0.0.1:$PORT" 2>/dev/null &
    pid=$!
    until curl -sf "http://127.0.0.1:$PORT/api/version" >/dev/null; do sleep 0.1; done
    sleep "$SETTLE"
    for round in $(seq "$ROUNDS"); do
      s0=$(cpustat)
      t0=$(ticks $pid)
      v=$(wrk -t2 -c64 -d"$DURATION" "http://127.0.0.1:$PORT/api/version" | rate)
      t1=$(ticks $pid)
      n=$(wrk -t2 -c64 -d"$DURATION" -s scripts/nearest.lua "http://127.0.0.1:$PORT" | rate)
      t2=$(ticks $pid)
      awk -v b="$bin" -v c="$cycle" -v v="$v" -v n="$n" -v t0="$t0" -v t1="$t1" -v t2="$t2" \
        -v s="${DURATION%s}" -v hz="$(getconf CLK_TCK)" -v s0="$s0" -v s1="$(cpustat)" 'BEGIN {
          split(s0, a, " "); split(s1, z, " ")
          printf "%s cycle %s: version %.0f req/s (%.1f µs server CPU), nearest %.0f req/s (%.1f µs); ratio %.3f; steal %.1f %%\n",
            b, c, v, (t1 - t0) / hz / (v * s) * 1e6, n, (t2 - t1) / hz / (n * s) * 1e6, n / v,
            100 * (z[1] - a[1]) / (z[2] - a[2]) }'
    done
    kill "$pid"
    wait "$pid" 2>/dev/null || true
  done
done
