#!/usr/bin/env bash
# The Debian package, as an operator meets it (needs root; CI runs it after the other e2e tests):
#
#   1. make deb (release build, static Swift runtime) and lintian: no error may be reported; the
#      full lintian output is printed for the record;
#   2. dpkg -i on this machine: binaries, units, conffiles, man pages, completions in place; the
#      maintainer scripts made the service user (with group shadow) and enabled the socket without
#      starting anything (systemd is not PID 1 here, as in a chroot or an image build);
#   3. the installed daemon serves, as user pamtoken, and the installed CLI reaches it;
#   4. dpkg --purge: binaries, configuration, state and the service user are gone.
# Everything it changes is put back on exit.
set -euo pipefail
cd "$(dirname "$0")/../.."
if [ "$(id -u)" -ne 0 ]; then echo "deb-e2e: needs root (installs a package)"; exit 1; fi

tmp=$(mktemp -d /tmp/pamtoken-deb.XXXXXX)
chmod 0755 "$tmp"
passed=0
failed=0
daemon_pid=
backup_pam=no

cleanup() {
    set +e
    [ -n "$daemon_pid" ] && kill "$daemon_pid" 2>/dev/null && wait "$daemon_pid" 2>/dev/null
    dpkg --purge pamtoken >/dev/null 2>&1
    [ "$backup_pam" = yes ] && mv "$tmp/pam.d.backup" /etc/pam.d/pamtoken
    rm -rf "$tmp"
}
trap cleanup EXIT

check() {  # check "description" command…
    local what=$1; shift
    if "$@"; then echo "ok: $what"; passed=$((passed + 1)); else echo "FAILED: $what"; failed=$((failed + 1)); fi
}
not() { ! "$@"; }

if dpkg -s pamtoken >/dev/null 2>&1; then echo "deb-e2e: a pamtoken package is already installed; not touching it"; exit 1; fi
if [ -e /etc/pam.d/pamtoken ]; then mv /etc/pam.d/pamtoken "$tmp/pam.d.backup"; backup_pam=yes; fi

# 1. Build and lint.
start=$(date +%s)
deb=$(scripts/make-deb "$tmp/out" | tail -1)
echo "deb-e2e: built $(basename "$deb") ($(du -h "$deb" | cut -f1)) in $(( $(date +%s) - start )) s"
check "the package is a valid .deb" dpkg-deb --info "$deb" >/dev/null
lintian --tag-display-limit 0 "$deb" > "$tmp/lintian.txt" 2>&1 || true
echo "--- lintian $(lintian --version | cut -d' ' -f2) ---"
grep -v "running with root privileges" "$tmp/lintian.txt" || true
echo "---"
check "lintian reports no error" not grep -q '^E: ' "$tmp/lintian.txt"

# 2. Install.
check "dpkg -i installs it" dpkg -i "$deb"
for f in /usr/bin/pamtokend /usr/bin/pamtoken /usr/lib/systemd/system/pamtokend.service /usr/lib/systemd/system/pamtokend.socket \
         /usr/lib/sysusers.d/pamtoken.conf /usr/lib/tmpfiles.d/pamtoken.conf /usr/share/man/man1/pamtoken.1.gz \
         /usr/share/man/man8/pamtokend.8.gz /usr/share/man/man5/pamtoken.toml.5.gz /usr/share/doc/pamtoken/copyright \
         /usr/share/bash-completion/completions/pamtoken /usr/share/zsh/vendor-completions/_pamtoken \
         /usr/share/fish/vendor_completions.d/pamtoken.fish /etc/pamtoken/pamtoken.toml /etc/pam.d/pamtoken; do
    check "installed $f" test -e "$f"
done
check "the configuration files are conffiles" bash -c "dpkg-query -W -f='\${Conffiles}' pamtoken | grep -q /etc/pamtoken/pamtoken.toml"
check "the unit runs the packaged binary" grep -q '^ExecStart=/usr/bin/pamtokend' /usr/lib/systemd/system/pamtokend.service
check "the unit points at the manual" grep -q '^Documentation=man:pamtokend(8)' /usr/lib/systemd/system/pamtokend.service
check "postinst made the service user" id pamtoken
check "… in group shadow" bash -c "id -nG pamtoken | grep -qw shadow"
check "postinst enabled the socket" test -L /etc/systemd/system/sockets.target.wants/pamtokend.socket
check "nothing was started" not pgrep -x pamtokend
check "the packaged configuration is valid" /usr/bin/pamtokend --check-config
check "the manual opens" bash -c "MANPAGER=cat man pamtokend 2>/dev/null | grep -q 'pamtokend'"
check "bash completes subcommands" bash -c "source /usr/share/bash-completion/completions/pamtoken && COMP_WORDS=(pamtoken to) COMP_CWORD=1 && _pamtoken && [[ \" \${COMPREPLY[*]} \" == *' token '* ]]"

# 3. The installed daemon serves, as its user.
mkdir -p "$tmp/run" "$tmp/state" && chown pamtoken:pamtoken "$tmp/run" "$tmp/state" && chmod 0700 "$tmp/state"
runuser -u pamtoken -- /usr/bin/pamtokend --state-dir "$tmp/state" --listen "unix:$tmp/run/pamtoken.sock" > "$tmp/daemon.log" 2>&1 &
daemon_pid=$!
for _ in $(seq 100); do [ -S "$tmp/run/pamtoken.sock" ] && break; sleep 0.1; done
check "the packaged daemon serves /healthz" bash -c "curl -sf --unix-socket '$tmp/run/pamtoken.sock' http://localhost/healthz | grep -q ok"
check "the packaged CLI reaches it" bash -c "/usr/bin/pamtoken --socket '$tmp/run/pamtoken.sock' status 2>&1 | grep -q 'not logged in'"
kill "$daemon_pid" && wait "$daemon_pid" 2>/dev/null || true
daemon_pid=
check "its log lines are logfmt" grep -q '^time=.* level=notice msg="pamtokend starting"' "$tmp/daemon.log"

# 4. Purge.
check "tmpfiles made the state directory" test -d /var/lib/pamtoken
mkdir -p /var/lib/pamtoken && echo "pamtoken state" > /var/lib/pamtoken/marker
check "dpkg --purge removes it" dpkg --purge pamtoken
check "binaries gone" not test -e /usr/bin/pamtokend
check "configuration gone" not test -e /etc/pamtoken/pamtoken.toml
check "state gone" not test -e /var/lib/pamtoken
check "service user gone" not id pamtoken
check "socket no longer enabled" not test -e /etc/systemd/system/sockets.target.wants/pamtokend.socket

echo "deb-e2e: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
