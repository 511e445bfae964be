// The database schema, one source for drizzle queries and for the SQL migrations drizzle-kit generates.
// Times are RFC 3339 UTC text (sortable, what the API returns); money is integer minor units beside its currency.
import { sql } from "drizzle-orm";
import { check, index, integer, primaryKey, real, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";

const timestamp = (name: string) => text(name).notNull().default(sql`(strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))`);

export const merchants = sqliteTable("merchants", {
  id: text("id").primaryKey(),
  name: text("name").notNull(),
  handle: text("handle").notNull().unique(),
  status: text("status", { enum: ["active", "suspended"] })
    .notNull()
    .default("active"),
  // Creators may shelve this merchant's products in their notes and streams, earning this rate.
  allowsPromotion: integer("allows_promotion", { mode: "boolean" }).notNull().default(true),
  commissionRateBps: integer("commission_rate_bps").notNull().default(1000),
  followerCount: integer("follower_count").notNull().default(0),
  createdAt: timestamp("created_at"),
});

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
    oidcIssuer: text("oidc_issuer"),
    oidcSubject: text("oidc_subject"),
    createdAt: timestamp("created_at"),
  },
  (t) => [uniqueIndex("creators_oidc").on(t.oidcIssuer, t.oidcSubject)],
);

// People who buy: a guest (no issuer) or an identity from an operator-configured OIDC issuer.
export const shoppers = sqliteTable(
  "shoppers",
  {
    id: text("id").primaryKey(),
    oidcIssuer: text("oidc_issuer"),
    oidcSubject: text("oidc_subject"),
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
    status: text("status", { enum: ["active", "rotated", "revoked"] })
      .notNull()
      .default("active"),
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

export const products = sqliteTable(
  "products",
  {
    id: text("id").primaryKey(),
    merchantId: text("merchant_id")
      .notNull()
      .references(() => merchants.id),
    title: text("title").notNull(),
    description: text("description").notNull().default(""),
    brand: text("brand"),
    category: text("category"),
    status: text("status", { enum: ["draft", "active", "archived"] })
      .notNull()
      .default("draft"),
    images: text("images", { mode: "json" }).$type<string[]>().notNull(),
    // Whether creators may shelve it in notes and streams, and at what rate (null: the merchant's default).
    allowsPromotion: integer("allows_promotion", { mode: "boolean" }).notNull().default(true),
    commissionRateBps: integer("commission_rate_bps"),
    // The title's pinyin for the search index (shared/pinyin.ts), written with the title; null until computed.
    searchPinyin: text("search_pinyin"),
    // Bumped on every change to the product or its SKUs; the ETag is derived from it.
    version: integer("version").notNull().default(1),
    createdAt: timestamp("created_at"),
    updatedAt: timestamp("updated_at"),
  },
  (t) => [
    index("products_merchant").on(t.merchantId, t.id),
    index("products_status").on(t.status, t.id),
    index("products_category").on(t.category, t.id),
    index("products_brand").on(t.brand, t.id),
  ],
);

export const skus = sqliteTable(
  "skus",
  {
    id: text("id").primaryKey(),
    productId: text("product_id")
      .notNull()
      .references(() => products.id),
    options: text("options", { mode: "json" }).$type<Record<string, string>>().notNull(),
    priceAmount: integer("price_amount").notNull(),
    currency: text("currency").notNull(),
    // Changed only together with an inventory_ledger row, so the count can always be explained.
    stock: integer("stock").notNull().default(0),
    createdAt: timestamp("created_at"),
  },
  (t) => [
    index("skus_product").on(t.productId),
    check("skus_stock_nonnegative", sql`${t.stock} >= 0`),
    check("skus_price_nonnegative", sql`${t.priceAmount} >= 0`),
  ],
);

export const inventoryLedger = sqliteTable(
  "inventory_ledger",
  {
    id: text("id").primaryKey(),
    skuId: text("sku_id")
      .notNull()
      .references(() => skus.id),
    delta: integer("delta").notNull(),
    reason: text("reason").notNull(),
    idempotencyKey: text("idempotency_key").notNull(),
    createdAt: timestamp("created_at"),
  },
  (t) => [uniqueIndex("inventory_ledger_idempotency").on(t.skuId, t.idempotencyKey)],
);

export const notes = sqliteTable(
  "notes",
  {
    id: text("id").primaryKey(),
    // Written by a creator or a shopper: exactly one of the two.
    creatorId: text("creator_id").references(() => creators.id),
    shopperId: text("shopper_id").references(() => shoppers.id),
    title: text("title").notNull(),
    body: text("body").notNull(),
    images: text("images", { mode: "json" }).$type<string[]>().notNull(),
    topics: text("topics", { mode: "json" }).$type<string[]>().notNull().default(sql`'[]'`),
    status: text("status", { enum: ["published", "deleted"] })
      .notNull()
      .default("published"),
    likeCount: integer("like_count").notNull().default(0),
    saveCount: integer("save_count").notNull().default(0),
    commentCount: integer("comment_count").notNull().default(0),
    // The title's pinyin for the search index (shared/pinyin.ts), written with the title; null until computed.
    searchPinyin: text("search_pinyin"),
    version: integer("version").notNull().default(1),
    createdAt: timestamp("created_at"),
    updatedAt: timestamp("updated_at"),
  },
  (t) => [
    index("notes_creator").on(t.creatorId, t.id),
    index("notes_shopper").on(t.shopperId, t.id),
    index("notes_status").on(t.status, t.id),
    check("notes_author", sql`(${t.creatorId} IS NULL) != (${t.shopperId} IS NULL)`),
  ],
);

export const noteProducts = sqliteTable(
  "note_products",
  {
    noteId: text("note_id")
      .notNull()
      .references(() => notes.id),
    productId: text("product_id")
      .notNull()
      .references(() => products.id),
  },
  (t) => [primaryKey({ columns: [t.noteId, t.productId] }), index("note_products_product").on(t.productId)],
);

// Likes and saves (收藏): at most one per person and note, so a repeated or concurrent like counts once.
export const noteLikes = sqliteTable(
  "note_likes",
  {
    noteId: text("note_id")
      .notNull()
      .references(() => notes.id),
    actorId: text("actor_id").notNull(),
    createdAt: timestamp("created_at"),
  },
  (t) => [primaryKey({ columns: [t.noteId, t.actorId] }), index("note_likes_actor").on(t.actorId)],
);

export const noteSaves = sqliteTable(
  "note_saves",
  {
    noteId: text("note_id")
      .notNull()
      .references(() => notes.id),
    actorId: text("actor_id").notNull(),
    createdAt: timestamp("created_at"),
  },
  (t) => [primaryKey({ columns: [t.noteId, t.actorId] }), index("note_saves_actor").on(t.actorId)],
);

export const noteComments = sqliteTable(
  "note_comments",
  {
    id: text("id").primaryKey(),
    noteId: text("note_id")
      .notNull()
      .references(() => notes.id),
    // A shopper or creator id (prefixed).
    authorId: text("author_id").notNull(),
    body: text("body").notNull(),
    createdAt: timestamp("created_at"),
    deletedAt: text("deleted_at"),
  },
  (t) => [index("note_comments_note").on(t.noteId, t.id)],
);

// Shoppers and creators follow creators and merchants; ids are prefixed, so one table serves every pair.
export const follows = sqliteTable(
  "follows",
  {
    followerId: text("follower_id").notNull(),
    followeeId: text("followee_id").notNull(),
    createdAt: timestamp("created_at"),
  },
  (t) => [primaryKey({ columns: [t.followerId, t.followeeId] }), index("follows_followee").on(t.followeeId)],
);

export const liveSessions = sqliteTable(
  "live_sessions",
  {
    id: text("id").primaryKey(),
    hostType: text("host_type", { enum: ["creator", "merchant"] }).notNull(),
    creatorId: text("creator_id").references(() => creators.id),
    merchantId: text("merchant_id").references(() => merchants.id),
    title: text("title").notNull(),
    coverUrl: text("cover_url"),
    // scheduled → live → ended, or scheduled → cancelled by its host.
    status: text("status", { enum: ["scheduled", "live", "ended", "cancelled"] })
      .notNull()
      .default("scheduled"),
    scheduledStartAt: text("scheduled_start_at").notNull(),
    startedAt: text("started_at"),
    endedAt: text("ended_at"),
    // The title's pinyin for the search index (shared/pinyin.ts), written with the title; null until computed.
    searchPinyin: text("search_pinyin"),
    createdAt: timestamp("created_at"),
    // Bumped on every change; the live Worker's per-isolate session cache and the ETag are keyed by it.
    version: integer("version").notNull().default(1),
  },
  (t) => [
    index("live_sessions_status").on(t.status, t.scheduledStartAt),
    check(
      "live_sessions_host",
      sql`(${t.hostType} = 'creator' AND ${t.creatorId} IS NOT NULL) OR (${t.hostType} = 'merchant' AND ${t.merchantId} IS NOT NULL)`,
    ),
  ],
);

export const liveSessionProducts = sqliteTable(
  "live_session_products",
  {
    sessionId: text("session_id")
      .notNull()
      .references(() => liveSessions.id),
    productId: text("product_id")
      .notNull()
      .references(() => products.id),
    position: integer("position").notNull(),
    // A creator's commission on sales from this shelf, fixed when shelved (product's rate, else the merchant's).
    commissionRateBps: integer("commission_rate_bps"),
  },
  (t) => [primaryKey({ columns: [t.sessionId, t.productId] })],
);

export const flashSales = sqliteTable(
  "flash_sales",
  {
    id: text("id").primaryKey(),
    merchantId: text("merchant_id")
      .notNull()
      .references(() => merchants.id),
    skuId: text("sku_id")
      .notNull()
      .references(() => skus.id),
    liveSessionId: text("live_session_id").references(() => liveSessions.id),
    quantity: integer("quantity").notNull(),
    priceAmount: integer("price_amount").notNull(),
    currency: text("currency").notNull(),
    perShopperLimit: integer("per_shopper_limit").notNull().default(1),
    startsAt: text("starts_at").notNull(),
    endsAt: text("ends_at").notNull(),
    createdAt: timestamp("created_at"),
  },
  (t) => [
    index("flash_sales_sku").on(t.skuId),
    check("flash_sales_quantity_positive", sql`${t.quantity} > 0`),
    check("flash_sales_window", sql`${t.endsAt} > ${t.startsAt}`),
  ],
);

// ---- Checkout: flash-sale tallies, carts, orders, payments (the checkout Worker writes these) ----

// A flash sale's counts, written behind by its FlashSaleStock object (absolute values, newer version wins), so
// reports read libSQL while the object stays the single writer of the stock during the sale.
export const flashSaleTallies = sqliteTable("flash_sale_tallies", {
  flashSaleId: text("flash_sale_id")
    .primaryKey()
    .references(() => flashSales.id),
  available: integer("available").notNull(),
  held: integer("held").notNull(),
  committed: integer("committed").notNull(),
  returned: integer("returned").notNull(),
  version: integer("version").notNull(),
  updatedAt: timestamp("updated_at"),
});

// A guest's cart belongs to its storefront (`guest:<keyId>`; the unguessable id is the capability), a person's
// to them (`shp_…` or `cre_…`). One currency and one merchant per cart.
export const carts = sqliteTable(
  "carts",
  {
    id: text("id").primaryKey(),
    ownerId: text("owner_id").notNull(),
    merchantId: text("merchant_id").references(() => merchants.id),
    currency: text("currency"),
    // Coupons the shopper applied (JSON array of ids), checked again at checkout.
    couponIds: text("coupon_ids", { mode: "json" }).$type<string[]>().notNull().default([]),
    status: text("status", { enum: ["open", "checked_out"] })
      .notNull()
      .default("open"),
    version: integer("version").notNull().default(1),
    createdAt: timestamp("created_at"),
    updatedAt: timestamp("updated_at"),
  },
  (t) => [index("carts_owner").on(t.ownerId, t.id)],
);

// A line is a SKU at the catalogue price, or a flash-sale hold at the sale price; its id is the SKU's or the hold's.
export const cartLines = sqliteTable(
  "cart_lines",
  {
    cartId: text("cart_id")
      .notNull()
      .references(() => carts.id),
    lineId: text("line_id").notNull(),
    skuId: text("sku_id")
      .notNull()
      .references(() => skus.id),
    quantity: integer("quantity").notNull(),
    holdId: text("hold_id"),
    flashSaleId: text("flash_sale_id").references(() => flashSales.id),
    attribution: text("attribution"),
    createdAt: timestamp("created_at"),
  },
  (t) => [primaryKey({ columns: [t.cartId, t.lineId] }), check("cart_lines_quantity", sql`${t.quantity} > 0`)],
);

// Human-friendly order numbers: ZC-<yyyymmdd>-<serial of the day>.
export const orderNumberCounters = sqliteTable("order_number_counters", {
  day: text("day").primaryKey(),
  last: integer("last").notNull(),
});

export const orders = sqliteTable(
  "orders",
  {
    id: text("id").primaryKey(),
    number: text("number").notNull().unique(),
    // One order per cart: a second checkout of the same cart cannot create another.
    cartId: text("cart_id")
      .notNull()
      .unique()
      .references(() => carts.id),
    ownerId: text("owner_id").notNull(),
    merchantId: text("merchant_id")
      .notNull()
      .references(() => merchants.id),
    status: text("status", {
      enum: [
        "pending_payment",
        "paid",
        "fulfilled",
        "delivered",
        "cancelled",
        "partially_refunded",
        "refunded",
        // Pre-sale orders (presales below): deposit, then balance; an unpaid balance forfeits the deposit.
        "pending_deposit",
        "deposit_paid",
        "pending_balance",
        "deposit_forfeited",
      ],
    })
      .notNull()
      .default("pending_payment"),
    currency: text("currency").notNull(),
    subtotalAmount: integer("subtotal_amount").notNull(),
    discountAmount: integer("discount_amount").notNull(),
    shippingAmount: integer("shipping_amount").notNull(),
    taxAmount: integer("tax_amount").notNull(),
    totalAmount: integer("total_amount").notNull(),
    paymentDueAt: text("payment_due_at").notNull(),
    cancelReason: text("cancel_reason"),
    version: integer("version").notNull().default(1),
    createdAt: timestamp("created_at"),
    updatedAt: timestamp("updated_at"),
    paidAt: text("paid_at"),
    fulfilledAt: text("fulfilled_at"),
    deliveredAt: text("delivered_at"),
    cancelledAt: text("cancelled_at"),
  },
  (t) => [
    index("orders_owner").on(t.ownerId, t.id),
    index("orders_merchant").on(t.merchantId, t.id),
    index("orders_due").on(t.status, t.paymentDueAt),
    check("orders_total", sql`${t.totalAmount} >= 0`),
  ],
);

export const orderLines = sqliteTable(
  "order_lines",
  {
    orderId: text("order_id")
      .notNull()
      .references(() => orders.id),
    position: integer("position").notNull(),
    skuId: text("sku_id")
      .notNull()
      .references(() => skus.id),
    productId: text("product_id")
      .notNull()
      .references(() => products.id),
    title: text("title").notNull(),
    quantity: integer("quantity").notNull(),
    unitAmount: integer("unit_amount").notNull(),
    // The line's share of the order's discounts (order_discounts): what was paid for it is unit × quantity − this.
    discountAmount: integer("discount_amount").notNull().default(0),
    holdId: text("hold_id"),
    flashSaleId: text("flash_sale_id").references(() => flashSales.id),
    attribution: text("attribution"),
    // The attribution as checkout verified it (shared/attribution.ts resolveAttribution); null when absent or not
    // credible. Live sessions sum their GMV and creators earn commission from these.
    noteId: text("note_id").references(() => notes.id),
    liveSessionId: text("live_session_id").references(() => liveSessions.id),
    creatorId: text("creator_id"),
  },
  (t) => [
    primaryKey({ columns: [t.orderId, t.position] }),
    index("order_lines_hold").on(t.holdId),
    index("order_lines_live_session").on(t.liveSessionId),
    index("order_lines_creator").on(t.creatorId),
  ],
);

export const payments = sqliteTable(
  "payments",
  {
    id: text("id").primaryKey(),
    orderId: text("order_id")
      .notNull()
      .references(() => orders.id),
    provider: text("provider").notNull(),
    providerReference: text("provider_reference"),
    // What the storefront confirms the payment with (Stripe.js's PaymentIntent client secret); null for sandbox.
    clientSecret: text("client_secret"),
    status: text("status", { enum: ["requires_payment", "processing", "succeeded", "failed"] })
      .notNull()
      .default("requires_payment"),
    amount: integer("amount").notNull(),
    currency: text("currency").notNull(),
    // The newest provider event applied, so an older one arriving late changes nothing.
    lastEventSequence: integer("last_event_sequence").notNull().default(0),
    createdAt: timestamp("created_at"),
    updatedAt: timestamp("updated_at"),
  },
  (t) => [index("payments_order").on(t.orderId)],
);

// Every provider event received, once per (provider, event id): duplicates are recorded and ignored.
export const paymentEvents = sqliteTable(
  "payment_events",
  {
    provider: text("provider").notNull(),
    eventId: text("event_id").notNull(),
    paymentId: text("payment_id").notNull(),
    type: text("type").notNull(),
    sequence: integer("sequence").notNull(),
    payload: text("payload").notNull(),
    receivedAt: timestamp("received_at"),
  },
  (t) => [primaryKey({ columns: [t.provider, t.eventId] }), index("payment_events_payment").on(t.paymentId)],
);

// ---- Live shopping: moderators, reminders, and what a session leaves behind (the live Worker writes these) ----

// People the host named as moderators of a session (shp_… or cre_…): they may delete comments, mute and ban.
export const liveSessionModerators = sqliteTable(
  "live_session_moderators",
  {
    sessionId: text("session_id")
      .notNull()
      .references(() => liveSessions.id),
    personId: text("person_id").notNull(),
    createdAt: timestamp("created_at"),
  },
  (t) => [primaryKey({ columns: [t.sessionId, t.personId] })],
);

// A person asked to be told when a scheduled session goes live; at most one per person and session.
export const liveSessionReminders = sqliteTable(
  "live_session_reminders",
  {
    sessionId: text("session_id")
      .notNull()
      .references(() => liveSessions.id),
    personId: text("person_id").notNull(),
    createdAt: timestamp("created_at"),
  },
  (t) => [primaryKey({ columns: [t.sessionId, t.personId] }), index("live_session_reminders_person").on(t.personId)],
);

// A session's totals (written by its LiveRoom's figures when it ends) and its recording (from the video server's
// egress_ended webhook, which may come before or after the end): upserted from both sides.
export const liveSessionSummaries = sqliteTable("live_session_summaries", {
  sessionId: text("session_id")
    .primaryKey()
    .references(() => liveSessions.id),
  peakViewers: integer("peak_viewers").notNull().default(0),
  uniqueViewers: integer("unique_viewers").notNull().default(0),
  likes: integer("likes").notNull().default(0),
  comments: integer("comments").notNull().default(0),
  questions: integer("questions").notNull().default(0),
  durationMs: integer("duration_ms"),
  // GMV at the end: the session's attributed lines of paid, fulfilled or delivered orders, one entry per currency.
  gmv: text("gmv", { mode: "json" }).$type<{ amount: number; currency: string }[]>(),
  recordingUrl: text("recording_url"),
  egressId: text("egress_id"),
  updatedAt: timestamp("updated_at"),
});

// The replay timeline: every room event that matters (product pinned and unpinned, flash sale opened and closed,
// question answered, per-minute comment and like counts), at its offset from the stream's start.
export const liveSessionEvents = sqliteTable(
  "live_session_events",
  {
    sessionId: text("session_id")
      .notNull()
      .references(() => liveSessions.id),
    seq: integer("seq").notNull(),
    offsetMs: integer("offset_ms").notNull(),
    type: text("type").notNull(),
    productId: text("product_id"),
    data: text("data", { mode: "json" }).$type<Record<string, unknown>>().notNull(),
  },
  (t) => [primaryKey({ columns: [t.sessionId, t.seq] })],
);

// ---- Search: the index's document map, CJK split positions, sales signal, synonyms, settings, query analytics ----
// (the search Worker reads these; the FTS5 tables and the triggers that keep them are in the search_index migration)

// One row per indexed document: an active product, a published note, a live session. Its integer id is the rowid
// of the FTS5 tables (search_trigram, search_words), so a trigger finds a document's index rows by primary key; each
// kind's ids lie in a range of their own (products from 2^40, notes from 2·2^40, live sessions from 3·2^40; the
// search_kind_ranges migration's trigger places each new row), so an FTS5 query confines itself to a kind by rowid.
// Beside it, what search filters, facets and ranks a match by, copied by that trigger when the document is
// (re-)indexed: the owner (merchant, creator or host), a product's category and brand, a note's topics and likes +
// saves (kept current by a trigger on notes), and the creation time as a Julian day number.
export const searchDocuments = sqliteTable(
  "search_documents",
  {
    id: integer("id").primaryKey(),
    docId: text("doc_id").notNull().unique(),
    kind: text("kind", { enum: ["product", "note", "live"] }).notNull(),
    ownerId: text("owner_id"),
    category: text("category"),
    brand: text("brand"),
    topics: text("topics"),
    engagement: integer("engagement").notNull().default(0),
    createdDay: real("created_day").notNull().default(0),
  },
  (t) => [index("search_documents_kind").on(t.kind, t.docId)],
);

// The numbers 1..4000: the character positions at which the index triggers split CJK text into one token per
// character (a trigger cannot use a recursive CTE, so it joins this table instead).
export const searchPositions = sqliteTable("search_positions", {
  n: integer("n").primaryKey(),
});

// Units sold per product and UTC day, added by a trigger when an order becomes paid: the ranking's sales signal.
export const searchProductSales = sqliteTable(
  "search_product_sales",
  {
    productId: text("product_id").notNull(),
    day: text("day").notNull(),
    units: integer("units").notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.productId, t.day] })],
);

// Operator-managed synonym sets: a query for any term of a set also finds what the other terms find.
export const searchSynonyms = sqliteTable(
  "search_synonyms",
  {
    setName: text("set_name").notNull(),
    // Normalised (NFKC, lower case, single spaces), as queries are.
    term: text("term").notNull(),
    createdAt: timestamp("created_at"),
  },
  (t) => [primaryKey({ columns: [t.setName, t.term] }), index("search_synonyms_term").on(t.term)],
);

// Operator-configured ranking weights, one JSON object under the name "ranking"; missing weights take defaults.
export const searchSettings = sqliteTable("search_settings", {
  name: text("name").primaryKey(),
  value: text("value", { mode: "json" }).$type<Record<string, number>>().notNull(),
  updatedAt: timestamp("updated_at"),
});

// The query log, counted per UTC day, result type and normalised query.
export const searchQueryStats = sqliteTable(
  "search_query_stats",
  {
    day: text("day").notNull(),
    type: text("type").notNull(),
    query: text("query").notNull(),
    searches: integer("searches").notNull().default(0),
    zeroResults: integer("zero_results").notNull().default(0),
    lastResultCount: integer("last_result_count").notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.day, t.type, t.query] }), index("search_query_stats_day").on(t.day, t.searches)],
);

// Per merchant and day: how often a query showed that merchant's products on its first page.
export const searchQueryMerchants = sqliteTable(
  "search_query_merchants",
  {
    day: text("day").notNull(),
    merchantId: text("merchant_id").notNull(),
    query: text("query").notNull(),
    impressions: integer("impressions").notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.day, t.merchantId, t.query] })],
);

// ---- Notifications: the in-app inbox, the one way the platform tells a person something (shared/notifications.ts) ----

// One row per (person, kind, subject): a retried delivery never notifies twice. `read_at` is null while unread.
export const notifications = sqliteTable(
  "notifications",
  {
    id: text("id").primaryKey(),
    personId: text("person_id").notNull(),
    kind: text("kind").notNull(),
    subjectId: text("subject_id").notNull(),
    title: text("title").notNull(),
    body: text("body").notNull(),
    link: text("link"),
    createdAt: timestamp("created_at"),
    readAt: text("read_at"),
  },
  (t) => [
    uniqueIndex("notifications_once").on(t.personId, t.kind, t.subjectId),
    index("notifications_person").on(t.personId, t.id),
    index("notifications_unread").on(t.personId, t.readAt),
  ],
);

// ---- Refunds (the checkout Worker): money given back on a paid order, through the order's payment provider ----

// A refund takes its amount out of what the payment still holds when it is written (pending), in one conditional
// INSERT, so concurrent refunds never add up to more than was paid; a failed refund gives its amount back.
export const refunds = sqliteTable(
  "refunds",
  {
    id: text("id").primaryKey(),
    orderId: text("order_id")
      .notNull()
      .references(() => orders.id),
    paymentId: text("payment_id")
      .notNull()
      .references(() => payments.id),
    provider: text("provider").notNull(),
    providerReference: text("provider_reference"),
    status: text("status", { enum: ["pending", "succeeded", "failed"] })
      .notNull()
      .default("pending"),
    amount: integer("amount").notNull(),
    currency: text("currency").notNull(),
    reason: text("reason"),
    failureReason: text("failure_reason"),
    createdAt: timestamp("created_at"),
    updatedAt: timestamp("updated_at"),
  },
  (t) => [
    index("refunds_order").on(t.orderId, t.id),
    index("refunds_payment").on(t.paymentId, t.status),
    check("refunds_amount_positive", sql`${t.amount} > 0`),
  ],
);

// The order lines a refund gives money back for (returns and commission reversals build on these).
export const refundLines = sqliteTable(
  "refund_lines",
  {
    refundId: text("refund_id")
      .notNull()
      .references(() => refunds.id),
    orderId: text("order_id").notNull(),
    position: integer("position").notNull(),
    quantity: integer("quantity").notNull(),
    amount: integer("amount").notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.refundId, t.position] }),
    index("refund_lines_order").on(t.orderId, t.position),
    check("refund_lines_quantity_positive", sql`${t.quantity} > 0`),
  ],
);

// ---- Flash-sale reminders (the checkout Worker writes these) ----

// People who asked to be told when a flash sale starts; its FlashSaleStock object notifies them at the start.
export const flashSaleReminders = sqliteTable(
  "flash_sale_reminders",
  {
    flashSaleId: text("flash_sale_id")
      .notNull()
      .references(() => flashSales.id),
    personId: text("person_id").notNull(),
    createdAt: timestamp("created_at"),
  },
  (t) => [primaryKey({ columns: [t.flashSaleId, t.personId] })],
);

// ---- Merchant webhooks (the checkout Worker serves and delivers them; any Worker may record events) ----

// A merchant's receiving URL. The signing secret (`whsec_…`) must be usable to sign, so it is kept encrypted
// (AES-GCM under WEBHOOK_SECRETS_KEY), never hashed; after a rotation the previous one signs too until it expires.
export const webhookEndpoints = sqliteTable(
  "webhook_endpoints",
  {
    id: text("id").primaryKey(),
    merchantId: text("merchant_id")
      .notNull()
      .references(() => merchants.id),
    url: text("url").notNull(),
    description: text("description").notNull().default(""),
    // JSON array of event types.
    eventTypes: text("event_types").notNull(),
    secret: text("secret").notNull(),
    previousSecret: text("previous_secret"),
    previousSecretExpiresAt: text("previous_secret_expires_at"),
    // Ed25519 (`v1a`): the private key encrypted like the secret, the public key as base64 of its 32 raw bytes.
    ed25519PrivateKey: text("ed25519_private_key"),
    ed25519PublicKey: text("ed25519_public_key"),
    // inventory.low fires when a SKU's stock falls below this.
    inventoryLowThreshold: integer("inventory_low_threshold").notNull().default(10),
    disabledAt: text("disabled_at"),
    disabledReason: text("disabled_reason"),
    // The first failure of the current run of failures (null after a success): 5 days of them disable the endpoint.
    failingSince: text("failing_since"),
    version: integer("version").notNull().default(1),
    createdAt: timestamp("created_at"),
    updatedAt: timestamp("updated_at"),
  },
  (t) => [index("webhook_endpoints_merchant").on(t.merchantId, t.id)],
);

// One event (a Standard Webhooks message): its id is the `webhook-id`, its payload the exact body signed.
export const webhookMessages = sqliteTable("webhook_messages", {
  id: text("id").primaryKey(),
  type: text("type").notNull(),
  // For events that happen once per subject (a flash sale selling out): a second recording inserts nothing.
  dedupeKey: text("dedupe_key").unique(),
  // Order events: the order's version after the change.
  sequence: integer("sequence"),
  payload: text("payload").notNull(),
  createdAt: timestamp("created_at"),
});

// The outbox: one row per message and endpoint, written in the same transaction as the event.
export const webhookDeliveries = sqliteTable(
  "webhook_deliveries",
  {
    messageId: text("message_id")
      .notNull()
      .references(() => webhookMessages.id),
    endpointId: text("endpoint_id")
      .notNull()
      .references(() => webhookEndpoints.id),
    status: text("status", { enum: ["pending", "succeeded", "failed"] })
      .notNull()
      .default("pending"),
    attempts: integer("attempts").notNull().default(0),
    nextAttemptAt: text("next_attempt_at"),
    createdAt: timestamp("created_at"),
    updatedAt: timestamp("updated_at"),
  },
  (t) => [
    primaryKey({ columns: [t.endpointId, t.messageId] }),
    // A dispatcher's pass: its endpoint's pending deliveries by due time, never the delivered history.
    index("webhook_deliveries_endpoint_due").on(t.endpointId, t.status, t.nextAttemptAt),
  ],
);

// The delivery log: one row per attempt.
export const webhookAttempts = sqliteTable(
  "webhook_attempts",
  {
    id: text("id").primaryKey(),
    endpointId: text("endpoint_id").notNull(),
    messageId: text("message_id").notNull(),
    attempt: integer("attempt").notNull(),
    // The receiver's HTTP status, or null when no answer came (timeout, refused, URL refused).
    responseStatus: integer("response_status"),
    responseExcerpt: text("response_excerpt").notNull().default(""),
    error: text("error"),
    latencyMs: integer("latency_ms").notNull(),
    // Null: delivered or given up.
    nextAttemptAt: text("next_attempt_at"),
    createdAt: timestamp("created_at"),
  },
  (t) => [index("webhook_attempts_endpoint").on(t.endpointId, t.id)],
);

// ---- Returns and creator commissions (the checkout Worker writes these) ----

// A shopper's request to send back units of a delivered order's lines, decided by its merchant. Approval refunds
// the lines through the order's provider (`refund_id`) and, when `restock`, puts the units back on the ledger.
export const returns = sqliteTable(
  "returns",
  {
    id: text("id").primaryKey(),
    orderId: text("order_id")
      .notNull()
      .references(() => orders.id),
    merchantId: text("merchant_id")
      .notNull()
      .references(() => merchants.id),
    customerId: text("customer_id").notNull(),
    status: text("status", { enum: ["requested", "approved", "refunded", "rejected"] })
      .notNull()
      .default("requested"),
    reason: text("reason").notNull(),
    rejectionReason: text("rejection_reason"),
    restock: integer("restock", { mode: "boolean" }),
    refundId: text("refund_id").references(() => refunds.id),
    decidedAt: text("decided_at"),
    createdAt: timestamp("created_at"),
    updatedAt: timestamp("updated_at"),
  },
  (t) => [
    index("returns_order").on(t.orderId, t.id),
    index("returns_merchant").on(t.merchantId, t.id),
    index("returns_customer").on(t.customerId, t.id),
    index("returns_refund").on(t.refundId),
  ],
);

export const returnLines = sqliteTable(
  "return_lines",
  {
    returnId: text("return_id")
      .notNull()
      .references(() => returns.id),
    orderId: text("order_id").notNull(),
    position: integer("position").notNull(),
    quantity: integer("quantity").notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.returnId, t.position] }),
    index("return_lines_order").on(t.orderId, t.position),
    check("return_lines_quantity_positive", sql`${t.quantity} > 0`),
  ],
);

// The creator-commission ledger, append-only: an `earned` entry per credited order line when the order is paid
// (source 'payment'), and `reversal` entries (negative) when refunds of it succeed (source: the refund's id). A
// line's commission is the sum of its entries; nothing is ever updated in place.
export const commissionEntries = sqliteTable(
  "commission_entries",
  {
    id: text("id").primaryKey(),
    orderId: text("order_id")
      .notNull()
      .references(() => orders.id),
    position: integer("position").notNull(),
    creatorId: text("creator_id").notNull(),
    merchantId: text("merchant_id")
      .notNull()
      .references(() => merchants.id),
    kind: text("kind", { enum: ["earned", "reversal"] }).notNull(),
    source: text("source").notNull(),
    amount: integer("amount").notNull(),
    currency: text("currency").notNull(),
    rateBps: integer("rate_bps").notNull(),
    createdAt: timestamp("created_at"),
  },
  (t) => [
    uniqueIndex("commission_entries_source").on(t.orderId, t.position, t.source),
    index("commission_entries_creator").on(t.creatorId, t.id),
    index("commission_entries_merchant").on(t.merchantId, t.id),
    check(
      "commission_entries_sign",
      sql`(${t.kind} = 'earned' AND ${t.amount} >= 0) OR (${t.kind} = 'reversal' AND ${t.amount} < 0)`,
    ),
  ],
);

// ---- Analytics: daily rollups per scope (shared/analytics.ts writes them in the batch of the change they count) ----
// A scope is the platform (id ''), a merchant, a creator, a live session or a note. Orders count on the UTC day
// they were paid; their later refunds and returns count on that same day (so a day's return rate is a share of
// that day's orders). Counts have no currency; money is kept per currency and never added across currencies.
export const analyticsDaily = sqliteTable(
  "analytics_daily",
  {
    scopeKind: text("scope_kind", { enum: ["platform", "merchant", "creator", "live_session", "note"] }).notNull(),
    scopeId: text("scope_id").notNull(),
    day: text("day").notNull(),
    orders: integer("orders").notNull().default(0),
    // Orders with a line attributed to a note or a live session (the numerator of the conversion rate).
    attributedOrders: integer("attributed_orders").notNull().default(0),
    // Distinct buyers of the day, and those of them who had bought in this scope before (on an earlier order).
    buyers: integer("buyers").notNull().default(0),
    repeatBuyers: integer("repeat_buyers").notNull().default(0),
    // The day's orders with an approved return (counted once per order).
    returnedOrders: integer("returned_orders").notNull().default(0),
    // Distinct (viewer, note) and (viewer, live session) pairs of the day.
    noteViews: integer("note_views").notNull().default(0),
    streamViews: integer("stream_views").notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.scopeKind, t.scopeId, t.day] })],
);

export const analyticsDailyMoney = sqliteTable(
  "analytics_daily_money",
  {
    scopeKind: text("scope_kind").notNull(),
    scopeId: text("scope_id").notNull(),
    day: text("day").notNull(),
    currency: text("currency").notNull(),
    orders: integer("orders").notNull().default(0),
    gmvAmount: integer("gmv_amount").notNull().default(0),
    refundedAmount: integer("refunded_amount").notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.scopeKind, t.scopeId, t.day, t.currency] })],
);

// Who bought in a scope on a day (distinct buyers over a range are counted here), and whether on a repeat order.
export const analyticsBuyers = sqliteTable(
  "analytics_buyers",
  {
    scopeKind: text("scope_kind").notNull(),
    scopeId: text("scope_id").notNull(),
    day: text("day").notNull(),
    customerId: text("customer_id").notNull(),
    repeat: integer("repeat").notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.scopeKind, t.scopeId, t.day, t.customerId] })],
);

// Each buyer's paid orders in a scope so far: an order is a repeat order when this was already at least one.
export const analyticsCustomers = sqliteTable(
  "analytics_customers",
  {
    scopeKind: text("scope_kind").notNull(),
    scopeId: text("scope_id").notNull(),
    customerId: text("customer_id").notNull(),
    orders: integer("orders").notNull().default(0),
    firstDay: text("first_day").notNull(),
  },
  (t) => [primaryKey({ columns: [t.scopeKind, t.scopeId, t.customerId] })],
);

// Who viewed a note or a live session (its id) on a day: a view counts once per viewer, subject and day.
export const analyticsViewers = sqliteTable(
  "analytics_viewers",
  {
    subjectId: text("subject_id").notNull(),
    day: text("day").notNull(),
    viewerId: text("viewer_id").notNull(),
  },
  (t) => [primaryKey({ columns: [t.subjectId, t.day, t.viewerId] })],
);

// ---- Promotions: campaigns, spend-and-save, coupons (the checkout Worker writes these; prices read campaigns) ----

// An operator's festival (618, Double 11): a warm-up, an optional pre-sale, then the main day(s) until it ends.
// Its badge shows on participating products from the warm-up; campaign prices apply on the main day(s).
export const campaigns = sqliteTable(
  "campaigns",
  {
    id: text("id").primaryKey(),
    name: text("name").notNull(),
    badge: text("badge").notNull(),
    warmupStartsAt: text("warmup_starts_at").notNull(),
    presaleStartsAt: text("presale_starts_at"),
    mainStartsAt: text("main_starts_at").notNull(),
    endsAt: text("ends_at").notNull(),
    version: integer("version").notNull().default(1),
    createdAt: timestamp("created_at"),
    updatedAt: timestamp("updated_at"),
  },
  (t) => [
    index("campaigns_ends").on(t.endsAt),
    check(
      "campaigns_periods",
      sql`${t.warmupStartsAt} <= coalesce(${t.presaleStartsAt}, ${t.mainStartsAt}) AND coalesce(${t.presaleStartsAt}, ${t.mainStartsAt}) <= ${t.mainStartsAt} AND ${t.mainStartsAt} < ${t.endsAt}`,
    ),
  ],
);

// A merchant's product in a campaign (the merchant joins with its own products).
export const campaignProducts = sqliteTable(
  "campaign_products",
  {
    campaignId: text("campaign_id")
      .notNull()
      .references(() => campaigns.id),
    productId: text("product_id")
      .notNull()
      .references(() => products.id),
    merchantId: text("merchant_id")
      .notNull()
      .references(() => merchants.id),
    createdAt: timestamp("created_at"),
  },
  (t) => [
    primaryKey({ columns: [t.campaignId, t.productId] }),
    index("campaign_products_product").on(t.productId),
    index("campaign_products_merchant").on(t.merchantId, t.campaignId),
  ],
);

// The optional campaign price of a participating SKU (main day only; never above the list price when shown).
export const campaignPrices = sqliteTable(
  "campaign_prices",
  {
    campaignId: text("campaign_id")
      .notNull()
      .references(() => campaigns.id),
    skuId: text("sku_id")
      .notNull()
      .references(() => skus.id),
    productId: text("product_id")
      .notNull()
      .references(() => products.id),
    priceAmount: integer("price_amount").notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.campaignId, t.skuId] }),
    index("campaign_prices_sku").on(t.skuId),
    check("campaign_prices_nonnegative", sql`${t.priceAmount} >= 0`),
  ],
);

// Spend-and-save (满减): "every 300 off 50" (kind every, one tier) or tiered "over 200 off 20, over 500 off 60";
// a merchant's (all its products) or a campaign's (its participating products), valid in a period.
export const spendSaveRules = sqliteTable(
  "spend_save_rules",
  {
    id: text("id").primaryKey(),
    merchantId: text("merchant_id").references(() => merchants.id),
    campaignId: text("campaign_id").references(() => campaigns.id),
    name: text("name").notNull(),
    kind: text("kind", { enum: ["every", "tiered"] }).notNull(),
    // JSON [{ "threshold": 30000, "off": 5000 }, …] in minor units, thresholds increasing.
    tiers: text("tiers", { mode: "json" }).$type<{ threshold: number; off: number }[]>().notNull(),
    currency: text("currency").notNull(),
    startsAt: text("starts_at").notNull(),
    endsAt: text("ends_at").notNull(),
    createdAt: timestamp("created_at"),
  },
  (t) => [
    index("spend_save_rules_merchant").on(t.merchantId, t.endsAt),
    index("spend_save_rules_campaign").on(t.campaignId, t.endsAt),
    check("spend_save_rules_owner", sql`(${t.merchantId} IS NULL) != (${t.campaignId} IS NULL)`),
  ],
);

// A coupon: a merchant's (its products, merchant-funded) or the operator's (merchant_id null: platform-wide,
// platform-funded). `claimed` never passes `quantity` (CHECK), so the conditional claim cannot oversell.
export const coupons = sqliteTable(
  "coupons",
  {
    id: text("id").primaryKey(),
    merchantId: text("merchant_id").references(() => merchants.id),
    campaignId: text("campaign_id").references(() => campaigns.id),
    name: text("name").notNull(),
    kind: text("kind", { enum: ["fixed", "percent"] }).notNull(),
    amountOff: integer("amount_off"),
    percentOff: integer("percent_off"),
    maxOff: integer("max_off"),
    minSpend: integer("min_spend").notNull().default(0),
    currency: text("currency").notNull(),
    startsAt: text("starts_at").notNull(),
    endsAt: text("ends_at").notNull(),
    quantity: integer("quantity").notNull(),
    claimed: integer("claimed").notNull().default(0),
    perShopperLimit: integer("per_shopper_limit").notNull().default(1),
    // Only for viewers of a live session, or readers of a note (proved by the attribution reference they got there).
    audience: text("audience", { enum: ["everyone", "live_viewers", "note_readers"] })
      .notNull()
      .default("everyone"),
    audienceId: text("audience_id"),
    createdAt: timestamp("created_at"),
  },
  (t) => [
    index("coupons_merchant").on(t.merchantId, t.id),
    check("coupons_claimed", sql`${t.claimed} >= 0 AND ${t.claimed} <= ${t.quantity}`),
    check(
      "coupons_kind",
      sql`(${t.kind} = 'fixed' AND ${t.amountOff} > 0) OR (${t.kind} = 'percent' AND ${t.percentOff} BETWEEN 1 AND 99)`,
    ),
  ],
);

// A shopper's claimed coupon (the n-th of theirs for that coupon); used once, by one order.
export const couponClaims = sqliteTable(
  "coupon_claims",
  {
    couponId: text("coupon_id")
      .notNull()
      .references(() => coupons.id),
    ownerId: text("owner_id").notNull(),
    seq: integer("seq").notNull(),
    orderId: text("order_id"),
    claimedAt: text("claimed_at").notNull(),
    usedAt: text("used_at"),
  },
  (t) => [
    primaryKey({ columns: [t.couponId, t.ownerId, t.seq] }),
    index("coupon_claims_owner").on(t.ownerId, t.claimedAt),
    index("coupon_claims_order").on(t.orderId),
  ],
);

// The discounts an order got, in the order they applied, each split over the lines (`allocation`, by position);
// coupons name the claim they used. order_lines.discount_amount is each line's sum of these.
export const orderDiscounts = sqliteTable(
  "order_discounts",
  {
    orderId: text("order_id")
      .notNull()
      .references(() => orders.id),
    step: integer("step").notNull(),
    kind: text("kind", { enum: ["spend_and_save", "merchant_coupon", "platform_coupon"] }).notNull(),
    sourceId: text("source_id").notNull(),
    label: text("label").notNull(),
    amount: integer("amount").notNull(),
    fundedBy: text("funded_by", { enum: ["merchant", "platform"] }).notNull(),
    allocation: text("allocation", { mode: "json" }).$type<number[]>().notNull(),
    claimSeq: integer("claim_seq"),
  },
  (t) => [
    primaryKey({ columns: [t.orderId, t.step] }),
    check("order_discounts_claim", sql`${t.kind} = 'spend_and_save' OR ${t.claimSeq} IS NOT NULL`),
    check("order_discounts_positive", sql`${t.amount} > 0`),
  ],
);

// ---- Pre-sales with deposit (定金预售; the checkout Worker writes these) ----

// A merchant's pre-sale of a SKU: a deposit paid in the deposit window counts as `deduction` (>= the deposit) off
// the price; the balance (price - deduction) is paid in the balance window (a campaign's main day). `taken` counts
// the units of orders not released (cancelled or forfeited), never above `quantity`.
export const presales = sqliteTable(
  "presales",
  {
    id: text("id").primaryKey(),
    merchantId: text("merchant_id")
      .notNull()
      .references(() => merchants.id),
    skuId: text("sku_id")
      .notNull()
      .references(() => skus.id),
    campaignId: text("campaign_id").references(() => campaigns.id),
    quantity: integer("quantity").notNull(),
    taken: integer("taken").notNull().default(0),
    priceAmount: integer("price_amount").notNull(),
    depositAmount: integer("deposit_amount").notNull(),
    deductionAmount: integer("deduction_amount").notNull(),
    currency: text("currency").notNull(),
    perShopperLimit: integer("per_shopper_limit").notNull().default(1),
    depositStartsAt: text("deposit_starts_at").notNull(),
    depositEndsAt: text("deposit_ends_at").notNull(),
    balanceStartsAt: text("balance_starts_at").notNull(),
    balanceEndsAt: text("balance_ends_at").notNull(),
    createdAt: timestamp("created_at"),
  },
  (t) => [
    index("presales_sku").on(t.skuId),
    index("presales_merchant").on(t.merchantId, t.id),
    check("presales_taken", sql`${t.taken} >= 0 AND ${t.taken} <= ${t.quantity}`),
    check(
      "presales_amounts",
      sql`${t.depositAmount} > 0 AND ${t.deductionAmount} >= ${t.depositAmount} AND ${t.deductionAmount} < ${t.priceAmount}`,
    ),
    check(
      "presales_windows",
      sql`${t.depositStartsAt} < ${t.depositEndsAt} AND ${t.depositEndsAt} <= ${t.balanceStartsAt} AND ${t.balanceStartsAt} < ${t.balanceEndsAt}`,
    ),
  ],
);

// A pre-sale order's two payments and amounts (totals for its quantity). `releasedAt`: when its units went back.
export const presaleOrders = sqliteTable(
  "presale_orders",
  {
    orderId: text("order_id")
      .primaryKey()
      .references(() => orders.id),
    presaleId: text("presale_id")
      .notNull()
      .references(() => presales.id),
    ownerId: text("owner_id").notNull(),
    quantity: integer("quantity").notNull(),
    depositAmount: integer("deposit_amount").notNull(),
    deductionAmount: integer("deduction_amount").notNull(),
    balanceAmount: integer("balance_amount").notNull(),
    depositPaymentId: text("deposit_payment_id").notNull(),
    balancePaymentId: text("balance_payment_id"),
    balanceStartsAt: text("balance_starts_at").notNull(),
    balanceEndsAt: text("balance_ends_at").notNull(),
    releasedAt: text("released_at"),
    createdAt: timestamp("created_at"),
  },
  (t) => [
    index("presale_orders_owner").on(t.presaleId, t.ownerId),
    uniqueIndex("presale_orders_deposit").on(t.depositPaymentId),
    uniqueIndex("presale_orders_balance").on(t.balancePaymentId),
    check("presale_orders_amounts", sql`${t.quantity} > 0 AND ${t.balanceAmount} >= 0`),
  ],
);

// A refund's parts, one per payment it draws on (a pre-sale order's balance and deposit; an ordinary order's one
// payment): what may still be refunded of a payment is its amount less its parts not failed. Each part is one
// provider refund, settled by its own provider refund id; `refunds` stays the merchant-facing row.
export const refundPayments = sqliteTable(
  "refund_payments",
  {
    refundId: text("refund_id")
      .notNull()
      .references(() => refunds.id),
    paymentId: text("payment_id")
      .notNull()
      .references(() => payments.id),
    orderId: text("order_id").notNull(),
    // The order the parts are sent to the provider in (0 first: the most recent payment).
    seq: integer("seq").notNull(),
    provider: text("provider").notNull(),
    providerRefundId: text("provider_refund_id"),
    status: text("status", { enum: ["pending", "succeeded", "failed"] })
      .notNull()
      .default("pending"),
    amount: integer("amount").notNull(),
    currency: text("currency").notNull(),
    failureReason: text("failure_reason"),
    createdAt: timestamp("created_at"),
    updatedAt: timestamp("updated_at"),
  },
  (t) => [
    primaryKey({ columns: [t.refundId, t.paymentId] }),
    index("refund_payments_payment").on(t.paymentId, t.status),
    index("refund_payments_order").on(t.orderId, t.status),
    index("refund_payments_provider_refund").on(t.providerRefundId),
    check("refund_payments_amount_positive", sql`${t.amount} > 0`),
  ],
);
