#!/usr/bin/env python3
"""Verify a pamtoken access token in Python with PyJWT (pip install pyjwt cryptography).

    python3 verify.py http://127.0.0.1:8719 "$(pamtoken token)"
"""
import json, sys, urllib.request
import jwt

issuer, token = sys.argv[1].rstrip("/"), sys.argv[2]
metadata = json.load(urllib.request.urlopen(issuer + "/.well-known/openid-configuration"))
# Trust the issuer you were configured with, not whichever one the document names, and keys only
# from under it (https or this machine), as OpenID Connect Discovery 1.0 §4.3 requires.
assert metadata["issuer"] == issuer, f"the daemon says its issuer is {metadata['issuer']}, not {issuer}"
assert metadata["jwks_uri"].startswith(issuer + "/"), "the JWKS is not under the issuer"
signing_key = jwt.PyJWKClient(metadata["jwks_uri"]).get_signing_key_from_jwt(token)
claims = jwt.decode(token, signing_key.key, algorithms=[signing_key.algorithm_name],
                    audience="pamtoken", issuer=issuer)
assert jwt.get_unverified_header(token)["typ"] == "at+jwt"
print(claims["sub"], claims["uid"], ",".join(claims["groups"]))
