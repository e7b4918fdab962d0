#!/usr/bin/env python3
"""Runs the Flask + Authlib application of docs/browser-sign-in.md (extracted by Tests/e2e/extract_recipes.py)
unchanged, as `python APP.py` would, and records what the test needs to check it from outside:

  RECORD_DIR/authorize.jsonl  one line per sign-in started: {"url": the /authorize URL}
  RECORD_DIR/tokens.jsonl     one line per callback: the token response Authlib accepted
                              (id_token, access_token, refresh_token …), or {"error": …}

It wraps Authlib's own methods (not the application's code), so the application runs exactly as
printed; browser-e2e.sh then verifies the recorded ID token independently (verify_id_token.py).

    rp_harness.py APP.py RECORD_DIR
"""
import json
import os
import runpy
import sys

from authlib.integrations.flask_client.apps import FlaskOAuth2App


def append(record_dir, name, entry):
    with open(os.path.join(record_dir, name), "a", encoding="utf-8") as f:
        f.write(json.dumps(entry) + "\n")


def main():
    app_path, record_dir = sys.argv[1], sys.argv[2]
    original_redirect = FlaskOAuth2App.authorize_redirect
    original_token = FlaskOAuth2App.authorize_access_token

    def authorize_redirect(self, *args, **kwargs):
        response = original_redirect(self, *args, **kwargs)
        append(record_dir, "authorize.jsonl", {"url": response.headers.get("Location")})
        return response

    def authorize_access_token(self, *args, **kwargs):
        try:
            token = original_token(self, *args, **kwargs)
        except Exception as error:  # recorded, then raised as before: the application answers 500
            append(record_dir, "tokens.jsonl", {"error": f"{type(error).__name__}: {error}"})
            raise
        append(record_dir, "tokens.jsonl", dict(token))
        return token

    FlaskOAuth2App.authorize_redirect = authorize_redirect
    FlaskOAuth2App.authorize_access_token = authorize_access_token
    sys.argv = [app_path]
    runpy.run_path(app_path, run_name="__main__")


if __name__ == "__main__":
    main()
