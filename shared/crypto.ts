// Hashing for secrets kept at rest (API keys, refresh tokens): SHA-256, hex. Works in workerd and Node alike.
export async function sha256Hex(text: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}
