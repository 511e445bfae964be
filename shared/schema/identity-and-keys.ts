// Who acts on the platform and how they prove it: merchants, creators, shoppers, their API keys and refresh
// tokens, the platform's signing keys, the OIDC issuers it trusts, and the replays of retried writes.
import { sql } from "drizzle-orm";
import { check, index, integer, primaryKey, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import { status, timestamp } from "./columns.ts";

export const merchants = sqliteTable("merchants", {
  id: text("id").primaryKey(),
  name: text("name").notNull(),
  handle: text("handle").notNull().unique(),
  ...status("active", "suspended"),
  // Creators may shelve this merchant's products in their notes and streams, earning this rate.
  allowsPromotion: integer("allows_promotion", { mode: "boolean" }).notNull().default(true),
  commissionRateBps: integer("commission_rate_bps").notNull().default(1000),
  followerCount: integer("follower_count").notNull().default(0),
  createdAt: timestamp("created_at"),
});

// The identity an operator-configured OIDC issuer vouches for (issuer and subject); each table keeps it unique.
const oidcIdentity = () => ({ oidcIssuer: text("oidc_issuer"), oidcSubject: text("oidc_subject") });

export const creators = sqliteTable(
  "creators",
  {
    id: text("id").primaryKey(),
    name: text("name").notNull(),
    handle: text("handle").notNull().unique(),
    bio: text("bio").notNull().default(""),
    avatarUrl: text("avatar_url"),
    followerCount: integer("follower_count").notNull().default(0),
    // Set when the creator signed in through an operator-configured creator-role OIDC issuer (one creator each).
    ...oidcIdentity(),
    createdAt: timestamp("created_at"),
  },
  (t) => [uniqueIndex("creators_oidc").on(t.oidcIssuer, t.oidcSubject)],
);

// People who buy: a guest (no issuer) or an identity from an operator-configured OIDC issuer.
export const shoppers = sqliteTable(
  "shoppers",
  {
    id: text("id").primaryKey(),
    ...oidcIdentity(),
    displayName: text("display_name"),
    createdAt: timestamp("created_at"),
  },
  (t) => [uniqueIndex("shoppers_oidc").on(t.oidcIssuer, t.oidcSubject)],
);

export const apiKeys = sqliteTable(
  "api_keys",
  {
    id: text("id").primaryKey(),
    // A merchant's secret or publishable key, or a creator's secret key (exchanged for creator tokens).
    merchantId: text("merchant_id").references(() => merchants.id),
    creatorId: text("creator_id").references(() => creators.id),
    kind: text("kind", { enum: ["secret", "publishable"] }).notNull(),
    // What the owner sees in listings (`sk_test_4f2a…`); the key itself is only ever stored as its SHA-256.
    displayPrefix: text("display_prefix").notNull(),
    hash: text("hash").notNull().unique(),
    scopes: text("scopes", { mode: "json" }).$type<string[]>().notNull(),
    allowedOrigins: text("allowed_origins", { mode: "json" }).$type<string[]>().notNull(),
    createdAt: timestamp("created_at"),
    lastUsedAt: text("last_used_at"),
    revokedAt: text("revoked_at"),
  },
  (t) => [
    index("api_keys_merchant").on(t.merchantId),
    index("api_keys_creator").on(t.creatorId),
    check("api_keys_owner", sql`(${t.merchantId} IS NULL) != (${t.creatorId} IS NULL)`),
  ],
);

// The platform's token signing keys (EdDSA). One is current; the previous one still verifies until its tokens expire.
export const signingKeys = sqliteTable("signing_keys", {
  kid: text("kid").primaryKey(),
  publicJwk: text("public_jwk", { mode: "json" }).$type<Record<string, string>>().notNull(),
  privateJwk: text("private_jwk", { mode: "json" }).$type<Record<string, string>>().notNull(),
  status: text("status", { enum: ["current", "previous", "retired"] }).notNull(),
  createdAt: timestamp("created_at"),
  retiredAt: text("retired_at"),
});

// Rotating refresh tokens, stored hashed; reusing a rotated one revokes its whole family.
export const refreshTokens = sqliteTable(
  "refresh_tokens",
  {
    id: text("id").primaryKey(),
    familyId: text("family_id").notNull(),
    subjectType: text("subject_type", { enum: ["shopper", "creator"] }).notNull(),
    subjectId: text("subject_id").notNull(),
    // The storefront (publishable key) the session was opened through, if any.
    keyId: text("key_id"),
    tokenHash: text("token_hash").notNull().unique(),
    ...status("active", "rotated", "revoked"),
    expiresAt: text("expires_at").notNull(),
    createdAt: timestamp("created_at"),
  },
  (t) => [index("refresh_tokens_family").on(t.familyId)],
);

// Identity providers whose ID tokens the platform accepts in exchange for shopper or creator identities.
export const oidcIssuers = sqliteTable("oidc_issuers", {
  id: text("id").primaryKey(),
  issuer: text("issuer").notNull().unique(),
  jwksUrl: text("jwks_url").notNull(),
  audience: text("audience").notNull(),
  role: text("role", { enum: ["shopper", "creator"] }).notNull(),
  createdAt: timestamp("created_at"),
});

// Replays of retried writes: the first response, kept 24 h per caller and key.
export const idempotencyKeys = sqliteTable(
  "idempotency_keys",
  {
    caller: text("caller").notNull(),
    key: text("key").notNull(),
    requestHash: text("request_hash").notNull(),
    status: text("status", { enum: ["in_progress", "done"] }).notNull(),
    responseStatus: integer("response_status"),
    responseBody: text("response_body"),
    responseHeaders: text("response_headers", { mode: "json" }).$type<Record<string, string>>(),
    createdAt: timestamp("created_at"),
    expiresAt: text("expires_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.caller, t.key] }), index("idempotency_keys_expiry").on(t.expiresAt)],
);
