#!/usr/bin/env bash
# Integration test of issue #8 with real components: a real nginx, using Examples/nginx's config,
# in front of a trivial upstream that echoes the identity headers it receives, and the example Swift
# service (Examples/whoami) verifying tokens itself through PAMTokenAuth.
# The daemon runs under pam_wrapper (pam_matrix: a passdb file instead of /etc/shadow) for user
# root, who exists everywhere; no system file is changed. Needs nginx, curl, python3.
set -euo pipefail
cd "$(dirname "$0")/../.."
bin=$(swift build --show-bin-path)

tmp=$(mktemp -d /tmp/pamtoken-nginx.XXXXXX)
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
    rm -rf "$tmp"
}
trap cleanup EXIT
passed=0
failed=0
check() {
    local what=$1 expected=$2 actual=$3
    if [ "$expected" = "$actual" ]; then echo "ok: $what"; passed=$((passed + 1))
    else echo "FAILED: $what (expected $expected, got $actual)"; failed=$((failed + 1)); fi
}
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_for() { for _ in $(seq 100); do curl -s -o /dev/null "$1" && return 0; sleep 0.1; done; echo "no answer from $1"; return 1; }

daemon_port=$(free_port); app_port=$(free_port); nginx_port=$(free_port); whoami_port=$(free_port)

# pamtokend under pam_wrapper.
mkdir -p "$tmp/pam.d"
echo "root:nginx-e2e-secret:pamtoken" > "$tmp/passdb"
matrix=/usr/lib/x86_64-linux-gnu/pam_wrapper/pam_matrix.so
printf 'auth required %s passdb=%s\naccount required %s passdb=%s\n' "$matrix" "$tmp/passdb" "$matrix" "$tmp/passdb" > "$tmp/pam.d/pamtoken"
printf 'auth required pam_deny.so\naccount required pam_deny.so\n' > "$tmp/pam.d/other"
: > "$tmp/empty.toml"
LD_PRELOAD=/usr/lib/x86_64-linux-gnu/libpam_wrapper.so PAM_WRAPPER=1 PAM_WRAPPER_SERVICE_DIR="$tmp/pam.d" \
    "$bin/pamtokend" --config "$tmp/empty.toml" --state-dir "$tmp/state" --listen "tcp:127.0.0.1:$daemon_port" \
    --issuer "http://127.0.0.1:$daemon_port" > "$tmp/daemon.log" 2>&1 &
pids+=($!)

# The upstream: answers with the identity headers nginx passed on.
cat > "$tmp/upstream.py" <<'PY'
import http.server, sys
class Echo(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        body = f"user={self.headers.get('X-Auth-User')} uid={self.headers.get('X-Auth-Uid')} groups={self.headers.get('X-Auth-Groups')}\n".encode()
        self.send_response(200); self.send_header("Content-Length", str(len(body))); self.end_headers(); self.wfile.write(body)
    def log_message(self, *args): pass
http.server.HTTPServer(("127.0.0.1", int(sys.argv[1])), Echo).serve_forever()
PY
python3 "$tmp/upstream.py" "$app_port" &
pids+=($!)

# nginx with the example config, ports substituted, as an unprivileged foreground process.
mkdir -p "$tmp/nginx/logs"
sed -e "s/127.0.0.1:8719/127.0.0.1:$daemon_port/" -e "s/127.0.0.1:9000/127.0.0.1:$app_port/" \
    -e "s/listen 127.0.0.1:8080/listen 127.0.0.1:$nginx_port/" Examples/nginx/pamtoken-protect.conf > "$tmp/nginx/site.conf"
cat > "$tmp/nginx/nginx.conf" <<CONF
daemon off;
pid $tmp/nginx/nginx.pid;
error_log $tmp/nginx/logs/error.log;
events {}
http {
    access_log $tmp/nginx/logs/access.log;
    client_body_temp_path $tmp/nginx/body; proxy_temp_path $tmp/nginx/proxy;
    fastcgi_temp_path $tmp/nginx/fastcgi; uwsgi_temp_path $tmp/nginx/uwsgi; scgi_temp_path $tmp/nginx/scgi;
    include $tmp/nginx/site.conf;
}
CONF
nginx -p "$tmp/nginx" -c "$tmp/nginx/nginx.conf" &
pids+=($!)

wait_for "http://127.0.0.1:$daemon_port/healthz"
wait_for "http://127.0.0.1:$nginx_port/"

site="http://127.0.0.1:$nginx_port"
login=$(curl -s "http://127.0.0.1:$daemon_port/token" -d grant_type=password -d username=root -d password=nginx-e2e-secret)
token=$(echo "$login" | python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])')
refresh=$(echo "$login" | python3 -c 'import json,sys; print(json.load(sys.stdin)["refresh_token"])')

check "no token → 401" 401 "$(curl -s -o /dev/null -w '%{http_code}' "$site/")"
check "a forged token → 401" 401 "$(curl -s -o /dev/null -w '%{http_code}' -H 'Authorization: Bearer x.y.z' "$site/")"
check "401 carries WWW-Authenticate" 1 "$(curl -s -D - -o /dev/null "$site/" | grep -ci '^WWW-Authenticate: Bearer error="invalid_token"')"
check "valid token → the upstream sees the user" "user=root uid=0 groups=root" "$(curl -s -H "Authorization: Bearer $token" "$site/")"
check "a client cannot smuggle its own X-Auth-User" "user=root uid=0 groups=root" \
    "$(curl -s -H "Authorization: Bearer $token" -H 'X-Auth-User: mallory' "$site/")"
check "?group=wheel refuses a non-member → 403" 403 "$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $token" "$site/admin/")"

# The example Swift service verifies the same token offline through PAMTokenAuth.
"$bin/pamtoken-example-whoami" --daemon-url "http://127.0.0.1:$daemon_port" --port "$whoami_port" > "$tmp/whoami.log" 2>&1 &
pids+=($!)
wait_for "http://127.0.0.1:$whoami_port/whoami"
check "the example service answers whoami" "root uid=0 groups=root" "$(curl -s -H "Authorization: Bearer $token" "http://127.0.0.1:$whoami_port/whoami")"
check "the example service refuses no token" 401 "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$whoami_port/whoami")"

# The verification snippets of docs/protect-a-service.md, against the same daemon.
python3 -m venv "$tmp/venv" && "$tmp/venv/bin/pip" install -q --disable-pip-version-check pyjwt cryptography authlib requests >/dev/null
check "the Python (PyJWT) snippet verifies the token" "root 0 root" \
    "$("$tmp/venv/bin/python" Examples/verify/verify.py "http://127.0.0.1:$daemon_port" "$token")"
if command -v node >/dev/null; then
    check "the Node.js snippet verifies the token" "root 0 root" "$(node Examples/verify/verify.mjs "http://127.0.0.1:$daemon_port" "$token")"
else
    echo "skipped: Node.js snippet (no node on this machine)"
fi

# Standard clients with zero glue: authlib's OAuth2 client and PyJWT's PyJWKClient (issue #7 item 7).
check "authlib + PyJWKClient interoperate" 0 "$("$tmp/venv/bin/python" Tests/e2e/interop.py "http://127.0.0.1:$daemon_port" root nginx-e2e-secret > "$tmp/interop.log" 2>&1; echo $?)"
cat "$tmp/interop.log"

# Revoking the session: nginx (which asks the daemon each time) refuses at once.
curl -s "http://127.0.0.1:$daemon_port/revoke" -d token="$refresh" > /dev/null
check "revoked session → 401 through nginx" 401 "$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $token" "$site/")"

echo "nginx-e2e: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
