#!/usr/bin/env python3
"""The browser sign-in scenarios of browser-e2e.sh: headless Chromium (Selenium) and plain HTTP
requests against a running pamtokend, Apache with mod_auth_openidc, and the Flask + Authlib
application of docs/browser-sign-in.md. Prints one `ok: …` or `FAILED: …` line per check and
`time: …` lines; exits 1 if any check failed.

    scenarios.py CONFIG.json

CONFIG names the URLs, the clients, the users and their passwords, the record directory of
rp_harness.py and the Chromium and chromedriver binaries (browser-e2e.sh writes it).
"""
import base64
import hashlib
import json
import os
import secrets
import subprocess
import sys
import time
import traceback
from html.parser import HTMLParser
from urllib.parse import parse_qs, quote, urljoin, urlsplit

import requests
from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.ui import WebDriverWait

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import verify_id_token  # noqa: E402

INVALID = "Invalid username or password."
REFUSED_ACCOUNT = "This account may not sign in now."


class Checks:
    def __init__(self):
        self.passed = self.failed = 0

    def check(self, what, ok, detail=""):
        if ok:
            self.passed += 1
            print(f"ok: {what}", flush=True)
        else:
            self.failed += 1
            print(f"FAILED: {what}" + (f" ({detail})" if detail else ""), flush=True)
        return ok

    def equal(self, what, expected, actual):
        return self.check(what, expected == actual, f"expected {expected!r}, got {actual!r}")


def run_scenarios(checks, scenarios):
    """Runs each scenario in turn, timing it; one that raises is a failed check, and the next still runs."""
    for scenario in scenarios:
        started = time.monotonic()
        try:
            scenario()
        except Exception as error:
            traceback.print_exc()
            checks.check(f"{scenario.__name__} ran to its end", False, f"{type(error).__name__}: {error}"[:300])
        timing(f"scenario {scenario.__name__}", time.monotonic() - started)


def timing(what, seconds):
    print(f"time: {what}: {seconds * 1000:.0f} ms", flush=True)


class Forms(HTMLParser):
    """The forms of a page: [{"action", "method", "inputs": {name: value}}]."""

    def __init__(self, text):
        super().__init__()
        self.forms = []
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "form":
            self.forms.append({"action": attributes.get("action"), "method": (attributes.get("method") or "get").lower(), "inputs": {}})
        elif tag in ("input", "button") and self.forms and attributes.get("name"):
            self.forms[-1]["inputs"][attributes["name"]] = attributes.get("value") or ""


def pkce():
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    return verifier, challenge


def query(url):
    return {name: values[0] for name, values in parse_qs(urlsplit(url).query).items()}


class Test:
    def __init__(self, config):
        self.c = config
        self.issuer = config["issuer"]
        self.apache = config["apache"]
        self.app = config["app"]
        self.checks = Checks()
        self.driver = None

    # ---- plain HTTP (requests) -------------------------------------------------------------

    def authorize(self, session, client, redirect, **overrides):
        """GET /authorize with a valid request unless overridden (None drops a parameter)."""
        verifier, challenge = pkce()
        params = {
            "response_type": "code", "client_id": client, "redirect_uri": redirect, "scope": "openid profile groups",
            "state": secrets.token_urlsafe(12), "nonce": secrets.token_urlsafe(12),
            "code_challenge": challenge, "code_challenge_method": "S256",
        }
        params.update(overrides)
        params = {k: v for k, v in params.items() if v is not None}
        response = session.get(self.issuer + "/authorize", params=params, allow_redirects=False, timeout=30)
        return response, params, verifier

    def login_form(self, page):
        for form in Forms(page.text).forms:
            if form["method"] == "post" and form["action"] and urlsplit(urljoin(page.url, form["action"])).path == "/login":
                return form
        return None

    def post_login(self, session, page, username, password, drop=(), **replace):
        form = self.login_form(page) or {"inputs": {}}
        data = {"request": form["inputs"].get("request", ""), "csrf": form["inputs"].get("csrf", ""),
                "username": username, "password": password}
        data.update(replace)
        for name in drop:
            data.pop(name, None)
        started = time.monotonic()
        response = session.post(self.issuer + "/login", data=data, allow_redirects=False, timeout=30)
        return response, time.monotonic() - started

    def apache_client(self):
        return self.c["apache_client"]["id"], self.c["apache_client"]["redirect_uri"]

    def token(self, data, auth=None):
        auth = auth or (self.c["apache_client"]["id"], self.c["apache_client"]["secret"])
        return requests.post(self.issuer + "/token", data=data, auth=auth, timeout=30)

    def userinfo_status(self, access_token):
        return requests.get(self.issuer + "/userinfo", headers={"Authorization": f"Bearer {access_token}"}, timeout=30).status_code

    def sign_in_code(self, user):
        """A code for the apache client through /authorize and /login: (code, params, verifier)."""
        session = requests.Session()
        client, redirect_uri = self.apache_client()
        page, params, verifier = self.authorize(session, client, redirect_uri)
        response, _ = self.post_login(session, page, user["name"], user["password"])
        location = response.headers.get("Location", "")
        return query(location).get("code"), params, verifier, response

    # ---- the browser ------------------------------------------------------------------------

    def start_browser(self):
        options = Options()
        options.binary_location = self.c["chromium"]
        for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--no-first-run",
                         "--disable-extensions", "--password-store=basic", "--window-size=1024,768",
                         f"--user-data-dir={self.c['profile_dir']}"):
            options.add_argument(argument)
        options.set_capability("goog:loggingPrefs", {"performance": "ALL"})
        service = Service(executable_path=self.c["chromedriver"], log_output=self.c["chromedriver_log"])
        started = time.monotonic()
        self.driver = webdriver.Chrome(service=service, options=options)
        self.driver.set_page_load_timeout(30)
        timing("Chromium start", time.monotonic() - started)

    def hops(self):
        """The document requests since the last call: [{"method", "url", "status", "headers"}], redirects included."""
        hops, by_id = [], {}
        for entry in self.driver.get_log("performance"):
            message = json.loads(entry["message"])["message"]
            method, params = message.get("method"), message.get("params", {})
            if method == "Network.requestWillBeSent" and params.get("type") == "Document":
                request_id = params["requestId"]
                if "redirectResponse" in params and request_id in by_id:
                    by_id[request_id]["status"] = params["redirectResponse"]["status"]
                    by_id[request_id]["headers"] = params["redirectResponse"]["headers"]
                hop = {"method": params["request"]["method"], "url": params["request"]["url"], "status": None, "headers": {}}
                hops.append(hop)
                by_id[request_id] = hop
            elif method == "Network.responseReceived" and params.get("type") == "Document":
                hop = by_id.get(params["requestId"])
                if hop is not None:
                    hop["status"] = params["response"]["status"]
                    hop["headers"] = params["response"]["headers"]
        return hops

    @staticmethod
    def html(hop):
        return any(k.lower() == "content-type" and v.startswith("text/html") for k, v in hop["headers"].items())

    def daemon_hops(self, hops, path):
        return [hop for hop in hops if hop["url"].startswith(self.issuer + path)]

    def clear_cookies(self):
        self.driver.execute_cdp_cmd("Network.clearBrowserCookies", {})

    def cookies(self):
        return {cookie["name"]: cookie for cookie in self.driver.execute_cdp_cmd("Network.getAllCookies", {})["cookies"]}

    def text(self):
        return self.driver.find_element(By.TAG_NAME, "body").text

    def on_login_page(self):
        return self.driver.current_url.startswith(self.issuer) and bool(self.driver.find_elements(By.ID, "username"))

    def wait_ready(self):
        WebDriverWait(self.driver, 30).until(lambda d: d.execute_script("return document.readyState") == "complete")

    def submit_login(self, user, password):
        """Types into the sign-in page and submits; the seconds until the next page has loaded."""
        field = self.driver.find_element(By.ID, "username")
        field.clear()
        field.send_keys(user)
        self.driver.find_element(By.ID, "password").send_keys(password)
        page = self.driver.find_element(By.TAG_NAME, "html")
        started = time.monotonic()
        self.driver.find_element(By.ID, "sign-in").click()
        WebDriverWait(self.driver, 30).until(expected_conditions.staleness_of(page))
        self.wait_ready()
        return time.monotonic() - started

    def records(self, name):
        path = os.path.join(self.c["record_dir"], name)
        if not os.path.exists(path):
            return []
        with open(path, encoding="utf-8") as f:
            return [json.loads(line) for line in f if line.strip()]

    # ---- scenarios ----------------------------------------------------------------------------

    def discovery(self):
        meta = requests.get(self.issuer + "/.well-known/openid-configuration", timeout=10).json()
        ck = self.checks
        ck.equal("discovery: issuer", self.issuer, meta.get("issuer"))
        ck.equal("discovery: authorization_endpoint", self.issuer + "/authorize", meta.get("authorization_endpoint"))
        ck.equal("discovery: end_session_endpoint", self.issuer + "/end_session", meta.get("end_session_endpoint"))
        ck.equal("discovery: code_challenge_methods_supported", ["S256"], meta.get("code_challenge_methods_supported"))
        ck.equal("discovery: response_types_supported", ["code"], meta.get("response_types_supported"))
        ck.check("discovery: grant_types_supported has authorization_code", "authorization_code" in (meta.get("grant_types_supported") or []),
                 str(meta.get("grant_types_supported")))
        ck.equal("discovery: authorization_response_iss_parameter_supported", True, meta.get("authorization_response_iss_parameter_supported"))

    def s1_sign_in_at_apache(self):
        ck, alice = self.checks, self.c["alice"]
        # The sign-in page's headers, as mod_auth_openidc's redirect leads to it.
        first = requests.get(self.apache + "/protected/", allow_redirects=False, timeout=30)
        location = first.headers.get("Location", "")
        ck.check("1. Apache /protected/ without a session redirects to the daemon's /authorize", first.status_code in (302, 303)
                 and location.startswith(self.issuer + "/authorize?"), f"{first.status_code} {location}")
        params = query(location)
        ck.equal("1. mod_auth_openidc sends a PKCE S256 challenge", "S256", params.get("code_challenge_method"))
        page = requests.get(location, allow_redirects=False, timeout=30)
        h = page.headers
        csp = h.get("Content-Security-Policy", "")
        ck.equal("1. sign-in page: 200", 200, page.status_code)
        ck.check("1. sign-in page: CSP default-src 'none' and frame-ancestors 'none'", "default-src 'none'" in csp and "frame-ancestors 'none'" in csp, csp)
        ck.check("1. sign-in page: CSP has no script-src and no 'unsafe-inline'", "script-src" not in csp and "unsafe-inline" not in csp, csp)
        ck.check("1. sign-in page: CSP form-action 'self' and the redirect URI's origin",
                 "form-action 'self'" in csp and self.apache in csp, csp)
        ck.equal("1. sign-in page: X-Frame-Options", "DENY", h.get("X-Frame-Options"))
        ck.check("1. sign-in page: Cache-Control no-store", "no-store" in h.get("Cache-Control", ""), h.get("Cache-Control"))
        # same-origin, not no-referrer: under no-referrer a browser posts the form with Origin: null.
        ck.equal("1. sign-in page: Referrer-Policy (no Referer to other sites)", "same-origin", h.get("Referrer-Policy"))
        ck.equal("1. sign-in page: X-Content-Type-Options", "nosniff", h.get("X-Content-Type-Options"))
        ck.equal("1. sign-in page: Content-Type", "text/html; charset=utf-8", h.get("Content-Type"))
        cookie = next((c for c in page.raw.headers.getlist("Set-Cookie") if c.startswith("pamtoken_login=")), "")
        attributes = {a.strip().split("=")[0].lower(): a.strip() for a in cookie.split(";")[1:]}
        ck.check("1. sign-in page: cookie pamtoken_login HttpOnly, SameSite=Lax, Path=/",
                 "httponly" in attributes and attributes.get("samesite", "").lower() == "samesite=lax"
                 and attributes.get("path") == "Path=/", cookie or str(page.raw.headers.getlist("Set-Cookie")))
        ck.check("1. sign-in page: no <script>", "<script" not in page.text.lower())
        form = self.login_form(page)
        ck.check("1. sign-in page: a POST form to /login with username, password, request, csrf",
                 form is not None and {"username", "password", "request", "csrf"} <= set(form["inputs"]), str(form))

        # The browser.
        self.hops()
        started = time.monotonic()
        self.driver.get(self.apache + "/protected/")
        shown = time.monotonic()
        ck.check("1. browser: Apache /protected/ shows the daemon's sign-in page", self.on_login_page(), self.driver.current_url)
        ck.check("1. browser: the sign-in page names the application (Team wiki)", "Team wiki" in self.text(), self.text()[:200])
        submitted = self.submit_login(alice["name"], alice["password"])
        total = time.monotonic() - started
        body = self.text()
        ck.check("1. browser: after sign-in, Apache's protected page shows REMOTE_USER=" + alice["name"],
                 self.driver.current_url.startswith(self.apache + "/protected/") and f"user={alice['name']}" in body,
                 f"{self.driver.current_url}: {body[:300]}")
        ck.check("1. browser: and OIDC_CLAIM_groups with " + self.c["staff"], self.c["staff"] in body.split("groups=")[-1].split("\n")[0], body[:300])
        hops = self.hops()
        posts = [hop for hop in self.daemon_hops(hops, "/login") if hop["method"] == "POST"]
        browser_authorize = self.daemon_hops(hops, "/authorize")
        sent_state = query(browser_authorize[0]["url"]).get("state") if browser_authorize else None
        location = next((v for k, v in posts[0]["headers"].items() if k.lower() == "location"), "") if posts else ""
        answer = query(location)
        ck.check("1. browser: POST /login answered 303 to Apache's redirect URI with code, state and iss",
                 len(posts) == 1 and posts[0]["status"] == 303
                 and location.startswith(self.c["apache_client"]["redirect_uri"] + "?")
                 and answer.get("code", "").startswith("pac_")
                 and sent_state is not None and answer.get("state") == sent_state
                 and answer.get("iss") == self.issuer, str(posts)[:300])
        cookies = self.cookies()
        sso = cookies.get("pamtoken_sso")
        ck.check("1. browser: the SSO cookie pamtoken_sso is HttpOnly, SameSite=Lax",
                 sso is not None and sso.get("httpOnly") and sso.get("sameSite") == "Lax", str(sso))
        # Cookies ignore ports: on a host of its own (docs/browser-sign-in.md) the issuer's cookie never
        # reaches the applications.
        issuer_host = self.issuer.split("//")[1].split(":")[0]
        ck.check("1. browser: the SSO cookie belongs to the issuer's host alone, not the applications'",
                 sso is not None and sso.get("domain") == issuer_host and issuer_host not in self.apache, str(sso))
        timing("1. sign-in at Apache: first page load to the protected page (typing included)", total)
        timing("1. sign-in at Apache: first page load to the sign-in page shown", shown - started)
        timing("1. sign-in at Apache: submit to the protected page (PAM, code exchange, redirects)", submitted)
        self.apache_sid = body.split("sid=")[-1].split("\n")[0].strip() if "sid=" in body else None

    def s2_sso_at_authlib(self):
        ck, alice = self.checks, self.c["alice"]
        before = len(self.records("tokens.jsonl"))
        self.hops()
        started = time.monotonic()
        self.driver.get(self.app + "/")
        WebDriverWait(self.driver, 30).until(lambda d: d.current_url.startswith(self.app) or self.on_login_page())
        self.wait_ready()
        elapsed = time.monotonic() - started
        hops = self.hops()
        ck.check("2. SSO: the Authlib application signs alice in without a sign-in page",
                 not self.on_login_page() and f"Signed in as {alice['name']}" in self.text(), f"{self.driver.current_url}: {self.text()[:200]}")
        authorize = self.daemon_hops(hops, "/authorize")
        ck.check("2. SSO: /authorize answered 303 at once (no 200 sign-in page on the way)",
                 len(authorize) == 1 and authorize[0]["status"] == 303, str([(h["url"][:60], h["status"]) for h in authorize]))
        if authorize:
            redirect = query(authorize[0]["headers"].get("location") or authorize[0]["headers"].get("Location") or "")
            ck.equal("2. SSO: the redirect carries iss", self.issuer, redirect.get("iss"))
        timing("2. SSO at the Authlib application: first page load to signed in", elapsed)
        tokens = self.records("tokens.jsonl")[before:]
        started_auth = self.records("authorize.jsonl")
        if not ck.check("2. Authlib accepted the token response (its own ID token checks passed)",
                        len(tokens) == 1 and "id_token" in tokens[0], str(tokens)[:300]):
            return
        token = tokens[0]
        self.authlib_token = token
        nonce = query(started_auth[-1]["url"]).get("nonce")
        try:
            claims = verify_id_token.verify(self.issuer, "authlib", token["id_token"], token["access_token"], nonce)
            ck.check("2. joserfc verifies the ID token independently (JWKS signature, iss, aud, exp, nonce, at_hash, amr, sid)", True)
        except verify_id_token.Invalid as error:
            ck.check("2. joserfc verifies the ID token independently (JWKS signature, iss, aud, exp, nonce, at_hash, amr, sid)", False, str(error))
            return
        ck.equal("2. ID token: sub", alice["name"], claims.get("sub"))
        ck.equal("2. ID token: preferred_username", alice["name"], claims.get("preferred_username"))
        ck.equal("2. ID token: name (GECOS)", alice["gecos"], claims.get("name"))
        ck.check("2. ID token: groups has " + self.c["staff"], self.c["staff"] in (claims.get("groups") or []), str(claims.get("groups")))
        ck.check("2. ID token: no uid/gid without the posix scope", "uid" not in claims and "gid" not in claims, str(claims))
        if self.apache_sid:
            ck.equal("2. both applications' ID tokens name the same SSO session (sid)", self.apache_sid, claims.get("sid"))
        info = requests.get(self.issuer + "/userinfo", headers={"Authorization": f"Bearer {token['access_token']}"}, timeout=30)
        ck.check("2. /userinfo with the Authlib access token names alice and her groups",
                 info.status_code == 200 and info.json().get("sub") == alice["name"] and self.c["staff"] in info.json().get("groups", []),
                 f"{info.status_code} {info.text[:200]}")

    def s7_logout(self):
        ck = self.checks
        back = self.apache + "/loggedout.html"
        self.hops()
        self.driver.get(self.apache + "/protected/redirect_uri?logout=" + quote(back, safe=""))
        self.wait_ready()
        hops = self.hops()
        ck.equal("7. logout through Apache (?logout=) ends on the registered post-logout page", back, self.driver.current_url)
        end = self.daemon_hops(hops, "/end_session")
        ck.check("7. logout: mod_auth_openidc called /end_session with id_token_hint, answered 303",
                 len(end) == 1 and "id_token_hint=" in end[0]["url"] and end[0]["status"] == 303,
                 str([(h["url"][:80], h["status"]) for h in end]))
        ck.check("7. logout: the SSO cookie is gone from the browser", "pamtoken_sso" not in self.cookies(), str(list(self.cookies())))
        token = getattr(self, "authlib_token", None)
        if token:
            ck.equal("7. logout: the session the Authlib application started from the SSO is revoked (/userinfo 401)",
                     401, self.userinfo_status(token["access_token"]))
            refresh = self.token({"grant_type": "refresh_token", "refresh_token": token.get("refresh_token", "")},
                                 auth=("authlib", self.c["authlib_secret"]))
            ck.check("7. logout: and its refresh token is refused (invalid_grant)",
                     refresh.status_code == 400 and refresh.json().get("error") == "invalid_grant", f"{refresh.status_code} {refresh.text[:200]}")
        self.driver.get(self.app + "/login")
        self.wait_ready()
        ck.check("7. after logout, the Authlib application's sign-in gets the sign-in page again (SSO ended)", self.on_login_page(),
                 self.driver.current_url)
        ck.check("7. the sign-in page names the application (Reports)", "Reports" in self.text(), self.text()[:200])
        self.driver.get(self.apache + "/protected/")
        self.wait_ready()
        ck.check("7. after logout, Apache's /protected/ gets the sign-in page again", self.on_login_page(), self.driver.current_url)

    def s3_wrong_password(self):
        ck, alice = self.checks, self.c["alice"]
        floor = self.c["failure_delay_ms"] / 1000 * 0.9
        if not self.on_login_page():
            self.driver.get(self.apache + "/protected/")
            self.wait_ready()
        self.hops()
        elapsed = self.submit_login(alice["name"], "not-" + alice["password"])
        hops = self.hops()
        ck.check("3. browser: a wrong password shows the generic message on the sign-in page again",
                 self.on_login_page() and INVALID in self.text(), self.text()[:300])
        posts = [hop for hop in self.daemon_hops(hops, "/login") if hop["method"] == "POST"]
        ck.check("3. browser: the wrong password's POST /login answered 400", len(posts) == 1 and posts[0]["status"] == 400, str(posts)[:300])
        ck.check(f"3. browser: the wrong password took ≥ {floor:.2f} s (failure_delay_ms)", elapsed >= floor, f"{elapsed:.3f} s")
        timing("3. wrong password in the browser, submit to the answer", elapsed)
        ck.check("3. browser: no SSO cookie after a wrong password", "pamtoken_sso" not in self.cookies())

        client, redirect_uri = self.apache_client()
        answers = {}
        for label, name in (("an existing user", alice["name"]), ("an unknown user", "ptb-nosuchuser")):
            session = requests.Session()
            page, _, _ = self.authorize(session, client, redirect_uri)
            response, took = self.post_login(session, page, name, "Wrong-password-1")
            answers[label] = (response, took)
            ck.check(f"3. wrong password for {label}: 400 with the generic message",
                     response.status_code == 400 and INVALID in response.text and "Location" not in response.headers,
                     f"{response.status_code} {response.text[:200]}")
            ck.check(f"3. wrong password for {label}: took ≥ {floor:.2f} s", took >= floor, f"{took:.3f} s")
            timing(f"3. POST /login, wrong password for {label}", took)

        def normalized(response, name):
            text = response.text.replace(name, "NAME")
            for form in Forms(response.text).forms:
                for value in form["inputs"].values():
                    if len(value) >= 8:
                        text = text.replace(value, "VALUE")
            return text

        known, unknown = answers["an existing user"][0], answers["an unknown user"][0]
        ck.check("3. an existing and an unknown user's failures look the same (status, headers, page)",
                 known.status_code == unknown.status_code
                 and sorted(k for k in known.headers if k.lower() not in ("date", "content-length"))
                 == sorted(k for k in unknown.headers if k.lower() not in ("date", "content-length"))
                 and normalized(known, alice["name"]) == normalized(unknown, "ptb-nosuchuser"))

    def s4_bad_requests(self):
        ck = self.checks
        client, redirect_uri = self.apache_client()
        session = requests.Session()
        response, params, _ = self.authorize(session, client, redirect_uri, code_challenge=None, code_challenge_method=None)
        location = response.headers.get("Location", "")
        answer = query(location)
        ck.check("4. no code_challenge → 303 to the redirect URI with error=invalid_request, state and iss",
                 response.status_code == 303 and location.startswith(redirect_uri + "?") and answer.get("error") == "invalid_request"
                 and answer.get("state") == params["state"] and answer.get("iss") == self.issuer, f"{response.status_code} {location}")
        response, _, _ = self.authorize(session, client, redirect_uri, code_challenge_method="plain")
        ck.check("4. code_challenge_method=plain → error=invalid_request", query(response.headers.get("Location", "")).get("error") == "invalid_request",
                 f"{response.status_code} {response.headers.get('Location')}")
        response, _, _ = self.authorize(session, client, redirect_uri, prompt="none")
        ck.check("4. prompt=none without an SSO session → error=login_required",
                 query(response.headers.get("Location", "")).get("error") == "login_required", f"{response.status_code} {response.headers.get('Location')}")
        for label, overrides in (("a redirect_uri that is not registered", {"redirect_uri": redirect_uri + "x"}),
                                 ("another site's redirect_uri", {"redirect_uri": "http://evil.example/cb"}),
                                 ("an unknown client_id", {"client_id": "no-such-client"}),
                                 ("no client_id", {"client_id": None})):
            response, _, _ = self.authorize(session, client, redirect_uri, **overrides)
            ck.check(f"4. {label} → 400 HTML error page, no Location",
                     response.status_code == 400 and "Location" not in response.headers and response.headers.get("Content-Type", "").startswith("text/html"),
                     f"{response.status_code} {response.headers.get('Location')}")

    def s5_code_replay(self):
        ck, alice = self.checks, self.c["alice"]
        client, redirect_uri = self.apache_client()
        code, params, verifier, response = self.sign_in_code(alice)
        location = response.headers.get("Location", "")
        if not ck.check("5. POST /login with the right password → 303 to the redirect URI with a code", response.status_code == 303
                        and location.startswith(redirect_uri + "?") and bool(code), f"{response.status_code} {location}"):
            return
        answer = query(location)
        ck.check("5. the code comes with the request's state and iss", answer.get("state") == params["state"] and answer.get("iss") == self.issuer, location)
        wrong_secret = self.token({"grant_type": "authorization_code", "code": "pac_nothing", "redirect_uri": redirect_uri,
                                   "code_verifier": verifier}, auth=(client, "not-the-secret"))
        ck.check("5. a wrong client secret → 401 invalid_client with WWW-Authenticate: Basic",
                 wrong_secret.status_code == 401 and wrong_secret.json().get("error") == "invalid_client"
                 and wrong_secret.headers.get("WWW-Authenticate", "").startswith("Basic"), f"{wrong_secret.status_code} {wrong_secret.text[:200]}")
        exchange = {"grant_type": "authorization_code", "code": code, "redirect_uri": redirect_uri, "code_verifier": verifier}
        started = time.monotonic()
        first = self.token(exchange)
        timing("5. code exchange at /token", time.monotonic() - started)
        body = first.json() if first.headers.get("Content-Type", "").startswith("application/json") else {}
        if not ck.check("5. the first exchange → 200 with access, refresh and ID tokens",
                        first.status_code == 200 and all(k in body for k in ("access_token", "refresh_token", "id_token"))
                        and body.get("token_type") == "Bearer", f"{first.status_code} {first.text[:300]}"):
            return
        try:
            verify_id_token.verify(self.issuer, client, body["id_token"], body["access_token"], params["nonce"])
            ck.check("5. its ID token verifies (nonce, at_hash …)", True)
        except verify_id_token.Invalid as error:
            ck.check("5. its ID token verifies (nonce, at_hash …)", False, str(error))
        ck.equal("5. its access token works at /userinfo", 200, self.userinfo_status(body["access_token"]))
        second = self.token(exchange)
        ck.check("5. the same code again → 400 invalid_grant", second.status_code == 400 and second.json().get("error") == "invalid_grant",
                 f"{second.status_code} {second.text[:200]}")
        ck.equal("5. after the replay, the first exchange's access token fails /userinfo (401)", 401, self.userinfo_status(body["access_token"]))
        refresh = self.token({"grant_type": "refresh_token", "refresh_token": body["refresh_token"]})
        ck.check("5. and its refresh token is refused (invalid_grant)", refresh.status_code == 400 and refresh.json().get("error") == "invalid_grant",
                 f"{refresh.status_code} {refresh.text[:200]}")
        code, params, verifier, _ = self.sign_in_code(alice)
        wrong = self.token({"grant_type": "authorization_code", "code": code, "redirect_uri": redirect_uri, "code_verifier": pkce()[0]})
        ck.check("5. a code with the wrong PKCE verifier → 400 invalid_grant", wrong.status_code == 400 and wrong.json().get("error") == "invalid_grant",
                 f"{wrong.status_code} {wrong.text[:200]}")

    def s9_csrf(self):
        ck, alice = self.checks, self.c["alice"]
        client, redirect_uri = self.apache_client()
        for label, kwargs in (("without the csrf field", {"drop": ("csrf",)}), ("with a wrong csrf value", {"csrf": "x" * 43})):
            session = requests.Session()
            page, _, _ = self.authorize(session, client, redirect_uri)
            response, _ = self.post_login(session, page, alice["name"], alice["password"], **kwargs)
            ck.check(f"9. POST /login {label} → 400, no code, no SSO cookie",
                     response.status_code == 400 and "Location" not in response.headers and "pamtoken_sso" not in response.headers.get("Set-Cookie", ""),
                     f"{response.status_code} {response.headers.get('Location')}")
        session = requests.Session()
        page, _, _ = self.authorize(session, client, redirect_uri)
        session.cookies.clear()
        response, _ = self.post_login(session, page, alice["name"], alice["password"])
        ck.check("9. POST /login without the pamtoken_login cookie (a cross-site login) → 400",
                 response.status_code == 400 and "Location" not in response.headers, f"{response.status_code} {response.headers.get('Location')}")

    def s6_allowed_groups(self):
        ck, bob = self.checks, self.c["bob"]
        self.clear_cookies()
        before = len(self.records("tokens.jsonl"))
        self.driver.get(self.app + "/login")
        self.wait_ready()
        ck.check("6. bob at the Authlib application (allowed_groups = staff): sign-in page", self.on_login_page(), self.driver.current_url)
        self.hops()
        self.submit_login(bob["name"], bob["password"])
        hops = self.hops()
        posts = [hop for hop in self.daemon_hops(hops, "/login") if hop["method"] == "POST"]
        ck.check("6. bob, not in the group: POST /login answered 403 with an HTML page",
                 len(posts) == 1 and posts[0]["status"] == 403 and self.html(posts[0]), str(posts)[:300])
        ck.check("6. bob stays on the daemon's page: no redirect to the application, no code",
                 self.driver.current_url.startswith(self.issuer) and not any(h["url"].startswith(self.app) for h in hops)
                 and "code=" not in self.driver.current_url, self.driver.current_url)
        ck.equal("6. the application got no callback for bob", before, len(self.records("tokens.jsonl")))
        session = requests.Session()
        page, _, _ = self.authorize(session, "authlib", self.c["app"] + "/callback")
        response, _ = self.post_login(session, page, bob["name"], bob["password"])
        ck.check("6. bob through plain HTTP: 403 HTML page, no Location", response.status_code == 403 and "Location" not in response.headers
                 and response.headers.get("Content-Type", "").startswith("text/html"), f"{response.status_code} {response.headers.get('Location')}")
        self.driver.get(self.apache + "/protected/")
        self.wait_ready()
        if self.on_login_page():
            self.submit_login(bob["name"], bob["password"])
        ck.check("6. bob may use the Apache site (no allowed_groups there)", f"user={bob['name']}" in self.text(), self.text()[:200])

    def s7b_logout_without_hint(self):
        """Sign-out at the daemon itself, as a client that sends no id_token_hint does (Grafana, oauth2-proxy)."""
        ck = self.checks
        if not ck.check("7b. bob has an SSO cookie to sign out of", "pamtoken_sso" in self.cookies()):
            return
        self.driver.get(self.issuer + "/end_session")
        self.wait_ready()
        ck.check("7b. /end_session without id_token_hint asks for confirmation (a sign-out button), nothing revoked yet",
                 bool(self.driver.find_elements(By.ID, "sign-out")) and "pamtoken_sso" in self.cookies(), self.text()[:200])
        page = self.driver.find_element(By.TAG_NAME, "html")
        self.hops()
        self.driver.find_element(By.ID, "sign-out").click()
        WebDriverWait(self.driver, 30).until(expected_conditions.staleness_of(page))
        self.wait_ready()
        posts = [hop for hop in self.daemon_hops(self.hops(), "/end_session") if hop["method"] == "POST"]
        ck.check("7b. the confirmation's POST /end_session answers 200 \"Signed out\" and clears the SSO cookie",
                 len(posts) == 1 and posts[0]["status"] == 200 and "pamtoken_sso" not in self.cookies(), str(posts)[:300])
        self.driver.get(self.app + "/login")
        self.wait_ready()
        ck.check("7b. after it, the Authlib application's sign-in gets the sign-in page again", self.on_login_page(), self.driver.current_url)

    def s8_expired_account(self):
        ck, alice = self.checks, self.c["alice"]
        self.clear_cookies()
        self.driver.get(self.apache + "/protected/")
        self.wait_ready()
        if self.on_login_page():
            self.submit_login(alice["name"], alice["password"])
        if not ck.check("8. alice signs in again at Apache", f"user={alice['name']}" in self.text(), self.text()[:200]):
            return
        sso = self.cookies().get("pamtoken_sso", {}).get("value")
        subprocess.run(["usermod", "-e", "1", alice["name"]], check=True)
        before = len(self.records("tokens.jsonl"))
        self.hops()
        self.driver.get(self.app + "/login")
        self.wait_ready()
        hops = self.hops()
        authorize = self.daemon_hops(hops, "/authorize")
        ck.check("8. account expired, live SSO cookie: /authorize answers 403 with an HTML page",
                 len(authorize) == 1 and authorize[0]["status"] == 403 and self.html(authorize[0]),
                 str([(h["url"][:60], h["status"]) for h in authorize]))
        ck.check("8. the page says the account may not sign in now", REFUSED_ACCOUNT in self.text(), self.text()[:200])
        ck.check("8. no redirect to the application, no code", not any(h["url"].startswith(self.app + "/callback") for h in hops)
                 and before == len(self.records("tokens.jsonl")), str([h["url"][:60] for h in hops]))
        session = requests.Session()
        session.cookies.set("pamtoken_sso", sso or "", domain=urlsplit(self.issuer).hostname, path="/")
        client, redirect_uri = self.apache_client()
        response, _, _ = self.authorize(session, client, redirect_uri)
        ck.check("8. the refusal revoked the SSO session: the same cookie now gets the sign-in page, no code",
                 response.status_code == 200 and self.login_form(response) is not None and "Location" not in response.headers,
                 f"{response.status_code} {response.headers.get('Location')}")

    def run(self):
        scenarios = [self.discovery, self.s1_sign_in_at_apache, self.s2_sso_at_authlib, self.s7_logout, self.s3_wrong_password,
                     self.s4_bad_requests, self.s5_code_replay, self.s9_csrf, self.s6_allowed_groups,
                     self.s7b_logout_without_hint, self.s8_expired_account]
        self.apache_sid = None
        try:
            self.start_browser()
            run_scenarios(self.checks, scenarios)
        finally:
            if self.driver is not None:
                self.driver.quit()
        print(f"browser scenarios: {self.checks.passed} passed, {self.checks.failed} failed", flush=True)
        return self.checks.failed == 0


def main():
    with open(sys.argv[1], encoding="utf-8") as f:
        config = json.load(f)
    sys.exit(0 if Test(config).run() else 1)


if __name__ == "__main__":
    main()
