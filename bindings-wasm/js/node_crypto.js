// The signature primitives of the package's nodejs build, taken from `node:crypto` (OpenSSL,
// native code) instead of compiling RustCrypto into the module. src/node_crypto.rs installs them
// as jsonwebtoken's crypto provider; which algorithm a key may verify, and every other rule, stays
// in core. All of it is synchronous, like `OrgGuard.authorize`.
//
// Keys arrive as jsonwebtoken holds them: an EC public key as the uncompressed point
// (0x04 ‖ x ‖ y), an Ed25519 public key as its 32 bytes, an RSA public key as (n, e), private
// keys as the DER inside their PKCS#8 PEM (for RSA, the PKCS#1 key within it), HMAC secrets raw.
// Anything malformed throws; the Rust side turns a throw into jsonwebtoken's error.
import * as crypto from "node:crypto";

const DIGEST = {
  HS256: "sha256", HS384: "sha384", HS512: "sha512",
  RS256: "sha256", RS384: "sha384", RS512: "sha512",
  PS256: "sha256", PS384: "sha384", PS512: "sha512",
  ES256: "sha256", ES384: "sha384",
  EdDSA: null,
};
const CURVE = { ES256: ["P-256", 32], ES384: ["P-384", 48] };

function digestOf(alg) {
  if (!Object.hasOwn(DIGEST, alg)) throw new Error(`unsupported algorithm ${alg}`);
  return DIGEST[alg];
}

const b64u = (bytes) => Buffer.from(bytes).toString("base64url");

/** The public JWK of a key as jsonwebtoken stores it. */
function publicJwk(alg, a, b) {
  if (alg === "EdDSA") {
    if (a.length !== 32) throw new Error("an Ed25519 public key is 32 bytes");
    return { kty: "OKP", crv: "Ed25519", x: b64u(a) };
  }
  if (Object.hasOwn(CURVE, alg)) {
    const [crv, size] = CURVE[alg];
    if (a.length !== 1 + 2 * size || a[0] !== 4) throw new Error(`not an uncompressed ${crv} point`);
    return { kty: "EC", crv, x: b64u(a.subarray(1, 1 + size)), y: b64u(a.subarray(1 + size)) };
  }
  if (alg.startsWith("RS") || alg.startsWith("PS")) return { kty: "RSA", n: b64u(a), e: b64u(b) };
  throw new Error(`unsupported algorithm ${alg}`);
}

// Parsed keys, most recently used last: parsing a key costs more than verifying with it. A JWKS
// holds at most 64 keys, so the bound only matters to callers cycling through key sets.
const MAX_CACHED_KEYS = 256;
const cachedKeys = new Map();

function cached(id, make) {
  let key = cachedKeys.get(id);
  if (key === undefined) {
    key = make();
    if (cachedKeys.size >= MAX_CACHED_KEYS) cachedKeys.delete(cachedKeys.keys().next().value);
    cachedKeys.set(id, key);
  }
  return key;
}

function verifyingKey(alg, a, b) {
  const id = `pub ${alg} ${b64u(a)} ${b64u(b)}`;
  return cached(id, () => crypto.createPublicKey({ key: publicJwk(alg, a, b), format: "jwk" }));
}

function signingKey(alg, der) {
  const type = alg.startsWith("RS") || alg.startsWith("PS") ? "pkcs1" : "pkcs8";
  const id = `priv ${alg} ${b64u(der)}`;
  return cached(id, () => {
    const key = crypto.createPrivateKey({ key: Buffer.from(der), format: "der", type });
    const expected = alg === "EdDSA" ? "ed25519" : Object.hasOwn(CURVE, alg) ? "ec" : "rsa";
    if (key.asymmetricKeyType !== expected) throw new Error(`not an ${expected} private key`);
    if (expected === "ec" && key.asymmetricKeyDetails?.namedCurve !== { ES256: "prime256v1", ES384: "secp384r1" }[alg]) {
      throw new Error(`the key's curve does not match ${alg}`);
    }
    return key;
  });
}

function keyOptions(alg, key) {
  if (Object.hasOwn(CURVE, alg)) return { key, dsaEncoding: "ieee-p1363" };
  if (alg.startsWith("PS")) {
    return { key, padding: crypto.constants.RSA_PKCS1_PSS_PADDING, saltLength: crypto.constants.RSA_PSS_SALTLEN_DIGEST };
  }
  return key;
}

/** Throws unless (a, b) is a usable public key for `alg` (EC and Ed25519 keys are checked when
 * the verifier is made, as RustCrypto does). */
export function nodeCheckPublicKey(alg, a, b) {
  verifyingKey(alg, a, b);
}

/** Whether `signature` is `alg`'s signature of `message` under the public key (a, b) or, for
 * HMAC, the secret `a`. Never throws: a malformed key or signature does not verify. */
export function nodeVerify(alg, a, b, message, signature) {
  try {
    const digest = digestOf(alg);
    if (alg.startsWith("HS")) {
      const mac = crypto.createHmac(digest, a).update(message).digest();
      return mac.length === signature.length && crypto.timingSafeEqual(mac, signature);
    }
    return crypto.verify(digest, message, keyOptions(alg, verifyingKey(alg, a, b)), signature);
  } catch {
    return false;
  }
}

/** `alg`'s signature of `message` with the private key `der` or, for HMAC, the secret `der`. */
export function nodeSign(alg, der, message) {
  const digest = digestOf(alg);
  if (alg.startsWith("HS")) return crypto.createHmac(digest, der).update(message).digest();
  return crypto.sign(digest, message, keyOptions(alg, signingKey(alg, der)));
}

/** Throws unless `der` is a usable private key for `alg`. */
export function nodeCheckPrivateKey(alg, der) {
  signingKey(alg, der);
}

/** The public half of the private key `der` as a JWK object (`n`/`e`, `x`/`y` or `x`). */
export function nodePublicJwk(alg, der) {
  return crypto.createPublicKey(signingKey(alg, der)).export({ format: "jwk" });
}

/** `data` hashed with `hash` ("sha256", "sha384" or "sha512"), for JWK thumbprints. */
export function nodeDigest(hash, data) {
  return crypto.createHash(hash).update(data).digest();
}
