#!/usr/bin/env python3
"""The smallest relying party that completes an OpenID Connect authorization-code flow with PKCE:
the standard library's HTTP server, run in a thread of browser.py. No part of pamtoken's code.

One server serves several providers (daemons), each under a path of its own:

  GET /<provider>/login     a new state, nonce and PKCE verifier, then 303 to the issuer's /authorize
  GET /<provider>/callback  checks state and iss, exchanges the code at /token (HTTP Basic, the
                            verifier), asks /userinfo who it is, records everything and shows
                            "Signed in as <sub>" (or "Sign-in failed: …")

`records` keeps one dict per callback: provider, token (the /token answer), nonce, sub, error.
"""
import base64
import hashlib
import html
import json
import secrets
import threading
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlsplit


def pkce():
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    return verifier, challenge


def http(method, url, data=None, headers=None):
    """(status, parsed JSON or text) of a request, errors included."""
    body = urlencode(data).encode() if data is not None else None
    request = urllib.request.Request(url, data=body, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            status, text = response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        status, text = error.code, error.read().decode()
    try:
        return status, json.loads(text)
    except ValueError:
        return status, text


class RelyingParty:
    def __init__(self, port, providers):
        """providers: {name: {"issuer": URL, "client_id": id, "secret": secret}}."""
        self.base = f"http://127.0.0.1:{port}"
        self.providers = providers
        self.pending = {}
        self.records = []
        self.lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", port), self._handler())
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def start(self):
        self.thread.start()
        return self

    def stop(self):
        self.server.shutdown()
        self.server.server_close()

    def redirect_uri(self, provider):
        return f"{self.base}/{provider}/callback"

    def callbacks(self, provider=None):
        with self.lock:
            return [r for r in self.records if provider is None or r["provider"] == provider]

    def _login(self, provider):
        p = self.providers[provider]
        verifier, challenge = pkce()
        state, nonce = secrets.token_urlsafe(16), secrets.token_urlsafe(16)
        with self.lock:
            self.pending[state] = (provider, verifier, nonce)
        query = urlencode({
            "response_type": "code", "client_id": p["client_id"], "redirect_uri": self.redirect_uri(provider),
            "scope": "openid profile", "state": state, "nonce": nonce,
            "code_challenge": challenge, "code_challenge_method": "S256",
        })
        return 303, {"Location": p["issuer"] + "/authorize?" + query}, ""

    def _callback(self, provider, params):
        p = self.providers[provider]
        with self.lock:
            provider_of_state, verifier, nonce = self.pending.pop(params.get("state", ""), (None, None, None))
        record = {"provider": provider, "nonce": nonce, "token": None, "sub": None, "error": None}
        if provider_of_state != provider:
            record["error"] = "unknown state"
        elif "error" in params:
            record["error"] = params["error"]
        elif params.get("iss") != p["issuer"]:
            record["error"] = f"iss {params.get('iss')!r}"
        else:
            basic = base64.b64encode(f"{p['client_id']}:{p['secret']}".encode()).decode()
            status, token = http("POST", p["issuer"] + "/token", {
                "grant_type": "authorization_code", "code": params.get("code", ""),
                "redirect_uri": self.redirect_uri(provider), "code_verifier": verifier,
            }, {"Authorization": "Basic " + basic})
            if status != 200 or not isinstance(token, dict):
                record["error"] = f"token endpoint: {status} {token}"
            else:
                record["token"] = token
                status, info = http("GET", p["issuer"] + "/userinfo", headers={"Authorization": "Bearer " + token.get("access_token", "")})
                if status == 200 and isinstance(info, dict):
                    record["sub"] = info.get("sub")
                else:
                    record["error"] = f"userinfo: {status} {info}"
        with self.lock:
            self.records.append(record)
        if record["error"]:
            return 400, {}, f"<p id=\"result\">Sign-in failed: {html.escape(record['error'])}</p>"
        return 200, {}, f"<p id=\"result\">Signed in as {html.escape(record['sub'] or '')}</p>"

    def _handler(self):
        rp = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                url = urlsplit(self.path)
                parts = url.path.strip("/").split("/")
                params = {k: v[0] for k, v in parse_qs(url.query).items()}
                if len(parts) == 2 and parts[0] in rp.providers and parts[1] == "login":
                    status, headers, body = rp._login(parts[0])
                elif len(parts) == 2 and parts[0] in rp.providers and parts[1] == "callback":
                    status, headers, body = rp._callback(parts[0], params)
                else:
                    status, headers, body = 404, {}, "<p>not found</p>"
                page = f"<!doctype html><title>Test RP</title>{body}\n".encode()
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(page)))
                self.end_headers()
                self.wfile.write(page)

            def log_message(self, *args):
                pass

        return Handler
