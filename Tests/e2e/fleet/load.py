"""Refresh chains across a fleet while something fails underneath (fleet-e2e.sh, issue #16).

Each worker logs in once, then refreshes its token over and over, alternating between the hosts: a
200 is an acknowledged rotation, and its new refresh token is the only one the worker keeps. A 503 or
an unreachable host means "try the same token again" (at the next host). While the chains run, the
disruption named on the command line happens once enough rotations have been acknowledged:

  postgres-restart  pgctl stop, then, once the fleet has answered 503s, pgctl start (a failover)
  kill:PID          kill -9 of one daemon; its host is then skipped

and the run ends once every worker has had rotations acknowledged after it. Then each worker's last
acknowledged token must refresh: no acknowledged rotation was lost. Any answer other than 200 and 503
(a 400 would mean a token spent without acknowledgement, a 500 a crash of a request) fails the run.
Prints one JSON line of figures.
"""

import json
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

hosts = sys.argv[1].split(",")
login_command, disruption, pgctl = sys.argv[2], sys.argv[3], os.environ.get("PAMTOKEN_TEST_POSTGRES_CTL", "")
workers = int(os.environ.get("FLEET_LOAD_WORKERS", "16"))

lock = threading.Condition()
counts = {"200": 0, "503": 0, "unreachable": 0}
bad = []
dead = set()
phase = {"name": "warm-up", "acknowledged_after": [0] * workers}
stop = threading.Event()


def refresh(host, token):
    data = urllib.parse.urlencode({"grant_type": "refresh_token", "refresh_token": token}).encode()
    try:
        with urllib.request.urlopen(urllib.request.Request(host + "/token", data=data), timeout=30) as response:
            return response.status, json.load(response).get("refresh_token")
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode(errors="replace")[:200]


def worker(index, token, last):
    turn = index
    while not stop.is_set():
        host = hosts[turn % len(hosts)]
        turn += 1
        if host in dead:
            continue
        try:
            status, body = refresh(host, token)
        except (urllib.error.URLError, ConnectionError, TimeoutError) as error:
            with lock:
                counts["unreachable"] += 1
            time.sleep(0.05)
            continue
        with lock:
            if status == 200:
                counts["200"] += 1
                token = body
                last[index] = token
                if phase["name"] == "after":
                    phase["acknowledged_after"][index] += 1
            elif status == 503:
                counts["503"] += 1
            else:
                bad.append((host, status, body))
                stop.set()
            lock.notify_all()
        if status == 503:
            time.sleep(0.05)


def wait_until(predicate, seconds):
    deadline = time.monotonic() + seconds
    with lock:
        while not predicate():
            remaining = deadline - time.monotonic()
            if remaining <= 0 or stop.is_set():
                return False
            lock.wait(remaining)
    return True


tokens = [subprocess.run(login_command, shell=True, capture_output=True, text=True).stdout.strip() for _ in range(workers)]
if not all(tokens):
    sys.exit("load: a login failed")
last = list(tokens)
threads = [threading.Thread(target=worker, args=(i, tokens[i], last)) for i in range(workers)]
started = time.monotonic()
for thread in threads:
    thread.start()

figures = {"workers": workers, "disruption": disruption}
ok = wait_until(lambda: counts["200"] >= 20 * workers, 60)
if ok and disruption == "postgres-restart":
    subprocess.run([pgctl, "stop"], check=True, capture_output=True)
    stopped = time.monotonic()
    seen = counts["503"]
    ok = wait_until(lambda: counts["503"] >= seen + 2 * workers, 30)
    figures["first_503s_after_s"] = round(time.monotonic() - stopped, 2)
    subprocess.run([pgctl, "start"], check=True, capture_output=True)
    restarted = time.monotonic()
    figures["outage_s"] = round(restarted - stopped, 2)
elif ok and disruption.startswith("kill:"):
    pid, victim = disruption.split(":", 2)[1:]
    with lock:
        dead.add(victim)
    os.kill(int(pid), signal.SIGKILL)
    restarted = time.monotonic()
else:
    restarted = time.monotonic()
with lock:
    phase["name"] = "after"
ok = ok and wait_until(lambda: min(phase["acknowledged_after"]) >= 5, 60)
if disruption == "postgres-restart":
    figures["every_chain_moving_again_after_s"] = round(time.monotonic() - restarted, 2)
stop.set()
for thread in threads:
    thread.join()

live = [h for h in hosts if h not in dead]
lost = []
for index, token in enumerate(last):
    status, body = refresh(live[index % len(live)], token)
    if status != 200:
        lost.append((index, status, body))
figures.update(counts)
figures.update({"seconds": round(time.monotonic() - started, 1), "other_answers": bad[:5], "lost_chains": lost[:5], "completed": ok})
print(json.dumps(figures))
sys.exit(0 if ok and not bad and not lost else 1)
