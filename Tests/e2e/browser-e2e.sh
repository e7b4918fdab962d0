#!/usr/bin/env bash
# Browser sign-in (OpenID Connect) end to end, with real parts only. Needs root (CI runs as root).
#
#   1. real Linux users (ptb-alice in group ptb-staff, ptb-bob not) with passwords, checked by
#      pam_unix through a PAM service file of this test;
#   2. pamtokend, already built (BIN=…, or .build/$CONFIG/pamtokend, CONFIG=debug by default; this
#      script never builds), as root on a loopback TCP port (the issuer) and a Unix socket, with the
#      two [[clients]] of docs/browser-sign-in.md;
#   3. the relying parties of that page exactly as printed (docs are code: extract_recipes.py
#      takes them out of the page, only ports, secrets and the group name replaced): Apache 2.4 with
#      mod_auth_openidc (Debian's) in the foreground with a configuration of its own around the
#      page's block, protecting a CGI that prints REMOTE_USER and the groups claim; and the Flask +
#      Authlib application, run by browser/rp_harness.py, which records what Authlib accepted;
#   4. headless Chromium (Debian's, with its chromedriver) driven by Selenium, plus plain HTTP
#      requests (browser/scenarios.py): sign-in at Apache typing the password, single sign-on at
#      the Authlib application with the ID token verified again with joserfc, logout through Apache
#      ending the single sign-on, wrong passwords, bad /authorize requests, a replayed code, a user
#      outside allowed_groups, an account expired under a live cookie, CSRF.
#
# Needs apache2 + libapache2-mod-auth-openidc, chromium + chromium-driver, python3 (venv; selenium,
# authlib, flask, requests, joserfc come from PyPI into $tmp/venv, or BROWSER_E2E_VENV=DIR keeps
# them between runs), useradd/chpasswd/usermod. Everything it starts is stopped and everything it
# creates (users, group, PAM file, temporary directory) removed on exit.
set -euo pipefail
cd "$(dirname "$0")/../.."
# shellcheck source=Tests/e2e/lib.sh
source Tests/e2e/lib.sh
started_at=$SECONDS
bin=${BIN:-.build/${CONFIG:-debug}/pamtokend}
doc=${BROWSER_DOC:-docs/browser-sign-in.md}
here=Tests/e2e/browser
modules=/usr/lib/apache2/modules

if [ "$(id -u)" -ne 0 ]; then echo "browser-e2e: needs root (creates users)" >&2; exit 1; fi
for tool in apache2 chromium chromedriver python3 curl useradd chpasswd usermod; do
    command -v "$tool" >/dev/null || { echo "browser-e2e: $tool is not installed (apt-get install apache2 libapache2-mod-auth-openidc chromium chromium-driver python3-venv curl)" >&2; exit 1; }
done
[ -e "$modules/mod_auth_openidc.so" ] || { echo "browser-e2e: no $modules/mod_auth_openidc.so (apt-get install libapache2-mod-auth-openidc)" >&2; exit 1; }
[ -x "$bin" ] || { echo "browser-e2e: no $bin (build first, or set BIN)" >&2; exit 1; }
bin=$(realpath "$bin")

tmp=$(mktemp -d /tmp/pamtoken-browser.XXXXXX)
# Apache's children and its CGI run as www-data: they must reach $tmp/apache.
chmod 0711 "$tmp"
users=(ptb-alice ptb-bob)
group=ptb-staff
pam_service=pamtoken-browser-e2e
pids=()
passed=0
failed=0
cleanup() {
    local rc=$?
    set +e
    stop_and_report "$rc" "$tmp"/*.log "$tmp"/apache/logs/error.log
    for u in "${users[@]}"; do userdel -r "$u" >/dev/null 2>&1; done
    groupdel "$group" >/dev/null 2>&1
    if [ -f "$tmp/pam.d.backup" ]; then mv "$tmp/pam.d.backup" "/etc/pam.d/$pam_service"; else rm -f "/etc/pam.d/$pam_service"; fi
    rm -rf "$tmp"
}
trap cleanup EXIT

recipe() { python3 Tests/e2e/extract_recipes.py --tested apache,apacheconf,python,py "$doc" "$@"; }

daemon_port=$(free_port); apache_port=$(free_port); app_port=$(free_port)
issuer="http://127.0.0.2:$daemon_port"
apache="http://127.0.0.1:$apache_port"
app="http://127.0.0.1:$app_port"

# 1. Users, group and PAM. Leftovers of an interrupted run go first.
for u in "${users[@]}"; do userdel -r "$u" >/dev/null 2>&1 || true; done
groupdel "$group" >/dev/null 2>&1 || true
groupadd "$group"
alice_password="Alice-$(random | head -c 16)"
bob_password="Bob-$(random | head -c 16)"
useradd -M -s /usr/sbin/nologin -c "Alice Browser" -G "$group" ptb-alice
useradd -M -s /usr/sbin/nologin ptb-bob
printf 'ptb-alice:%s\nptb-bob:%s\n' "$alice_password" "$bob_password" | chpasswd
[ -e "/etc/pam.d/$pam_service" ] && cp "/etc/pam.d/$pam_service" "$tmp/pam.d.backup"
printf 'auth required pam_unix.so\naccount required pam_unix.so\n' > "/etc/pam.d/$pam_service"

# 2. The daemon's configuration: the test's top-level keys, then the page's [[clients]].
apache_secret=$(random); authlib_secret=$(random); passphrase=$(random); flask_key=$(random)
apache_hash=$(printf '%s\n' "$apache_secret" | "$bin" --hash-secret)
authlib_hash=$(printf '%s\n' "$authlib_secret" | "$bin" --hash-secret)
check "pamtokend --hash-secret prints a bcrypt hash" bash -c '[[ $1 == \$2b\$10\$* && ${#1} -eq 60 ]]' _ "$apache_hash"
check "the page's tested configurations are clients, apache, authlib" \
    test "$(recipe --list | cut -d' ' -f1 | paste -sd,)" = "clients,apache,authlib"
install -d -m 0755 "$tmp/run"
cat > "$tmp/pamtoken.toml" <<TOML
listen = ["tcp:127.0.0.2:$daemon_port", "unix:$tmp/run/pamtoken.sock"]
issuer = "$issuer"
state_dir = "$tmp/state"
pam_service = "$pam_service"
failure_delay_ms = 1000

TOML
recipe clients \
    --sub APACHE_PORT 127.0.0.1:8080 "127.0.0.1:$apache_port" \
    --sub APP_PORT 127.0.0.1:5000 "127.0.0.1:$app_port" \
    --sub APACHE_SECRET '$2b$10$Ke0bqoOhV3wHUGKGPOKtuuGmzWi4r5g0uF5sXEq9tAUf0xHCpEWbu' "$apache_hash" \
    --sub AUTHLIB_SECRET '$2b$10$Ao8U1D1nPz/9H3xVQzMqYeQl6cQpeb8b2G3wqBv1rS0sF8FvhX9Pe' "$authlib_hash" \
    --sub GROUP '["staff"]' "[\"$group\"]" >> "$tmp/pamtoken.toml"
check "pamtokend --check-config accepts the configuration" bash -c '"$1" --check-config --config "$2" > "$3" 2>&1' _ "$bin" "$tmp/pamtoken.toml" "$tmp/check-config.log"
"$bin" --config "$tmp/pamtoken.toml" > "$tmp/daemon.log" 2>&1 &
pids+=($!)

# 3a. Apache: a minimal server of its own around the page's block.
a=$tmp/apache
mkdir -p "$a/www" "$a/logs" "$a/run"
chmod 0755 "$a" "$a/www"
cat > "$a/whoami.cgi" <<'CGI'
#!/bin/sh
printf 'Content-Type: text/plain; charset=utf-8\n\n'
printf 'user=%s\ngroups=%s\nsid=%s\n' "$REMOTE_USER" "$OIDC_CLAIM_groups" "$OIDC_CLAIM_sid"
CGI
chmod 0755 "$a/whoami.cgi"
printf '<!doctype html><title>Signed out</title><p>You are signed out.</p>\n' > "$a/www/loggedout.html"
chmod 0644 "$a/www/loggedout.html"
recipe apache \
    --sub ISSUER http://127.0.0.2:8719 "$issuer" \
    --sub APACHE_PORT 127.0.0.1:8080 "127.0.0.1:$apache_port" \
    --sub CLIENT_SECRET the-secret-you-hashed-for-apache "$apache_secret" \
    --sub PASSPHRASE a-long-random-string-for-the-session-cookie "$passphrase" > "$a/site.conf"
cat > "$a/httpd.conf" <<CONF
ServerRoot $a
ServerName 127.0.0.1
Listen 127.0.0.1:$apache_port
PidFile $a/run/httpd.pid
DefaultRuntimeDir $a/run
Mutex file:$a/run
ScriptSock $a/run/cgid.sock
ErrorLog $a/logs/error.log
LogLevel warn auth_openidc:info
User www-data
Group www-data
LoadModule mpm_event_module $modules/mod_mpm_event.so
LoadModule authn_core_module $modules/mod_authn_core.so
LoadModule authz_core_module $modules/mod_authz_core.so
LoadModule authz_user_module $modules/mod_authz_user.so
LoadModule mime_module $modules/mod_mime.so
LoadModule alias_module $modules/mod_alias.so
LoadModule cgid_module $modules/mod_cgid.so
LoadModule auth_openidc_module $modules/mod_auth_openidc.so
TypesConfig /etc/mime.types
LogFormat "%h %u \"%r\" %>s %D" e2e
CustomLog $a/logs/access.log e2e
DocumentRoot $a/www
<Directory />
    Require all denied
</Directory>
<Directory $a/www>
    Require all granted
</Directory>
<Files whoami.cgi>
    Require all granted
</Files>
# The protected application: a CGI that prints what Apache tells it about the user.
ScriptAliasMatch ^/protected/?$ $a/whoami.cgi

# ---- the page's configuration, as printed ----
Include $a/site.conf
CONF
check "apache2 -t accepts the page's configuration" bash -c 'apache2 -t -f "$1" > "$2" 2>&1' _ "$a/httpd.conf" "$tmp/apache-t.log"
apache2 -f "$a/httpd.conf" -DFOREGROUND > "$tmp/apache.log" 2>&1 &
pids+=($!)

# 3b. The Python environment (Selenium, and the Authlib application's packages).
venv=${BROWSER_E2E_VENV:-$tmp/venv}
if ! "$venv/bin/python" -c 'import selenium, authlib, flask, requests, joserfc' 2>/dev/null; then
    python3 -m venv "$venv"
    "$venv/bin/pip" install -q --disable-pip-version-check selenium authlib flask requests joserfc >/dev/null
fi

# 3c. The Flask + Authlib application, as printed.
mkdir -p "$tmp/app/record"
recipe authlib \
    --sub ISSUER http://127.0.0.2:8719 "$issuer" \
    --sub APP_PORT "port=5000" "port=$app_port" > "$tmp/app/app.py"
FLASK_SECRET_KEY=$flask_key OIDC_CLIENT_SECRET=$authlib_secret \
    "$venv/bin/python" "$here/rp_harness.py" "$tmp/app/app.py" "$tmp/app/record" > "$tmp/app.log" 2>&1 &
pids+=($!)

wait_for "$issuer/healthz"
wait_for "$apache/loggedout.html"
wait_for "$app/"
echo "browser-e2e: setup took $((SECONDS - started_at)) s"

# 4. The scenarios.
cat > "$tmp/scenarios.json" <<JSON
{
  "issuer": "$issuer", "apache": "$apache", "app": "$app",
  "apache_client": {"id": "apache", "secret": "$apache_secret", "redirect_uri": "$apache/protected/redirect_uri"},
  "authlib_secret": "$authlib_secret",
  "alice": {"name": "ptb-alice", "password": "$alice_password", "gecos": "Alice Browser"},
  "bob": {"name": "ptb-bob", "password": "$bob_password"},
  "staff": "$group",
  "failure_delay_ms": 1000,
  "record_dir": "$tmp/app/record",
  "chromium": "$(command -v chromium)", "chromedriver": "$(command -v chromedriver)",
  "profile_dir": "$tmp/chromium", "chromedriver_log": "$tmp/chromedriver.log"
}
JSON
scenarios_rc=0
"$venv/bin/python" "$here/scenarios.py" "$tmp/scenarios.json" > "$tmp/scenarios.out" 2>&1 || scenarios_rc=$?
cat "$tmp/scenarios.out"
passed=$((passed + $(grep -c '^ok: ' "$tmp/scenarios.out" || true)))
failed=$((failed + $(grep -c '^FAILED: ' "$tmp/scenarios.out" || true)))
check "the browser scenarios ran to their end" grep -q '^browser scenarios: ' "$tmp/scenarios.out"
check "the scenarios' exit status agrees with their checks" \
    test "$scenarios_rc" -eq "$(grep -q '^FAILED: ' "$tmp/scenarios.out" && echo 1 || echo 0)"

check "no password, client secret or cookie passphrase in the daemon's log" \
    bash -c '! grep -q -F -e "$2" -e "$3" -e "$4" -e "$5" -e "$6" "$1"' _ "$tmp/daemon.log" \
    "$alice_password" "$bob_password" "$apache_secret" "$authlib_secret" "$passphrase"
check "Apache logged no error from mod_auth_openidc" bash -c '! grep -q "auth_openidc:error" "$1"' _ "$a/logs/error.log"

echo "browser-e2e: $passed passed, $failed failed in $((SECONDS - started_at)) s"
[ "$failed" -eq 0 ]
