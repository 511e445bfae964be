// People, chat and moderation: everyone who came (the unique viewers, their role, mutes and bans), comments,
// questions and their upvotes, the keyword filter, and a per-person rate limit on what viewers post.
import { newId } from "#shared/ids.ts";
import { type Attachment, iso, type RoomCore } from "./core.ts";
import type { CommentView, QuestionView } from "./protocol.ts";
import type { Timeline } from "./timeline.ts";

/** Comments and questions a person may send per window (the host and moderators are not limited). */
export const RATE_LIMIT = { count: 5, windowMs: 10_000 };

export const chatMigrations = [
  `CREATE TABLE IF NOT EXISTS people (identity TEXT PRIMARY KEY, name TEXT NOT NULL, role TEXT NOT NULL,
     first_seen INTEGER NOT NULL, muted_until INTEGER NOT NULL DEFAULT 0, banned INTEGER NOT NULL DEFAULT 0)`,
  `CREATE TABLE IF NOT EXISTS comments (id TEXT PRIMARY KEY, identity TEXT NOT NULL, name TEXT NOT NULL,
     role TEXT NOT NULL, body TEXT NOT NULL, at INTEGER NOT NULL, deleted INTEGER NOT NULL DEFAULT 0)`,
  `CREATE TABLE IF NOT EXISTS questions (id TEXT PRIMARY KEY, identity TEXT NOT NULL, name TEXT NOT NULL,
     body TEXT NOT NULL, at INTEGER NOT NULL, upvotes INTEGER NOT NULL DEFAULT 0, answered INTEGER NOT NULL DEFAULT 0)`,
  `CREATE TABLE IF NOT EXISTS question_votes (question_id TEXT NOT NULL, identity TEXT NOT NULL,
     PRIMARY KEY (question_id, identity))`,
];

export class Chat {
  // Per-person comment times for the rate limit. In memory on purpose: losing it on eviction only forgives.
  private sent = new Map<string, number[]>();

  private readonly core: RoomCore;
  private readonly timeline: Timeline;

  constructor(core: RoomCore, timeline: Timeline) {
    this.core = core;
    this.timeline = timeline;
  }

  private get sql(): SqlStorage {
    return this.core.sql;
  }

  /** Someone admitted to the room: counted once as a unique viewer; a new name or role replaces the old. */
  admit(who: Attachment, now: number): void {
    this.sql.exec(
      `INSERT INTO people (identity, name, role, first_seen) VALUES (?, ?, ?, ?)
       ON CONFLICT (identity) DO UPDATE SET name = excluded.name, role = excluded.role`,
      who.identity,
      who.name,
      who.role,
      now,
    );
  }

  banned(identity: string): boolean {
    const person = this.sql
      .exec<{ banned: number }>("SELECT banned FROM people WHERE identity = ?", identity)
      .toArray()[0];
    return Boolean(person?.banned);
  }

  private count(table: "people" | "comments" | "questions"): number {
    return this.sql.exec<{ n: number }>(`SELECT COUNT(*) AS n FROM ${table}`).one().n;
  }

  uniqueViewers(): number {
    return this.count("people");
  }

  totals(): { comments: number; questions: number } {
    return { comments: this.count("comments"), questions: this.count("questions") };
  }

  setKeywords(keywords: string[]): void {
    this.core.set(
      "keywords",
      keywords.map((k) => k.toLowerCase()),
    );
  }

  /** The newest comments and the open questions first, for a welcome. */
  recent(): { comments: CommentView[]; questions: QuestionView[] } {
    const comments = this.sql
      .exec<{ id: string; identity: string; name: string; role: string; body: string; at: number }>(
        "SELECT id, identity, name, role, body, at FROM comments WHERE deleted = 0 ORDER BY at DESC, id DESC LIMIT 20",
      )
      .toArray()
      .reverse()
      .map((c): CommentView => ({ ...c, at: iso(c.at) }));
    const questions = this.sql
      .exec<{
        id: string;
        identity: string;
        name: string;
        body: string;
        upvotes: number;
        answered: number;
        at: number;
      }>("SELECT * FROM questions ORDER BY answered, upvotes DESC, at LIMIT 20")
      .toArray()
      .map((q): QuestionView => ({ ...q, answered: q.answered === 1, at: iso(q.at) }));
    return { comments, questions };
  }

  post(ws: WebSocket, who: Attachment, kind: "comment" | "ask", body: string, now: number, ref?: string) {
    const person = this.sql
      .exec<{ muted_until: number }>("SELECT muted_until FROM people WHERE identity = ?", who.identity)
      .toArray()[0];
    if (person && person.muted_until > now) {
      return this.core.error(ws, "muted", `You are muted until ${iso(person.muted_until)}.`, ref);
    }
    if (who.role === "viewer") {
      const times = (this.sent.get(who.identity) ?? []).filter((t) => now - t < RATE_LIMIT.windowMs);
      if (times.length >= RATE_LIMIT.count) {
        this.sent.set(who.identity, times);
        return this.core.error(ws, "rate_limited", "Too many messages; wait a few seconds.", ref);
      }
      times.push(now);
      this.sent.set(who.identity, times);
    }
    const lowered = body.toLowerCase();
    if (this.core.get<string[]>("keywords", []).some((k) => lowered.includes(k))) {
      return this.core.error(ws, "comment_filtered", "The message contains a word this room does not allow.", ref);
    }
    if (kind === "comment") {
      const comment: CommentView = {
        id: newId("cmt", now),
        identity: who.identity,
        name: who.name,
        role: who.role,
        body,
        at: iso(now),
      };
      this.sql.exec(
        "INSERT INTO comments (id, identity, name, role, body, at) VALUES (?, ?, ?, ?, ?, ?)",
        comment.id,
        who.identity,
        who.name,
        who.role,
        body,
        now,
      );
      this.timeline.countMinute("comments", 1, now);
      this.core.broadcast({ type: "comment", comment });
      return;
    }
    const question: QuestionView = {
      id: `qst_${newId("req", now).slice(4)}`,
      identity: who.identity,
      name: who.name,
      body,
      upvotes: 0,
      answered: false,
      at: iso(now),
    };
    this.sql.exec(
      "INSERT INTO questions (id, identity, name, body, at) VALUES (?, ?, ?, ?, ?)",
      question.id,
      who.identity,
      who.name,
      body,
      now,
    );
    this.core.broadcast({ type: "question", question });
  }

  deleteComment(ws: WebSocket, commentId: string, ref?: string) {
    const deleted = this.sql.exec("UPDATE comments SET deleted = 1 WHERE id = ? AND deleted = 0", commentId);
    if (deleted.rowsWritten === 0) return this.core.error(ws, "not_found", "No such comment.", ref);
    this.core.broadcast({ type: "comment_deleted", commentId });
  }

  private questionState(id: string): { id: string; upvotes: number; answered: boolean } {
    const q = this.sql
      .exec<{ upvotes: number; answered: number }>("SELECT upvotes, answered FROM questions WHERE id = ?", id)
      .one();
    return { id, upvotes: q.upvotes, answered: q.answered === 1 };
  }

  upvote(ws: WebSocket, who: Attachment, questionId: string, ref?: string) {
    const exists = this.sql.exec("SELECT 1 FROM questions WHERE id = ?", questionId).toArray().length > 0;
    if (!exists) return this.core.error(ws, "not_found", "No such question.", ref);
    const vote = this.sql.exec(
      "INSERT INTO question_votes (question_id, identity) VALUES (?, ?) ON CONFLICT DO NOTHING",
      questionId,
      who.identity,
    );
    // A second upvote by the same person changes nothing.
    if (vote.rowsWritten === 0) return this.core.send(ws, { type: "ack", for: "upvote", ref });
    this.sql.exec("UPDATE questions SET upvotes = upvotes + 1 WHERE id = ?", questionId);
    this.core.broadcast({ type: "question_updated", question: this.questionState(questionId) });
  }

  answer(ws: WebSocket, questionId: string, ref?: string) {
    const q = this.sql
      .exec<{ body: string }>("UPDATE questions SET answered = 1 WHERE id = ? RETURNING body", questionId)
      .toArray()[0];
    if (!q) return this.core.error(ws, "not_found", "No such question.", ref);
    this.timeline.record("question_answered", null, { questionId, body: q.body });
    this.core.broadcast({ type: "question_updated", question: this.questionState(questionId) });
  }

  /** Mutes, unmutes or bans a viewer (never the host or a moderator); true when it was done. */
  moderate(
    ws: WebSocket,
    action: "mute" | "unmute" | "ban",
    identity: string,
    seconds: number,
    now: number,
    ref?: string,
  ): boolean {
    const target = this.sql.exec<{ role: string }>("SELECT role FROM people WHERE identity = ?", identity).toArray()[0];
    if (identity === this.core.get("host_identity", "") || (target && target.role !== "viewer")) {
      this.core.error(ws, "forbidden", "The host and moderators cannot be muted or banned.", ref);
      return false;
    }
    const mutedUntil = action === "mute" ? now + seconds * 1000 : 0;
    this.sql.exec(
      `INSERT INTO people (identity, name, role, first_seen, muted_until, banned) VALUES (?, ?, 'viewer', ?, ?, ?)
       ON CONFLICT (identity) DO UPDATE SET muted_until = excluded.muted_until, banned = MAX(banned, excluded.banned)`,
      identity,
      identity,
      now,
      mutedUntil,
      action === "ban" ? 1 : 0,
    );
    for (const socket of this.core.socketsOf(identity)) {
      if (action === "ban") {
        this.core.send(socket, { type: "banned" });
        socket.close(4003, "Removed from the live session.");
      } else {
        this.core.send(socket, { type: "muted", until: mutedUntil === 0 ? null : iso(mutedUntil) });
      }
    }
    return true;
  }
}
