#!/usr/bin/env bash
# The reverse-proxy recipes of docs/protect-a-service.md, run as printed (docs are code):
# extract_recipes.py takes the nginx and Caddy blocks out of the document, the only changes being the
# named substitutions below (socket path, ports, the protected service's address), and real nginx
# and real Caddy run them in front of an upstream that echoes the identity headers it receives, with
# pamtokend behind them over its Unix socket and over TCP. A client forges X-Auth-User, X-Auth-Uid
# and X-Auth-Groups on every protected location; the upstream must see the daemon's values only.
# Then the rest of the document: the example Swift service (Examples/whoami), the verification
# snippets (Examples/verify), authlib + PyJWT interop, and revocation seen at once through the proxies.
#
# The daemon runs under pam_wrapper (pam_matrix: a passdb file instead of /etc/shadow) and
# nss_wrapper (passwd/group files: users alice, in group wheel, and bob); no system file is changed.
# Needs nginx, caddy, curl, python3 (venv), libpam-wrapper, libnss-wrapper; node is optional.
# PAMTOKEN_BIN=DIR takes the binaries from DIR instead of `swift build --show-bin-path`; RECIPES_DOC=FILE
# runs the recipes of another version of the document.
set -euo pipefail
cd "$(dirname "$0")/../.."
bin=${PAMTOKEN_BIN:-$(swift build --show-bin-path)}
doc=${RECIPES_DOC:-docs/protect-a-service.md}
for tool in nginx caddy curl python3; do
    command -v "$tool" >/dev/null || { echo "recipes-e2e: $tool is not installed" >&2; exit 1; }
done
[ -x "$bin/pamtokend" ] || { echo "recipes-e2e: no $bin/pamtokend (build first, or set PAMTOKEN_BIN)" >&2; exit 1; }
wrappers=/usr/lib/$(uname -m)-linux-gnu
for lib in libpam_wrapper.so libnss_wrapper.so pam_wrapper/pam_matrix.so; do
    [ -e "$wrappers/$lib" ] || { echo "recipes-e2e: no $wrappers/$lib (apt-get install libpam-wrapper libnss-wrapper)" >&2; exit 1; }
done

tmp=$(mktemp -d /tmp/pamtoken-recipes.XXXXXX)
# nginx's workers run as nobody when nginx starts as root: they must reach the daemon's socket in
# $tmp/run (0755, the daemon makes the socket 0666), as www-data reaches /run/pamtoken.
chmod 0711 "$tmp"
pids=()
passed=0
failed=0
cleanup() {
    local rc=$?
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
    if [ "$rc" -ne 0 ] || [ "$failed" -ne 0 ]; then
        for log in "$tmp"/*.log "$tmp"/nginx/logs/error.log; do
            [ -s "$log" ] && { echo "--- last lines of ${log#"$tmp"/}"; tail -n 15 "$log"; }
        done
    fi
    rm -rf "$tmp"
}
trap cleanup EXIT
check() {
    local what=$1 expected=$2 actual=$3
    if [ "$expected" = "$actual" ]; then echo "ok: $what"; passed=$((passed + 1))
    else echo "FAILED: $what (expected $expected, got $actual)"; failed=$((failed + 1)); fi
}
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
# Polls (at most 10 s) until URL gives any HTTP answer; further arguments go to curl (--unix-socket).
wait_for() {
    local url=$1; shift
    for _ in $(seq 100); do curl -s -o /dev/null "$@" "$url" && return 0; sleep 0.1; done
    echo "recipes-e2e: no answer from $url $*" >&2; return 1
}
# Requests to a proxy go to the site name app.example.com, as a browser's would (that Host reaches
# the daemon unless the recipe replaces it); `via` makes curl connect to the proxy's loopback port.
via=()
body() { curl -s "${via[@]}" "$@"; }
status() { curl -s "${via[@]}" -o /dev/null -w '%{http_code}' "$@"; }
# How many response header lines match a regex (case-insensitive): 1 means "present once".
header_count() { local regex=$1; shift; curl -s "${via[@]}" -D - -o /dev/null "$@" | tr -d '\r' | grep -ci -- "$regex" || true; }
json_field() { python3 -c 'import json,sys; print(json.load(sys.stdin)[sys.argv[1]])' "$1"; }

daemon_port=$(free_port); app_port=$(free_port); whoami_port=$(free_port)
nginx_unix_port=$(free_port); nginx_tcp_port=$(free_port); caddy_unix_port=$(free_port); caddy_tcp_port=$(free_port)
install -d -m 0755 "$tmp/run"
socket=$tmp/run/pamtoken.sock

# Users and PAM for the daemon, through the wrappers.
printf 'root:x:0:0:root:/root:/bin/sh\nalice:x:1001:1001:Alice:/nonexistent:/bin/sh\nbob:x:1002:1002:Bob:/nonexistent:/bin/sh\n' > "$tmp/passwd"
printf 'root:x:0:\nwheel:x:10:alice\nalice:x:1001:\nbob:x:1002:\n' > "$tmp/group"
printf 'alice:alice-secret:pamtoken\nbob:bob-secret:pamtoken\n' > "$tmp/passdb"
mkdir -p "$tmp/pam.d"
matrix=$wrappers/pam_wrapper/pam_matrix.so
printf 'auth required %s passdb=%s\naccount required %s passdb=%s\n' "$matrix" "$tmp/passdb" "$matrix" "$tmp/passdb" > "$tmp/pam.d/pamtoken"
printf 'auth required pam_deny.so\naccount required pam_deny.so\n' > "$tmp/pam.d/other"
: > "$tmp/empty.toml"
# Run in the background (`run_daemon … &`): exec makes $! the daemon itself, not a subshell.
run_daemon() {
    LD_PRELOAD="$wrappers/libpam_wrapper.so $wrappers/libnss_wrapper.so" PAM_WRAPPER=1 PAM_WRAPPER_SERVICE_DIR="$tmp/pam.d" \
        NSS_WRAPPER_PASSWD="$tmp/passwd" NSS_WRAPPER_GROUP="$tmp/group" \
        exec "$bin/pamtokend" --config "$tmp/empty.toml" --state-dir "$tmp/state" --issuer "http://127.0.0.1:$daemon_port" "$@"
}
# login USER CURL-ARGS… prints the token response of a password grant.
login() { local user=$1; shift; curl -s "$@" -d grant_type=password -d username="$user" -d password="$user-secret"; }

# An expired token: a first daemon on the same state (keys, sessions) issues alice a token that lives
# one second, and exits; the daemon under test, with the default lifetime, then sees it expire.
run_daemon --listen "unix:$tmp/run/short.sock" --access-ttl 1 > "$tmp/daemon-short.log" 2>&1 &
short_pid=$!
pids+=("$short_pid")
wait_for http://localhost/healthz --unix-socket "$tmp/run/short.sock"
expired=$(login alice --unix-socket "$tmp/run/short.sock" http://localhost/token | json_field access_token)
kill "$short_pid"; wait "$short_pid" || true

run_daemon --listen "unix:$socket" --listen "tcp:127.0.0.1:$daemon_port" > "$tmp/daemon.log" 2>&1 &
pids+=($!)

# The protected service: answers with the identity headers the proxy passed on, as a CGI/WSGI/PHP
# application would read them (a header spelled X_Auth_User counts as X-Auth-User: "smuggled").
cat > "$tmp/upstream.py" <<'PY'
import http.server, sys
NAMES = {"x-auth-user": "user", "x-auth-uid": "uid", "x-auth-groups": "groups"}
class Echo(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        seen = {short: [] for short in NAMES.values()}
        smuggled = []
        for name, value in self.headers.items():
            if name.lower() in NAMES: seen[NAMES[name.lower()]].append(value)
            elif name.lower().replace("_", "-") in NAMES: smuggled.append(f"{name}:{value}")
        text = " ".join(f"{short}={'|'.join(values) if values else '-'}" for short, values in seen.items())
        body = (text + (" smuggled=" + ",".join(smuggled) if smuggled else "") + "\n").encode()
        self.send_response(200); self.send_header("Content-Length", str(len(body))); self.end_headers(); self.wfile.write(body)
    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.do_GET()
    def log_message(self, *args): pass
http.server.HTTPServer(("127.0.0.1", int(sys.argv[1])), Echo).serve_forever()
PY
python3 "$tmp/upstream.py" "$app_port" > "$tmp/upstream.log" 2>&1 &
pids+=($!)

# The recipes, with these substitutions only (each must occur, or extraction fails):
#   SOCKET    /run/pamtoken/pamtoken.sock      -> this test's daemon socket
#   TCP       the socket address in proxy_pass/forward_auth -> 127.0.0.1:<daemon port> (the TCP form
#             the document describes: only the address changes)
#   UPSTREAM  127.0.0.1:9000 (the protected service) -> the echo upstream's port
#   LISTEN    nginx's listen 127.0.0.1:8080 -> a free loopback port; Caddy's site address
#             app.example.com -> http://app.example.com:<free port> (plain HTTP, the same name; the
#             harness's global options bind Caddy to 127.0.0.1)
recipe() { python3 Tests/e2e/extract_recipes.py "$doc" "$@"; }
check "the document's proxy configurations are all tested recipes" "nginx,caddy" "$(recipe --list | cut -d' ' -f1 | paste -sd,)"
check "Examples/nginx/pamtoken-protect.conf is the document's nginx recipe" 0 \
    "$(recipe nginx --same-as Examples/nginx/pamtoken-protect.conf > /dev/null; echo $?)"
check "Examples/caddy/Caddyfile is the document's Caddy recipe" 0 "$(recipe caddy --same-as Examples/caddy/Caddyfile > /dev/null; echo $?)"
up=(--sub UPSTREAM 127.0.0.1:9000 "127.0.0.1:$app_port")

mkdir -p "$tmp/nginx/logs"
recipe nginx "${up[@]}" --sub SOCKET /run/pamtoken/pamtoken.sock "$socket" \
    --sub LISTEN "listen 127.0.0.1:8080;" "listen 127.0.0.1:$nginx_unix_port;" > "$tmp/nginx/unix.conf"
recipe nginx "${up[@]}" --sub TCP "http://unix:/run/pamtoken/pamtoken.sock:" "http://127.0.0.1:$daemon_port" \
    --sub LISTEN "listen 127.0.0.1:8080;" "listen 127.0.0.1:$nginx_tcp_port;" > "$tmp/nginx/tcp.conf"
cat > "$tmp/nginx/nginx.conf" <<CONF
daemon off;
pid $tmp/nginx/nginx.pid;
error_log $tmp/nginx/logs/error.log;
events {}
http {
    access_log $tmp/nginx/logs/access.log;
    client_body_temp_path $tmp/nginx/body; proxy_temp_path $tmp/nginx/proxy;
    fastcgi_temp_path $tmp/nginx/fastcgi; uwsgi_temp_path $tmp/nginx/uwsgi; scgi_temp_path $tmp/nginx/scgi;
    include $tmp/nginx/unix.conf;
    include $tmp/nginx/tcp.conf;
}
CONF
nginx -p "$tmp/nginx" -c "$tmp/nginx/nginx.conf" > "$tmp/nginx.log" 2>&1 &
pids+=($!)

# Caddy as a foreground process: no admin endpoint, no certificates, its files under $tmp.
mkdir -p "$tmp/caddy/home"
{
    printf '{\n\tadmin off\n\tauto_https off\n\tdefault_bind 127.0.0.1\n\tstorage file_system %s\n}\n\n' "$tmp/caddy/data"
    recipe caddy "${up[@]}" --sub SOCKET /run/pamtoken/pamtoken.sock "$socket" \
        --sub LISTEN app.example.com "http://app.example.com:$caddy_unix_port"
    echo
    recipe caddy "${up[@]}" --sub TCP unix//run/pamtoken/pamtoken.sock "127.0.0.1:$daemon_port" \
        --sub LISTEN app.example.com "http://app.example.com:$caddy_tcp_port"
} > "$tmp/caddy/Caddyfile"
HOME=$tmp/caddy/home XDG_CONFIG_HOME=$tmp/caddy/home/config XDG_DATA_HOME=$tmp/caddy/home/data \
    caddy run --config "$tmp/caddy/Caddyfile" --adapter caddyfile > "$tmp/caddy.log" 2>&1 &
pids+=($!)

wait_for http://localhost/healthz --unix-socket "$socket"
wait_for "http://127.0.0.1:$daemon_port/healthz"
for port in "$nginx_unix_port" "$nginx_tcp_port" "$caddy_unix_port" "$caddy_tcp_port"; do wait_for "http://127.0.0.1:$port/"; done

daemon="http://127.0.0.1:$daemon_port"
alice_login=$(login alice "$daemon/token")
alice=$(echo "$alice_login" | json_field access_token)
alice_refresh=$(echo "$alice_login" | json_field refresh_token)
bob=$(login bob "$daemon/token" | json_field access_token)

# Poll until the daemon itself calls the short-lived token expired (a second, give or take).
for _ in $(seq 100); do
    [ "$(header_count '^IS-TOKEN-EXPIRED: true$' --unix-socket "$socket" -H "Authorization: Bearer $expired" http://localhost/auth)" = 1 ] && break
    sleep 0.1
done
check "the daemon calls the one-second token expired" 1 \
    "$(header_count '^IS-TOKEN-EXPIRED: true$' --unix-socket "$socket" -H "Authorization: Bearer $expired" http://localhost/auth)"

forged=(-H 'X-Auth-User: mallory' -H 'X-Auth-Uid: 0' -H 'X-Auth-Groups: wheel')
underscored=(-H 'X_Auth_User: mallory' -H 'X_Auth_Uid: 0' -H 'X_Auth_Groups: wheel')
alice_sees="user=alice uid=1001 groups=alice,wheel"
bob_sees="user=bob uid=1002 groups=bob"
proxies=("nginx, Unix socket=$nginx_unix_port" "nginx, TCP=$nginx_tcp_port" "Caddy, Unix socket=$caddy_unix_port" "Caddy, TCP=$caddy_tcp_port")
for proxy in "${proxies[@]}"; do
    name=${proxy%=*}; port=${proxy##*=}; site="http://app.example.com:$port"; via=(--resolve "app.example.com:$port:127.0.0.1")
    check "$name: no token → 401" 401 "$(status "$site/")"
    check "$name: no token → WWW-Authenticate" 1 "$(header_count '^WWW-Authenticate: Bearer error="invalid_token"' "$site/")"
    check "$name: a forged token → 401" 401 "$(status -H 'Authorization: Bearer x.y.z' "$site/")"
    check "$name: an expired token → 401" 401 "$(status -H "Authorization: Bearer $expired" "$site/")"
    check "$name: an expired token → IS-TOKEN-EXPIRED: true at the client" 1 \
        "$(header_count '^IS-TOKEN-EXPIRED: true$' -H "Authorization: Bearer $expired" "$site/")"
    check "$name: an expired token → WWW-Authenticate at the client" 1 \
        "$(header_count '^WWW-Authenticate: Bearer error="invalid_token"' -H "Authorization: Bearer $expired" "$site/")"
    check "$name: a valid token's answer has no IS-TOKEN-EXPIRED" 0 "$(header_count '^IS-TOKEN-EXPIRED' -H "Authorization: Bearer $alice" "$site/")"
    check "$name: / with forged X-Auth-* → the upstream sees the daemon's values (alice)" "$alice_sees" \
        "$(body "${forged[@]}" -H "Authorization: Bearer $alice" "$site/")"
    check "$name: / with forged X-Auth-* → the upstream sees the daemon's values (bob)" "$bob_sees" \
        "$(body "${forged[@]}" -H "Authorization: Bearer $bob" "$site/")"
    check "$name: /admin/ (wheel) with forged X-Auth-* → the upstream sees the daemon's values (alice, a member)" "$alice_sees" \
        "$(body "${forged[@]}" -H "Authorization: Bearer $alice" "$site/admin/x")"
    check "$name: /admin/ refuses bob, not in wheel → 403" 403 "$(status "${forged[@]}" -H "Authorization: Bearer $bob" "$site/admin/x")"
    check "$name: /%61dmin/ (encoded) refuses bob → 403" 403 "$(status -H "Authorization: Bearer $bob" "$site/%61dmin/x")"
    check "$name: //admin/ refuses bob → 403" 403 "$(status -H "Authorization: Bearer $bob" "$site//admin/x")"
    for spelling in /ADMIN/x /Admin/x '/admin;/x' /admin. '/admin%5Cx' /admin; do
        code=$(status -H "Authorization: Bearer $bob" "$site$spelling")
        check "$name: $spelling does not reach the service for bob (403 or a redirect)" yes "$([[ $code == 403 || $code == 301 ]] && echo yes || echo "no ($code)")"
    done
    check "$name: /admin/ without a token → 401" 401 "$(status "$site/admin/x")"
    check "$name: X_Auth_* (underscores) do not reach the upstream" "$alice_sees" \
        "$(body "${underscored[@]}" -H "Authorization: Bearer $alice" "$site/")"
    check "$name: a browser's request (Origin, Sec-Fetch-Site) with a valid token → 200" 200 \
        "$(status -H "Origin: $site" -H 'Sec-Fetch-Site: same-origin' -H "Authorization: Bearer $alice" "$site/")"
    check "$name: a cross-site POST with a valid token reaches the service (the subrequest is a GET)" 200 \
        "$(status -X POST -d x=1 -H 'Origin: https://elsewhere.example' -H 'Sec-Fetch-Site: cross-site' -H "Authorization: Bearer $alice" "$site/")"
done
via=()

# The example Swift service verifies the same token offline through PAMTokenAuth.
"$bin/pamtoken-example-whoami" --daemon-url "$daemon" --port "$whoami_port" > "$tmp/whoami.log" 2>&1 &
pids+=($!)
wait_for "http://127.0.0.1:$whoami_port/whoami"
check "the example service answers whoami" "alice uid=1001 groups=alice,wheel" \
    "$(curl -s -H "Authorization: Bearer $alice" "http://127.0.0.1:$whoami_port/whoami")"
check "the example service refuses no token" 401 "$(status "http://127.0.0.1:$whoami_port/whoami")"

# The verification snippets of docs/protect-a-service.md, against the same daemon.
python3 -m venv "$tmp/venv" && "$tmp/venv/bin/pip" install -q --disable-pip-version-check pyjwt cryptography authlib requests >/dev/null
check "the Python (PyJWT) snippet verifies the token" "alice 1001 alice,wheel" "$("$tmp/venv/bin/python" Examples/verify/verify.py "$daemon" "$alice")"
if command -v node >/dev/null; then
    check "the Node.js snippet verifies the token" "alice 1001 alice,wheel" "$(node Examples/verify/verify.mjs "$daemon" "$alice")"
else
    echo "skipped: Node.js snippet (no node on this machine)"
fi

# Standard clients with zero glue: authlib's OAuth2 client and PyJWT's PyJWKClient.
check "authlib + PyJWKClient interoperate" 0 "$("$tmp/venv/bin/python" Tests/e2e/interop.py "$daemon" alice alice-secret > "$tmp/interop.log" 2>&1; echo $?)"
cat "$tmp/interop.log"

# Revoking the session: the proxies (which ask the daemon each time) refuse at once.
curl -s "$daemon/revoke" -d token="$alice_refresh" > /dev/null
for proxy in "${proxies[@]}"; do
    port=${proxy##*=}; via=(--resolve "app.example.com:$port:127.0.0.1")
    check "${proxy%=*}: a revoked session → 401" 401 "$(status -H "Authorization: Bearer $alice" "http://app.example.com:$port/")"
done
via=()

echo "recipes-e2e: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
