#!/usr/bin/env bash
# Issue #7: schemathesis (PyPI, in a venv) against a live daemon, driven by the OpenAPI document the
# daemon itself serves at /openapi.yaml. Every check is on: no 5xx, every status, content type, header
# and body as documented, schema-violating requests refused, schema-valid ones accepted, Bearer routes
# refusing requests without the token. Bounded: a fixed number of examples per operation and a hard
# time limit; the whole script takes about two minutes.
#
# The daemon runs under pam_wrapper (pam_matrix: a passdb file instead of /etc/shadow) for user root
# (with allow_system_users, since root is a system account); no system file is changed. Schemathesis speaks TCP, where the admin routes answer
# 403 (they are served on the Unix socket only) and it never holds a live refresh token. So a second
# part walks those responses over the daemon's Unix socket (as root: admin routes, the peer-credential
# grant, rotation, reuse, introspection of live tokens, tutorial refresh) and checks each against the
# same document: documented status, content type, required headers, body schema.
#
# Environment: SCHEMATHESIS_VENV=DIR reuses (or creates) a venv there instead of a fresh one;
# SCHEMATHESIS_MAX_EXAMPLES (default 150), SCHEMATHESIS_SEED and SCHEMATHESIS_WORKERS (default 1) tune
# the run; KEEP_TMP=DIR keeps a copy of the run's files (daemon log, report, run log) there.
# Needs python3 (with venv), curl, libpam-wrapper, and a debug build (`swift build`).
set -euo pipefail
cd "$(dirname "$0")/../.."
bin=$(swift build --show-bin-path)
[ -x "$bin/pamtokend" ] || { echo "schemathesis: no $bin/pamtokend; run swift build first" >&2; exit 1; }

tmp=$(mktemp -d /tmp/pamtoken-schemathesis.XXXXXX)
daemon=
cleanup() {
    if [ -n "$daemon" ]; then kill "$daemon" 2>/dev/null || true; wait "$daemon" 2>/dev/null || true; fi
    if [ -n "${KEEP_TMP:-}" ]; then cp -r "$tmp" "$KEEP_TMP"; fi; rm -rf "$tmp"
}
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_for() { for _ in $(seq 100); do curl -s -o /dev/null "$1" && return 0; sleep 0.1; done; echo "schemathesis: no answer from $1" >&2; return 1; }

# schemathesis in a venv (major version 4: the checks and flags below are v4's), with jsonschema and
# PyYAML for the socket walk.
venv=${SCHEMATHESIS_VENV:-$tmp/venv}
if [ ! -x "$venv/bin/schemathesis" ] || ! "$venv/bin/python" -c 'import jsonschema, yaml' 2>/dev/null; then
    python3 -m venv "$venv"
    "$venv/bin/pip" install -q --disable-pip-version-check 'schemathesis>=4.32,<5' jsonschema pyyaml >/dev/null
fi
echo "schemathesis: using $("$venv/bin/schemathesis" --version)"

# pamtokend under pam_wrapper.
port=$(free_port)
base="http://127.0.0.1:$port"
mkdir -p "$tmp/pam.d"
echo "root:schemathesis-secret:pamtoken" > "$tmp/passdb"
matrix=/usr/lib/x86_64-linux-gnu/pam_wrapper/pam_matrix.so
printf 'auth required %s passdb=%s\naccount required %s passdb=%s\n' "$matrix" "$tmp/passdb" "$matrix" "$tmp/passdb" > "$tmp/pam.d/pamtoken"
printf 'auth required pam_deny.so\naccount required pam_deny.so\n' > "$tmp/pam.d/other"
# conversation_timeout at its minimum: every generated POST /conversation that starts a login leaves
# a PAM conversation waiting for an answer that never comes, holding a PAM thread until then.
printf 'peercred_grant = true\npeercred_allow_root = true\nallow_system_users = true\nconversation_timeout = 10\n' > "$tmp/pamtoken.toml"
LD_PRELOAD=/usr/lib/x86_64-linux-gnu/libpam_wrapper.so PAM_WRAPPER=1 PAM_WRAPPER_SERVICE_DIR="$tmp/pam.d" \
    "$bin/pamtokend" --config "$tmp/pamtoken.toml" --state-dir "$tmp/state" --listen "tcp:127.0.0.1:$port" \
    --listen "unix:$tmp/pamtoken.sock" --issuer "$base" > "$tmp/daemon.log" 2>&1 &
daemon=$!
wait_for "$base/healthz"

# A real access token, so that the Bearer routes are exercised past their 401. Logged in before the
# run: schemathesis's failed logins soon throttle root and 127.0.0.1 (429, which the document lists).
# Schemathesis learns session ids from GET /sessions and may DELETE the token's own session late in
# the run; from then on the Bearer routes answer 401, which is documented too.
token=$(curl -s "$base/token" -d grant_type=password -d username=root -d password=schemathesis-secret |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])')

# 413 is a rejection too: the 16 KiB body limit cannot be written as a JSON Schema length, so a
# generated body that exceeds it (long multi-byte strings, many extra form fields) is refused with 413,
# which schemathesis's default status lists for these two checks omit.
cat > "$tmp/schemathesis.toml" <<'TOML'
[checks.negative_data_rejection]
expected-statuses = ["400", "401", "403", "404", "405", "406", "409", "413", "415", "422", "428", "429", "5xx"]

[checks.positive_data_acceptance]
expected-statuses = ["2xx", "3xx", "401", "403", "404", "409", "413", "429", "5xx"]

# Browser sign-in: no client is registered here, so a generated client_id, login form or sign-out
# form is never one the daemon made; the page that says so (400) is the documented answer. Likewise a
# generated conversation handle is never one the daemon gave (400 invalid_grant).
[[operations]]
include-path-regex = "^/(authorize|login|end_session|conversation)$"
checks.positive_data_acceptance.expected-statuses = ["2xx", "3xx", "400", "401", "403", "404", "409", "413", "429", "5xx"]
TOML

seed_args=()
if [ -n "${SCHEMATHESIS_SEED:-}" ]; then seed_args=(--seed "$SCHEMATHESIS_SEED"); fi
# One worker: Hypothesis describes its strategies with ast.parse, which CPython 3.11 before 3.11.9
# can get wrong when threads call it at once ("AST constructor recursion depth mismatch", CPython
# issue 106905): schemathesis then reports a runtime error of its own, not a finding about the daemon.
# With the GIL, four workers were no faster (about 45 s either way on 2 cores).
status=0
timeout --signal=INT --kill-after=10 150 \
    "$venv/bin/schemathesis" --config-file "$tmp/schemathesis.toml" run "$base/openapi.yaml" \
    --checks all \
    -H "Authorization: Bearer $token" \
    --max-examples "${SCHEMATHESIS_MAX_EXAMPLES:-150}" \
    --workers "${SCHEMATHESIS_WORKERS:-1}" \
    --request-timeout 10 \
    --generation-database none \
    --no-color \
    --report json --report-dir "$tmp/report" \
    "${seed_args[@]}" 2>&1 | tee "$tmp/run.log" || status=${PIPESTATUS[0]}
case "$status" in
    0) ;;
    124|137) echo "schemathesis: FAILED: the run exceeded its 150 s limit (exit $status)" ;;
    *) echo "schemathesis: FAILED: exit $status" ;;
esac

# The Unix-socket walk (root only: the admin routes and the peer-credential grant for uid 0).
if [ "$(id -u)" -eq 0 ]; then
    curl -s -o "$tmp/openapi.yaml" "$base/openapi.yaml"
    cat > "$tmp/walk.py" <<'PY'
# Every documented success (and the main errors) of the routes schemathesis cannot reach over TCP:
# the admin routes and the peer-credential grant (Unix socket only), and the responses that need
# real tokens (rotation, reuse, introspection of live tokens). Each response is checked against the
# document: status documented, content type, required headers and body schema.
import http.client, json, socket, sys, urllib.parse
import jsonschema, yaml

socket_path, document_path, secret, counts_path = sys.argv[1:5]
doc = yaml.safe_load(open(document_path, encoding="utf-8"))
passed = failed = 0


class UnixConnection(http.client.HTTPConnection):
    def __init__(self, path):
        super().__init__("localhost", timeout=15)
        self.unix_path = path

    def connect(self):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(15)
        self.sock.connect(self.unix_path)


def deref(node):
    while isinstance(node, dict) and "$ref" in node:
        target = doc
        for part in node["$ref"].removeprefix("#/").split("/"):
            target = target[part.replace("~1", "/").replace("~0", "~")]
        node = target
    return node


def schema_errors(schema, instance):
    validator = jsonschema.Draft202012Validator({**schema, "components": doc["components"]})
    return [f"{'/'.join(map(str, e.absolute_path)) or 'body'}: {e.message[:200]}" for e in validator.iter_errors(instance)]


def conform(method, template, response, data, component):
    if component:
        documented = deref({"$ref": f"#/components/responses/{component}"})
    else:
        operation = doc["paths"].get(template, {}).get(method.lower())
        if operation is None:
            return [f"{method} {template} is not in the document"]
        documented = operation["responses"].get(str(response.status))
        if documented is None:
            return [f"status {response.status} is not documented (documented: {', '.join(operation['responses'])})"]
        documented = deref(documented)
    problems = []
    for name, header in documented.get("headers", {}).items():
        header = deref(header)
        value = response.getheader(name)
        if value is None:
            if header.get("required"):
                problems.append(f"missing header {name}")
            continue
        instance = int(value) if header["schema"].get("type") == "integer" and value.isdigit() else value
        problems += [f"header {name}: {e}" for e in schema_errors(header["schema"], instance)]
    content = documented.get("content")
    media_type = (response.getheader("Content-Type") or "").split(";")[0].strip()
    if not content:
        if data:
            problems.append("a body where none is documented")
    elif media_type not in content:
        problems.append(f"content type {media_type!r} is not documented")
    elif "schema" in content[media_type]:
        if media_type == "application/json":
            instance = json.loads(data)
        elif media_type == "application/yaml":
            instance = yaml.safe_load(data)
        else:
            instance = data.decode("utf-8")
        problems += schema_errors(content[media_type]["schema"], instance)
    return problems


def call(label, method, path, *, form=None, body=None, raw=None, token=None, expect, template=None, component=None, check=None):
    global passed, failed
    headers = {}
    payload = None
    if form is not None:
        payload = urllib.parse.urlencode(form)
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    if body is not None:
        payload = json.dumps(body)
        headers["Content-Type"] = "application/json"
    if raw is not None:
        payload = raw
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    connection = UnixConnection(socket_path)
    connection.request(method, path, body=payload, headers=headers)
    response = connection.getresponse()
    data = response.read()
    connection.close()
    problems = [] if response.status == expect else [f"status {response.status}, expected {expect}: {data[:200]!r}"]
    problems += conform(method, template or path.split("?")[0], response, data, component)
    parsed = None
    if data and (response.getheader("Content-Type") or "").startswith("application/json"):
        try:
            parsed = json.loads(data)
        except ValueError:
            problems.append("the body is not JSON")
    if not problems and check is not None:
        problem = check(parsed)
        if problem:
            problems.append(problem)
    if problems:
        failed += 1
        print(f"FAILED: {label} ({method} {path}): " + "; ".join(problems))
    else:
        passed += 1
        print(f"ok: {label}")
    return parsed or {}


def expect_active(kind):
    return lambda r: None if r.get("active") is True and r.get("token_type") == kind else f"expected an active {kind}: {r}"


try:
    peercred = "urn:pamtoken:params:grant-type:peercred"
    first = call("peercred grant on the socket", "POST", "/token", form={"grant_type": peercred, "scope": "profile"}, expect=200,
                 check=lambda r: None if r.get("scope") == "profile" else "scope not echoed")
    access, refresh = first.get("access_token", ""), first.get("refresh_token", "")
    call("introspect a live access token", "POST", "/introspect", form={"token": access}, expect=200, check=expect_active("access_token"))
    call("a live refresh token is not introspectable (JSON)", "POST", "/introspect", body={"token": refresh}, expect=200,
         check=lambda r: None if r == {"active": False} else f"expected inactive: {r}")
    call("introspect garbage", "POST", "/introspect", form={"token": "garbage"}, expect=200,
         check=lambda r: None if r == {"active": False} else f"expected inactive: {r}")
    call("userinfo", "GET", "/userinfo", token=access, expect=200)
    call("own sessions", "GET", "/sessions", token=access, expect=200,
         check=lambda r: None if any(s["current"] for s in r["sessions"]) else "no session marked current")
    call("forward-auth", "GET", "/auth", token=access, expect=204)
    call("forward-auth with a group the user has", "GET", "/auth?group=root", template="/auth", token=access, expect=204)
    call("forward-auth with a group the user lacks", "GET", "/auth?group=no-such-group", template="/auth", token=access, expect=403)
    call("userinfo with a forged token", "GET", "/userinfo", token="x.y.z", expect=401)
    call("userinfo without a token", "GET", "/userinfo", expect=401)

    second = call("refresh rotation", "POST", "/token", form={"grant_type": "refresh_token", "refresh_token": refresh}, expect=200)
    call("reuse of a used refresh token", "POST", "/token", body={"grant_type": "refresh_token", "refresh_token": refresh}, expect=400,
         check=lambda r: None if r["error"] == "invalid_grant" else f"expected invalid_grant: {r}")
    call("the reused family is revoked", "GET", "/userinfo", token=second.get("access_token", ""), expect=401)
    call("unknown grant type", "POST", "/token", form={"grant_type": "client_credentials"}, expect=400,
         check=lambda r: None if r["error"] == "unsupported_grant_type" else f"expected unsupported_grant_type: {r}")
    call("missing parameter", "POST", "/token", form={"grant_type": "password", "username": "root"}, expect=400)
    call("repeated parameter", "POST", "/token", raw="grant_type=password&grant_type=password", expect=400)
    call("body over 16 KiB", "POST", "/token", raw="grant_type=password&username=root&password=" + "x" * 17000, expect=413)

    login = call("password grant (JSON)", "POST", "/token", body={"grant_type": "password", "username": "root", "password": secret}, expect=200)
    tutorial = call("tutorial authenticate", "POST", "/api/users/authenticate", body={"Name": "root", "Password": secret}, expect=200)
    rotated = call("tutorial refresh", "POST", "/api/users/refresh", body=tutorial, expect=200)
    call("tutorial refresh reusing the old pair", "POST", "/api/users/refresh", body=tutorial, expect=401)
    call("tutorial authenticate, wrong password", "POST", "/api/users/authenticate", body={"Name": "root", "Password": "wrong"}, expect=401)

    sessions = call("admin: all sessions", "GET", "/admin/sessions", expect=200)
    call("admin: one user's sessions", "GET", "/admin/sessions?user=root", template="/admin/sessions", expect=200)
    call("admin: keys", "GET", "/admin/keys", expect=200)
    call("admin: rotate the signing key", "POST", "/admin/keys/rotate", expect=200,
         check=lambda r: None if len(r["keys"]) >= 2 and r["keys"][0]["active"] and all("retired_at" in k for k in r["keys"][1:])
         else f"unexpected keys: {r}")
    call("JWKS after the rotation", "GET", "/.well-known/jwks.json", expect=200,
         check=lambda r: None if len(r["keys"]) >= 2 else f"expected the retired key too: {r}")
    call("admin: revoke a user without sessions", "POST", "/admin/revoke", form={"user": "nobody"}, expect=200,
         check=lambda r: None if r == {"revoked": 0} else f"unexpected: {r}")
    call("admin: revoke without user or session", "POST", "/admin/revoke", form={}, expect=400)
    call("another login (form)", "POST", "/token", form={"grant_type": "password", "username": "root", "password": secret}, expect=200)
    own = call("own sessions of the JSON login", "GET", "/sessions", token=login.get("access_token", ""), expect=200)
    others = [s["id"] for s in own.get("sessions", []) if not s["current"]]
    current = [s["id"] for s in own.get("sessions", []) if s["current"]]
    if others:
        call("revoke another own session", "DELETE", f"/sessions/{others[0]}", template="/sessions/{id}", token=login.get("access_token", ""), expect=204)
        call("revoke it again", "DELETE", f"/sessions/{others[0]}", template="/sessions/{id}", token=login.get("access_token", ""), expect=404)
    else:
        failed += 1
        print("FAILED: no second own session to revoke")
    call("admin: revoke one session", "POST", "/admin/revoke", body={"session": current[0] if current else "none"}, expect=200,
         check=lambda r: None if r == {"revoked": 1} else f"unexpected: {r}")
    call("admin: garbage collection", "POST", "/admin/gc", expect=200)
    call("revoke by refresh token", "POST", "/revoke", form={"token": rotated.get("Refresh_Token", "")}, expect=200)
    call("introspect the revoked refresh token", "POST", "/introspect", form={"token": rotated.get("Refresh_Token", "")}, expect=200,
         check=lambda r: None if r == {"active": False} else f"expected inactive: {r}")
    call("healthz", "GET", "/healthz", expect=200)
    call("metrics", "GET", "/metrics", expect=200)
    call("openid-configuration", "GET", "/.well-known/openid-configuration", expect=200)
    call("oauth-authorization-server", "GET", "/.well-known/oauth-authorization-server", expect=200)
    call("the document itself", "GET", "/openapi.yaml", expect=200)
    call("unknown path", "GET", "/no-such-path", expect=404, component="NotFound")
    call("wrong method", "PUT", "/token", expect=405, component="MethodNotAllowed")
except Exception as error:  # a broken step must fail the walk, not hide the rest of the report
    failed += 1
    print(f"FAILED: the walk stopped: {error!r}")

print(f"socket walk: {passed} passed, {failed} failed")
with open(counts_path, "w") as f:
    f.write(f"{passed} {failed}\n")
PY
    "$venv/bin/python" "$tmp/walk.py" "$tmp/pamtoken.sock" "$tmp/openapi.yaml" schemathesis-secret "$tmp/walk.counts" || true
    if [ -f "$tmp/walk.counts" ]; then read -r walk_passed walk_failed < "$tmp/walk.counts"; else walk_passed=0; walk_failed=1; fi
else
    echo "schemathesis: skipped the Unix-socket walk (needs root for the admin routes)"
    walk_passed=0; walk_failed=0
fi
[ "$walk_failed" -eq 0 ] || status=1

if ! kill -0 "$daemon" 2>/dev/null; then
    echo "schemathesis: FAILED: the daemon died during the run; its last lines:" >&2
    tail -20 "$tmp/daemon.log" >&2
    daemon=
    status=1
fi
if grep -q "unhandled error" "$tmp/daemon.log"; then
    echo "schemathesis: FAILED: the daemon logged unhandled errors:" >&2
    grep "unhandled error" "$tmp/daemon.log" | sort | uniq -c | head -20 >&2
    status=1
fi

# The closing line: schemathesis's test cases (from its JSON report) plus the socket walk's checks.
report=$(ls "$tmp"/report/json-*.json 2>/dev/null | head -1 || true)
if [ -z "$report" ]; then
    echo "schemathesis: FAILED: no report, the run did not complete" >&2
    status=1
fi
python3 - "${report:-none}" "$walk_passed" "$walk_failed" "$status" <<'PY'
import json, sys
path, walk_passed, walk_failed, status = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
generated = failed = operations = unique = 0
seed = "none"
try:
    r = json.load(open(path)) if path != "none" else None
except (OSError, ValueError) as error:
    # schemathesis creates the file when it starts and fills it when it shuts down: empty means it was
    # killed (the time limit) or died.
    print(f"schemathesis: FAILED: its report {path} is unreadable ({error})")
    r = None
if r is not None:
    cases = r["test_cases"]
    # Runtime errors of schemathesis itself are counted apart from the test cases since 4.32.
    errors = sum(e.get("count", 1) for e in r.get("errors", []))
    generated, failed = cases["generated"], cases["with_failures"] + cases["errored"] + errors
    operations, unique, seed = r["operations"]["tested"], cases["unique_failures"], r["seed"]
else:
    failed = 1
# A failed run with no failing case to show for it (a daemon crash, a timeout, an error) still counts.
if status != 0 and failed + walk_failed == 0:
    failed = 1
print(f"schemathesis: {generated - failed + walk_passed} passed, {failed + walk_failed} failed "
      f"({generated} generated cases on {operations} operations over TCP, {unique} unique failures, seed {seed}; "
      f"socket walk {walk_passed} passed, {walk_failed} failed)")
PY
exit "$status"
