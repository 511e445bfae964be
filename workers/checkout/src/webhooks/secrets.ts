// Signing secrets must be usable to sign, so they cannot be hashed like API keys: they are kept encrypted at rest
// (AES-GCM, a fresh IV each time, under a key derived from WEBHOOK_SECRETS_KEY), so a copy of the database alone
// does not give them away. A secret is shown to its merchant once, when created or rotated.
import { fromBase64, toBase64 } from "./signing.ts";

async function keyOf(env: Env): Promise<CryptoKey> {
  if (!env.WEBHOOK_SECRETS_KEY) {
    throw new Error(
      "WEBHOOK_SECRETS_KEY is not set: `wrangler secret put WEBHOOK_SECRETS_KEY` for the checkout Worker",
    );
  }
  const material = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(env.WEBHOOK_SECRETS_KEY));
  return crypto.subtle.importKey("raw", material, { name: "AES-GCM" }, false, ["encrypt", "decrypt"]);
}

/** `v1.<iv>.<ciphertext>`, both base64. */
export async function seal(env: Env, plain: string): Promise<string> {
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const sealed = await crypto.subtle.encrypt(
    { name: "AES-GCM", iv },
    await keyOf(env),
    new TextEncoder().encode(plain),
  );
  return `v1.${toBase64(iv)}.${toBase64(sealed)}`;
}

export async function unseal(env: Env, sealed: string): Promise<string> {
  const [, iv = "", data = ""] = sealed.split(".");
  const plain = await crypto.subtle.decrypt(
    { name: "AES-GCM", iv: fromBase64(iv) },
    await keyOf(env),
    fromBase64(data),
  );
  return new TextDecoder().decode(plain);
}
