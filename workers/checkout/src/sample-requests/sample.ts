// Samples (寄样): a creator asks a merchant for a SKU of a product under a plan open to it; the merchant approves
// (giving days for the note) or declines, then ships, which takes the unit off the SKU through the inventory ledger
// (reason `sample`, in the same batch as the status change); the creator confirms receipt. The note that fulfils it
// (the creator's earliest published note tagging the product, written after approval and by `noteDueAt`) is found on
// every read, so a request is overdue exactly while it is shipped or received, past `noteDueAt`, and unfulfilled.
import { z } from "@hono/zod-openapi";
import type { InStatement, InValue, Row } from "@libsql/client/web";
import { sql } from "drizzle-orm";
import { promotableSql } from "#shared/affiliates.ts";
import type { Database } from "#shared/db.ts";
import { ProblemError } from "#shared/errors.ts";
import { newId } from "#shared/ids.ts";
import { notify } from "#shared/notifications.ts";
import { idOf, requiredText, resourceFields } from "#shared/openapi/schemas.ts";
import { statusPage } from "#shared/pagination.ts";
import { readOne, textOrNull } from "#shared/rows.ts";
import { moveStockStatements } from "#shared/stock.ts";
import { rawStatements, webhookEvent } from "#shared/webhook-events.ts";
import { ownedBy } from "../collaborations/collaboration.ts";
import { kickDispatchers } from "../webhooks/kick.ts";

const AddressSchema = z
  .object({
    name: requiredText(100),
    phone: z.string().trim().min(5).max(30),
    line1: requiredText(200),
    line2: z.string().trim().max(200).optional(),
    city: requiredText(100),
    province: z.string().trim().max(100).optional(),
    postalCode: z.string().trim().max(20).optional(),
    country: z
      .string()
      .regex(/^[A-Z]{2}$/, "an ISO 3166-1 alpha-2 code")
      .default("CN"),
  })
  .strict()
  .openapi("ShippingAddress");

export const SampleRequestCreateSchema = z
  .object({
    skuId: idOf("sku"),
    shippingAddress: AddressSchema,
    pitch: requiredText(2_000).openapi({ description: "Why this creator, for this product." }),
  })
  .strict()
  .openapi("SampleRequestCreate");

export const ApproveSchema = z
  .object({
    noteDueDays: z.number().int().min(1).max(90).default(14).openapi({
      description: "Days after shipping by which a published note tagging the product is due.",
    }),
  })
  .strict()
  .openapi("SampleRequestApproval");

export const DeclineSchema = z
  .object({ reason: requiredText(500) })
  .strict()
  .openapi("SampleRequestDecline");

export const ShipSchema = z
  .object({
    carrier: requiredText(50).openapi({ example: "顺丰 SF Express" }),
    trackingNumber: requiredText(50).openapi({ example: "SF1234567890" }),
  })
  .strict()
  .openapi("SampleRequestShipment");

export const SampleRequestSchema = z
  .object({
    ...resourceFields("sample_request", "smp"),
    creatorId: z.string(),
    merchantId: z.string(),
    productId: z.string(),
    skuId: z.string(),
    shippingAddress: AddressSchema,
    pitch: z.string(),
    status: z.enum(["requested", "approved", "declined", "shipped", "received"]),
    declineReason: z.string().nullable(),
    noteDueDays: z.number().int().nullable(),
    carrier: z.string().nullable(),
    trackingNumber: z.string().nullable(),
    approvedAt: z.string().nullable(),
    shippedAt: z.string().nullable(),
    noteDueAt: z.string().nullable().openapi({ description: "Shipping + noteDueDays." }),
    receivedAt: z.string().nullable(),
    fulfillingNoteId: z.string().nullable().openapi({
      description: "The creator's earliest published note tagging the product, after approval and by noteDueAt.",
    }),
    overdue: z.boolean().openapi({ description: "Shipped, past noteDueAt, and no fulfilling note." }),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi("SampleRequest");

export type SampleRequest = z.infer<typeof SampleRequestSchema>;
export type SampleViewer = { merchantId: string } | { creatorId: string };

const fulfillingNoteSql = `(SELECT n.id FROM notes n JOIN note_products np ON np.note_id = n.id AND np.product_id = s.product_id
  WHERE n.creator_id = s.creator_id AND n.status = 'published' AND n.created_at >= s.approved_at
    AND (s.note_due_at IS NULL OR n.created_at <= s.note_due_at)
  ORDER BY n.created_at LIMIT 1)`;

/** Every column of `sample_requests s` plus the fulfilling note and whether it is overdue at :now. */
const readSql = `SELECT x.*, (x.status IN ('shipped', 'received') AND x.note_due_at < :now AND x.note_id IS NULL) AS overdue
  FROM (SELECT s.*, ${fulfillingNoteSql} AS note_id FROM sample_requests s) x`;

function toSample(row: Row): SampleRequest {
  return {
    id: String(row.id),
    object: "sample_request",
    creatorId: String(row.creator_id),
    merchantId: String(row.merchant_id),
    productId: String(row.product_id),
    skuId: String(row.sku_id),
    shippingAddress: JSON.parse(String(row.shipping_address)) as SampleRequest["shippingAddress"],
    pitch: String(row.pitch),
    status: String(row.status) as SampleRequest["status"],
    declineReason: textOrNull(row.decline_reason),
    noteDueDays: row.note_due_days === null ? null : Number(row.note_due_days),
    carrier: textOrNull(row.carrier),
    trackingNumber: textOrNull(row.tracking_number),
    approvedAt: textOrNull(row.approved_at),
    shippedAt: textOrNull(row.shipped_at),
    noteDueAt: textOrNull(row.note_due_at),
    receivedAt: textOrNull(row.received_at),
    fulfillingNoteId: textOrNull(row.note_id),
    overdue: Number(row.overdue) === 1,
    createdAt: String(row.created_at),
    updatedAt: String(row.updated_at),
  };
}

export async function readSample(db: Database, id: string, viewer: SampleViewer): Promise<SampleRequest> {
  const owner = ownedBy("x", viewer);
  const statement = {
    sql: `${readSql} WHERE x.id = :id AND ${owner.sql}`,
    args: { id, owner: owner.owner, now: new Date().toISOString() },
  };
  return readOne(db, statement, `Sample request ${id}`, toSample);
}

export async function listSamples(
  db: Database,
  viewer: SampleViewer,
  query: { status?: string | undefined; overdue?: boolean | undefined; after?: string | undefined; limit: number },
): Promise<SampleRequest[]> {
  const owner = ownedBy("x", viewer);
  const page = statusPage("y", query);
  const { rows } = await db.$client.execute({
    sql: `SELECT * FROM (${readSql} WHERE ${owner.sql}) y WHERE (:overdue IS NULL OR y.overdue = :overdue) AND ${page.sql}`,
    args: {
      owner: owner.owner,
      now: new Date().toISOString(),
      overdue: query.overdue === undefined ? null : query.overdue ? 1 : 0,
      ...page.args,
    },
  });
  return rows.map(toSample);
}

/** A creator's request for a SKU of a product under a plan open to it; the merchant is told (`sample_request.created`). */
export async function requestSample(
  db: Database,
  creatorId: string,
  input: z.infer<typeof SampleRequestCreateSchema>,
  at: Date,
): Promise<SampleRequest> {
  const now = at.toISOString();
  const { rows } = await db.$client.execute({
    sql: `SELECT k.product_id, p.merchant_id, p.status,
            ${promotableSql({ creator: ":creator", product: "k.product_id", at: ":now" })} AS promotable
          FROM skus k JOIN products p ON p.id = k.product_id WHERE k.id = :sku`,
    args: { sku: input.skuId, creator: creatorId, now },
  });
  const sku = rows[0];
  if (sku?.status !== "active") {
    throw new ProblemError("not_found", `SKU ${input.skuId} does not exist.`, {
      errors: [{ path: "/skuId", message: "no such SKU on sale" }],
    });
  }
  if (Number(sku.promotable) !== 1) {
    throw new ProblemError("conflict", "Samples are for products under an affiliate plan open to you.", {
      errors: [{ path: "/skuId", message: "its product is under no plan open to you" }],
    });
  }
  const id = newId("smp", at.getTime());
  const merchantId = String(sku.merchant_id);
  const event = webhookEvent({
    type: "sample_request.created",
    at,
    dedupeKey: `sample_request.created:${id}`,
    source: sql`SELECT json_object('id', id, 'object', 'sample_request', 'creatorId', creator_id,
        'merchantId', merchant_id, 'productId', product_id, 'skuId', sku_id, 'pitch', pitch, 'status', status,
        'createdAt', created_at) AS data, NULL AS sequence FROM sample_requests WHERE id = ${id}`,
    merchants: sql`SELECT ${merchantId} AS merchant_id`,
  });
  const results = await db.$client.batch(
    [
      {
        sql: `INSERT INTO sample_requests (id, creator_id, merchant_id, product_id, sku_id, shipping_address, pitch,
                created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        args: [
          id,
          creatorId,
          merchantId,
          String(sku.product_id),
          input.skuId,
          JSON.stringify(input.shippingAddress),
          input.pitch,
          now,
          now,
        ],
      },
      ...rawStatements(event),
    ],
    "write",
  );
  kickDispatchers(results);
  return readSample(db, id, { creatorId });
}

type Step = "approve" | "decline" | "ship" | "receipt";
const from: Record<Step, string> = { approve: "requested", decline: "requested", ship: "approved", receipt: "shipped" };
const to: Record<Step, SampleRequest["status"]> = {
  approve: "approved",
  decline: "declined",
  ship: "shipped",
  receipt: "received",
};

/**
 * Moves a request one step, by its merchant (approve, decline, ship) or its creator (receipt). The same step again
 * answers the request as it is; any other state is a 409. Shipping takes the unit off the SKU (409 `sold_out` when
 * none is left) and tells the creator in its inbox.
 */
export async function advanceSample(
  db: Database,
  viewer: SampleViewer,
  id: string,
  step: Step,
  input: { noteDueDays?: number; reason?: string; carrier?: string; trackingNumber?: string },
  at: Date,
): Promise<SampleRequest> {
  const now = at.toISOString();
  const current = await readSample(db, id, viewer);
  if (current.status === to[step]) return current;
  if (current.status !== from[step]) {
    throw new ProblemError("conflict", `Sample request ${id} is ${current.status}; it cannot be ${to[step]}.`);
  }
  const args = { id, from: from[step], to: to[step], now };
  const statements: InStatement[] = [];
  if (step === "approve") {
    statements.push({
      sql: `UPDATE sample_requests SET status = :to, note_due_days = :days, approved_at = :now, updated_at = :now
            WHERE id = :id AND status = :from`,
      args: { ...args, days: input.noteDueDays ?? 14 },
    });
  } else if (step === "decline") {
    statements.push({
      sql: "UPDATE sample_requests SET status = :to, decline_reason = :reason, updated_at = :now WHERE id = :id AND status = :from",
      args: { ...args, reason: input.reason ?? "" },
    });
  } else if (step === "ship") {
    const ledgerId = newId("led", at.getTime());
    // The unit leaves the SKU first; the request becomes shipped only if it did (same transaction).
    statements.push(
      ...moveStockStatements({
        ledgerId,
        skuId: current.skuId,
        delta: -1,
        reason: "sample",
        idempotencyKey: `sample:${id}`,
        at: now,
      }),
      {
        sql: `UPDATE sample_requests SET status = :to, carrier = :carrier, tracking_number = :tracking, ledger_id = :ledger,
                shipped_at = :now, note_due_at = strftime('%Y-%m-%dT%H:%M:%fZ', :now, '+' || note_due_days || ' days'),
                updated_at = :now
              WHERE id = :id AND status = :from AND EXISTS (SELECT 1 FROM inventory_ledger WHERE id = :ledger)`,
        args: { ...args, carrier: input.carrier ?? "", tracking: input.trackingNumber ?? "", ledger: ledgerId },
      },
    );
    const inbox = notify(
      db,
      {
        kind: "sample_shipped",
        subjectId: id,
        title: "样品已寄出 Your sample is on its way",
        body: `${input.carrier} ${input.trackingNumber}`,
        link: `/v1/sample-requests/${id}`,
      },
      sql`SELECT creator_id AS person_id FROM sample_requests WHERE id = ${id} AND status = 'shipped'`,
      at,
    ).toSQL();
    statements.push({ sql: inbox.sql, args: inbox.params as InValue[] });
  } else {
    statements.push({
      sql: "UPDATE sample_requests SET status = :to, received_at = :now, updated_at = :now WHERE id = :id AND status = :from",
      args,
    });
  }
  await db.$client.batch(statements, "write");
  const after = await readSample(db, id, viewer);
  if (after.status !== to[step]) {
    if (step === "ship") throw new ProblemError("sold_out", `SKU ${current.skuId} has no unit left to send.`);
    throw new ProblemError("conflict", `Sample request ${id} changed meanwhile; read it again.`);
  }
  return after;
}
