// Creators as buyers: a merchant's affiliate plans (the rate a creator earns on its products, open to every
// creator or to named ones who accept), their rate history, and each creator's showcase of products it promotes.
// The checkout Worker reads the plans when it credits a sale (shared/affiliates.ts); the gateway writes showcases.
import { sql } from "drizzle-orm";
import { check, index, integer, primaryKey, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import { products } from "./catalog.ts";
import { requiredRef, status, timestamp, timestamps } from "./columns.ts";
import { creators } from "./identity-and-keys.ts";
import { merchantListIndex, merchantOwned } from "./owners.ts";

// A plan runs from `starts_at` until `ends_at` (null: until ended). `all_products`: every product of the merchant,
// now and later; else the products in affiliate_plan_products. Its rate is in affiliate_plan_rates (by time).
export const affiliatePlans = sqliteTable(
  "affiliate_plans",
  {
    ...merchantOwned(),
    type: text("type", { enum: ["open", "targeted"] }).notNull(),
    allProducts: integer("all_products", { mode: "boolean" }).notNull(),
    startsAt: text("starts_at").notNull(),
    endsAt: text("ends_at"),
    ...timestamps(),
  },
  (t) => [merchantListIndex("affiliate_plans", t), index("affiliate_plans_type").on(t.type, t.id)],
);

export const affiliatePlanProducts = sqliteTable(
  "affiliate_plan_products",
  {
    planId: requiredRef("plan_id", () => affiliatePlans.id),
    productId: requiredRef("product_id", () => products.id),
  },
  (t) => [primaryKey({ columns: [t.planId, t.productId] }), index("affiliate_plan_products_product").on(t.productId)],
);

// A targeted plan's named creators and their answer; a sale credits the plan only after `decided_at` of an accept.
export const affiliatePlanCreators = sqliteTable(
  "affiliate_plan_creators",
  {
    planId: requiredRef("plan_id", () => affiliatePlans.id),
    creatorId: requiredRef("creator_id", () => creators.id),
    ...status("invited", "accepted", "declined"),
    decidedAt: text("decided_at"),
    createdAt: timestamp("created_at"),
  },
  (t) => [primaryKey({ columns: [t.planId, t.creatorId] }), index("affiliate_plan_creators_creator").on(t.creatorId)],
);

// The plan's rate from `effective_at` on: a change adds a row, so a sale is credited at the rate of its own time.
export const affiliatePlanRates = sqliteTable(
  "affiliate_plan_rates",
  {
    planId: requiredRef("plan_id", () => affiliatePlans.id),
    effectiveAt: text("effective_at").notNull(),
    rateBps: integer("rate_bps").notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.planId, t.effectiveAt] }),
    check("affiliate_plan_rates_range", sql`${t.rateBps} BETWEEN 1 AND 9000`),
  ],
);

// A creator's showcase (橱窗): the products it keeps on its public page; a purchase from there credits it.
export const showcaseItems = sqliteTable(
  "showcase_items",
  {
    creatorId: requiredRef("creator_id", () => creators.id),
    productId: requiredRef("product_id", () => products.id),
    createdAt: timestamp("created_at"),
  },
  (t) => [primaryKey({ columns: [t.creatorId, t.productId] }), index("showcase_items_product").on(t.productId)],
);

// A creator's request that a merchant decides (a sample request, an application to a brief): the merchant's row,
// the creator asking, and what the creator says for itself.
const creatorPitch = () => ({
  ...merchantOwned(),
  creatorId: requiredRef("creator_id", () => creators.id),
  pitch: text("pitch").notNull(),
});

// A creator's request for a free sample (寄样) of a SKU under a plan open to it, decided by the merchant. Shipping
// takes the unit off the SKU through the inventory ledger (reason `sample`). The note that fulfils it (a published
// note of the creator tagging the product, after approval and by `note_due_at`) is found when the request is read.
export const sampleRequests = sqliteTable(
  "sample_requests",
  {
    ...creatorPitch(),
    productId: requiredRef("product_id", () => products.id),
    skuId: text("sku_id").notNull(),
    shippingAddress: text("shipping_address", { mode: "json" }).$type<Record<string, string>>().notNull(),
    ...status("requested", "approved", "declined", "shipped", "received"),
    declineReason: text("decline_reason"),
    // Days after shipping the merchant gives for the note, set on approval.
    noteDueDays: integer("note_due_days"),
    carrier: text("carrier"),
    trackingNumber: text("tracking_number"),
    ledgerId: text("ledger_id"),
    approvedAt: text("approved_at"),
    shippedAt: text("shipped_at"),
    noteDueAt: text("note_due_at"),
    receivedAt: text("received_at"),
    ...timestamps(),
  },
  (t) => [merchantListIndex("sample_requests", t), index("sample_requests_creator").on(t.creatorId, t.id)],
);

// A merchant's paid brief (a collaboration): a fee per note for up to `slots` creators, open until `deadline`.
// Its budget is slots × fee; collaboration_ledger records how much of it is reserved, payable and released.
export const collaborations = sqliteTable(
  "collaborations",
  {
    ...merchantOwned(),
    title: text("title").notNull(),
    brief: text("brief").notNull(),
    tags: text("tags", { mode: "json" }).$type<string[]>().notNull().default(sql`'[]'`),
    feeAmount: integer("fee_amount").notNull(),
    currency: text("currency").notNull(),
    slots: integer("slots").notNull(),
    deadline: text("deadline").notNull(),
    minFollowers: integer("min_followers").notNull().default(0),
    livemode: integer("livemode", { mode: "boolean" }).notNull().default(false),
    ...timestamps(),
  },
  (t) => [
    merchantListIndex("collaborations", t),
    index("collaborations_deadline").on(t.deadline),
    check("collaborations_fee", sql`${t.feeAmount} > 0 AND ${t.slots} > 0`),
  ],
);

export const collaborationProducts = sqliteTable(
  "collaboration_products",
  {
    collaborationId: requiredRef("collaboration_id", () => collaborations.id),
    productId: requiredRef("product_id", () => products.id),
  },
  (t) => [primaryKey({ columns: [t.collaborationId, t.productId] })],
);

// A creator's application to a brief, one per creator and brief, with the note it submits (notes.id, published).
export const collaborationApplications = sqliteTable(
  "collaboration_applications",
  {
    ...creatorPitch(),
    collaborationId: requiredRef("collaboration_id", () => collaborations.id),
    ...status("applied", "accepted", "declined", "submitted", "changes_requested", "approved", "cancelled"),
    noteId: text("note_id"),
    feedback: text("feedback"),
    acceptedAt: text("accepted_at"),
    submittedAt: text("submitted_at"),
    approvedAt: text("approved_at"),
    ...timestamps(),
  },
  (t) => [
    uniqueIndex("collaboration_applications_creator").on(t.collaborationId, t.creatorId),
    merchantListIndex("collaboration_applications", t),
    index("collaboration_applications_status").on(t.status, t.submittedAt),
    index("collaboration_applications_note").on(t.noteId),
  ],
);

// Append-only: accepting reserves the fee (`reserved`), approving moves it to the creator (`payable`), cancelling an
// accepted application gives it back to the brief (`released`). One row of each kind at most per application.
export const collaborationLedger = sqliteTable(
  "collaboration_ledger",
  {
    id: text("id").primaryKey(),
    collaborationId: requiredRef("collaboration_id", () => collaborations.id),
    applicationId: requiredRef("application_id", () => collaborationApplications.id),
    kind: text("kind", { enum: ["reserved", "payable", "released"] }).notNull(),
    amount: integer("amount").notNull(),
    currency: text("currency").notNull(),
    createdAt: timestamp("created_at"),
  },
  (t) => [
    uniqueIndex("collaboration_ledger_application_kind").on(t.applicationId, t.kind),
    index("collaboration_ledger_collaboration").on(t.collaborationId),
  ],
);
