// The paid-partnership label: a note its creator submitted for a merchant's paid collaboration (a brief) says who paid
// for it in every answer that shows the note (the note, the feeds, search), as advertising rules require. It holds
// from submission on (submitted, asked for changes, approved), read from collaboration_applications at answer time.
import { z } from "@hono/zod-openapi";
import type { Database } from "./db.ts";

export const PaidPartnershipSchema = z
  .object({
    label: z.literal("paid_partnership").openapi({ description: "Show it as 合作 / Paid partnership." }),
    merchantId: z.string(),
    merchantName: z.string().openapi({ description: "The brand that paid, to name on the label." }),
    collaborationId: z.string(),
  })
  .openapi("PaidPartnership");
export type PaidPartnership = z.infer<typeof PaidPartnershipSchema>;

export const paidPartnershipField = PaidPartnershipSchema.nullable().openapi({
  description: "Set when the note was submitted for a merchant's paid collaboration: show the label with the note.",
});

/** A scalar SQL expression: the label of the note whose id is `noteId` (an SQL expression) as JSON text, or NULL. */
export function paidPartnershipSql(noteId: string): string {
  return `(SELECT json_object('label', 'paid_partnership', 'merchantId', c.merchant_id, 'merchantName', m.name,
      'collaborationId', c.id)
    FROM collaboration_applications a JOIN collaborations c ON c.id = a.collaboration_id
    JOIN merchants m ON m.id = c.merchant_id
    WHERE a.note_id = ${noteId} AND a.status IN ('submitted', 'changes_requested', 'approved')
    ORDER BY a.id LIMIT 1)`;
}

/** The labels of these notes, by note id (notes without one are absent): one query. */
export async function paidPartnershipsOf(db: Database, noteIds: string[]): Promise<Map<string, PaidPartnership>> {
  if (noteIds.length === 0) return new Map();
  const { rows } = await db.$client.execute({
    sql: `SELECT value AS id, ${paidPartnershipSql("value")} AS label FROM json_each(?)`,
    args: [JSON.stringify(noteIds)],
  });
  return new Map(
    rows.flatMap((r) => (r.label === null ? [] : [[String(r.id), JSON.parse(String(r.label)) as PaidPartnership]])),
  );
}
