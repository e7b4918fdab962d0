#!/usr/bin/env bash
# PAM conversations (issue #18) end to end, with real parts only. Needs root (CI runs as root).
#
#   1. real Linux users with passwords (pam_unix): three with a TOTP secret in a pam_oath users
#      file (Debian's libpam-oath; codes made by Debian's oathtool), one with a password only, and
#      three whose password has expired (chage -d 0);
#   2. one PAM service file of this test, the same for every user:
#        auth     required pam_unix.so
#        auth     [user_unknown=ignore success=ok default=die] pam_oath.so usersfile=… window=3
#        account  required pam_unix.so
#        password required pam_unix.so obscure yescrypt
#      (pam_oath answers PAM_USER_UNKNOWN, without a prompt, for a user absent from its file: the
#      control its README gives lets those users sign in with their password alone);
#   3. two pamtokend, already built (BIN=…, or .build/$CONFIG/pamtokend, CONFIG=debug by default;
#      the CLI is the pamtoken next to it, or CLI=…; this script never builds), as root on loopback
#      TCP (the issuers, 127.0.0.2 and 127.0.0.3 so that their cookies stay apart) and Unix sockets,
#      each with one [[clients]] entry for the test's relying party: "a" with the defaults
#      (allow_password_change = true), "b" with allow_password_change = false;
#   4. conversation/cli.py: `pamtoken login` on a pseudo-terminal (pexpect) answering pam_unix's
#      and pam_oath's prompts, `--password-stdin`, the password grant and POST /conversation with
#      curl; conversation/browser.py: headless Chromium (Debian's, with its chromedriver) driven by
#      Selenium signs in at a small relying party (conversation/rp.py: authorization code + PKCE)
#      through the login page's continuation pages: a TOTP code, a wrong one, an expired password
#      changed, a new password pam_unix refuses, and the daemon that may not change passwords.
#
# Needs chromium + chromium-driver, libpam-oath + oathtool, python3 (venv; selenium, requests,
# joserfc and pexpect come from PyPI into $tmp/venv, or BROWSER_E2E_VENV=DIR keeps them between runs
# and shares them with browser-e2e.sh), curl, useradd/chpasswd/chage. Everything it starts is stopped
# and everything it creates (users, PAM file, temporary directory) removed on exit.
set -euo pipefail
cd "$(dirname "$0")/../.."
# shellcheck source=Tests/e2e/lib.sh
source Tests/e2e/lib.sh
started_at=$SECONDS
bin=${BIN:-.build/${CONFIG:-debug}/pamtokend}
here=Tests/e2e/conversation

if [ "$(id -u)" -ne 0 ]; then echo "conversation-e2e: needs root (creates users, writes /etc/pam.d and /etc/shadow)" >&2; exit 1; fi
for tool in chromium chromedriver oathtool python3 curl useradd userdel chpasswd chage; do
    command -v "$tool" >/dev/null || { echo "conversation-e2e: $tool is not installed (apt-get install chromium chromium-driver libpam-oath oathtool python3-venv curl passwd)" >&2; exit 1; }
done
pam_oath=$(find /usr/lib /lib -path '*/security/pam_oath.so' -print -quit 2>/dev/null || true)
[ -n "$pam_oath" ] || { echo "conversation-e2e: no pam_oath.so (apt-get install libpam-oath)" >&2; exit 1; }
[ -x "$bin" ] || { echo "conversation-e2e: no $bin (build first, or set BIN)" >&2; exit 1; }
bin=$(realpath "$bin")
cli=$(realpath "${CLI:-$(dirname "$bin")/pamtoken}")
[ -x "$cli" ] || { echo "conversation-e2e: no $cli (build first, or set CLI)" >&2; exit 1; }

tmp=$(mktemp -d /tmp/pamtoken-conversation.XXXXXX)
users=(ptc-otp ptc-otp2 ptc-otp3 ptc-plain ptc-exp ptc-exp2 ptc-exp3)
otp_users=(ptc-otp ptc-otp2 ptc-otp3)
expired_users=(ptc-exp ptc-exp2 ptc-exp3)
pam_service=pamtoken-conv-e2e
pids=()
passed=0
failed=0
cleanup() {
    local rc=$?
    set +e
    stop_and_report "$rc" "$tmp"/*.log
    for u in "${users[@]}"; do userdel -r "$u" >/dev/null 2>&1; done
    if [ -f "$tmp/pam.d.backup" ]; then mv "$tmp/pam.d.backup" "/etc/pam.d/$pam_service"; else rm -f "/etc/pam.d/$pam_service"; fi
    rm -rf "$tmp"
}
trap cleanup EXIT

hex_secret() { head -c 20 /dev/urandom | od -An -tx1 | tr -d ' \n'; }
# Old and new passwords from disjoint alphabets, so that pam_unix's `obscure` never finds a new one
# "too similar" to the old (it counts the old one's characters found in the new).
password() { python3 -c 'import secrets, sys; print(sys.argv[1] + "".join(secrets.choice(sys.argv[2]) for _ in range(14)))' "$1" "$2"; }

port_a=$(free_port); port_b=$(free_port); rp_port=$(free_port)
issuer_a="http://127.0.0.2:$port_a"
issuer_b="http://127.0.0.3:$port_b"
socket_a=$tmp/run/a.sock
socket_b=$tmp/run/b.sock

# 1. Users. Leftovers of an interrupted run go first.
for u in "${users[@]}"; do userdel -r "$u" >/dev/null 2>&1 || true; done
declare -A pw new_pw secret
for u in "${users[@]}"; do
    useradd -M -s /usr/sbin/nologin "$u"
    pw[$u]=$(password pw abcdefghijkm2345)
done
for u in "${users[@]}"; do printf '%s:%s\n' "$u" "${pw[$u]}"; done | chpasswd
for u in "${expired_users[@]}"; do
    chage -d 0 "$u"
    new_pw[$u]=$(password NEW NPQRSTUVWXYZ6789)
done
must_change() { LC_ALL=C chage -l "$1" | grep -q '^Last password change.*: password must be changed$'; }
for u in "${expired_users[@]}"; do check "chage -d 0: $u must change its password" must_change "$u"; done

# 2. pam_oath's users file (root's, 0600, in a directory only root may write: pam_oath rewrites it
#    after every accepted code) and the PAM service.
install -d -m 0700 "$tmp/oath"
for u in "${otp_users[@]}"; do secret[$u]=$(hex_secret); done
for u in "${otp_users[@]}"; do printf 'HOTP/T30 %s - %s\n' "$u" "${secret[$u]}"; done > "$tmp/oath/users.oath"
chmod 0600 "$tmp/oath/users.oath"
six_digits() { [[ $(oathtool --totp "$1") =~ ^[0-9]{6}$ ]]; }
check "oathtool --totp makes a six-digit code of a users-file secret" six_digits "${secret[ptc-otp]}"
[ -e "/etc/pam.d/$pam_service" ] && cp "/etc/pam.d/$pam_service" "$tmp/pam.d.backup"
# The stack of docs/pam-stacks.md exactly as printed (docs are code), only the users file moved here.
python3 Tests/e2e/extract_recipes.py --tested text docs/pam-stacks.md pam-oath \
    --sub "users file" /etc/users.oath "$tmp/oath/users.oath" > "/etc/pam.d/$pam_service"
check "the PAM stack of docs/pam-stacks.md names pam_oath with this test's users file" \
    grep -q "pam_oath.so usersfile=$tmp/oath/users.oath" "/etc/pam.d/$pam_service"

# 3. The daemons: "a" with the defaults of issue #18 (allow_password_change = true,
#    conversation_timeout = 120), "b" that may not change passwords. pam_threads = 8: up to 4
#    conversations may wait for a person (at most 2 per peer, which scenario 1i checks).
client_secret=$(random)
client_hash=$(printf '%s\n' "$client_secret" | "$bin" --hash-secret)
install -d -m 0755 "$tmp/run"
daemon_config() {  # daemon_config NAME ADDRESS:PORT ISSUER SOCKET EXTRA-LINES
    cat > "$tmp/$1.toml" <<TOML
listen = ["tcp:$2", "unix:$4"]
issuer = "$3"
state_dir = "$tmp/state-$1"
pam_service = "$pam_service"
failure_delay_ms = 1000
pam_threads = 8
$5

[[clients]]
id = "conv-rp"
name = "Conversation test"
redirect_uris = ["http://127.0.0.1:$rp_port/$1/callback"]
secret_hash = "$client_hash"
TOML
}
daemon_config a "127.0.0.2:$port_a" "$issuer_a" "$socket_a" ""
daemon_config b "127.0.0.3:$port_b" "$issuer_b" "$socket_b" "allow_password_change = false"
check_config() { "$bin" --check-config --config "$tmp/$1.toml" > "$tmp/check-config-$1.log" 2>&1; }
for d in a b; do check "pamtokend --check-config accepts daemon $d's configuration" check_config "$d"; done
check "daemon b's effective configuration has allow_password_change = false" grep -qx 'allow_password_change = false' "$tmp/check-config-b.log"
"$bin" --config "$tmp/a.toml" > "$tmp/daemon-a.log" 2>&1 &
pids+=($!); daemon_a_pid=$!
"$bin" --config "$tmp/b.toml" > "$tmp/daemon-b.log" 2>&1 &
pids+=($!); daemon_b_pid=$!

# 4. The Python environment (Selenium, requests, joserfc for the ID token, pexpect), one venv.
venv=${BROWSER_E2E_VENV:-$tmp/venv}
if ! "$venv/bin/python" -c 'import selenium, requests, joserfc, pexpect' 2>/dev/null; then
    [ -x "$venv/bin/python" ] || python3 -m venv "$venv"
    "$venv/bin/pip" install -q --disable-pip-version-check selenium requests joserfc pexpect >/dev/null
fi

wait_for "$issuer_a/healthz"
wait_for "$issuer_b/healthz"
echo "conversation-e2e: setup took $((SECONDS - started_at)) s"

# 5. The scenarios.
user_json() {  # user_json USER: its name, password, and TOTP secret or new password when it has one
    printf '{"name": "%s", "password": "%s"' "$1" "${pw[$1]}"
    [ -n "${secret[$1]:-}" ] && printf ', "secret": "%s"' "${secret[$1]}"
    [ -n "${new_pw[$1]:-}" ] && printf ', "new_password": "%s"' "${new_pw[$1]}"
    printf '}'
}
cat > "$tmp/scenarios.json" <<JSON
{
  "issuer_a": "$issuer_a", "issuer_b": "$issuer_b", "socket_a": "$socket_a", "socket_b": "$socket_b",
  "rp_port": $rp_port, "client": {"id": "conv-rp", "secret": "$client_secret"},
  "users": {
    "otp": $(user_json ptc-otp), "otp2": $(user_json ptc-otp2), "otp3": $(user_json ptc-otp3),
    "plain": $(user_json ptc-plain),
    "exp": $(user_json ptc-exp), "exp2": $(user_json ptc-exp2), "exp3": $(user_json ptc-exp3)
  },
  "failure_delay_ms": 1000,
  "cli": "$cli", "xdg_dir": "$tmp/xdg",
  "chromium": "$(command -v chromium)", "chromedriver": "$(command -v chromedriver)",
  "profile_dir": "$tmp/chromium", "chromedriver_log": "$tmp/chromedriver.log"
}
JSON
install -d -m 0700 "$tmp/xdg"
run_scenarios() {  # run_scenarios NAME SCRIPT: runs one Python file, adds its checks to the counts
    local rc=0
    PYTHONDONTWRITEBYTECODE=1 "$venv/bin/python" "$here/$2" "$tmp/scenarios.json" > "$tmp/$1.out" 2>&1 || rc=$?
    cat "$tmp/$1.out"
    passed=$((passed + $(grep -c '^ok: ' "$tmp/$1.out" || true)))
    failed=$((failed + $(grep -c '^FAILED: ' "$tmp/$1.out" || true)))
    check "the $1 scenarios ran to their end" grep -q "^$1 scenarios: " "$tmp/$1.out"
    check "the $1 scenarios' exit status agrees with their checks" \
        test "$rc" -eq "$(grep -q '^FAILED: ' "$tmp/$1.out" && echo 1 || echo 0)"
}
run_scenarios terminal cli.py
run_scenarios browser browser.py

# 6. What the scenarios left behind.
recorded() {  # pam_oath rewrote the user's line with the counter, the last code and its time
    awk -v u="$1" '$2 == u && NF >= 7 { found = 1 } END { exit !found }' "$tmp/oath/users.oath"
}
for u in "${otp_users[@]}"; do check "pam_oath itself accepted a code for $u (its users file records it)" recorded "$u"; done
check "pam_oath's users file is still root's, 0600" test "$(stat -c '%U %a' "$tmp/oath/users.oath")" = "root 600"
check "both daemons are still running" kill -0 "$daemon_a_pid" "$daemon_b_pid"
secrets=("$client_secret")
for u in "${users[@]}"; do secrets+=("${pw[$u]}"); done
for u in "${expired_users[@]}"; do secrets+=("${new_pw[$u]}"); done
for u in "${otp_users[@]}"; do secrets+=("${secret[$u]}"); done
patterns=()
for s in "${secrets[@]}"; do patterns+=(-e "$s"); done
logs_clean() { ! grep -q -F "${patterns[@]}" "$tmp/daemon-a.log" "$tmp/daemon-b.log"; }
check "no password, new password, TOTP secret or client secret in the daemons' logs" logs_clean

echo "conversation-e2e: timings"
grep -h '^time: ' "$tmp/terminal.out" "$tmp/browser.out" | grep -v '^time: scenario ' | sed 's/^time: /  /' || true
echo "conversation-e2e: $passed passed, $failed failed in $((SECONDS - started_at)) s"
[ "$failed" -eq 0 ]
