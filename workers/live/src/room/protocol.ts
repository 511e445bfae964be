// The room socket's protocol, declared once. Clients send JSON text frames validated by ClientMessage; the room
// answers with broadcasts (each with a sequence number `seq`, kept in a bounded buffer for resuming) and with
// direct frames to one socket (welcome, error, ack, pong, resync, muted), which carry no `seq`.
import { z } from "@hono/zod-openapi";
import { requiredText } from "#shared/openapi/schemas.ts";

/** The largest text frame a client may send, in bytes (UTF-16 code units, near enough). */
export const MAX_FRAME_LENGTH = 4096;

const ref = z.string().max(64).optional();
const id = z.string().min(1).max(64);

export const ClientMessage = z
  .discriminatedUnion("type", [
    // Anyone in the room.
    z.strictObject({ type: z.literal("comment"), body: requiredText(200), ref }),
    z.strictObject({ type: z.literal("like"), count: z.number().int().min(1).max(1000).default(1), ref }),
    z.strictObject({ type: z.literal("ask"), body: requiredText(300), ref }),
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
    z.strictObject({ type: z.literal("announce"), body: requiredText(500), ref }),
    z.strictObject({ type: z.literal("set_keywords"), keywords: z.array(requiredText(40)).max(100), ref }),
    // The host.
    z.strictObject({ type: z.literal("pin"), productId: id, flashSaleId: id.optional(), ref }),
    z.strictObject({ type: z.literal("unpin"), ref }),
  ])
  .openapi("LiveRoomClientFrame", { description: "A frame a client sends to the room (JSON text)." });

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

export const ErrorCode = z.enum([
  "invalid_message",
  "forbidden",
  "not_found",
  "muted",
  "rate_limited",
  "comment_filtered",
  "session_ended",
  "sale_ended",
]);
export type ErrorCode = z.infer<typeof ErrorCode>;

const Money = z.object({ amount: z.number().int(), currency: z.string() });
const time = z.string().openapi({ description: "RFC 3339, UTC" });

const ShelfItem = z.object({
  productId: z.string(),
  position: z.number().int(),
  title: z.string(),
  imageUrl: z.string().nullable(),
  price: Money.nullable().openapi({ description: "The lowest SKU price." }),
  stockLeft: z.number().int(),
  attribution: z.string().openapi({
    description:
      "Pass it as the cart line's attribution: the sale is credited to this live session (and its creator host, if any).",
  }),
});
export type ShelfItem = z.infer<typeof ShelfItem>;

const PinnedProduct = ShelfItem.extend({
  flashSale: z
    .object({ id: z.string(), price: Money, stockLeft: z.number().int(), startsAt: time, endsAt: time })
    .nullable(),
  serverTime: time.openapi({ description: "The room's clock when this was sent, for the flash sale's countdown." }),
});
export type PinnedProduct = z.infer<typeof PinnedProduct>;

/** What a comment and a question both start with: its id and who posted it. */
const postFields = { id: z.string(), identity: z.string(), name: z.string() };

const CommentView = z.object({
  ...postFields,
  role: z.string(),
  body: z.string(),
  at: time,
});
export type CommentView = z.infer<typeof CommentView>;

const QuestionView = z.object({
  ...postFields,
  body: z.string(),
  upvotes: z.number().int(),
  answered: z.boolean(),
  at: time,
});
export type QuestionView = z.infer<typeof QuestionView>;

const ViewerFigures = z.object({
  current: z.number().int(),
  peak: z.number().int(),
  unique: z.number().int(),
  likeIntervalMs: z.number().int().openapi({
    description:
      "Send your likes at most this often, as one `like {count}` of what was tapped since: longer as more watch.",
  }),
});
export type ViewerFigures = z.infer<typeof ViewerFigures>;

const status = z.enum(["scheduled", "live", "ended", "cancelled"]);

/** What the room broadcasts; each is sent with its `seq`. */
const broadcasts = [
  z.object({ type: z.literal("comment"), comment: CommentView }),
  z.object({ type: z.literal("comment_deleted"), commentId: z.string() }),
  z.object({ type: z.literal("likes"), total: z.number().int(), at: time }),
  z.object({ type: z.literal("viewers"), ...ViewerFigures.shape }),
  z.object({ type: z.literal("question"), question: QuestionView }),
  z.object({
    type: z.literal("question_updated"),
    question: z.object({ id: z.string(), upvotes: z.number().int(), answered: z.boolean() }),
  }),
  z.object({ type: z.literal("announcement"), body: z.string(), name: z.string(), at: time }),
  z.object({ type: z.literal("pinned"), product: PinnedProduct.nullable() }),
  z.object({ type: z.literal("status"), status, at: time }),
] as const;
export type Broadcast = z.infer<(typeof broadcasts)[number]>;

const seq = z.number().int().openapi({ description: "The broadcast's sequence number; resume after the last seen." });
const echo = z.string().optional().openapi({ description: "The `ref` of the client frame this answers." });

/** Sent to one socket, without `seq`. */
const directFrames = [
  z.object({
    type: z.literal("welcome"),
    identity: z.string(),
    name: z.string(),
    role: z.enum(["viewer", "host", "moderator"]),
    seq: seq.openapi({ description: "The room's latest broadcast `seq`." }),
    state: z.object({
      status: status.nullable(),
      startedAt: time.nullable(),
      likes: z.number().int(),
      viewers: ViewerFigures,
      shelf: z.array(ShelfItem),
      pinned: PinnedProduct.nullable(),
      comments: z.array(CommentView).openapi({ description: "The latest 20." }),
      questions: z.array(QuestionView).openapi({ description: "Unanswered first, most upvoted first; 20." }),
    }),
  }),
  z.object({
    type: z.literal("error"),
    code: ErrorCode,
    message: z.string(),
    ref: echo,
    errors: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
  }),
  z.object({ type: z.literal("ack"), for: z.string(), ref: echo }),
  z.object({ type: z.literal("pong"), seq, ref: echo }),
  z.object({ type: z.literal("resync"), seq, reason: z.string() }),
  z.object({ type: z.literal("muted"), until: time.nullable() }),
  z.object({ type: z.literal("banned") }),
] as const;

/** Every frame the room sends, for the API document (the room builds them from the types above). */
export const ServerFrame = z
  .union([...broadcasts.map((b) => b.extend({ seq })), ...directFrames])
  .openapi("LiveRoomServerFrame", { description: "A frame the room sends: a broadcast (with `seq`) or a direct one." });
