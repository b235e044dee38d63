#!/usr/bin/env bash
# Start-up time and memory of `mappatu serve` on an SQLite file holding N services.
# Usage: scripts/bench-startup.sh            (N=1000000, data in /tmp/mappatu-bench-N)
set -euo pipefail
cd "$(dirname "$0")/.."
N=${N:-1000000}
DIR=${DIR:-/tmp/mappatu-bench-$N}
PORT=${PORT:-18080}
cargo build --release -q
BIN=target/release/mappatu
if [ ! -f "$DIR/mappatu.sqlite3" ]; then
    echo "generating $N synthetic services in $DIR (once)…"
    /usr/bin/time -f "generate: %e s, max RSS %M KiB" "$BIN" --data-dir "$DIR" generate --count "$N"
fi
ls -l "$DIR/mappatu.sqlite3"
for run in 1 2 3; do
    start=$(date +%s%N)
    "$BIN" --data-dir "$DIR" serve --no-demo --listen "127.0.0.1:$PORT" 2>"$DIR/serve.log" &
    pid=$!
    until curl -sf "http://127.0.0.1:$PORT/api/version" >/dev/null; do sleep 0.01; done
    end=$(date +%s%N)
    published=$(curl -sf "http://127.0.0.1:$PORT/api/health" | sed 's/.*"published_services":\([0-9]*\).*/\1/')
    rss=$(awk '/VmRSS/ {print $2}' "/proc/$pid/status")
    echo "run $run: serving $published services after $(( (end - start) / 1000000 )) ms; RSS $(( rss / 1024 )) MiB"
    kill "$pid"
    wait "$pid" 2>/dev/null || true
done
