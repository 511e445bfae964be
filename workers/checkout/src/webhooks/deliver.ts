// One delivery pass for one endpoint, in rounds: due deliveries sent one at a time, oldest first, signed per
// Standard Webhooks, then the round's outcomes written in one batch that reads the next round. A failing message
// retries on its own schedule without holding back the rest; delivery is at least once, with a stable webhook-id.
// Design: docs/design/webhooks.md#the-dispatcher
import type { InStatement } from "@libsql/client/web";
import { database } from "#shared/db.ts";
import { newId } from "#shared/ids.ts";
import { failureDisablesAfterMs, nextAttemptAt } from "./retry.ts";
import { unseal } from "./secrets.ts";
import { type SigningKeys, signer } from "./signing.ts";
import { allowPrivateUrls, checkWebhookUrl } from "./url-guard.ts";

const TIMEOUT_MS = 15_000;
const ROUND_LIMIT = 100;
/** A pass stops starting rounds after this long; the alarm runs the next one at once. */
const PASS_BUDGET_MS = 10_000;
const EXCERPT_CHARS = 500;

interface Endpoint {
  id: string;
  url: string;
  secret: string;
  previous_secret: string | null;
  previous_secret_expires_at: string | null;
  ed25519_private_key: string | null;
  disabled_at: string | null;
  failing_since: string | null;
}

interface Due {
  message_id: string;
  attempts: number;
  payload: string;
}

interface Outcome {
  status: number | null;
  excerpt: string;
  error: string | null;
  latencyMs: number;
  retryAfter: string | null;
}

async function signingKeys(env: Env, endpoint: Endpoint, now: number): Promise<SigningKeys> {
  const previousLive =
    endpoint.previous_secret !== null &&
    endpoint.previous_secret_expires_at !== null &&
    Date.parse(endpoint.previous_secret_expires_at) > now;
  const sealed =
    previousLive && endpoint.previous_secret ? [endpoint.secret, endpoint.previous_secret] : [endpoint.secret];
  return {
    secrets: await Promise.all(sealed.map((s) => unseal(env, s))),
    ed25519PrivateKey: endpoint.ed25519_private_key ? await unseal(env, endpoint.ed25519_private_key) : null,
  };
}

type Sign = Awaited<ReturnType<typeof signer>>;

async function send(env: Env, endpoint: Endpoint, sign: Sign, due: Due): Promise<Outcome> {
  const started = Date.now();
  const verdict = checkWebhookUrl(endpoint.url, allowPrivateUrls(env));
  if (!verdict.ok) {
    return { status: null, excerpt: "", error: `URL refused: ${verdict.reason}`, latencyMs: 0, retryAfter: null };
  }
  const timestamp = Math.floor(started / 1000);
  try {
    const response = await fetch(verdict.url, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "user-agent": "zhongcao-webhooks/1",
        "webhook-id": due.message_id,
        "webhook-timestamp": String(timestamp),
        "webhook-signature": await sign(due.message_id, timestamp, due.payload),
      },
      body: due.payload,
      redirect: "manual",
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
    const excerpt = (await response.text()).slice(0, EXCERPT_CHARS);
    return {
      status: response.status,
      excerpt,
      error: null,
      latencyMs: Date.now() - started,
      retryAfter: response.headers.get("retry-after"),
    };
  } catch (err) {
    const error = err instanceof Error && err.name === "TimeoutError" ? "timed out after 15 s" : String(err);
    return { status: null, excerpt: "", error, latencyMs: Date.now() - started, retryAfter: null };
  }
}

const succeeded = (outcome: Outcome) => outcome.status !== null && outcome.status >= 200 && outcome.status < 300;

/** What one attempt writes: its log row, and the delivery's state. */
function record(endpointId: string, due: Due, outcome: Outcome, now: number): InStatement[] {
  const at = new Date(now).toISOString();
  const ok = succeeded(outcome);
  const attempts = due.attempts + 1;
  const next = ok ? null : nextAttemptAt(attempts, outcome.retryAfter, now);
  const nextAt = next === null ? null : new Date(next).toISOString();
  const status = ok ? "succeeded" : next === null ? "failed" : "pending";
  return [
    {
      sql: `INSERT INTO webhook_attempts (id, endpoint_id, message_id, attempt, response_status, response_excerpt, error,
                                          latency_ms, next_attempt_at, created_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      args: [
        newId("att", now),
        endpointId,
        due.message_id,
        attempts,
        outcome.status,
        outcome.excerpt,
        outcome.error,
        outcome.latencyMs,
        nextAt,
        at,
      ],
    },
    {
      // Only the attempt this pass made: a resend meanwhile (attempts reset) is not overwritten.
      sql: `UPDATE webhook_deliveries SET status = ?, attempts = ?, next_attempt_at = ?, updated_at = ?
            WHERE endpoint_id = ? AND message_id = ? AND status = 'pending' AND attempts = ?`,
      args: [status, attempts, nextAt, at, endpointId, due.message_id, due.attempts],
    },
  ];
}

/**
 * What a round's outcomes do to the endpoint: its run of failures (the first failure since the last success, null
 * after a success), and disabling it on a 410 or once that run reaches 5 days.
 */
function endpointAfter(endpoint: Endpoint, outcomes: { outcome: Outcome; at: number }[]): InStatement[] {
  let failingSince = endpoint.failing_since;
  for (const { outcome, at } of outcomes) {
    failingSince = succeeded(outcome) ? null : (failingSince ?? new Date(at).toISOString());
  }
  const now = outcomes.at(-1)?.at ?? Date.now();
  const gone = outcomes.some(({ outcome }) => outcome.status === 410);
  const tooLong = failingSince !== null && Date.parse(failingSince) <= now - failureDisablesAfterMs;
  const statements: InStatement[] = [];
  if (failingSince !== endpoint.failing_since) {
    statements.push({
      sql: "UPDATE webhook_endpoints SET failing_since = ? WHERE id = ?",
      args: [failingSince, endpoint.id],
    });
  }
  if (gone || tooLong) {
    const at = new Date(now).toISOString();
    statements.push({
      sql: `UPDATE webhook_endpoints SET disabled_at = ?, disabled_reason = ?, version = version + 1, updated_at = ?
            WHERE id = ? AND disabled_at IS NULL`,
      args: [at, gone ? "The endpoint answered 410 Gone." : "Every delivery has failed for 5 days.", at, endpoint.id],
    });
  }
  return statements;
}

/**
 * Delivers what is due for `endpointId` and says when to run again: the next attempt due (a retry, or at once when
 * the pass ran out of time); null when nothing is pending, or the endpoint is gone or disabled. Nothing new is looked
 * for meanwhile: writers kick the dispatcher, and the platform-wide sweep (sweep.ts) catches a kick that was lost.
 */
export async function deliverDue(env: Env, endpointId: string): Promise<number | null> {
  const client = database(env).$client;
  const started = Date.now();
  const reads = (now: number): InStatement[] => [
    { sql: "SELECT * FROM webhook_endpoints WHERE id = ?", args: [endpointId] },
    {
      sql: `SELECT d.message_id, d.attempts, m.payload FROM webhook_deliveries d
            JOIN webhook_messages m ON m.id = d.message_id
            WHERE d.endpoint_id = ? AND d.status = 'pending' AND d.next_attempt_at <= ?
            ORDER BY d.next_attempt_at, d.message_id LIMIT ?`,
      args: [endpointId, new Date(now).toISOString(), ROUND_LIMIT],
    },
    {
      sql: "SELECT min(next_attempt_at) AS next FROM webhook_deliveries WHERE endpoint_id = ? AND status = 'pending'",
      args: [endpointId],
    },
  ];
  let [endpoints, dueRows, nextRow] = await client.batch(reads(started), "read");
  for (;;) {
    const endpoint = endpoints?.rows[0] as unknown as Endpoint | undefined;
    if (!endpoint || endpoint.disabled_at !== null) return null;
    const due = (dueRows?.rows ?? []) as unknown as Due[];
    if (due.length === 0 || Date.now() - started > PASS_BUDGET_MS) {
      const next = nextRow?.rows[0]?.next;
      return typeof next === "string" ? Date.parse(next) : null;
    }
    const sign = await signer(await signingKeys(env, endpoint, Date.now()));
    const outcomes: { outcome: Outcome; at: number }[] = [];
    const statements: InStatement[] = [];
    for (const item of due) {
      const outcome = await send(env, endpoint, sign, item);
      const at = Date.now();
      outcomes.push({ outcome, at });
      statements.push(...record(endpoint.id, item, outcome, at));
      if (outcome.status === 410) break;
    }
    const results = await client.batch(
      [...statements, ...endpointAfter(endpoint, outcomes), ...reads(Date.now())],
      "write",
    );
    [endpoints, dueRows, nextRow] = results.slice(-3);
  }
}
