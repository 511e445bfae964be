// Publishable keys, remembered per isolate for a few seconds, so a storefront's calls need no libSQL round trip for
// its key. A publishable key grants no more than anonymous reach, so a revocation may take up to
// PUBLISHABLE_KEY_CACHE_SECONDS to reach other isolates (the revoking one forgets at once). Secret keys are never
// cached; unknown keys are, so made-up keys cannot flood the database. Bounded: past MAX_ENTRIES the oldest goes.
import type { FoundKey } from "../api-keys/keys.ts";

const MAX_ENTRIES = 10_000;
const DEFAULT_SECONDS = 30;

interface Entry {
  key: FoundKey | undefined;
  until: number;
}

const entries = new Map<string, Entry>();

export function cacheSeconds(env: { PUBLISHABLE_KEY_CACHE_SECONDS?: string }): number {
  const n = Number(env.PUBLISHABLE_KEY_CACHE_SECONDS);
  return env.PUBLISHABLE_KEY_CACHE_SECONDS !== undefined && Number.isFinite(n) && n >= 0 ? n : DEFAULT_SECONDS;
}

/** The remembered lookup of this key: `{ key }` (undefined key: known not to exist), or null if not remembered. */
export function recall(value: string, now = Date.now()): { key: FoundKey | undefined } | null {
  const entry = entries.get(value);
  if (!entry) return null;
  if (entry.until > now) return { key: entry.key };
  entries.delete(value);
  return null;
}

export function remember(value: string, key: FoundKey | undefined, seconds: number, now = Date.now()): void {
  if (seconds <= 0) return;
  entries.delete(value);
  if (entries.size >= MAX_ENTRIES) {
    const oldest = entries.keys().next().value;
    if (oldest !== undefined) entries.delete(oldest);
  }
  entries.set(value, { key, until: now + seconds * 1000 });
}

/** Forgets a key by id (revoked, or changed) in this isolate. */
export function forget(keyId: string): void {
  for (const [value, entry] of entries) if (entry.key?.id === keyId) entries.delete(value);
}
