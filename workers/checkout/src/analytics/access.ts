// Who may read which figures: a merchant's key with `analytics:read` its own merchant and the sessions its store
// hosts; a signed-in creator its own figures, notes and sessions; the operator everything, the platform included.
// Someone else's merchant, creator, note or session is a 404, as if it did not exist.
import type { Context } from "hono";
import type { Database } from "#shared/db.ts";
import { ProblemError } from "#shared/errors.ts";
import { principalOf, requireMerchant } from "#shared/principal.ts";
import type { Scope } from "./report.ts";

export type AnalyticsCaller =
  | { type: "operator" }
  | { type: "merchant"; merchantId: string }
  | { type: "creator"; creatorId: string };

export function analyticsCaller(c: Context): AnalyticsCaller {
  const { actor } = principalOf(c);
  switch (actor.type) {
    case "operator":
      return { type: "operator" };
    case "merchant":
      return { type: "merchant", merchantId: requireMerchant(c, "analytics:read").merchantId };
    case "creator":
      return { type: "creator", creatorId: actor.creatorId };
    default:
      throw new ProblemError(
        "unauthorized",
        "Analytics need a merchant's secret key with analytics:read, a creator's access token, or the operator key.",
      );
  }
}

const notFound = (what: string, id: string) => new ProblemError("not_found", `${what} ${id} does not exist.`);

const owners = {
  merchant: { table: "merchants", name: "Merchant" },
  creator: { table: "creators", name: "Creator" },
} as const;

/** A merchant's or creator's own figures (`me` or its id), or any existing one's for the operator; else 404. */
async function ownerScope(
  db: Database,
  caller: AnalyticsCaller,
  kind: keyof typeof owners,
  id: string,
  own: string | null,
): Promise<Scope> {
  const resolved = id === "me" && own !== null ? own : id;
  if (own !== null && own === resolved) return { kind, id: resolved };
  const { table, name } = owners[kind];
  if (caller.type !== "operator") throw notFound(name, id);
  const found = await db.$client.execute({ sql: `SELECT 1 FROM ${table} WHERE id = ?`, args: [resolved] });
  if (found.rows.length === 0) throw notFound(name, id);
  return { kind, id: resolved };
}

/** The scope `kind`/`id` names for this caller (`me`: the caller's own merchant or creator), or a 403/404 problem. */
export async function authorizeScope(
  db: Database,
  caller: AnalyticsCaller,
  kind: Scope["kind"],
  id: string,
): Promise<Scope> {
  const client = db.$client;
  switch (kind) {
    case "platform":
      if (caller.type !== "operator") throw new ProblemError("forbidden", "Platform figures are the operator's.");
      return { kind, id: "" };
    case "merchant":
      return ownerScope(db, caller, kind, id, caller.type === "merchant" ? caller.merchantId : null);
    case "creator":
      return ownerScope(db, caller, kind, id, caller.type === "creator" ? caller.creatorId : null);
    case "live_session": {
      const found = await client.execute({
        sql: "SELECT host_type, creator_id, merchant_id FROM live_sessions WHERE id = ?",
        args: [id],
      });
      const session = found.rows[0];
      const owns =
        session !== undefined &&
        (caller.type === "operator" ||
          (caller.type === "merchant" &&
            session.host_type === "merchant" &&
            session.merchant_id === caller.merchantId) ||
          (caller.type === "creator" && session.host_type === "creator" && session.creator_id === caller.creatorId));
      if (!owns) throw notFound("Live session", id);
      return { kind, id };
    }
    case "note": {
      const found = await client.execute({ sql: "SELECT creator_id FROM notes WHERE id = ?", args: [id] });
      const note = found.rows[0];
      const owns =
        note !== undefined &&
        (caller.type === "operator" || (caller.type === "creator" && note.creator_id === caller.creatorId));
      if (!owns) throw notFound("Note", id);
      return { kind, id };
    }
  }
}
