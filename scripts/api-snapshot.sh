#!/usr/bin/env bash
# Snapshot of the public API's answers on the demo data, for refactors that must not
# change them: `scripts/api-snapshot.sh OUT_DIR [BINARY]`, then `diff -r` two snapshots.
# Starts BINARY (default target/release/mappatu) on a fresh SQLite file with the demo data,
# asks every public read endpoint a set of questions and writes each answer, pretty-printed
# with the values that change by the clock (open_now, timestamps) removed.
set -euo pipefail
out=${1:?usage: api-snapshot.sh OUT_DIR [BINARY]}
bin=${2:-target/release/mappatu}
port=${SNAPSHOT_PORT:-18181}
data=$(mktemp -d)
trap 'kill $pid 2>/dev/null || true; rm -rf "$data"' EXIT
mkdir -p "$out"
"$bin" --data-dir "$data" serve --listen "127.0.0.1:$port" >"$data/log" 2>&1 &
pid=$!
for _ in $(seq 100); do
  curl -fs "http://127.0.0.1:$port/api/health" >/dev/null 2>&1 && break
  sleep 0.2
done
# Search waits for the text index; one query makes sure it is ready.
curl -fs "http://127.0.0.1:$port/api/search?q=pasti" >/dev/null
n=0
while read -r path; do
  [ -z "$path" ] && continue
  n=$((n + 1))
  file=$(printf '%s/%03d.json' "$out" "$n")
  status=$(curl -s -o "$data/body" -w '%{http_code} %{content_type}' "http://127.0.0.1:$port$path")
  {
    echo "# GET $path -> $status"
    jq -S 'walk(if type == "object" then del(.open_now, .created_at, .updated_at, .verified_at, .decided_at) else . end)' "$data/body" 2>/dev/null || cat "$data/body"
  } >"$file"
done <<'PATHS'
/api/categories
/api/target-groups
/api/services
/api/services?limit=5
/api/services?category=health
/api/services?target=elderly&category=food-aid
/api/services?q=mensa
/api/services?bbox=11.30,43.30,11.35,43.33
/api/services?wheelchair=yes
/api/services?limit=3&cursor=3
/api/services/nearest?lat=43.3183&lon=11.3317&limit=5
/api/services/nearest?lat=43.3183&lon=11.3317&limit=3&category=health
/api/services/points
/api/services/points?category=shelter
/api/services/1
/api/services/7
/api/services/9999
/api/services/abc
/api/services?lat=91
/api/services?limit=x
/api/services?category=nope
/api/search?q=ho+fame
/api/search?q=dentista+vicino+alla+stazione
/api/search?q=anziani+aperto+ora
/api/search?q=psicologo
/api/search?q=
/api/search/suggest?q=mens
/api/search/suggest?q=vicino+alla+staz
/api/benefits
/api/geocode?q=piazza+del+campo
/api/geocode?q=
/api/nope
PATHS
echo "$n answers in $out"
