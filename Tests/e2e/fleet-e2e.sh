#!/usr/bin/env bash
# Fleet mode, first slice (issue #16), end to end with a real PostgreSQL: two daemons, each with its
# own state directory and signing key, sharing one database (`store = "postgresql://…"`).
#
#   1. a session started on A is refreshed on B, and a revocation on B is seen by A at once;
#   2. keys: each serves the union of both hosts' public keys, so A's access tokens are accepted by
#      B's routes and verify offline with B's JWKS, also right after A rotates its key;
#   3. 200 rounds × 32 concurrent refreshes of one token, split across A and B: exactly one 200 a round;
#   4. a lone SQLite host's sessions copied in with --migrate-store;
#   5. PostgreSQL stopped: a refresh answers 503 and burns nothing; started again, the same token
#      refreshes without restarting either daemon;
#   6. refresh chains running on both hosts (Tests/e2e/fleet/load.py) while PostgreSQL is restarted,
#      then while B is killed with SIGKILL: only 200s and 503s, and every acknowledged rotation usable.
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
# The fleet's role authenticates with its password (SCRAM); the throwaway cluster trusts the rest of
# loopback. pg_hba.conf's first matching line wins, so this one goes first (rewritten in place: the
# file stays the server's).
python3 - "$(dirname "$PAMTOKEN_TEST_POSTGRES_CTL")/data/pg_hba.conf" <<'PY'
import sys
with open(sys.argv[1], "r+") as hba:
    text = hba.read()
    hba.seek(0)
    hba.write("host all pamtoken_fleet 127.0.0.1/32 scram-sha-256\n" + text)
    hba.truncate()
PY
"$PAMTOKEN_TEST_POSTGRES_CTL" reload >/dev/null
# Host B reads the same password from a .pgpass instead (PGPASSFILE), as libpq would.
install -m 0600 /dev/null "$tmp/pgpass"
printf '# hostname:port:database:username:password\n%s:pamtoken:pamtoken_fleet:fleet-secret\n' "$server" > "$tmp/pgpass"
grep -v '^store_password_file' "$tmp/store.toml" > "$tmp/store-pgpass.toml"
printf 'auth required pam_deny.so\naccount required pam_unix.so\n' > "/etc/pam.d/$pam_service"

start_daemon() {  # start_daemon NAME PORT [TOML]: a daemon with its own state and key, on the shared store (B with PGPASSFILE)
    local name=$1 port=$2 store=$tmp/store.toml
    [ "$name" != b ] || store=$tmp/store-pgpass.toml
    { cat "$store"; cat <<TOML; } > "$tmp/$name.toml"
pam_service = "$pam_service"
peercred_grant = true
peercred_allow_root = true
allow_system_users = true
issuer = "http://127.0.0.1:8719"
${3:-}
TOML
    PGPASSFILE=$tmp/pgpass "$bin" --config "$tmp/$name.toml" --state-dir "$tmp/state-$name" --listen "unix:$tmp/$name.sock" \
        --listen "tcp:127.0.0.1:$port" >> "$tmp/daemon-$name.log" 2>&1 &
    pids+=($!)
    eval "pid_$name=$!"
    wait_for "http://127.0.0.1:$port/healthz"
}
stop_daemon() {  # stop_daemon NAME: SIGTERM, and wait for it
    local pid_var="pid_$1"
    kill "${!pid_var}" && wait "${!pid_var}" 2>/dev/null || true
}
# A start that cannot connect says why in one line and exits: a wrong password, a server not there.
install -m 0600 /dev/null "$tmp/wrong-password"
echo wrong-secret > "$tmp/wrong-password"
sed "s|$tmp/store-password|$tmp/wrong-password|" "$tmp/store.toml" > "$tmp/wrong.toml"
status=0
"$bin" --config "$tmp/wrong.toml" --state-dir "$tmp/state-wrong" --pam-service "$pam_service" --listen "unix:$tmp/wrong.sock" \
    > "$tmp/wrong.out" 2>&1 || status=$?
check "a wrong store password stops the start, in the server's words ($(tail -n 1 "$tmp/wrong.out"))" \
    grep -q 'cannot connect to PostgreSQL as pamtoken_fleet@.*: password authentication failed for user' "$tmp/wrong.out"
check "and the exit status says so (got $status)" test "$status" -ne 0
dead_port=$(free_port)
sed "s|@$server/|@127.0.0.1:$dead_port/|" "$tmp/store.toml" > "$tmp/dead.toml"
"$bin" --config "$tmp/dead.toml" --state-dir "$tmp/state-dead" --pam-service "$pam_service" --listen "unix:$tmp/dead.sock" \
    > "$tmp/dead.out" 2>&1 || true
check "a server that is not there stops the start with the connection's error ($(tail -n 1 "$tmp/dead.out"))" \
    grep -qi "cannot connect to PostgreSQL as pamtoken_fleet@127.0.0.1:$dead_port/pamtoken: .*refused" "$tmp/dead.out"

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

# 2. Keys: each host signs with its own and trusts the other's (docs/fleet.md, "Keys").
kids() { curl -s "$1/.well-known/jwks.json" | python3 -c 'import json,sys; print(" ".join(sorted(k["kid"] for k in json.load(sys.stdin)["keys"])))'; }
bearer() { curl -s -o "$tmp/bearer.out" -w '%{http_code}' -H "Authorization: Bearer $3" "$1$2"; }
socket_token() { curl -s --unix-socket "$tmp/$1.sock" http://localhost/token -d grant_type=urn:pamtoken:params:grant-type:peercred | json access_token; }
# A started first and published before B existed: B's key reaches A at A's next round, or, as here,
# the first time A sees a token signed by it (A reads the table again on an unknown kid).
check "A accepts an access token of B, B having started after A" test "$(bearer "$a" /userinfo "$(socket_token b)")" = 200
check "A's JWKS and B's are the same union of both hosts' keys" test "$(kids "$a")" = "$(kids "$b")"
check "the union holds A's key and B's" test "$(kids "$a")" = "$(printf '%s\n' "$kid_a" "$kid_b" | sort | tr '\n' ' ' | sed 's/ $//')"
access=$(socket_token a)
for route in /userinfo /sessions; do
    check "B accepts A's access token at $route" test "$(bearer "$b" "$route" "$access")" = 200
done
check "B's /auth lets A's access token through (204)" test "$(bearer "$b" /auth "$access")" = 204
check "B's /auth names the user of A's token" \
    test "$(curl -s -D - -o /dev/null -H "Authorization: Bearer $access" "$b/auth" | tr -d '\r' | grep -i '^x-auth-user:' | cut -d' ' -f2)" = root
introspection=$(curl -s "$b/introspect" -H "Authorization: Bearer $access" -d "token=$access")
check "B introspects A's access token as active" test "$(json active <<< "$introspection")" = True
sid=$(python3 -c 'import json,sys,base64; p=sys.argv[1].split(".")[1]; print(json.loads(base64.urlsafe_b64decode(p+"="*(-len(p)%4)))["sid"])' "$access")
check "B's admin routes list the session started on A" grep -q "$sid" <<< "$(curl -s --unix-socket "$tmp/b.sock" http://localhost/admin/sessions)"
export HOME=$tmp/home
mkdir -p "$HOME"
check "A's access token verifies offline with B's JWKS (pamtoken verify --url B)" "${bin%/*}/pamtoken" verify --url "$b" "$access" > /dev/null
check "A rotates its signing key (POST /admin/keys/rotate)" \
    test "$(curl -s -o /dev/null -w '%{http_code}' -X POST --unix-socket "$tmp/a.sock" http://localhost/admin/keys/rotate)" = 200
rotated=$(socket_token a)
check "B accepts a token signed by A's new key at once" test "$(bearer "$b" /userinfo "$rotated")" = 200
check "B lists A's keys among those it trusts, with A's host name (GET /admin/keys)" \
    python3 -c 'import json,sys; f=json.load(sys.stdin)["fleet"]; sys.exit(not (len(f) == 2 and all(k["host"] == sys.argv[1] for k in f)))' "$(cat /proc/sys/kernel/hostname)" \
    < <(curl -s --unix-socket "$tmp/b.sock" http://localhost/admin/keys)
check "revoking A's access token at B answers 200" test "$(curl -s -o /dev/null -w '%{http_code}' "$b/revoke" -d "token=$access")" = 200
check "A refuses that token's session at once" test "$(bearer "$a" /userinfo "$access")" = 401

# 3. Concurrent refreshes of one token arriving at both hosts.
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
check "200 rounds × 32 concurrent refreshes split across A and B: exactly one 200 a round, the rest 400" \
    python3 "$tmp/race.py" "$a" "$b" "$race_login" 200
echo "fleet-e2e: race took $((SECONDS - race_started)) s"

# 4. A host that ran on SQLite joins: its sessions are copied into the shared database.
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

# 5. PostgreSQL away, then back.
token=$(login_a)
$PAMTOKEN_TEST_POSTGRES_CTL stop >/dev/null
outage=$SECONDS
status=$(refresh "$b" "$token")
echo "fleet-e2e: the refresh during the outage was answered in $((SECONDS - outage)) s"
check "with PostgreSQL stopped a refresh answers 503, not another 5xx (got $status)" test "$status" = 503
check "the 503 says to retry, and when" grep -qi '^retry-after: 5' "$tmp/refresh.headers"
check "/healthz names the store as down" test "$(curl -s "$a/healthz")" = '{"down":["store"],"status":"unavailable"}'
check "B still serves the fleet's JWKS from memory" test "$(kids "$b")" = "$(kids "$a")"
check "a token of A still verifies offline with B's JWKS" "${bin%/*}/pamtoken" verify --url "$b" "$rotated" > /dev/null
$PAMTOKEN_TEST_POSTGRES_CTL start >/dev/null
back=$SECONDS
status=000
for _ in $(seq 50); do status=$(refresh "$a" "$token"); [ "$status" = 503 ] || break; sleep 0.2; done
echo "fleet-e2e: refreshes worked again $((SECONDS - back)) s after PostgreSQL came back"
check "PostgreSQL back: the same token refreshes, no daemon restarted (got $status)" test "$status" = 200
check "both daemons still run" kill -0 "${pids[@]}"

# 6. Refresh chains under failure. A fleet runs with a reuse_grace of a few seconds (docs/fleet.md):
# a rotation that PostgreSQL committed but whose answer was lost is retried as one, not taken as reuse.
stop_daemon a
stop_daemon b
start_daemon a "$port_a" "reuse_grace = 10"
start_daemon b "$port_b" "reuse_grace = 10"
load_login="curl -s --unix-socket $tmp/a.sock http://localhost/token -d grant_type=urn:pamtoken:params:grant-type:peercred | python3 -c 'import json,sys; print(json.load(sys.stdin)[\"refresh_token\"])'"
python3 Tests/e2e/fleet/load.py "$a,$b" "$load_login" postgres-restart > "$tmp/load-restart.json" || true
echo "fleet-e2e: PostgreSQL restarted under load: $(cat "$tmp/load-restart.json")"
check "PostgreSQL restarted under load: only 200s and 503s, every acknowledged rotation usable after" \
    python3 -c 'import json,sys; f=json.load(open(sys.argv[1])); sys.exit(not (f["completed"] and not f["other_answers"] and not f["lost_chains"] and f["503"] > 0))' "$tmp/load-restart.json"
python3 Tests/e2e/fleet/load.py "$a,$b" "$load_login" "kill:$pid_b:$b" > "$tmp/load-kill.json" || true
echo "fleet-e2e: B killed under load: $(cat "$tmp/load-kill.json")"
check "B killed with SIGKILL under load: A carries on, only 200s, every acknowledged rotation usable" \
    python3 -c 'import json,sys; f=json.load(open(sys.argv[1])); sys.exit(not (f["completed"] and not f["other_answers"] and not f["lost_chains"]))' "$tmp/load-kill.json"
wait "$pid_b" 2>/dev/null || true
start_daemon b "$port_b" "reuse_grace = 10"
check "B restarted after SIGKILL serves the fleet's sessions" test "$(refresh "$b" "$(login_a)")" = 200
stops_promptly() {  # stops_promptly NAME: SIGTERM, then gone within 5 s (no request left hanging on a dead connection)
    local pid_var="pid_$1"
    kill "${!pid_var}"
    for _ in $(seq 50); do kill -0 "${!pid_var}" 2>/dev/null || return 0; sleep 0.1; done
    return 1
}
check "A, which lived through the restart of PostgreSQL under load, stops within 5 s of SIGTERM" stops_promptly a
check "B stops within 5 s of SIGTERM" stops_promptly b

echo "fleet-e2e: $passed passed, $failed failed in $((SECONDS - started_at)) s"
[ "$failed" -eq 0 ]
