// Paid collaborations (briefs): a merchant offers a fee per note for `slots` creators. Its budget (slots × fee) is
// split by collaboration_ledger (moved by ../collaboration-applications/application.ts) into reserved, payable and
// available: budget = reserved + payable + available. Creators see the open briefs ranked by their notes' topics.
import { z } from "@hono/zod-openapi";
import type { Row } from "@libsql/client/web";
import type { Database } from "#shared/db.ts";
import { ProblemError } from "#shared/errors.ts";
import { newId } from "#shared/ids.ts";
import { currencies, money } from "#shared/money.ts";
import { idOf, MoneySchema, requiredText, resourceFields, setOf } from "#shared/openapi/schemas.ts";
import { readOne } from "#shared/rows.ts";

export const CollaborationCreateSchema = z
  .object({
    title: requiredText(200),
    brief: requiredText(5_000).openapi({ description: "What the note should show and say." }),
    productIds: setOf(idOf("prod"))
      .min(1)
      .max(50)
      .openapi({ description: "The merchant's products the notes are about." }),
    tags: z
      .array(requiredText(40))
      .max(20)
      .default([])
      .openapi({ description: "Topics of the brief; creators whose notes share them see it ranked higher." }),
    feePerNote: z
      .object({
        amount: z.number().int().min(1).max(100_000_000).openapi({ description: "Integer minor units." }),
        currency: z.enum(currencies),
      })
      .strict(),
    slots: z.number().int().min(1).max(1_000).openapi({ description: "How many creators may be accepted." }),
    deadline: z.string().datetime({ offset: false }).openapi({ example: "2026-12-31T00:00:00.000Z" }),
    minFollowers: z.number().int().min(0).max(1_000_000_000).default(0),
  })
  .strict()
  .openapi("CollaborationCreate");

export const CollaborationSchema = z
  .object({
    ...resourceFields("collaboration", "clb"),
    merchantId: z.string(),
    title: z.string(),
    brief: z.string(),
    productIds: z.array(z.string()),
    tags: z.array(z.string()),
    feePerNote: MoneySchema,
    slots: z.number().int(),
    deadline: z.string(),
    minFollowers: z.number().int(),
    status: z.enum(["open", "closed"]).openapi({ description: "`closed` once the deadline has passed." }),
    budget: MoneySchema.openapi({ description: "slots × feePerNote = reserved + payable + available." }),
    reserved: MoneySchema.openapi({ description: "Held for accepted applications not yet approved." }),
    payable: MoneySchema.openapi({ description: "Owed to creators for approved notes." }),
    released: MoneySchema.openapi({
      description: "Given back to the brief by cancelled accepted applications (part of `available`).",
    }),
    available: MoneySchema.openapi({ description: "What further accepts may still reserve." }),
    match: z.number().int().nullable().openapi({
      description:
        "For a creator: how many of the brief's tags and its products' categories are topics of the creator's own notes.",
    }),
    createdAt: z.string(),
  })
  .openapi("Collaboration");
export type Collaboration = z.infer<typeof CollaborationSchema>;

export type Viewer = { merchantId: string; livemode: boolean } | { creatorId: string; livemode: boolean };

/** A SQL condition (with its `:owner` argument) that the row `alias` is the viewer's: a merchant's or a creator's. */
export const ownedBy = (alias: string, viewer: { merchantId: string } | { creatorId: string }) =>
  "merchantId" in viewer
    ? { sql: `${alias}.merchant_id = :owner`, owner: viewer.merchantId }
    : { sql: `${alias}.creator_id = :owner`, owner: viewer.creatorId };

const sums = `SELECT collaboration_id,
    sum(CASE kind WHEN 'reserved' THEN amount ELSE 0 END) AS reserved_in,
    sum(CASE kind WHEN 'payable' THEN amount ELSE 0 END) AS payable,
    sum(CASE kind WHEN 'released' THEN amount ELSE 0 END) AS released
  FROM collaboration_ledger GROUP BY collaboration_id`;

/** Lower-case keys a brief is about: its tags and its products' categories. */
const briefKeys = `SELECT lower(t.value) AS k FROM json_each(c.tags) t
  UNION SELECT lower(p.category) FROM collaboration_products cp JOIN products p ON p.id = cp.product_id
  WHERE cp.collaboration_id = c.id AND p.category IS NOT NULL`;
/** Lower-case topics of the creator's own published notes. */
const creatorTopics = `SELECT lower(t.value) FROM notes n, json_each(n.topics) t
  WHERE n.creator_id = :creator AND n.status = 'published'`;

const readSql = (
  match: boolean,
) => `SELECT c.*, coalesce(s.reserved_in, 0) AS reserved_in, coalesce(s.payable, 0) AS payable,
    coalesce(s.released, 0) AS released,
    (SELECT json_group_array(product_id) FROM collaboration_products WHERE collaboration_id = c.id) AS product_ids,
    ${match ? `(SELECT count(*) FROM (${briefKeys}) WHERE k IN (${creatorTopics}))` : "NULL"} AS match
  FROM collaborations c LEFT JOIN (${sums}) s ON s.collaboration_id = c.id`;

function toCollaboration(row: Row, now: string): Collaboration {
  const currency = String(row.currency);
  const fee = Number(row.fee_amount);
  const budget = fee * Number(row.slots);
  const payable = Number(row.payable);
  const released = Number(row.released);
  const reserved = Number(row.reserved_in) - payable - released;
  return {
    id: String(row.id),
    object: "collaboration",
    merchantId: String(row.merchant_id),
    title: String(row.title),
    brief: String(row.brief),
    productIds: (JSON.parse(String(row.product_ids)) as string[]).sort(),
    tags: JSON.parse(String(row.tags)) as string[],
    feePerNote: money(fee, currency),
    slots: Number(row.slots),
    deadline: String(row.deadline),
    minFollowers: Number(row.min_followers),
    status: String(row.deadline) > now ? "open" : "closed",
    budget: money(budget, currency),
    reserved: money(reserved, currency),
    payable: money(payable, currency),
    released: money(released, currency),
    available: money(budget - reserved - payable, currency),
    match: row.match === null ? null : Number(row.match),
    createdAt: String(row.created_at),
  };
}

export async function readCollaboration(db: Database, id: string, viewer: Viewer): Promise<Collaboration> {
  const now = new Date().toISOString();
  const creator = "creatorId" in viewer;
  const statement = {
    sql: `${readSql(creator)} WHERE c.id = :id AND c.livemode = :livemode AND ${creator ? "1" : "c.merchant_id = :owner"}`,
    args: {
      id,
      livemode: viewer.livemode ? 1 : 0,
      ...(creator ? { creator: viewer.creatorId } : { owner: viewer.merchantId }),
    },
  };
  return readOne(db, statement, `Collaboration ${id}`, (row) => toCollaboration(row, now));
}

/**
 * A merchant: its own briefs, newest first. A creator: the open briefs (deadline ahead), the best match with its
 * own notes' topics first, then newest; the cursor carries both keys.
 */
export async function listCollaborations(
  db: Database,
  viewer: Viewer,
  after: { match: number; id: string } | undefined,
  limit: number,
): Promise<Collaboration[]> {
  const now = new Date().toISOString();
  if ("merchantId" in viewer) {
    const { rows } = await db.$client.execute({
      sql: `${readSql(false)} WHERE c.merchant_id = :owner AND c.livemode = :livemode AND (:after IS NULL OR c.id < :after)
            ORDER BY c.id DESC LIMIT :limit`,
      args: { owner: viewer.merchantId, livemode: viewer.livemode ? 1 : 0, after: after?.id ?? null, limit },
    });
    return rows.map((r) => toCollaboration(r, now));
  }
  const { rows } = await db.$client.execute({
    sql: `SELECT * FROM (${readSql(true)} WHERE c.deadline > :now AND c.livemode = :livemode) x
          WHERE (:after IS NULL OR x.match < :match OR (x.match = :match AND x.id < :after))
          ORDER BY x.match DESC, x.id DESC LIMIT :limit`,
    args: {
      creator: viewer.creatorId,
      now,
      livemode: viewer.livemode ? 1 : 0,
      after: after?.id ?? null,
      match: after?.match ?? 0,
      limit,
    },
  });
  return rows.map((r) => toCollaboration(r, now));
}

export async function createCollaboration(
  db: Database,
  merchantId: string,
  livemode: boolean,
  input: z.infer<typeof CollaborationCreateSchema>,
  at: Date,
): Promise<Collaboration> {
  const now = at.toISOString();
  if (input.deadline <= now) {
    throw new ProblemError("validation_failed", "The deadline must be in the future.", {
      errors: [{ path: "/deadline", message: "must be after now" }],
    });
  }
  const { rows } = await db.$client.execute({
    sql: `SELECT id FROM products WHERE merchant_id = ? AND id IN (SELECT value FROM json_each(?))`,
    args: [merchantId, JSON.stringify(input.productIds)],
  });
  const own = new Set(rows.map((r) => String(r.id)));
  const errors = input.productIds.flatMap((id, i) =>
    own.has(id) ? [] : [{ path: `/productIds/${i}`, message: "not a product of yours" }],
  );
  if (errors.length > 0) throw new ProblemError("validation_failed", "Some productIds are not yours.", { errors });
  const id = newId("clb", at.getTime());
  await db.$client.batch(
    [
      {
        sql: `INSERT INTO collaborations (id, merchant_id, title, brief, tags, fee_amount, currency, slots, deadline,
                min_followers, livemode, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        args: [
          id,
          merchantId,
          input.title,
          input.brief,
          JSON.stringify(input.tags),
          input.feePerNote.amount,
          input.feePerNote.currency,
          input.slots,
          input.deadline,
          input.minFollowers,
          livemode ? 1 : 0,
          now,
          now,
        ],
      },
      ...input.productIds.map((productId) => ({
        sql: "INSERT INTO collaboration_products (collaboration_id, product_id) VALUES (?, ?)",
        args: [id, productId],
      })),
    ],
    "write",
  );
  return readCollaboration(db, id, { merchantId, livemode });
}
