#!/usr/bin/env bash
# Schemathesis over every operation of /api/openapi.json: does the server answer what its
# description says, and nothing else? Three runs against the real binary on a fresh SQLite
# data directory with the demo data: anonymous, as a moderator, as an admin. Any 5xx, any
# status, content type, header or body that the description does not allow fails.
#
#   scripts/schemathesis.sh          # build target/debug/mappatu if needed, run all three
#   ST_MAX_EXAMPLES=200 ST_MAX_TIME=600 scripts/schemathesis.sh   # a longer search
#
# Environment: MAPPATU_BIN (binary under test), ST_MAX_EXAMPLES (test cases per operation
# and phase, default 40), ST_MAX_TIME (seconds per run, default 80: the generation phases
# repeat until it is spent, so the three runs take about four minutes), ST_SEED (default
# 1), ST_WORKERS (default 1: see below). Schemathesis is installed from PyPI at the versions
# pinned in scripts/schemathesis-requirements.txt, into target/schemathesis-venv.
# Reports (JSON, an NDJSON log of every request and answer, and the server's log) go to
# target/schemathesis/; each failure is printed with a curl command that reproduces it.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

max_examples=${ST_MAX_EXAMPLES:-40}
max_time=${ST_MAX_TIME:-80}
seed=${ST_SEED:-1}
# One request at a time: the runs look for wrong descriptions, not for what concurrent
# writes do to the store (that is the load tests' business), and with one worker a seed
# gives the same requests in the same order against the same data (how far a run gets
# depends on the time budget and the machine).
workers=${ST_WORKERS:-1}

say() { printf '\n==> %s\n' "$*"; }

# --- Schemathesis, pinned, in its own virtual environment.
venv=$root/target/schemathesis-venv
requirements=$root/scripts/schemathesis-requirements.txt
if ! cmp -s "$requirements" "$venv/requirements.txt" 2>/dev/null; then
    say "installing schemathesis into $venv"
    rm -rf "$venv"
    python3 -m venv "$venv" || {
        echo "schemathesis: python3 -m venv failed (apt-get install python3-venv)" >&2
        exit 1
    }
    "$venv/bin/pip" install --quiet --disable-pip-version-check -r "$requirements"
    cp "$requirements" "$venv/requirements.txt"
fi
st=$venv/bin/st

# --- The binary. Cargo decides whether anything changed, so this is quick when current.
if [ -z "${MAPPATU_BIN:-}" ]; then
    cargo build --quiet --bin mappatu
    MAPPATU_BIN=$root/target/debug/mappatu
fi
bin=$MAPPATU_BIN

# --- A fresh server on a free port (it binds port 0 and logs the address).
work=$(mktemp -d "${TMPDIR:-/tmp}/mappatu-schemathesis-XXXXXX")
server_pid=
cleanup() {
    if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
        kill "$server_pid" 2>/dev/null || true
        wait "$server_pid" 2>/dev/null || true
    fi
    rm -rf "$work"
}
trap cleanup EXIT

# Nothing of the caller's MappaTU settings leaks in.
for v in $(env | sed -n 's/^\(MAPPATU_[A-Z_]*\)=.*/\1/p') DATABASE_URL; do unset "$v"; done
export MAPPATU_DATA_DIR=$work/data RUST_LOG=${RUST_LOG:-warn,mappatu=info} NO_COLOR=1

say "starting $bin on a fresh data directory"
"$bin" serve --listen 127.0.0.1:0 --map-style offline --geocoder offline \
    2>"$work/server.log" >/dev/null &
server_pid=$!
base=
for _ in $(seq 1 600); do
    base=$(sed -n 's/.*listening on \(http:\/\/[0-9.]*:[0-9]*\).*/\1/p' "$work/server.log" | head -1)
    [ -n "$base" ] && break
    kill -0 "$server_pid" 2>/dev/null || { cat "$work/server.log" >&2; exit 1; }
    sleep 0.1
done
[ -n "$base" ] || { echo "mappatu did not start in 60 s" >&2; cat "$work/server.log" >&2; exit 1; }
for _ in $(seq 1 100); do
    curl -fsS "$base/api/health" >/dev/null 2>&1 && break
    sleep 0.1
done
curl -fsS "$base/api/health" >/dev/null

# --- Accounts and sessions. Every login happens before the first run: the anonymous run
# sends wrong credentials to /api/auth/login until the login throttle locks this address.
password=schemathesis-$RANDOM-$RANDOM-password
add_user() { # NAME ROLE -> the account id
    echo "$password" | "$bin" user add "$1" --role "$2" | sed -n 's/.*(id \([0-9]*\)).*/\1/p'
}
login() { # NAME -> "ID COOKIE CSRF"
    local headers body
    headers=$(mktemp "$work/login-XXXXXX")
    body=$(curl -fsS -D "$headers" -H 'content-type: application/json' \
        -d "{\"username\":\"$1\",\"password\":\"$password\"}" "$base/api/auth/login")
    local cookie
    cookie=$(sed -n 's/^[Ss]et-[Cc]ookie: mappatu_session=\([^;]*\);.*/\1/p' "$headers")
    python3 -c 'import json,sys; d=json.loads(sys.argv[1]); print(d["id"], sys.argv[2], d["csrf_token"])' \
        "$body" "$cookie"
}
moderator_id=$(add_user st-moderator moderator)
admin_id=$(add_user st-admin admin)
read -r _ moderator_cookie moderator_csrf < <(login st-moderator)
read -r _ admin_cookie admin_csrf < <(login st-admin)
[ -n "$moderator_cookie" ] && [ -n "$admin_cookie" ] || { echo "login failed" >&2; exit 1; }

# --- Something to moderate: a report on listing 1, so that r-1 and report 1 exist (the
# description's examples name them). The submission s-1 is made by the anonymous run,
# from the example of the submission's request body.
curl -fsS -o /dev/null -H 'content-type: application/json' \
    -d '{"kind":"wrong_hours","message":"Il martedì è chiuso"}' "$base/api/services/1/reports"

reports=$root/target/schemathesis
mkdir -p "$reports"
rm -f "$reports"/*.json "$reports"/*.ndjson "$reports"/server.log
export SCHEMATHESIS_HOOKS=schemathesis_hooks
export PYTHONPATH=$root/scripts${PYTHONPATH:+:$PYTHONPATH} PYTHONDONTWRITEBYTECODE=1

# One run: NAME, then extra `st run` arguments. Its figures are read off its JSON report.
failed=0
summary=()
run() {
    local name=$1
    shift
    say "schemathesis: $name"
    local status=0
    # From the throw-away directory: schemathesis keeps a cache of crashing cases in
    # ./.schemathesis, which would otherwise land in the work tree and be replayed next time.
    (cd "$work" && "$st" run "$base/api/openapi.json" \
        --checks not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance,response_headers_conformance \
        --max-examples "$max_examples" --max-time "$max_time" --seed "$seed" \
        --workers "$workers" --request-timeout 30 --no-color \
        --generation-database none \
        --report json,ndjson --report-dir "$reports" \
        --report-json-path "$reports/$name.json" --report-ndjson-path "$reports/$name.ndjson" \
        "$@") || status=$?
    local figures
    figures=$(python3 - "$reports/$name.json" "$reports/$name.ndjson" <<'EOF'
import json, sys
try:
    r = json.load(open(sys.argv[1]))
except (OSError, ValueError):
    print("no report")
    sys.exit()
# How deep the run got: the operations that answered a success at least once.
succeeded = set()
for event in open(sys.argv[2]):
    scenario = json.loads(event).get("ScenarioFinished")
    if not scenario:
        continue
    recorder = scenario["recorder"]
    for case_id, interaction in (recorder.get("interactions") or {}).items():
        response = interaction.get("response") or {}
        if 200 <= response.get("status_code", 0) < 300:
            case = recorder["cases"][case_id]["value"]
            succeeded.add((case["method"], case["path"]))
failures = sum(f.get("count", 1) for f in r["failures"]) + len(r["errors"])
line = (f'{r["test_cases"]["generated"]} cases, {r["operations"]["tested"]} of '
        f'{r["operations"]["total"]} operations ({len(succeeded)} answered 2xx), '
        f'{failures} failures')
print(f'{line} ({r["running_time"]:.0f} s)')
EOF
    )
    summary+=("$(printf '%-10s %s' "$name" "$figures")")
    if [ "$status" -ne 0 ]; then
        failed=1
    fi
}

# Anonymous: every operation; the protected ones must answer 401 as described.
ST_OWN_ACCOUNT_ID= run anonymous
# Logged in: every operation but logout, which would end the run's session at once (it is
# covered by the anonymous run's 401 and by tests/auth.rs). The moderator runs first: the
# admin run may disable the moderator's account or reset its password.
ST_OWN_ACCOUNT_ID=$moderator_id run moderator \
    -H "Cookie: mappatu_session=$moderator_cookie" -H "X-CSRF-Token: $moderator_csrf" \
    --exclude-operation-id logout
ST_OWN_ACCOUNT_ID=$admin_id run admin \
    -H "Cookie: mappatu_session=$admin_cookie" -H "X-CSRF-Token: $admin_csrf" \
    --exclude-operation-id logout

say "schemathesis summary (seed $seed, at most $max_examples cases per operation and phase, $max_time s per run)"
printf '%s\n' "${summary[@]}"
if grep -q 'panicked' "$work/server.log"; then
    echo "the server logged a panic:" >&2
    grep -A5 'panicked' "$work/server.log" >&2
    failed=1
fi
cp "$work/server.log" "$reports/server.log"
if [ "$failed" -ne 0 ]; then
    echo "schemathesis: FAILED (see the failures above, each with a curl command that" \
        "reproduces it; reports and the server's log in $reports)" >&2
    exit 1
fi
echo "schemathesis: passed"
