"""What cli.py and browser.py share: the checks and timings of Tests/e2e/browser/scenarios.py,
requests to the daemon with curl (Unix socket or TCP), TOTP codes from oathtool, JWT payloads and
the shadow file's view of a password (chage)."""
import base64
import datetime
import json
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "browser"))
import scenarios  # noqa: E402  (Tests/e2e/browser/scenarios.py)

Checks, timing, run_scenarios = scenarios.Checks, scenarios.timing, scenarios.run_scenarios

INVALID = "Invalid username or password."
MORE_THAN_A_PASSWORD = "asks for more than a password"
EXPIRED = "has expired"
ENDED = "ended or expired"


def load_config():
    with open(sys.argv[1], encoding="utf-8") as f:
        return json.load(f)


class Answer:
    """An HTTP answer from curl: status, headers (lower-case names), body (dict when JSON), seconds."""

    def __init__(self, status, headers, text, seconds):
        self.status, self.headers, self.text, self.seconds = status, headers, text, seconds
        try:
            self.body = json.loads(text) if text else {}
        except ValueError:
            self.body = {}
        if not isinstance(self.body, dict):
            self.body = {}

    @property
    def error(self):
        return self.body.get("error")

    @property
    def description(self):
        return self.body.get("error_description") or ""

    def __repr__(self):
        return f"{self.status} {self.text[:300]}"


def call(target, path, fields, as_json=False):
    """POSTs fields to the daemon with curl. target: {"socket": PATH} or {"url": BASE}."""
    command = ["curl", "-s", "-D", "-", "--max-time", "30"]
    if "socket" in target:
        command += ["--unix-socket", target["socket"], "http://localhost" + path]
    else:
        command += [target["url"] + path]
    if as_json:
        command += ["-H", "Content-Type: application/json", "--data-binary", json.dumps(fields)]
    else:
        for name, value in fields.items():
            command += ["--data-urlencode", f"{name}={value}"]
    started = time.monotonic()
    out = subprocess.run(command, capture_output=True, text=True, check=False).stdout
    seconds = time.monotonic() - started
    head, _, text = out.replace("\r\n", "\n").partition("\n\n")
    lines = head.split("\n")
    try:
        status = int(lines[0].split()[1])
    except (IndexError, ValueError):
        return Answer(0, {}, out, seconds)
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    return Answer(status, headers, text, seconds)


def password_grant(target, user, password):
    return call(target, "/token", {"grant_type": "password", "username": user, "password": password})


def jwt_payload(token):
    try:
        part = token.split(".")[1]
        return json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))
    except (IndexError, ValueError, AttributeError):
        return {}


def totp(secret, offset=0):
    """The TOTP code of a hex secret now (offset: seconds from now), by oathtool."""
    command = ["oathtool", "--totp", secret]
    if offset:
        command[2:2] = ["-N", f"@{int(time.time()) + offset}"]
    return subprocess.run(command, capture_output=True, text=True, check=True).stdout.strip()


def wrong_totp(secret):
    """A six-digit code that is not the current one (the code of an hour ago)."""
    code = totp(secret, offset=-3600)
    return code if code != totp(secret) else f"{(int(code) + 1) % 1000000:06d}"


def last_password_change(user):
    """chage -l's 'Last password change' value (C locale): a date, or 'password must be changed'."""
    out = subprocess.run(["chage", "-l", user], capture_output=True, text=True, check=True, env={**os.environ, "LC_ALL": "C"}).stdout
    for line in out.splitlines():
        if line.startswith("Last password change"):
            return line.split(":", 1)[1].strip()
    return ""


def today_for_chage():
    """Today as chage prints dates, in local time and in UTC (shadow counts days in UTC)."""
    return {datetime.date.today().strftime("%b %d, %Y"), datetime.datetime.now(datetime.timezone.utc).strftime("%b %d, %Y")}
