// The room socket's protocol, declared once. Clients send JSON text frames validated by ClientMessage; the room
// answers with broadcasts (each with a sequence number `seq`, kept in a bounded buffer for resuming) and with
// direct frames to one socket (welcome, error, ack, pong, resync, muted), which carry no `seq`.
import { z } from "zod";

/** The largest text frame a client may send, in bytes (UTF-16 code units, near enough). */
export const MAX_FRAME_LENGTH = 4096;

const ref = z.string().max(64).optional();
const id = z.string().min(1).max(64);
const text = (max: number) => z.string().trim().min(1).max(max);

export const ClientMessage = z.discriminatedUnion("type", [
  // Anyone in the room.
  z.strictObject({ type: z.literal("comment"), body: text(200), ref }),
  z.strictObject({ type: z.literal("like"), count: z.number().int().min(1).max(100).default(1), ref }),
  z.strictObject({ type: z.literal("ask"), body: text(300), ref }),
  z.strictObject({ type: z.literal("upvote"), questionId: id, ref }),
  z.strictObject({ type: z.literal("resume"), lastSeq: z.number().int().min(0), ref }),
  z.strictObject({ type: z.literal("ping"), ref }),
  // The host and moderators.
  z.strictObject({ type: z.literal("delete_comment"), commentId: id, ref }),
  z.strictObject({
    type: z.literal("mute"),
    identity: id,
    seconds: z.number().int().min(1).max(86_400).default(600),
    ref,
  }),
  z.strictObject({ type: z.literal("unmute"), identity: id, ref }),
  z.strictObject({ type: z.literal("ban"), identity: id, ref }),
  z.strictObject({ type: z.literal("answer"), questionId: id, ref }),
  z.strictObject({ type: z.literal("announce"), body: text(500), ref }),
  z.strictObject({ type: z.literal("set_keywords"), keywords: z.array(text(40)).max(100), ref }),
  // The host.
  z.strictObject({ type: z.literal("pin"), productId: id, flashSaleId: id.optional(), ref }),
  z.strictObject({ type: z.literal("unpin"), ref }),
]);

export type ClientMessage = z.infer<typeof ClientMessage>;

export const moderatorOnly: ReadonlySet<ClientMessage["type"]> = new Set([
  "delete_comment",
  "mute",
  "unmute",
  "ban",
  "answer",
  "announce",
  "set_keywords",
]);
export const hostOnly: ReadonlySet<ClientMessage["type"]> = new Set(["pin", "unpin"]);

export type ErrorCode =
  | "invalid_message"
  | "forbidden"
  | "not_found"
  | "muted"
  | "rate_limited"
  | "comment_filtered"
  | "session_ended"
  | "sale_ended";

export interface Money {
  amount: number;
  currency: string;
}

export interface ShelfItem {
  productId: string;
  position: number;
  title: string;
  imageUrl: string | null;
  price: Money | null;
  stockLeft: number;
}

export interface PinnedProduct extends ShelfItem {
  flashSale: null | {
    id: string;
    price: Money;
    stockLeft: number;
    startsAt: string;
    endsAt: string;
  };
  /** The room's clock when this was sent, for the flash sale's countdown. */
  serverTime: string;
}

export interface CommentView {
  id: string;
  identity: string;
  name: string;
  role: string;
  body: string;
  at: string;
}

export interface QuestionView {
  id: string;
  identity: string;
  name: string;
  body: string;
  upvotes: number;
  answered: boolean;
  at: string;
}

export interface ViewerFigures {
  current: number;
  peak: number;
  unique: number;
}

/** What the room broadcasts (each gets `seq` when sent). */
export type Broadcast =
  | { type: "comment"; comment: CommentView }
  | { type: "comment_deleted"; commentId: string }
  | { type: "likes"; total: number; at: string }
  | ({ type: "viewers" } & ViewerFigures)
  | { type: "question"; question: QuestionView }
  | { type: "question_updated"; question: { id: string; upvotes: number; answered: boolean } }
  | { type: "announcement"; body: string; name: string; at: string }
  | { type: "pinned"; product: PinnedProduct | null }
  | { type: "status"; status: "scheduled" | "live" | "ended"; at: string };
