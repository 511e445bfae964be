// API keys: merchant secret keys (sk_test_/sk_live_, with scopes), publishable keys (pk_test_/pk_live_, with allowed
// origins) and creator keys (ck_test_). A key is shown once; only its SHA-256 is stored, and every request looks it
// up by that hash (no cache across requests), so a revoked key stops working at once.
import { z } from "@hono/zod-openapi";
import { eq, inArray } from "drizzle-orm";
import { sha256Hex } from "#shared/crypto.ts";
import type { Database } from "#shared/db.ts";
import { newId } from "#shared/ids.ts";
import { resourceFields } from "#shared/openapi/schemas.ts";
import { type Scope, scopes } from "#shared/principal.ts";
import { apiKeys, creators, merchants } from "#shared/schema.ts";

export type KeyKind = "secret" | "publishable" | "creator";
export type KeyMode = "test" | "live";

const prefixes = { secret: "sk", publishable: "pk", creator: "ck" } as const;

function randomHex(bytes: number): string {
  return Array.from(crypto.getRandomValues(new Uint8Array(bytes)), (b) => b.toString(16).padStart(2, "0")).join("");
}

/** A new key (160 random bits) with the row that stores only its hash. */
export async function mintKey(options: {
  kind: KeyKind;
  mode: KeyMode;
  merchantId?: string;
  creatorId?: string;
  scopes?: Scope[];
  allowedOrigins?: string[];
}) {
  const key = `${prefixes[options.kind]}_${options.mode}_${randomHex(20)}`;
  const row = {
    id: newId("key"),
    merchantId: options.merchantId ?? null,
    creatorId: options.creatorId ?? null,
    kind: options.kind === "publishable" ? ("publishable" as const) : ("secret" as const),
    displayPrefix: `${key.slice(0, 12)}…`,
    hash: await sha256Hex(key),
    scopes: options.scopes ?? [],
    allowedOrigins: options.allowedOrigins ?? [],
    createdAt: new Date().toISOString(),
  };
  return { key, row };
}

export const ApiKeySchema = z
  .object({
    ...resourceFields("api_key", "key"),
    kind: z.enum(["secret", "publishable"]),
    mode: z.enum(["test", "live"]),
    displayPrefix: z.string().openapi({ example: "sk_test_4f2a…" }),
    scopes: z.array(z.string()),
    allowedOrigins: z.array(z.string()),
    createdAt: z.string(),
    lastUsedAt: z.string().nullable(),
    revokedAt: z.string().nullable(),
  })
  .openapi("ApiKey");

export const ApiKeyWithSecretSchema = ApiKeySchema.extend({
  key: z.string().openapi({ description: "The key itself. Shown this once; only its hash is stored." }),
}).openapi("ApiKeyWithSecret");

export type ApiKey = z.infer<typeof ApiKeySchema>;

type KeyRow = Pick<
  typeof apiKeys.$inferSelect,
  "id" | "kind" | "displayPrefix" | "scopes" | "allowedOrigins" | "createdAt" | "lastUsedAt" | "revokedAt"
>;

export function modeOf(displayPrefix: string): KeyMode {
  return displayPrefix.slice(3, 7) === "live" ? "live" : "test";
}

export function toApiKey(row: KeyRow): ApiKey {
  return {
    id: row.id,
    object: "api_key",
    kind: row.kind,
    mode: modeOf(row.displayPrefix),
    displayPrefix: row.displayPrefix,
    scopes: row.scopes,
    allowedOrigins: row.allowedOrigins,
    createdAt: row.createdAt,
    lastUsedAt: row.lastUsedAt,
    revokedAt: row.revokedAt,
  };
}

/** A key just minted, as its owner sees it this once: the API shape plus the key itself. */
export function revealed(minted: Awaited<ReturnType<typeof mintKey>>): ApiKey & { key: string } {
  return { ...toApiKey({ ...minted.row, lastUsedAt: null, revokedAt: null }), key: minted.key };
}

export const keyColumns = {
  id: apiKeys.id,
  kind: apiKeys.kind,
  displayPrefix: apiKeys.displayPrefix,
  scopes: apiKeys.scopes,
  allowedOrigins: apiKeys.allowedOrigins,
  createdAt: apiKeys.createdAt,
  lastUsedAt: apiKeys.lastUsedAt,
  revokedAt: apiKeys.revokedAt,
};

export function isScope(value: string): value is Scope {
  return (scopes as readonly string[]).includes(value);
}

export interface FoundKey {
  id: string;
  kind: "secret" | "publishable";
  displayPrefix: string;
  merchantId: string | null;
  creatorId: string | null;
  merchantStatus: "active" | "suspended" | null;
  scopes: string[];
  allowedOrigins: string[];
  lastUsedAt: string | null;
  revokedAt: string | null;
  hash: string;
}

/** The keys with these values, in one round trip (their owners' status joined in). */
export async function findKeys(db: Database, values: string[]): Promise<Map<string, FoundKey>> {
  const hashes = await Promise.all(values.map((v) => sha256Hex(v)));
  const rows = await db
    .select({
      id: apiKeys.id,
      kind: apiKeys.kind,
      displayPrefix: apiKeys.displayPrefix,
      merchantId: apiKeys.merchantId,
      creatorId: apiKeys.creatorId,
      merchantStatus: merchants.status,
      scopes: apiKeys.scopes,
      allowedOrigins: apiKeys.allowedOrigins,
      lastUsedAt: apiKeys.lastUsedAt,
      revokedAt: apiKeys.revokedAt,
      hash: apiKeys.hash,
    })
    .from(apiKeys)
    .leftJoin(merchants, eq(merchants.id, apiKeys.merchantId))
    .where(inArray(apiKeys.hash, hashes));
  const byHash = new Map(rows.map((r) => [r.hash, r]));
  const found = new Map<string, FoundKey>();
  values.forEach((value, i) => {
    const row = byHash.get(hashes[i] ?? "");
    if (row) found.set(value, row);
  });
  return found;
}

/** A creator's key (`ck_…`) and its creator, in one round trip; null when unknown or revoked. */
export async function findCreatorByKey(db: Database, creatorKey: string) {
  const [row] = await db
    .select({ keyId: apiKeys.id, revokedAt: apiKeys.revokedAt, creator: creators })
    .from(apiKeys)
    .innerJoin(creators, eq(creators.id, apiKeys.creatorId))
    .where(eq(apiKeys.hash, await sha256Hex(creatorKey)));
  return row && row.revokedAt === null ? row : null;
}
