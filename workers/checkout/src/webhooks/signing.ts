// Standard Webhooks signing (https://www.standardwebhooks.com): `webhook-signature` is a space-separated list of
// `v1,<base64 HMAC-SHA256(secret, "<webhook-id>.<webhook-timestamp>.<body>")>`, one per secret in use (the new and,
// during a rotation's overlap, the previous one), plus `v1a,<base64 Ed25519 signature>` of the same content when the
// endpoint has a key pair. The secret is `whsec_` + base64 of its random bytes; the key is those bytes.

export const toBase64 = (bytes: ArrayBuffer | Uint8Array) =>
  btoa(String.fromCharCode(...(bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes))));
export const fromBase64 = (text: string) => Uint8Array.from(atob(text), (c) => c.charCodeAt(0));

/** A new signing secret: `whsec_` and 32 random bytes in base64 (the spec asks for 24 to 64). */
export const newSigningSecret = () => `whsec_${toBase64(crypto.getRandomValues(new Uint8Array(32)))}`;

/** A new Ed25519 pair: the private key as PKCS #8, the public key as the spec's `whpk_` + base64 of its raw bytes. */
export async function newEd25519Pair(): Promise<{ privateKey: string; publicKey: string }> {
  const pair = (await crypto.subtle.generateKey({ name: "Ed25519" }, true, ["sign", "verify"])) as CryptoKeyPair;
  const pkcs8 = (await crypto.subtle.exportKey("pkcs8", pair.privateKey)) as ArrayBuffer;
  const raw = (await crypto.subtle.exportKey("raw", pair.publicKey)) as ArrayBuffer;
  return { privateKey: toBase64(pkcs8), publicKey: `whpk_${toBase64(raw)}` };
}

export interface SigningKeys {
  /** `whsec_…`, newest first. */
  secrets: string[];
  /** PKCS #8, base64. */
  ed25519PrivateKey: string | null;
}

/** Signs with every key in use: `(id, timestamp, body) => webhook-signature`; the keys are imported once. */
export async function signer(keys: SigningKeys) {
  const hmacKeys = await Promise.all(
    keys.secrets.map((secret) =>
      crypto.subtle.importKey(
        "raw",
        fromBase64(secret.slice("whsec_".length)),
        { name: "HMAC", hash: "SHA-256" },
        false,
        ["sign"],
      ),
    ),
  );
  const ed25519 =
    keys.ed25519PrivateKey === null
      ? null
      : await crypto.subtle.importKey("pkcs8", fromBase64(keys.ed25519PrivateKey), { name: "Ed25519" }, false, [
          "sign",
        ]);
  return async (id: string, timestamp: number, body: string): Promise<string> => {
    const content = new TextEncoder().encode(`${id}.${timestamp}.${body}`);
    const signatures = await Promise.all(
      hmacKeys.map(async (key) => `v1,${toBase64(await crypto.subtle.sign("HMAC", key, content))}`),
    );
    if (ed25519) signatures.push(`v1a,${toBase64(await crypto.subtle.sign("Ed25519", ed25519, content))}`);
    return signatures.join(" ");
  };
}
