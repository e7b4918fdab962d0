# Helpers shared by the e2e scripts that source it (browser-e2e.sh, conversation-e2e.sh). The caller
# sets `passed=0 failed=0` before its first check.

check() {  # check "description" command…: one ok:/FAILED: line, counted
    local what=$1; shift
    if "$@"; then echo "ok: $what"; passed=$((passed + 1)); else echo "FAILED: $what"; failed=$((failed + 1)); fi
}
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_for() {  # wait_for URL: polls (at most 15 s) until it gives any HTTP answer
    for _ in $(seq 150); do curl -s -o /dev/null "$1" && return 0; sleep 0.1; done
    echo "${0##*/}: no answer from $1" >&2; return 1
}
random() { head -c 32 /dev/urandom | base64 | tr -d '/+=\n'; }
