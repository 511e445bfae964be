// Applications to paid briefs: a creator applies; accepting reserves the fee in collaboration_ledger, approving the
// submitted note makes it payable, cancelling an accepted application releases it. Every money move is an append-only
// ledger row written in the same write batch as the status change and conditional in SQL, so two accepts racing for
// the last slot cannot both reserve (the batch is one transaction; the second sees the first's row).
import { z } from "@hono/zod-openapi";
import type { InStatement, InValue, Row } from "@libsql/client/web";
import { sql } from "drizzle-orm";
import type { Database } from "#shared/db.ts";
import { ProblemError } from "#shared/errors.ts";
import { newId } from "#shared/ids.ts";
import { money } from "#shared/money.ts";
import { type Notice, notify } from "#shared/notifications.ts";
import { idOf, MoneySchema, requiredText, resourceFields } from "#shared/openapi/schemas.ts";
import { statusPage } from "#shared/pagination.ts";
import { readOne, textOrNull } from "#shared/rows.ts";
import { rawStatements, webhookEvent } from "#shared/webhook-events.ts";
import { ownedBy, readCollaboration, type Viewer } from "../collaborations/collaboration.ts";
import { kickDispatchers } from "../webhooks/kick.ts";

/** A submitted note the merchant has not answered within this many days is approved by the cron sweep. */
export const AUTO_APPROVE_DAYS = 7;

const applicationStatuses = [
  "applied",
  "accepted",
  "declined",
  "submitted",
  "changes_requested",
  "approved",
  "cancelled",
] as const;

export const ApplicationCreateSchema = z
  .object({ pitch: requiredText(2_000) })
  .strict()
  .openapi("CollaborationApplicationCreate");
export const SubmissionSchema = z
  .object({ noteId: idOf("note") })
  .strict()
  .openapi("CollaborationSubmission");
export const ChangesSchema = z
  .object({ feedback: requiredText(2_000) })
  .strict()
  .openapi("CollaborationChangesRequest");

export const ApplicationSchema = z
  .object({
    ...resourceFields("collaboration_application", "cap"),
    collaborationId: z.string(),
    merchantId: z.string(),
    creatorId: z.string(),
    pitch: z.string(),
    status: z.enum(applicationStatuses),
    fee: MoneySchema,
    noteId: z.string().nullable(),
    feedback: z.string().nullable().openapi({ description: "The merchant's last request for changes." }),
    acceptedAt: z.string().nullable(),
    submittedAt: z.string().nullable(),
    approvedAt: z.string().nullable(),
    autoApproveAt: z
      .string()
      .nullable()
      .openapi({
        description: `While submitted: when it is approved if the merchant does nothing (${AUTO_APPROVE_DAYS} days after submission).`,
      }),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi("CollaborationApplication");
export type Application = z.infer<typeof ApplicationSchema>;

const applicationSql = `SELECT a.*, c.fee_amount, c.currency, c.livemode FROM collaboration_applications a
  JOIN collaborations c ON c.id = a.collaboration_id`;

function toApplication(row: Row): Application {
  const submittedAt = textOrNull(row.submitted_at);
  return {
    id: String(row.id),
    object: "collaboration_application",
    collaborationId: String(row.collaboration_id),
    merchantId: String(row.merchant_id),
    creatorId: String(row.creator_id),
    pitch: String(row.pitch),
    status: String(row.status) as Application["status"],
    fee: money(row.fee_amount, row.currency),
    noteId: textOrNull(row.note_id),
    feedback: textOrNull(row.feedback),
    acceptedAt: textOrNull(row.accepted_at),
    submittedAt,
    approvedAt: textOrNull(row.approved_at),
    autoApproveAt:
      row.status === "submitted" && submittedAt
        ? new Date(Date.parse(submittedAt) + AUTO_APPROVE_DAYS * 86_400_000).toISOString()
        : null,
    createdAt: String(row.created_at),
    updatedAt: String(row.updated_at),
  };
}

export async function readApplication(db: Database, id: string, viewer: Viewer): Promise<Application> {
  const owner = ownedBy("a", viewer);
  const statement = {
    sql: `${applicationSql} WHERE a.id = :id AND ${owner.sql} AND c.livemode = :livemode`,
    args: { id, owner: owner.owner, livemode: viewer.livemode ? 1 : 0 },
  };
  return readOne(db, statement, `Collaboration application ${id}`, toApplication);
}

/** A brief's applications, newest first: its merchant sees all, a creator its own. */
export async function listApplications(
  db: Database,
  collaborationId: string,
  viewer: Viewer,
  query: { status?: string | undefined; after?: string | undefined; limit: number },
): Promise<Application[]> {
  await readCollaboration(db, collaborationId, viewer);
  const owner = ownedBy("a", viewer);
  const page = statusPage("a", query);
  const { rows } = await db.$client.execute({
    sql: `${applicationSql} WHERE a.collaboration_id = :collaboration AND ${owner.sql} AND ${page.sql}`,
    args: { collaboration: collaborationId, owner: owner.owner, ...page.args },
  });
  return rows.map(toApplication);
}

/** A creator applies once to an open brief, if it has at least its minFollowers; the merchant is told. */
export async function apply(
  db: Database,
  collaborationId: string,
  creatorId: string,
  livemode: boolean,
  pitch: string,
  at: Date,
): Promise<Application> {
  const now = at.toISOString();
  const brief = await readCollaboration(db, collaborationId, { creatorId, livemode });
  if (brief.status !== "open") throw new ProblemError("conflict", `Collaboration ${collaborationId} is closed.`);
  const { rows } = await db.$client.execute({
    sql: "SELECT follower_count FROM creators WHERE id = ?",
    args: [creatorId],
  });
  const followers = Number(rows[0]?.follower_count ?? 0);
  if (followers < brief.minFollowers) {
    throw new ProblemError(
      "conflict",
      `This brief is for creators with at least ${brief.minFollowers} followers; you have ${followers}.`,
    );
  }
  const id = newId("cap", at.getTime());
  const event = webhookEvent({
    type: "collaboration.application.created",
    at,
    dedupeKey: `collaboration.application.created:${id}`,
    source: sql`SELECT json_object('id', id, 'object', 'collaboration_application', 'collaborationId', collaboration_id,
        'merchantId', merchant_id, 'creatorId', creator_id, 'pitch', pitch, 'status', status, 'createdAt', created_at)
        AS data, NULL AS sequence FROM collaboration_applications WHERE id = ${id}`,
    merchants: sql`SELECT ${brief.merchantId} AS merchant_id`,
    livemode: sql`SELECT ${livemode ? 1 : 0}`,
  });
  const results = await db.$client.batch(
    [
      {
        sql: `INSERT INTO collaboration_applications (id, collaboration_id, merchant_id, creator_id, pitch, created_at,
                updated_at) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
        args: [id, collaborationId, brief.merchantId, creatorId, pitch, now, now],
      },
      ...rawStatements(event),
    ],
    "write",
  );
  if (results[0]?.rowsAffected !== 1) {
    throw new ProblemError("conflict", `You have already applied to collaboration ${collaborationId}.`);
  }
  kickDispatchers(results);
  return readApplication(db, id, { creatorId, livemode });
}

const statement = (query: ReturnType<ReturnType<typeof notify>["toSQL"]>): InStatement => ({
  sql: query.sql,
  args: query.params as InValue[],
});

/** A step that moves the fee: the application goes `from` → `to`, stamping `stamp`, and the creator is told. */
interface FeeStep {
  /** The ledger row it writes: the fee reserved (accept) or payable (approve). */
  kind: "reserved" | "payable";
  from: Application["status"];
  to: Application["status"];
  stamp: "accepted_at" | "approved_at";
  /** A further condition on the ledger row, over `a` (the application) and `c` (its brief). */
  guard?: string;
  notice: Omit<Notice, "subjectId" | "link">;
}

/**
 * The ledger row is written only while the application is `from` (and `guard` holds); the status changes only if
 * this application's row exists (same transaction), and the notice goes out only once it has.
 */
function feeStepStatements(db: Database, id: string, at: Date, step: FeeStep): InStatement[] {
  const now = at.toISOString();
  const { kind, from, to } = step;
  return [
    {
      sql: `INSERT INTO collaboration_ledger (id, collaboration_id, application_id, kind, amount, currency, created_at)
            SELECT :ledger, c.id, a.id, :kind, c.fee_amount, c.currency, :now
            FROM collaboration_applications a JOIN collaborations c ON c.id = a.collaboration_id
            WHERE a.id = :id AND a.status = :from ${step.guard ? `AND ${step.guard}` : ""}
            ON CONFLICT DO NOTHING`,
      args: { ledger: newId("cld", at.getTime()), id, kind, from, now },
    },
    {
      sql: `UPDATE collaboration_applications SET status = :to, ${step.stamp} = :now, updated_at = :now
            WHERE id = :id AND status = :from
              AND EXISTS (SELECT 1 FROM collaboration_ledger WHERE application_id = :id AND kind = :kind)`,
      args: { id, kind, from, to, now },
    },
    statement(
      notify(
        db,
        { ...step.notice, subjectId: id, link: `/v1/collaboration-applications/${id}` },
        sql`SELECT creator_id AS person_id FROM collaboration_applications WHERE id = ${id} AND status = ${to}`,
        at,
      ).toSQL(),
    ),
  ];
}

/** Approving: the fee becomes payable and the creator is told. */
const approveStatements = (db: Database, id: string, at: Date) =>
  feeStepStatements(db, id, at, {
    kind: "payable",
    from: "submitted",
    to: "approved",
    stamp: "approved_at",
    notice: {
      kind: "collaboration_fee_payable",
      title: "合作费用待结算 Your collaboration fee is payable",
      body: "The merchant approved your note.",
    },
  });

export type Step = "accept" | "decline" | "submit" | "approve" | "request_changes" | "cancel";
const from: Record<Step, readonly Application["status"][]> = {
  accept: ["applied"],
  decline: ["applied"],
  submit: ["accepted", "changes_requested"],
  approve: ["submitted"],
  request_changes: ["submitted"],
  cancel: ["applied", "accepted", "changes_requested"],
};
const to: Record<Step, Application["status"]> = {
  accept: "accepted",
  decline: "declined",
  submit: "submitted",
  approve: "approved",
  request_changes: "changes_requested",
  cancel: "cancelled",
};

/**
 * Moves an application one step: its merchant accepts, declines, approves or asks for changes; its creator submits
 * a note; either cancels. The same step again answers it as it is (a submission only with the same note); any
 * other state is 409. An accept with no slot left in the budget is 409 `limit_exceeded`.
 */
export async function advance(
  db: Database,
  viewer: Viewer,
  id: string,
  step: Step,
  input: { noteId?: string; feedback?: string },
  at: Date,
): Promise<Application> {
  const now = at.toISOString();
  const current = await readApplication(db, id, viewer);
  if (current.status === to[step] && (step !== "submit" || current.noteId === input.noteId)) return current;
  if (!from[step].includes(current.status)) {
    throw new ProblemError("conflict", `Application ${id} is ${current.status}; it cannot be ${to[step]}.`);
  }
  const states = from[step].map((s) => `'${s}'`).join(", ");
  const statements: InStatement[] = [];
  if (step === "accept") {
    statements.push(
      ...feeStepStatements(db, id, at, {
        kind: "reserved",
        from: "applied",
        to: "accepted",
        stamp: "accepted_at",
        // Only while the brief's reserved + payable stays within slots × fee.
        guard: `(SELECT coalesce(sum(CASE l.kind WHEN 'reserved' THEN l.amount WHEN 'released' THEN -l.amount ELSE 0 END), 0)
                 FROM collaboration_ledger l WHERE l.collaboration_id = c.id) + c.fee_amount <= c.slots * c.fee_amount`,
        notice: {
          kind: "collaboration_accepted",
          title: "合作申请已通过 Your collaboration application was accepted",
          body: `Fee ${current.fee.amount} ${current.fee.currency} per note, reserved for you.`,
        },
      }),
    );
  } else if (step === "submit") {
    const { rows } = await db.$client.execute({
      sql: "SELECT 1 FROM notes WHERE id = ? AND creator_id = ? AND status = 'published'",
      args: [input.noteId ?? "", current.creatorId],
    });
    if (rows.length === 0) {
      throw new ProblemError("not_found", `Note ${input.noteId} is not a published note of yours.`, {
        errors: [{ path: "/noteId", message: "no such published note of yours" }],
      });
    }
    const event = webhookEvent({
      type: "collaboration.submission.created",
      at,
      dedupeKey: `collaboration.submission.created:${id}:${now}`,
      source: sql`SELECT json_object('id', id, 'object', 'collaboration_application', 'collaborationId', collaboration_id,
          'creatorId', creator_id, 'noteId', note_id, 'status', status, 'submittedAt', submitted_at) AS data,
          NULL AS sequence FROM collaboration_applications WHERE id = ${id} AND status = 'submitted' AND submitted_at = ${now}`,
      merchants: sql`SELECT ${current.merchantId} AS merchant_id`,
      livemode: sql`SELECT ${viewer.livemode ? 1 : 0}`,
    });
    statements.push(
      {
        sql: `UPDATE collaboration_applications SET status = 'submitted', note_id = :note, submitted_at = :now,
                updated_at = :now WHERE id = :id AND status IN (${states})`,
        args: { id, note: input.noteId ?? "", now },
      },
      ...rawStatements(event),
    );
  } else if (step === "approve") {
    statements.push(...approveStatements(db, id, at));
  } else if (step === "cancel") {
    statements.push(
      {
        sql: `INSERT INTO collaboration_ledger (id, collaboration_id, application_id, kind, amount, currency, created_at)
              SELECT :ledger, l.collaboration_id, l.application_id, 'released', l.amount, l.currency, :now
              FROM collaboration_ledger l JOIN collaboration_applications a ON a.id = l.application_id
              WHERE l.application_id = :id AND l.kind = 'reserved' AND a.status IN ('accepted', 'changes_requested')
              ON CONFLICT DO NOTHING`,
        args: { ledger: newId("cld", at.getTime()), id, now },
      },
      {
        sql: `UPDATE collaboration_applications SET status = 'cancelled', updated_at = :now
              WHERE id = :id AND status IN (${states})`,
        args: { id, now },
      },
    );
  } else {
    statements.push({
      sql: `UPDATE collaboration_applications SET status = :to, feedback = coalesce(:feedback, feedback), updated_at = :now
            WHERE id = :id AND status IN (${states})`,
      args: { id, to: to[step], feedback: input.feedback ?? null, now },
    });
  }
  const results = await db.$client.batch(statements, "write");
  kickDispatchers(results);
  const after = await readApplication(db, id, viewer);
  if (after.status !== to[step]) {
    if (step === "accept" && after.status === "applied") {
      throw new ProblemError("limit_exceeded", "Every slot of this brief is taken; decline or cancel one first.");
    }
    throw new ProblemError("conflict", `Application ${id} changed meanwhile; read it again.`);
  }
  return after;
}

/** The cron sweep: submissions the merchant left unanswered for AUTO_APPROVE_DAYS are approved, a few at a time. */
export async function approveOverdueSubmissions(db: Database, at = new Date()): Promise<number> {
  const cutoff = new Date(at.getTime() - AUTO_APPROVE_DAYS * 86_400_000).toISOString();
  const { rows } = await db.$client.execute({
    sql: "SELECT id FROM collaboration_applications WHERE status = 'submitted' AND submitted_at <= ? LIMIT 50",
    args: [cutoff],
  });
  let approved = 0;
  for (const row of rows) {
    const results = await db.$client.batch(approveStatements(db, String(row.id), at), "write");
    if (results[1]?.rowsAffected === 1) approved++;
  }
  return approved;
}
