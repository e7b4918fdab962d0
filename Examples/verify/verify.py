#!/usr/bin/env python3
"""Verify a pamtoken access token in Python with PyJWT (pip install pyjwt cryptography).

    python3 verify.py http://127.0.0.1:8719 "$(pamtoken token)"
"""
import json, sys, urllib.request
import jwt

issuer, token = sys.argv[1], sys.argv[2]
metadata = json.load(urllib.request.urlopen(issuer + "/.well-known/openid-configuration"))
signing_key = jwt.PyJWKClient(metadata["jwks_uri"]).get_signing_key_from_jwt(token)
claims = jwt.decode(token, signing_key.key, algorithms=[signing_key.algorithm_name],
                    audience="pamtoken", issuer=metadata["issuer"])
assert jwt.get_unverified_header(token)["typ"] == "at+jwt"
print(claims["sub"], claims["uid"], ",".join(claims["groups"]))
