#!/usr/bin/env bash
# Fleet mode, first slice (issue #16), end to end with a real PostgreSQL: two daemons, each with its
# own state directory and signing key, sharing one database (`store = "postgresql://…"`).
#
#   1. a session started on A is refreshed on B, and a revocation on B is seen by A at once;
#   2. 100 rounds × 32 concurrent refreshes of one token, split across A and B: exactly one 200 a round;
#   3. PostgreSQL stopped: a refresh answers 503 and burns nothing; started again, the same token
#      refreshes without restarting either daemon.
#
# Run under scripts/with-postgres (make fleet-e2e does), which provides the throwaway server; as root
# (the peer-credential grant is used for root, so no password or user is needed). Uses the build it
# finds, .build/debug by default (BIN=…/pamtokend to choose).
set -euo pipefail
cd "$(dirname "$0")/../.."
# shellcheck source=Tests/e2e/lib.sh
source Tests/e2e/lib.sh
bin=$(realpath "${BIN:-.build/${CONFIG:-debug}/pamtokend}")
[ "$(id -u)" -eq 0 ] || { echo "fleet-e2e: needs root" >&2; exit 1; }
[ -n "${PAMTOKEN_TEST_POSTGRES:-}" ] || { echo "fleet-e2e: run it under scripts/with-postgres" >&2; exit 1; }
started_at=$SECONDS
tmp=$(mktemp -d /tmp/pamtoken-fleet.XXXXXX)
pam_service=pamtoken-fleet-e2e
pids=()
passed=0
failed=0
cleanup() {
    local rc=$?
    set +e
    stop_and_report "$rc" "$tmp"/*.log
    rm -f "/etc/pam.d/$pam_service"
    rm -rf "$tmp"
}
trap cleanup EXIT

psql "$PAMTOKEN_TEST_POSTGRES" -qc "CREATE ROLE pamtoken_fleet LOGIN PASSWORD 'fleet-secret'" -qc "CREATE DATABASE pamtoken OWNER pamtoken_fleet" >/dev/null
server=${PAMTOKEN_TEST_POSTGRES#postgresql://pamtoken@}
server=${server%%/*}
install -m 0600 /dev/null "$tmp/store-password"
echo fleet-secret > "$tmp/store-password"
# The store settings of docs/fleet.md as printed (docs are code): only the server, sslmode (a
# throwaway server on loopback has no certificate), the role and the password file's path replaced.
python3 Tests/e2e/extract_recipes.py docs/fleet.md fleet-store \
    --sub server "pamtoken@db.example.com" "pamtoken_fleet@$server" --sub sslmode "sslmode=verify-full" "sslmode=disable" \
    --sub "password file" /etc/pamtoken/store-password "$tmp/store-password" > "$tmp/store.toml"
check "the store settings of docs/fleet.md name this test's database" grep -q "pamtoken_fleet@$server/pamtoken" "$tmp/store.toml"
printf 'auth required pam_deny.so\naccount required pam_unix.so\n' > "/etc/pam.d/$pam_service"

start_daemon() {  # start_daemon NAME PORT: a daemon with its own state and key, on the shared store
    local name=$1 port=$2
    { cat "$tmp/store.toml"; cat <<TOML; } > "$tmp/$name.toml"
pam_service = "$pam_service"
peercred_grant = true
peercred_allow_root = true
allow_system_users = true
issuer = "http://127.0.0.1:8719"
TOML
    "$bin" --config "$tmp/$name.toml" --state-dir "$tmp/state-$name" --listen "unix:$tmp/$name.sock" --listen "tcp:127.0.0.1:$port" \
        > "$tmp/daemon-$name.log" 2>&1 &
    pids+=($!)
    wait_for "http://127.0.0.1:$port/healthz"
}
port_a=$(free_port) port_b=$(free_port)
start_daemon a "$port_a"
start_daemon b "$port_b"
a="http://127.0.0.1:$port_a" b="http://127.0.0.1:$port_b"

json() { python3 -c 'import json,sys; print(json.load(sys.stdin).get(sys.argv[1], ""))' "$1"; }
login_a() { curl -s --unix-socket "$tmp/a.sock" http://localhost/token -d grant_type=urn:pamtoken:params:grant-type:peercred | json refresh_token; }
refresh() { curl -s -D "$tmp/refresh.headers" -o "$tmp/refresh.json" -w '%{http_code}' "$1/token" -d grant_type=refresh_token -d "refresh_token=$2"; }

# 1. One session, two hosts.
token=$(login_a)
check "a session starts on A" test -n "$token"
check "A's refresh token refreshes on B" test "$(refresh "$b" "$token")" = 200
token=$(json refresh_token < "$tmp/refresh.json")
kid_a=$(curl -s "$a/.well-known/jwks.json" | python3 -c 'import json,sys; print(json.load(sys.stdin)["keys"][0]["kid"])')
kid_b=$(curl -s "$b/.well-known/jwks.json" | python3 -c 'import json,sys; print(json.load(sys.stdin)["keys"][0]["kid"])')
check "the two hosts sign with keys of their own" test "$kid_a" != "$kid_b"
check "B's refresh token refreshes on A" test "$(refresh "$a" "$token")" = 200
token=$(json refresh_token < "$tmp/refresh.json")
revoke=$(curl -s -o /dev/null -w '%{http_code}' "$b/revoke" -d "token=$token")
check "revoking on B answers 200" test "$revoke" = 200
check "A sees B's revocation at once" test "$(refresh "$a" "$token")" = 400

# 2. Concurrent refreshes of one token arriving at both hosts.
cat > "$tmp/race.py" <<'PY'
import json, sys, threading, urllib.parse, urllib.request, urllib.error
hosts, socket_login, rounds = sys.argv[1:3], sys.argv[3], int(sys.argv[4])
import subprocess
def refresh(host, token, results, i):
    data = urllib.parse.urlencode({"grant_type": "refresh_token", "refresh_token": token}).encode()
    try:
        with urllib.request.urlopen(urllib.request.Request(host + "/token", data=data), timeout=30) as r:
            results[i] = (r.status, json.load(r).get("refresh_token"))
    except urllib.error.HTTPError as e:
        results[i] = (e.code, None)
bad = []
for round_ in range(rounds):
    token = subprocess.run(socket_login, shell=True, capture_output=True, text=True).stdout.strip()
    results = [None] * 32
    threads = [threading.Thread(target=refresh, args=(hosts[i % 2], token, results, i)) for i in range(32)]
    for t in threads: t.start()
    for t in threads: t.join()
    statuses = [r[0] for r in results]
    if statuses.count(200) != 1 or any(s not in (200, 400) for s in statuses):
        bad.append((round_, sorted(set(statuses)), statuses.count(200)))
print(json.dumps({"rounds": rounds, "bad": bad}))
sys.exit(1 if bad else 0)
PY
race_login="curl -s --unix-socket $tmp/a.sock http://localhost/token -d grant_type=urn:pamtoken:params:grant-type:peercred | python3 -c 'import json,sys; print(json.load(sys.stdin)[\"refresh_token\"])'"
race_started=$SECONDS
check "100 rounds × 32 concurrent refreshes split across A and B: exactly one 200 a round, the rest 400" \
    python3 "$tmp/race.py" "$a" "$b" "$race_login" 100
echo "fleet-e2e: race took $((SECONDS - race_started)) s"

# 3. A host that ran on SQLite joins: its sessions are copied into the shared database.
lone_port=$(free_port)
printf 'peercred_grant = true\npeercred_allow_root = true\nallow_system_users = true\n' > "$tmp/lone.toml"
"$bin" --config "$tmp/lone.toml" --state-dir "$tmp/state-lone" --pam-service "$pam_service" --listen "unix:$tmp/lone.sock" \
    --listen "tcp:127.0.0.1:$lone_port" > "$tmp/daemon-lone.log" 2>&1 &
lone_pid=$!
wait_for "http://127.0.0.1:$lone_port/healthz"
lone_token=$(curl -s --unix-socket "$tmp/lone.sock" http://localhost/token -d grant_type=urn:pamtoken:params:grant-type:peercred | json refresh_token)
kill "$lone_pid"; wait "$lone_pid" 2>/dev/null || true
"$bin" --config "$tmp/a.toml" --migrate-store "$tmp/state-lone/pamtoken.sqlite" "$(grep '^store = ' "$tmp/store.toml" | cut -d'"' -f2)" > "$tmp/migrate.out"
check "--migrate-store reports what it copied ($(cat "$tmp/migrate.out"))" grep -q '^migrate-store: 1 sessions copied' "$tmp/migrate.out"
check "the lone host's session refreshes on fleet host B" test "$(refresh "$b" "$lone_token")" = 200

# 4. PostgreSQL away, then back.
token=$(login_a)
$PAMTOKEN_TEST_POSTGRES_CTL stop >/dev/null
outage=$SECONDS
status=$(refresh "$b" "$token")
echo "fleet-e2e: the refresh during the outage was answered in $((SECONDS - outage)) s"
check "with PostgreSQL stopped a refresh answers 503, not another 5xx (got $status)" test "$status" = 503
check "the 503 says to retry, and when" grep -qi '^retry-after: 5' "$tmp/refresh.headers"
check "/healthz names the store as down" test "$(curl -s "$a/healthz")" = '{"down":["store"],"status":"unavailable"}'
check "offline verification data stays: B still serves its JWKS" test "$(curl -s -o /dev/null -w '%{http_code}' "$b/.well-known/jwks.json")" = 200
$PAMTOKEN_TEST_POSTGRES_CTL start >/dev/null
back=$SECONDS
status=000
for _ in $(seq 50); do status=$(refresh "$a" "$token"); [ "$status" = 503 ] || break; sleep 0.2; done
echo "fleet-e2e: refreshes worked again $((SECONDS - back)) s after PostgreSQL came back"
check "PostgreSQL back: the same token refreshes, no daemon restarted (got $status)" test "$status" = 200
check "both daemons still run" kill -0 "${pids[@]}"

echo "fleet-e2e: $passed passed, $failed failed in $((SECONDS - started_at)) s"
[ "$failed" -eq 0 ]
