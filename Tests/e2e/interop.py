"""Independent OAuth and JWT clients against pamtokend, with zero glue:
authlib's OAuth2 client does the password grant and a refresh; PyJWT's PyJWKClient verifies the
tokens through the discovery document; the refreshed token reads /userinfo.

    python interop.py http://127.0.0.1:PORT USER PASSWORD
"""
import sys

import jwt
import requests
from authlib.integrations.requests_client import OAuth2Session

base, user, password = sys.argv[1:4]
metadata = requests.get(base + "/.well-known/oauth-authorization-server", timeout=10).json()

client = OAuth2Session(client_id="authlib-interop", token_endpoint_auth_method="none")
first = client.fetch_token(metadata["token_endpoint"], username=user, password=password)
assert first["token_type"] == "Bearer" and first["refresh_token"].startswith("ptr_"), first.keys()
second = client.refresh_token(metadata["token_endpoint"], refresh_token=first["refresh_token"])
assert second["refresh_token"] != first["refresh_token"], "rotation"

jwks = jwt.PyJWKClient(metadata["jwks_uri"])
for token in (first["access_token"], second["access_token"]):
    key = jwks.get_signing_key_from_jwt(token)
    claims = jwt.decode(token, key.key, algorithms=[key.algorithm_name], audience="pamtoken",
                        issuer=metadata["issuer"], options={"require": ["exp", "iat", "sub", "iss", "aud"]})
    assert claims["sub"] == user and claims["client_id"] == "authlib-interop", claims

client.token = second
info = client.get(metadata["userinfo_endpoint"], timeout=10).json()
assert info["sub"] == user, info

stale = requests.post(metadata["token_endpoint"], data={"grant_type": "refresh_token", "refresh_token": first["refresh_token"]}, timeout=10)
assert stale.status_code == 400 and stale.json()["error"] == "invalid_grant", stale.text
print("interop ok:", user, "authlib password grant + refresh, PyJWKClient via discovery, userinfo, reuse refused")
