// Attribution: a reference on every product link out of a note, a live shelf or a creator's showcase, naming where
// the shopper found the product and which creator drove them there: `attr_<base64url payload>.<FNV-1a check>`. The check catches mangled
// references but is NOT a signature, so whoever credits a sale must call resolveAttribution, which re-reads the
// database; a forged reference can then only credit the real creator of a real note, session or showcase.
// Design: docs/design/checkout.md#attribution-is-verified-not-trusted
import { and, eq } from "drizzle-orm";
import { promotableSql } from "./affiliates.ts";
import type { Database } from "./db.ts";
import { isId } from "./ids.ts";
import { liveSessionProducts, liveSessions, noteProducts, notes } from "./schema.ts";

/** Neither a note nor a session: the creator's showcase (橱窗), which must keep the product under a plan open to it. */
export interface Attribution {
  noteId: string | null;
  liveSessionId: string | null;
  /** The creator credited: the note's author or the session's host; null for a shopper's note or a store stream. */
  creatorId: string | null;
  productId: string;
}

export type AttributionResult =
  | { ok: true; attribution: Attribution }
  | { ok: false; reason: "malformed" | "checksum" | "not_found" | "mismatch" };

const VERSION = "1";
const SEPARATOR = "~";
const pattern = /^attr_([A-Za-z0-9_-]{1,400})\.([0-9a-f]{8})$/;

function fnv1a(text: string): string {
  let hash = 0x811c9dc5;
  for (const byte of new TextEncoder().encode(text)) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash.toString(16).padStart(8, "0");
}

const toBase64Url = (text: string) => btoa(text).replaceAll("=", "").replaceAll("+", "-").replaceAll("/", "_");
const fromBase64Url = (text: string) => atob(text.replaceAll("-", "+").replaceAll("_", "/"));

/** The opaque reference for a product link; throws on ids of the wrong kind (a programming error, not input). */
export function encodeAttribution(a: Attribution): string {
  if (!wellFormed(a)) throw new TypeError(`not a valid attribution: ${JSON.stringify(a)}`);
  const payload = [VERSION, a.noteId ?? "", a.liveSessionId ?? "", a.creatorId ?? "", a.productId].join(SEPARATOR);
  return `attr_${toBase64Url(payload)}.${fnv1a(payload)}`;
}

function wellFormed(a: Attribution): boolean {
  return (
    (a.noteId !== null || a.liveSessionId !== null || a.creatorId !== null) &&
    (a.noteId === null || isId("note", a.noteId)) &&
    (a.liveSessionId === null || isId("live", a.liveSessionId)) &&
    (a.creatorId === null || isId("cre", a.creatorId)) &&
    isId("prod", a.productId)
  );
}

/** Parses a reference a client handed back; checks its shape and checksum only (see resolveAttribution). */
export function decodeAttribution(reference: string): AttributionResult {
  const match = pattern.exec(reference);
  if (!match) return { ok: false, reason: "malformed" };
  const [, encoded = "", check = ""] = match;
  let payload: string;
  try {
    payload = fromBase64Url(encoded);
  } catch {
    return { ok: false, reason: "malformed" };
  }
  if (fnv1a(payload) !== check) return { ok: false, reason: "checksum" };
  const parts = payload.split(SEPARATOR);
  if (parts.length !== 5 || parts[0] !== VERSION) return { ok: false, reason: "malformed" };
  const [, noteId = "", liveSessionId = "", creatorId = "", productId = ""] = parts;
  const attribution: Attribution = {
    noteId: noteId || null,
    liveSessionId: liveSessionId || null,
    creatorId: creatorId || null,
    productId,
  };
  return wellFormed(attribution) ? { ok: true, attribution } : { ok: false, reason: "malformed" };
}

/**
 * Decodes a reference and checks it against the database for a cart line of `productId`: what checkout must call
 * before crediting anyone. `not_found` when the note or session is gone; `mismatch` when it does not tag/shelve the
 * product or names another creator, or (a showcase's) the creator's showcase no longer holds the product under a plan
 * open to it.
 */
export async function resolveAttribution(
  db: Database,
  reference: string,
  productId: string,
): Promise<AttributionResult> {
  const decoded = decodeAttribution(reference);
  if (!decoded.ok) return decoded;
  const a = decoded.attribution;
  if (a.productId !== productId) return { ok: false, reason: "mismatch" };
  if (a.noteId === null && a.liveSessionId === null) {
    const { rows } = await db.$client.execute({
      sql: `SELECT 1 FROM showcase_items WHERE creator_id = :creator AND product_id = :product
              AND ${promotableSql({ creator: ":creator", product: ":product", at: ":now" })}`,
      args: { creator: a.creatorId, product: productId, now: new Date().toISOString() },
    });
    return rows.length > 0 ? decoded : { ok: false, reason: "mismatch" };
  }
  if (a.noteId !== null) {
    const [note] = await db
      .select({ creatorId: notes.creatorId, tagged: noteProducts.productId })
      .from(notes)
      .leftJoin(noteProducts, and(eq(noteProducts.noteId, notes.id), eq(noteProducts.productId, productId)))
      .where(and(eq(notes.id, a.noteId), eq(notes.status, "published")));
    if (!note) return { ok: false, reason: "not_found" };
    if (note.tagged === null || note.creatorId !== a.creatorId) return { ok: false, reason: "mismatch" };
  }
  if (a.liveSessionId !== null) {
    const [session] = await db
      .select({ creatorId: liveSessions.creatorId, shelved: liveSessionProducts.productId })
      .from(liveSessions)
      .leftJoin(
        liveSessionProducts,
        and(eq(liveSessionProducts.sessionId, liveSessions.id), eq(liveSessionProducts.productId, productId)),
      )
      .where(eq(liveSessions.id, a.liveSessionId));
    if (!session) return { ok: false, reason: "not_found" };
    // A note's reference credits the note's author; a session-only reference credits the host.
    if (session.shelved === null || (a.noteId === null && session.creatorId !== a.creatorId)) {
      return { ok: false, reason: "mismatch" };
    }
  }
  return decoded;
}
