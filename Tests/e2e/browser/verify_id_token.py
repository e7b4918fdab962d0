#!/usr/bin/env python3
"""Verifies an ID token of pamtokend independently of the relying party that received it, with
joserfc and the daemon's published keys: signature (kid in the JWKS, alg among the discovery
document's id_token_signing_alg_values_supported, header typ JWT), iss, aud, exp, iat, nonce,
at_hash (bound to the access token that came with it), amr and sid. Prints the claims as JSON.

    verify_id_token.py ISSUER CLIENT_ID ID_TOKEN ACCESS_TOKEN NONCE
"""
import base64
import hashlib
import json
import sys
import time

import requests
from joserfc import jwt
from joserfc.jwk import KeySet
from joserfc.jws import extract_compact

HASHES = {"256": hashlib.sha256, "384": hashlib.sha384, "512": hashlib.sha512}


class Invalid(Exception):
    pass


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def at_hash(access_token, alg):
    # OpenID Connect Core 3.1.3.6: the left half of the hash of the access token, with the hash of
    # the JWS algorithm (SHA-512 for EdDSA with Ed25519).
    digest = HASHES.get(alg[-3:], hashlib.sha512)(access_token.encode("ascii")).digest()
    return b64url(digest[: len(digest) // 2])


def verify(issuer, client_id, id_token, access_token, nonce, leeway=5):
    """The verified claims; raises Invalid naming the first check that failed."""
    metadata = requests.get(issuer + "/.well-known/openid-configuration", timeout=10).json()
    if metadata.get("issuer") != issuer:
        raise Invalid(f"discovery names issuer {metadata.get('issuer')!r}")
    algs = metadata.get("id_token_signing_alg_values_supported") or []
    header = extract_compact(id_token.encode()).protected
    if header.get("alg") not in algs:
        raise Invalid(f"alg {header.get('alg')!r} is not in id_token_signing_alg_values_supported {algs}")
    if header.get("typ") != "JWT":
        raise Invalid(f"header typ is {header.get('typ')!r}, not JWT")
    jwks = requests.get(metadata["jwks_uri"], timeout=10).json()
    if header.get("kid") not in [key.get("kid") for key in jwks.get("keys", [])]:
        raise Invalid(f"kid {header.get('kid')!r} is not in the JWKS")
    try:
        token = jwt.decode(id_token, KeySet.import_key_set(jwks), algorithms=[header["alg"]])
    except Exception as error:
        raise Invalid(f"signature: {type(error).__name__}: {error}") from error
    claims, now = token.claims, time.time()
    if claims.get("iss") != issuer:
        raise Invalid(f"iss {claims.get('iss')!r}")
    aud = claims.get("aud")
    if aud != client_id and not (isinstance(aud, list) and client_id in aud):
        raise Invalid(f"aud {aud!r}")
    if isinstance(aud, list) and len(aud) > 1 and claims.get("azp") != client_id:
        raise Invalid("several audiences and no azp naming the client")
    for name in ("exp", "iat", "auth_time"):
        if not isinstance(claims.get(name), int):
            raise Invalid(f"{name} missing or not an integer: {claims.get(name)!r}")
    if claims["exp"] <= now - leeway:
        raise Invalid(f"expired (exp {claims['exp']}, now {int(now)})")
    if claims["iat"] > now + leeway or claims["auth_time"] > now + leeway:
        raise Invalid("iat or auth_time in the future")
    if claims.get("nonce") != nonce:
        raise Invalid(f"nonce {claims.get('nonce')!r}, expected {nonce!r}")
    if claims.get("at_hash") != at_hash(access_token, header["alg"]):
        raise Invalid(f"at_hash {claims.get('at_hash')!r} does not match the access token")
    if claims.get("amr") != ["pwd"]:
        raise Invalid(f"amr {claims.get('amr')!r}")
    if not claims.get("sid"):
        raise Invalid("no sid")
    if not claims.get("sub"):
        raise Invalid("no sub")
    return claims


def main():
    issuer, client_id, id_token, access_token, nonce = sys.argv[1:6]
    try:
        print(json.dumps(verify(issuer, client_id, id_token, access_token, nonce), sort_keys=True))
    except Invalid as error:
        sys.exit(f"invalid ID token: {error}")


if __name__ == "__main__":
    main()
