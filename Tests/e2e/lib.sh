# shellcheck shell=bash disable=SC2154  # pids, failed and tmp belong to the sourcing script
# Helpers shared by the e2e scripts that source it (browser-e2e.sh, conversation-e2e.sh, fleet-e2e.sh). The caller
# sets `passed=0 failed=0` before its first check, and `pids=()` and `tmp` for stop_and_report.

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
stop_and_report() {  # stop_and_report RC LOG…: stops the script's $pids; when it failed, the logs' last lines
    local rc=$1 log; shift
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null; done
    wait 2>/dev/null
    if [ "$rc" -ne 0 ] || [ "$failed" -ne 0 ]; then
        for log in "$@"; do [ -s "$log" ] && { echo "--- last lines of ${log#"$tmp"/}"; tail -n 20 "$log"; }; done
    fi
    return 0
}
