// Verify a pamtoken access token in Node.js (18+) with nothing but the standard library.
//
//     node verify.mjs http://127.0.0.1:8719 "$(pamtoken token)"
import { createPublicKey, verify } from "node:crypto";

const [configured, token] = process.argv.slice(2);
const issuer = configured.replace(/\/$/, "");
const metadata = await (await fetch(`${issuer}/.well-known/openid-configuration`, { redirect: "error" })).json();
// Trust the issuer you were configured with, and keys only from under it (OpenID Discovery §4.3).
if (metadata.issuer !== issuer || !metadata.jwks_uri.startsWith(`${issuer}/`)) throw new Error("unexpected issuer or JWKS location");
const { keys } = await (await fetch(metadata.jwks_uri, { redirect: "error" })).json();
const [h, p, s] = token.split(".");
const header = JSON.parse(Buffer.from(h, "base64url"));
const claims = JSON.parse(Buffer.from(p, "base64url"));
const jwk = keys.find((k) => k.kid === header.kid);
if (!jwk || header.alg !== jwk.alg || header.typ !== "at+jwt") throw new Error("unknown key or wrong token type");
const algorithm = { ES256: "sha256", RS256: "sha256", EdDSA: null }[jwk.alg];
const ok = verify(algorithm, Buffer.from(`${h}.${p}`),
  { key: createPublicKey({ key: jwk, format: "jwk" }), dsaEncoding: "ieee-p1363" }, Buffer.from(s, "base64url"));
const now = Date.now() / 1000;
if (!ok || claims.iss !== issuer || ![claims.aud].flat().includes("pamtoken") || claims.exp <= now || claims.nbf > now + 5)
  throw new Error("invalid token");
console.log(claims.sub, claims.uid, claims.groups.join(","));
