#!/usr/bin/env python3
"""The browser scenarios of conversation-e2e.sh: headless Chromium (Selenium) signs in at a small
relying party (rp.py, authorization code + PKCE) through pamtokend's login page and its PAM
continuation pages — a TOTP code asked by pam_oath, an expired password changed through pam_unix —
plus plain HTTP requests and password grants (curl) to check what the sign-ins left behind. Reuses
the browser helpers of Tests/e2e/browser/scenarios.py. Prints one `ok: …` or `FAILED: …` line per
check, `time: …` and `note: …` lines; exits 1 if any check failed.

    browser.py CONFIG.json        (conversation-e2e.sh writes it)
"""
import sys
import time

import requests
from common import (EXPIRED, INVALID, Checks, jwt_payload, run_scenarios, last_password_change, load_config, password_grant, timing, today_for_chage,
                    totp, wrong_totp)  # first: it puts Tests/e2e/browser on sys.path
from rp import RelyingParty
from selenium.common.exceptions import WebDriverException
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

import scenarios  # noqa: E402  (Tests/e2e/browser/scenarios.py)
import verify_id_token  # noqa: E402

NOT_CHANGED = "Your password was not changed:"
TOO_SHORT = "You must choose a longer password."
MUST_CHANGE = "You are required to change your password immediately"
FORM_EXPIRED = "This sign-in form has expired"


class Browser(scenarios.Test):
    def __init__(self, config):  # pylint: disable=super-init-not-called (the parent wants Apache's URLs)
        self.c = config
        self.issuers = {"a": config["issuer_a"], "b": config["issuer_b"]}
        self.sockets = {"a": {"socket": config["socket_a"]}, "b": {"socket": config["socket_b"]}}
        self.issuer = self.issuers["a"]
        self.checks = Checks()
        self.driver = None
        self.floor = config["failure_delay_ms"] / 1000 * 0.9
        client = config["client"]
        self.rp = RelyingParty(config["rp_port"], {name: {"issuer": issuer, "client_id": client["id"], "secret": client["secret"]}
                                                   for name, issuer in self.issuers.items()})

    # ---- helpers ---------------------------------------------------------------------------------

    def begin(self, provider):
        """A fresh browser (no cookies) opens the relying party's sign-in: the daemon's first page."""
        self.issuer = self.issuers[provider]
        self.clear_cookies()
        self.hops()
        started = time.monotonic()
        self.driver.get(f"{self.rp.base}/{provider}/login")
        self.wait_ready()
        return started

    def on_continuation(self):
        return self.driver.current_url.startswith(self.issuer) and bool(self.driver.find_elements(By.ID, "answer"))

    def label(self):
        labels = self.driver.find_elements(By.CSS_SELECTOR, 'label[for="answer"]')
        return labels[0].text.strip() if labels else ""

    def messages(self):
        return [(li.get_attribute("class") or "", li.text.strip()) for li in self.driver.find_elements(By.CSS_SELECTOR, "#pam-messages li")]

    def field(self, attribute):
        fields = self.driver.find_elements(By.ID, "answer")
        return fields[0].get_attribute(attribute) if fields else None

    def hidden(self, name):
        return bool(self.driver.find_elements(By.CSS_SELECTOR, f'input[type="hidden"][name="{name}"]'))

    def navigate_by(self, click):
        """Clicks a submit button and waits for the next document to have loaded; the seconds that took.
        A mark on the old window tells the documents apart (scenarios.py's staleness_of check can
        meet chromedriver's "Node with given id does not belong to the document" mid-navigation)."""
        self.driver.execute_script("window.conversationE2E = true")
        started = time.monotonic()
        click()
        WebDriverWait(self.driver, 30, poll_frequency=0.02, ignored_exceptions=(WebDriverException,)).until(
            lambda d: d.execute_script("return window.conversationE2E === undefined && document.readyState === 'complete'"))
        return time.monotonic() - started

    def submit_login(self, user, password):
        """Types into the sign-in page and submits; the seconds until the next page has loaded."""
        field = self.driver.find_element(By.ID, "username")
        field.clear()
        field.send_keys(user)
        self.driver.find_element(By.ID, "password").send_keys(password)
        return self.navigate_by(self.driver.find_element(By.ID, "sign-in").click)

    def answer(self, text):
        """Types into the continuation page and continues; the seconds until the next page has loaded."""
        self.driver.find_element(By.ID, "answer").send_keys(text)
        return self.navigate_by(self.driver.find_element(By.ID, "continue").click)

    def walk(self, answer_for, limit=12):
        """Answers continuation pages while they come (answer_for(label) → text, None stops); what each showed."""
        seen = []
        while self.on_continuation() and len(seen) < limit:
            label = self.label()
            seen.append({"label": label, "messages": self.messages(), "type": self.field("type"), "autocomplete": self.field("autocomplete")})
            text = answer_for(label)
            if text is None:
                break
            self.answer(text)
        return seen

    def alert(self):
        return " ".join(e.text.strip() for e in self.driver.find_elements(By.CSS_SELECTOR, 'p.error[role="alert"]'))

    def login_posts(self):
        """The statuses of the POSTs to /login since the last call."""
        return [hop["status"] for hop in self.daemon_hops(self.hops(), "/login") if hop["method"] == "POST"]

    def signed_in(self, provider, user):
        return self.driver.current_url.startswith(self.rp.redirect_uri(provider)) and f"Signed in as {user}" in self.text()

    def where(self):
        return f"{self.driver.current_url}: {self.text()[:300]}"

    # ---- scenarios -------------------------------------------------------------------------------

    def s0_password_only(self):
        ck, u = self.checks, self.c["users"]["plain"]
        started = self.begin("a")
        ck.check("0. the relying party sends Chromium to the daemon's sign-in page", self.on_login_page(), self.where())
        self.submit_login(u["name"], u["password"])
        total = time.monotonic() - started
        ck.check("0. a user the stack asks only a password: one page, then the relying party has a token for " + u["name"],
                 self.signed_in("a", u["name"]), self.where())
        ck.equal("0. that user's POST /login answered 303 at once (no continuation page)", [303], self.login_posts())
        timing("0. password-only sign-in in Chromium, first page load to the RP's callback done", total)

    def s1a_totp(self):
        ck, u = self.checks, self.c["users"]["otp"]
        started = self.begin("a")
        shown = time.monotonic() - started
        if not ck.check("1a. Chromium at the relying party: the daemon's sign-in page", self.on_login_page(), self.where()):
            return
        first = self.submit_login(u["name"], u["password"])
        ck.equal("1a. the password's POST /login answered 200: a continuation page", [200], self.login_posts())
        label = self.label()
        ck.check("1a. the continuation page asks pam_oath's question: label \"One-time password (OATH) for `" + u["name"] + "':\"",
                 self.on_continuation() and label.startswith("One-time password") and f"`{u['name']}'" in label, f"{label!r} at {self.where()}")
        ck.check("1a. the answer field: type=password (echo off), autocomplete=one-time-code, autofocus",
                 self.field("type") == "password" and self.field("autocomplete") == "one-time-code" and self.field("autofocus") is not None,
                 f"type {self.field('type')!r}, autocomplete {self.field('autocomplete')!r}, autofocus {self.field('autofocus')!r}")
        ck.check("1a. hidden request, csrf and conversation fields, and a #continue button",
                 all(self.hidden(n) for n in ("request", "csrf", "conversation")) and bool(self.driver.find_elements(By.ID, "continue")))
        ck.check("1a. no SSO cookie after the password alone", "pamtoken_sso" not in self.cookies(), str(list(self.cookies())))
        if not self.on_continuation():
            return
        code = totp(u["secret"])
        second = self.answer(code)
        total = time.monotonic() - started
        ck.check("1a. the right TOTP code → the relying party has a token for " + u["name"], self.signed_in("a", u["name"]), self.where())
        ck.equal("1a. the code's POST /login answered 303 (to the relying party, with a code)", [303], self.login_posts())
        ck.check("1a. and the browser has its SSO cookie", "pamtoken_sso" in self.cookies(), str(list(self.cookies())))
        records = self.rp.callbacks("a")
        record = records[-1] if records else {}
        token = record.get("token") or {}
        try:
            claims = verify_id_token.verify(self.issuer, self.c["client"]["id"], token.get("id_token", ""), token.get("access_token", ""),
                                            record.get("nonce"))
            ck.equal("1a. the ID token verifies (joserfc, JWKS) and names the user", u["name"], claims.get("sub"))
        except verify_id_token.Invalid as error:
            ck.check("1a. the ID token verifies (joserfc, JWKS) and names the user", False, str(error))
        ck.equal("1a. the access token's sub", u["name"], jwt_payload(token.get("access_token")).get("sub"))
        timing("1a. TOTP sign-in in Chromium, first page load to the RP's callback done (typing included)", total)
        timing("1a. TOTP sign-in, the three page loads alone (first page, password submit, code submit)", shown + first + second)
        timing("1a. TOTP sign-in: first page load (RP → /authorize → sign-in page shown)", shown)
        timing("1a. TOTP sign-in: password submit to the continuation page", first)
        timing("1a. TOTP sign-in: code submit to the RP's callback done (code exchange, /userinfo)", second)

    def s1b_wrong_code(self):
        ck, u, plain = self.checks, self.c["users"]["otp"], self.c["users"]["plain"]
        self.begin("a")
        wrong_password = self.submit_login(plain["name"], "Wrong-" + plain["password"])
        ck.check("1b. baseline: a wrong password → the first page again with \"" + INVALID + "\"",
                 self.on_login_page() and INVALID in self.alert(), self.where())
        ck.equal("1b. baseline: its POST /login answered 400", [400], self.login_posts())
        self.begin("a")
        self.submit_login(u["name"], u["password"])
        if not ck.check("1b. the right password → the code page", self.on_continuation(), self.where()):
            return
        wrong_code = self.answer(wrong_totp(u["secret"]))
        ck.check("1b. a wrong TOTP code → the first page again with \"" + INVALID + "\"",
                 self.on_login_page() and not self.on_continuation() and INVALID in self.alert(), self.where())
        ck.equal("1b. the POSTs to /login answered 200 (code page), then 400", [200, 400], self.login_posts())
        ck.check("1b. no SSO cookie after a wrong code", "pamtoken_sso" not in self.cookies(), str(list(self.cookies())))
        ck.check(f"1b. the wrong code and the wrong password both took ≥ {self.floor:.2f} s (failure_delay_ms)",
                 wrong_code >= self.floor and wrong_password >= self.floor, f"code {wrong_code:.3f} s, password {wrong_password:.3f} s")
        ck.check("1b. and about the same time (within 0.4 s of each other)", abs(wrong_code - wrong_password) <= 0.4,
                 f"code {wrong_code:.3f} s, password {wrong_password:.3f} s")
        timing("1b. wrong TOTP code, submit to the first page again", wrong_code)
        timing("1b. wrong password, submit to the first page again", wrong_password)

        # The same with plain HTTP: the continuation form is answerable once.
        session = requests.Session()
        page, _, _ = self.authorize(session, self.c["client"]["id"], self.rp.redirect_uri("a"))
        response, _ = self.post_login(session, page, u["name"], u["password"])
        forms = [f for f in scenarios.Forms(response.text).forms if "conversation" in f["inputs"]]
        if not ck.check("1b. plain HTTP: the password → 200 continuation page with a conversation field",
                        response.status_code == 200 and len(forms) == 1, f"{response.status_code} {response.text[:300]}"):
            return
        data = dict(forms[0]["inputs"])
        data["answer"] = wrong_totp(u["secret"])
        first = session.post(self.issuer + "/login", data=data, allow_redirects=False, timeout=30)
        ck.check("1b. plain HTTP: a wrong code → 400, the first page with the generic message",
                 first.status_code == 400 and INVALID in first.text and "Location" not in first.headers, f"{first.status_code} {first.text[:300]}")
        again = session.post(self.issuer + "/login", data=data, allow_redirects=False, timeout=30)
        ck.check(f"1b. plain HTTP: the same continuation form posted again → 400 \"{FORM_EXPIRED}…\"",
                 again.status_code == 400 and FORM_EXPIRED in again.text and "Location" not in again.headers,
                 f"{again.status_code} {again.text[:300]}")

    def s2a_expired(self):
        ck, u = self.checks, self.c["users"]["exp"]
        old, new = u["password"], u["new_password"]
        started = self.begin("a")
        self.submit_login(u["name"], old)

        def answer_for(label):
            if label.startswith("Current password"):
                return old
            if label.startswith("New password") or label.startswith("Retype new password"):
                return new
            return None

        seen = self.walk(answer_for)
        total = time.monotonic() - started
        labels = [s["label"] for s in seen]
        print(f"note: 2a. continuation pages: {seen}", flush=True)
        ck.equal("2a. expired password: the continuation pages ask pam_unix's prompts in order",
                 ["Current password:", "New password:", "Retype new password:"], labels)
        first_messages = " ".join(text for _, text in seen[0]["messages"]) if seen else ""
        ck.check(f"2a. the first one shows pam_unix's \"{MUST_CHANGE} (administrator enforced).\" in #pam-messages",
                 MUST_CHANGE in first_messages, str(seen[:1]))
        ck.check("2a. every answer field is type=password; the new-password ones autocomplete=new-password",
                 bool(seen) and all(s["type"] == "password" for s in seen)
                 and all(s["autocomplete"] == "new-password" for s in seen if "ew password" in s["label"]), str(seen))
        ck.check("2a. after the change, the relying party has a token for " + u["name"], self.signed_in("a", u["name"]), self.where())
        timing("2a. expired-password sign-in with the change in Chromium, first page load to the RP's callback done", total)
        fresh = password_grant(self.sockets["a"], u["name"], new)
        ck.check("2a. then the password grant with the NEW password → 200, a token for " + u["name"],
                 fresh.status == 200 and jwt_payload(fresh.body.get("access_token")).get("sub") == u["name"], repr(fresh))
        stale = password_grant(self.sockets["a"], u["name"], old)
        ck.check("2a. and with the old password → 400 invalid_grant", stale.status == 400 and stale.error == "invalid_grant", repr(stale))
        changed = last_password_change(u["name"])
        ck.check("2a. chage -l: the last password change is today", changed in today_for_chage(), changed)

    def s2c_refused(self):
        ck, u = self.checks, self.c["users"]["exp3"]
        old = u["password"]
        self.begin("a")
        self.submit_login(u["name"], old)
        seen = self.walk(lambda label: old if label.startswith("Current password")
                         else "ab" if label.startswith("New password") or label.startswith("Retype new password") else None)
        print(f"note: 2c. continuation pages: {seen}", flush=True)
        ck.check(f"2c. a too short new password: pam_unix asks again, its \"{TOO_SHORT}\" shown with the next \"New password:\"",
                 any(s["label"].startswith("New password") and any(TOO_SHORT in text for _, text in s["messages"]) for s in seen), str(seen))
        alert = self.alert()
        ck.check(f"2c. when pam_unix gives up: the first page again with \"{NOT_CHANGED} …{TOO_SHORT}\"",
                 self.on_login_page() and not self.on_continuation() and NOT_CHANGED in alert and TOO_SHORT in alert,
                 f"{alert!r} at {self.where()}")
        posts = self.login_posts()
        ck.check("2c. the last POST /login answered 400", bool(posts) and posts[-1] == 400, str(posts))
        ck.equal("2c. the relying party got no callback for " + u["name"], [], [r for r in self.rp.callbacks() if r.get("sub") == u["name"]])
        grant = password_grant(self.sockets["a"], u["name"], old)
        ck.check(f"2c. the old password still is the password, still expired: the grant → 400 invalid_grant \"…{EXPIRED}…\"",
                 grant.status == 400 and grant.error == "invalid_grant" and EXPIRED in grant.description, repr(grant))
        ck.equal("2c. chage -l: still \"password must be changed\"", "password must be changed", last_password_change(u["name"]))

    def s2d_no_password_change(self):
        ck, u = self.checks, self.c["users"]["exp3"]
        self.begin("b")
        if not ck.check("2d. allow_password_change = false: the second daemon's sign-in page", self.on_login_page(), self.where()):
            return
        self.submit_login(u["name"], u["password"])
        alert = self.alert()
        print(f"note: 2d. the page said: {alert!r}", flush=True)
        ck.check("2d. the expired user gets the first page again with an error, no continuation page",
                 self.on_login_page() and not self.on_continuation() and bool(alert), self.where())
        ck.equal("2d. its POST /login answered 400", [400], self.login_posts())
        ck.equal("2d. the relying party got no callback", [], self.rp.callbacks("b"))
        grant = password_grant(self.sockets["b"], u["name"], u["password"])
        ck.check(f"2d. the password grant → 400 invalid_grant \"…{EXPIRED}…\"",
                 grant.status == 400 and grant.error == "invalid_grant" and EXPIRED in grant.description, repr(grant))
        ck.equal("2d. chage -l: still \"password must be changed\"", "password must be changed", last_password_change(u["name"]))

    def run(self):
        scenarios_ = [self.s0_password_only, self.s1a_totp, self.s1b_wrong_code, self.s2a_expired, self.s2c_refused,
                      self.s2d_no_password_change]
        try:
            self.rp.start()
            self.start_browser()
            run_scenarios(self.checks, scenarios_)
        finally:
            if self.driver is not None:
                self.driver.quit()
            if self.rp.thread.is_alive():
                self.rp.stop()
        print(f"browser scenarios: {self.checks.passed} passed, {self.checks.failed} failed", flush=True)
        return self.checks.failed == 0


def main():
    sys.exit(0 if Browser(load_config()).run() else 1)


if __name__ == "__main__":
    main()
