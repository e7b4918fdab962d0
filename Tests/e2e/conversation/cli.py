#!/usr/bin/env python3
"""The terminal and API scenarios of conversation-e2e.sh, against a running pamtokend whose PAM
stack is pam_unix + pam_oath (+ pam_unix's password stack): `pamtoken login` on a pseudo-terminal
driven by pexpect, `--password-stdin`, the password grant and `POST /conversation` with curl over the
Unix socket and TCP. Prints one `ok: …` or `FAILED: …` line per check and `time: …` lines; exits 1
if any check failed.

    cli.py CONFIG.json        (conversation-e2e.sh writes it)
"""
import io
import os
import subprocess
import sys
import time

import pexpect

from common import (ENDED, MORE_THAN_A_PASSWORD, Checks, call, run_scenarios, jwt_payload, load_config, password_grant, timing, totp,
                    wrong_totp)

OATH_PROMPT = "One-time password (OATH) for `{}': "


class Terminal:
    def __init__(self, config):
        self.c = config
        self.checks = Checks()
        self.socket = {"socket": config["socket_a"]}
        self.tcp = {"url": config["issuer_a"]}
        self.floor = config["failure_delay_ms"] / 1000 * 0.9

    # ---- helpers ---------------------------------------------------------------------------------

    def env(self, user, tag=""):
        """An environment of its own per user: the session lands in $XDG_RUNTIME_DIR/pamtoken."""
        runtime = os.path.join(self.c["xdg_dir"], user + tag)
        os.makedirs(runtime, mode=0o700, exist_ok=True)
        return {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": runtime, "XDG_RUNTIME_DIR": runtime,
                "LANG": "C.UTF-8", "TERM": "dumb"}

    def spawn_login(self, user, tag=""):
        transcript = io.StringIO()
        child = pexpect.spawn(self.c["cli"], ["login", "--socket", self.c["socket_a"], "--user", user], env=self.env(user, tag),
                              encoding="utf-8", timeout=30, echo=False)
        child.logfile_read = transcript
        return child, transcript

    @staticmethod
    def expect(child, text):
        """Waits for text (exactly) on the terminal; False at EOF or after the timeout."""
        return child.expect_exact([text, pexpect.EOF, pexpect.TIMEOUT]) == 0

    @staticmethod
    def finish(child):
        child.expect([pexpect.EOF, pexpect.TIMEOUT])
        child.close()
        return child.exitstatus

    def cli(self, user, *arguments, stdin=None, tag=""):
        return subprocess.run([self.c["cli"], *arguments], input=stdin, capture_output=True, text=True, env=self.env(user, tag),
                              timeout=60, check=False)

    def stdin_login(self, user, password, target="socket_a", tag="-stdin"):
        return self.cli(user, "login", "--socket", self.c[target], "--user", user, "--password-stdin", stdin=password + "\n", tag=tag)

    def start(self, target, user, as_json=False, **extra):
        return call(target, "/conversation", {"username": user, **extra}, as_json=as_json)

    def reply(self, target, handle, answer, as_json=False):
        return call(target, "/conversation", {"conversation": handle, "answer": answer}, as_json=as_json)

    @staticmethod
    def prompt(answer):
        return answer.body.get("prompt") or {}

    # ---- scenarios -------------------------------------------------------------------------------

    def s1c_cli_totp(self):
        ck, u = self.checks, self.c["users"]["otp2"]
        started = time.monotonic()
        child, transcript = self.spawn_login(u["name"])
        ok = ck.check("1c. pamtoken login on a terminal asks PAM's \"Password: \"", self.expect(child, "Password: "), transcript.getvalue()[-300:])
        if ok:
            child.sendline(u["password"])
            ok = ck.check("1c. then pam_oath's prompt, with PAM's text: " + OATH_PROMPT.format(u["name"]).strip(),
                          self.expect(child, OATH_PROMPT.format(u["name"]).rstrip()), transcript.getvalue()[-300:])
        if ok:
            code = totp(u["secret"])
            child.sendline(code)
            ck.check("1c. then \"Logged in to … as " + u["name"] + "\"", self.expect(child, "as " + u["name"]), transcript.getvalue()[-300:])
            status = self.finish(child)
            timing("1c. pamtoken login with password and TOTP on a terminal", time.monotonic() - started)
            ck.equal("1c. pamtoken login exits 0", 0, status)
            ck.check("1c. neither the password nor the code was echoed on the terminal",
                     u["password"] not in transcript.getvalue() and code not in transcript.getvalue(), transcript.getvalue()[-300:])
        else:
            child.close(force=True)
            return
        token = self.cli(u["name"], "token", "--socket", self.c["socket_a"])
        payload = jwt_payload(token.stdout.strip())
        ck.check("1c. pamtoken token prints a JWT whose sub is " + u["name"], token.returncode == 0 and payload.get("sub") == u["name"],
                 f"rc {token.returncode}, sub {payload.get('sub')!r}, stderr {token.stderr.strip()[:200]}")

    def s1d_password_stdin(self):
        ck, u = self.checks, self.c["users"]["otp2"]
        result = self.stdin_login(u["name"], u["password"])
        ck.check("1d. pamtoken login --password-stdin against the OATH stack exits 1", result.returncode == 1,
                 f"rc {result.returncode}: {result.stderr.strip()[:300]}")
        ck.check(f"1d. and says the stack \"{MORE_THAN_A_PASSWORD}\"", MORE_THAN_A_PASSWORD in result.stderr, result.stderr.strip()[:300])

    def s1e_password_grant(self):
        ck, u = self.checks, self.c["users"]["otp2"]
        answer = password_grant(self.socket, u["name"], u["password"])
        ck.check(f"1e. the password grant (curl, Unix socket) for an OATH user → 400 invalid_grant \"…{MORE_THAN_A_PASSWORD}…\"",
                 answer.status == 400 and answer.error == "invalid_grant" and MORE_THAN_A_PASSWORD in answer.description, repr(answer))
        ck.check(f"1e. after the uniform failure delay (≥ {self.floor:.2f} s)", answer.seconds >= self.floor, f"{answer.seconds:.3f} s")
        timing("1e. password grant refused for asking more than a password", answer.seconds)

    def s1f_raw_api(self):
        ck, u = self.checks, self.c["users"]["otp2"]
        ck.check("1f. POST /conversation without username → 400 invalid_request",
                 call(self.socket, "/conversation", {"scope": "openid"}).error == "invalid_request")
        refused = self.start(self.socket, u["name"], client_id=self.c["client"]["id"])
        ck.check("1f. POST /conversation for a registered [[clients]] id → 400 unauthorized_client",
                 refused.status == 400 and refused.error == "unauthorized_client", repr(refused))
        first = self.start(self.socket, u["name"])
        handle1, prompt = first.body.get("conversation", ""), self.prompt(first)
        ck.check("1f. start → 200 with a pcv_ handle and a secret prompt \"Password: \"",
                 first.status == 200 and handle1.startswith("pcv_") and prompt.get("type") == "secret" and prompt.get("text") == "Password: ",
                 repr(first))
        ck.check("1f. start: messages is a list, expires_in within (0, 120] (conversation_timeout's default)",
                 isinstance(first.body.get("messages"), list) and isinstance(first.body.get("expires_in"), int)
                 and 0 < first.body["expires_in"] <= 120, repr(first))
        if not handle1:
            return
        second = self.reply(self.socket, handle1, u["password"])
        handle2, prompt = second.body.get("conversation", ""), self.prompt(second)
        ck.check("1f. the password → 200, the next prompt: pam_oath's, secret, with a new handle",
                 second.status == 200 and prompt.get("type") == "secret" and prompt.get("text") == OATH_PROMPT.format(u["name"])
                 and handle2.startswith("pcv_") and handle2 != handle1, repr(second))
        again = self.reply(self.socket, handle1, u["password"])
        ck.check(f"1f. the first handle answered again → 400 invalid_grant \"…{ENDED}…\"",
                 again.status == 400 and again.error == "invalid_grant" and ENDED in again.description, repr(again))
        if not handle2:
            return
        wrong = self.reply(self.socket, handle2, wrong_totp(u["secret"]))
        ck.check("1f. a wrong code → 400 invalid_grant \"invalid username or password\"",
                 wrong.status == 400 and wrong.error == "invalid_grant" and wrong.description == "invalid username or password", repr(wrong))
        ck.check(f"1f. after the uniform failure delay (≥ {self.floor:.2f} s)", wrong.seconds >= self.floor, f"{wrong.seconds:.3f} s")
        timing("1f. wrong code at POST /conversation, answer to refusal", wrong.seconds)
        ended = self.reply(self.socket, handle2, totp(u["secret"]))
        ck.check(f"1f. the ended conversation's handle → 400 invalid_grant \"…{ENDED}…\"",
                 ended.status == 400 and ended.error == "invalid_grant" and ENDED in ended.description, repr(ended))

    def s1g_api_success_json_tcp(self):
        ck, u = self.checks, self.c["users"]["otp3"]
        started = time.monotonic()
        first = self.start(self.tcp, u["name"], as_json=True, scope="openid profile")
        second = self.reply(self.tcp, first.body.get("conversation", ""), u["password"], as_json=True)
        ck.check("1g. JSON over TCP: start, then the password → pam_oath's prompt",
                 first.status == 200 and second.status == 200 and self.prompt(second).get("text") == OATH_PROMPT.format(u["name"]),
                 f"{first!r} / {second!r}")
        done = self.reply(self.tcp, second.body.get("conversation", ""), totp(u["secret"]), as_json=True)
        timing("1g. POST /conversation ×3 over TCP (password, TOTP) to a token", time.monotonic() - started)
        body = done.body
        ck.check("1g. the right code → 200, the password grant's token response (with the scope asked for)",
                 done.status == 200 and body.get("token_type") == "Bearer" and body.get("scope") == "openid profile"
                 and all(k in body for k in ("access_token", "expires_in", "refresh_token", "refresh_token_expires_in"))
                 and "prompt" not in body and "conversation" not in body,
                 f"{done.status}, members {sorted(body)}, token_type {body.get('token_type')!r}, scope {body.get('scope')!r}")
        ck.equal("1g. its access token's sub", u["name"], jwt_payload(body.get("access_token")).get("sub"))
        if body.get("refresh_token"):
            refreshed = call(self.socket, "/token", {"grant_type": "refresh_token", "refresh_token": body["refresh_token"]})
            ck.check("1g. its refresh token refreshes (pam_acct_mgmt only, no prompt)", refreshed.status == 200
                     and "access_token" in refreshed.body, repr(refreshed))

    def s1h_peer_binding(self):
        ck, u = self.checks, self.c["users"]["plain"]
        first = self.start(self.socket, u["name"])
        handle = first.body.get("conversation", "")
        other = self.reply(self.tcp, handle, u["password"])
        ck.check(f"1h. a handle started on the Unix socket, answered over TCP (another peer) → 400 \"…{ENDED}…\"",
                 first.status == 200 and other.status == 400 and other.error == "invalid_grant" and ENDED in other.description,
                 f"{first!r} / {other!r}")
        owner = self.reply(self.socket, handle, u["password"])
        ck.check("1h. the handle stays good for its owner: the password from the socket → a token",
                 owner.status == 200 and "access_token" in owner.body, repr(owner))

    def s1i_open_conversation_bound(self):
        ck, u = self.checks, self.c["users"]["plain"]
        opened = [self.start(self.socket, u["name"]) for _ in range(2)]
        third = self.start(self.socket, u["name"])
        ck.check("1i. two conversations of one peer waiting for answers: both start (200)", all(a.status == 200 for a in opened), repr(opened))
        ck.check("1i. a third from the same peer → 429 with Retry-After", third.status == 429 and "retry-after" in third.headers, repr(third))
        for answer in opened + [third]:
            if answer.body.get("conversation"):
                done = self.reply(self.socket, answer.body["conversation"], u["password"])
                ck.check("1i. closing it with the password → a token", done.status == 200 and "access_token" in done.body, repr(done))

    def s2b_cli_expired(self):
        ck, u = self.checks, self.c["users"]["exp2"]
        started = time.monotonic()
        child, transcript = self.spawn_login(u["name"])
        steps = [("Password: ", u["password"]), ("Current password: ", u["password"]), ("New password: ", u["new_password"]),
                 ("Retype new password: ", u["new_password"])]
        for number, (prompt, answer) in enumerate(steps):
            if not ck.check(f"2b. pamtoken login, expired password: prompt {number + 1} is PAM's \"{prompt.strip()}\"",
                            self.expect(child, prompt), transcript.getvalue()[-400:]):
                child.close(force=True)
                return
            if number == 1:
                ck.check("2b. pam_unix's \"You are required to change your password immediately\" shown before it",
                         "You are required to change your password immediately" in child.before, child.before[-300:])
            child.sendline(answer)
        ck.check("2b. then \"Logged in … as " + u["name"] + "\"", self.expect(child, "as " + u["name"]), transcript.getvalue()[-300:])
        status = self.finish(child)
        timing("2b. pamtoken login with a password change on a terminal", time.monotonic() - started)
        ck.equal("2b. pamtoken login exits 0", 0, status)
        ck.check("2b. no password echoed", u["password"] not in transcript.getvalue() and u["new_password"] not in transcript.getvalue())
        new = self.stdin_login(u["name"], u["new_password"])
        ck.check("2b. afterwards pamtoken login --password-stdin with the new password succeeds", new.returncode == 0,
                 f"rc {new.returncode}: {new.stderr.strip()[:300]}")
        old = self.stdin_login(u["name"], u["password"], tag="-old")
        ck.check("2b. and with the old one fails (exit 1)", old.returncode == 1, f"rc {old.returncode}: {old.stderr.strip()[:300]}")

    def run(self):
        scenarios = [self.s1c_cli_totp, self.s1d_password_stdin, self.s1e_password_grant, self.s1f_raw_api, self.s1g_api_success_json_tcp,
                     self.s1h_peer_binding, self.s1i_open_conversation_bound, self.s2b_cli_expired]
        run_scenarios(self.checks, scenarios)
        print(f"terminal scenarios: {self.checks.passed} passed, {self.checks.failed} failed", flush=True)
        return self.checks.failed == 0


def main():
    sys.exit(0 if Terminal(load_config()).run() else 1)


if __name__ == "__main__":
    main()
