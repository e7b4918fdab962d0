#!/usr/bin/env bash
# End-to-end test with real Linux users and pam_unix. Needs root (CI runs as root).
#
#   1. make install DESTDIR=<tmp> and check the installed tree;
#   2. create the service user from the installed sysusers file, real users with known passwords,
#      and a locked one; install the PAM service file;
#   3. start the installed daemon the way the unit does: as user pamtoken with supplementary group
#      shadow, under systemd-socket-activate (a Unix socket plus loopback TCP);
#   4. as a user: pamtoken login --password-stdin, pamtoken token, and verify the token with PyJWT
#      (an independent JWT library) through the JWKS; the locked user is refused; expiring the
#      account after login makes the next refresh fail;
#   5. systemd-analyze security --offline=yes: exposure must be at most 2.0.
# Everything it creates is removed on exit.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$(pwd)

if [ "$(id -u)" -ne 0 ]; then echo "install-e2e: needs root (creates users)"; exit 1; fi

tmp=$(mktemp -d /tmp/pamtoken-e2e.XXXXXX)
chmod 0755 "$tmp"
port=$((20000 + RANDOM % 20000))
users=(pte2e-alice pte2e-locked)
created_service_user=no
daemon_pid=
passed=0
failed=0

cleanup() {
    set +e
    [ -n "$daemon_pid" ] && kill "$daemon_pid" 2>/dev/null && wait "$daemon_pid" 2>/dev/null
    for u in "${users[@]}"; do userdel -r "$u" >/dev/null 2>&1; done
    [ "$created_service_user" = yes ] && userdel pamtoken >/dev/null 2>&1
    if [ -f "$tmp/pam.d.backup" ]; then mv "$tmp/pam.d.backup" /etc/pam.d/pamtoken; else rm -f /etc/pam.d/pamtoken; fi
    rm -rf "$tmp"
}
trap cleanup EXIT

not() { ! "$@"; }

check() {  # check "description" command…
    local what=$1; shift
    if "$@"; then echo "ok: $what"; passed=$((passed + 1)); else echo "FAILED: $what"; failed=$((failed + 1)); fi
}

# 1. Install into a staging tree (the build CI already made: no second compilation).
make install DESTDIR="$tmp/root" CONFIG="${CONFIG:-debug}" SKIP_BUILD="${SKIP_BUILD:-1}" >/dev/null
stage="$tmp/root/usr/local"
for f in bin/pamtokend bin/pamtoken lib/systemd/system/pamtokend.service lib/systemd/system/pamtokend.socket \
         lib/sysusers.d/pamtoken.conf lib/tmpfiles.d/pamtoken.conf share/doc/pamtoken/README.md; do
    check "installed $f" test -e "$stage/$f"
done
check "installed /etc/pamtoken/pamtoken.toml" test -f "$tmp/root/etc/pamtoken/pamtoken.toml"
check "installed /etc/pam.d/pamtoken" test -f "$tmp/root/etc/pam.d/pamtoken"
check "unit points at the installed binary" grep -q "^ExecStart=/usr/local/bin/pamtokend" "$stage/lib/systemd/system/pamtokend.service"
echo "# local edit" >> "$tmp/root/etc/pamtoken/pamtoken.toml"
make install DESTDIR="$tmp/root" CONFIG="${CONFIG:-debug}" SKIP_BUILD=1 >/dev/null
check "a second install keeps the edited config" grep -q "# local edit" "$tmp/root/etc/pamtoken/pamtoken.toml"
check "and puts the new one beside it" test -f "$tmp/root/etc/pamtoken/pamtoken.toml.new"
bin="$stage/bin"

# 2. Users. The service user comes from the installed sysusers.d file, as on a real system.
if ! id pamtoken >/dev/null 2>&1; then
    created_service_user=yes
    systemd-sysusers "$stage/lib/sysusers.d/pamtoken.conf"
fi
check "service user pamtoken exists and is in group shadow" bash -c "id -nG pamtoken | grep -qw shadow"
useradd -m -c "E2E Alice" pte2e-alice
echo 'pte2e-alice:Corr3ct-horse-battery' | chpasswd
useradd -m pte2e-locked
echo 'pte2e-locked:Corr3ct-horse-battery' | chpasswd
usermod -L -e 1 pte2e-locked
[ -e /etc/pam.d/pamtoken ] && cp /etc/pam.d/pamtoken "$tmp/pam.d.backup"
install -m 0644 "$tmp/root/etc/pam.d/pamtoken" /etc/pam.d/pamtoken

# 3. The daemon, as the unit runs it: user pamtoken, group shadow, socket-activated.
state="$tmp/state"
install -d -o pamtoken -g pamtoken -m 0700 "$state"
install -d -m 0755 "$tmp/run"
socket="$tmp/run/pamtoken.sock"
echo "" > "$tmp/pamtoken.toml"
( umask 000; exec systemd-socket-activate -l "$socket" -l "127.0.0.1:$port" --fdname=unix:tcp \
    setpriv --reuid=pamtoken --regid=pamtoken --init-groups --inh-caps=-all \
    "$bin/pamtokend" --config "$tmp/pamtoken.toml" --state-dir "$state" --issuer "http://127.0.0.1:$port" \
    --idle-exit 300 ) > "$tmp/daemon.log" 2>&1 &
daemon_pid=$!
for _ in $(seq 100); do [ -S "$socket" ] && break; sleep 0.1; done   # the activator binds first
# systemd-socket-activate creates the socket 0644; the unit's SocketMode=0666 lets every user connect.
chmod 0666 "$socket"

as_alice() { runuser -u pte2e-alice -- env XDG_RUNTIME_DIR="$tmp/alice" PAMTOKEN_SOCKET="$socket" "$bin/pamtoken" "$@"; }
install -d -o pte2e-alice -m 0700 "$tmp/alice"

alice_login() { echo 'Corr3ct-horse-battery' | as_alice login --password-stdin; }
check "login with the real password (pam_unix through group shadow)" alice_login
token=$(as_alice token)
check "pamtoken token prints a JWT" test "$(echo "$token" | tr -cd . | wc -c)" -eq 2
check "the daemon runs as pamtoken" bash -c "ps -o user= -C pamtokend | grep -qx pamtoken"
check "state files are 0600 and owned by pamtoken" bash -c \
    "[ \"\$(stat -c %a:%U $state/pamtoken.sqlite)\" = 600:pamtoken ] && [ \"\$(stat -c %a $state/keys)\" = 700 ]"

# 4. An independent library verifies the token through the JWKS (PyJWT in a venv).
python3 -m venv "$tmp/venv"
"$tmp/venv/bin/pip" install -q --disable-pip-version-check pyjwt cryptography >/dev/null
cat > "$tmp/verify.py" <<'PY'
import sys, jwt
token, base = sys.argv[1], sys.argv[2]
key = jwt.PyJWKClient(base + "/.well-known/jwks.json").get_signing_key_from_jwt(token)
claims = jwt.decode(token, key.key, algorithms=["ES256"], audience="pamtoken", issuer=base,
                    options={"require": ["exp", "iat", "nbf", "sub", "iss", "aud"]})
assert jwt.get_unverified_header(token)["typ"] == "at+jwt"
assert claims["sub"] == "pte2e-alice" and claims["name"] == "E2E Alice" and "pte2e-alice" in claims["groups"]
print("verified", claims["sub"], claims["uid"])
PY
check "PyJWT verifies the token against the JWKS" "$tmp/venv/bin/python" "$tmp/verify.py" "$token" "http://127.0.0.1:$port"

locked_login() { echo 'Corr3ct-horse-battery' | runuser -u pte2e-locked -- env XDG_RUNTIME_DIR="$tmp" env PAMTOKEN_SOCKET="$socket" "$bin/pamtoken" login --password-stdin 2>/dev/null; }
wrong_login() { echo wrong | runuser -u pte2e-alice -- env XDG_RUNTIME_DIR="$tmp/alice-wrong" env PAMTOKEN_SOCKET="$socket" "$bin/pamtoken" login --password-stdin 2>/dev/null; }
check "a locked account is refused" not locked_login
check "a wrong password is refused" not wrong_login

usermod -L -e 1 pte2e-alice
forced_refresh() { as_alice token --min-valid 100000 >/dev/null 2>&1; }
check "after the account expires, the next refresh fails (pam_acct_mgmt at refresh)" not forced_refresh

check "no password or token in the daemon's log" not grep -q -e Corr3ct-horse-battery -e "$token" "$tmp/daemon.log"

# 5. The unit's hardening.
exposure=$(systemd-analyze security --offline=yes "$stage/lib/systemd/system/pamtokend.service" 2>/dev/null | sed -n 's/.*Overall exposure level for pamtokend.service: \([0-9.]*\).*/\1/p')
echo "exposure: $exposure"
check "systemd-analyze security exposure ≤ 2.0" awk -v e="$exposure" 'BEGIN { exit !(e != "" && e <= 2.0) }'

echo "install-e2e: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
