// A note submitted for a merchant's paid collaboration, written straight to the tables the checkout Worker keeps
// (its routes are tested in test/workers/checkout/collaborations.test.ts), so catalog and search tests can check
// that every answer showing the note carries the paid-partnership label.
import { env } from "cloudflare:workers";
import { database } from "#shared/db.ts";
import { newId } from "#shared/ids.ts";
import { demo } from "../../dev/demo.ts";

export const partnerMerchant = demo.merchants[0] ?? { id: "", name: "" };

/** Records `noteId` as submitted (`status`) for a new brief of the first demo merchant; the brief's id. */
export async function submitForCollaboration(
  noteId: string,
  creatorId: string,
  status: "applied" | "accepted" | "submitted" | "approved" = "submitted",
): Promise<string> {
  const collaborationId = newId("clb");
  const now = new Date().toISOString();
  await database(env).$client.batch(
    [
      {
        sql: `INSERT INTO collaborations (id, merchant_id, title, brief, fee_amount, currency, slots, deadline)
              VALUES (?, ?, '种草合作', '真实体验', 50000, 'CNY', 1, ?)`,
        args: [collaborationId, partnerMerchant.id, new Date(Date.now() + 86_400_000).toISOString()],
      },
      {
        sql: `INSERT INTO collaboration_applications (id, collaboration_id, merchant_id, creator_id, pitch, status, note_id,
                submitted_at) VALUES (?, ?, ?, ?, '我来写', ?, ?, ?)`,
        args: [
          newId("cap"),
          collaborationId,
          partnerMerchant.id,
          creatorId,
          status,
          status === "submitted" || status === "approved" ? noteId : null,
          now,
        ],
      },
    ],
    "write",
  );
  return collaborationId;
}
