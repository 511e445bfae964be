// A fake of Stripe's HTTP API for the tests, speaking its documented wire format for exactly what zhongcao uses:
// `POST /v1/payment_intents`, `POST /v1/payment_intents/:id/cancel` and `POST /v1/refunds` (form-encoded, `Idempotency-Key` honoured: a replay gets the
// first response, another body under the same key a 400 `idempotency_error`), `GET /v1/payment_intents/:id`,
// `GET /v1/refunds/:id` and `GET /v1/refunds?payment_intent=`, the
// secret key checked, and errors as `{ error: { type, code, message } }`.
//
// Tests steer it through /_fake/ (no key):
// - `POST /_fake/rules { path, match?, status, error?, refundStatus?, lost?, times? }`: the next requests to `path`
//   whose form fields include `match` get `status` with `error` (an outage, a card error), or, for refunds, are
//   created with `refundStatus` ("pending": settled later by an event); with `lost`, the request is carried out (and
//   kept under its idempotency key) but its answer is lost: the caller gets `status` and `error` instead;
// - `POST /_fake/events { type, object, status?, timestamp? }`: moves the PaymentIntent or Refund `object` (its id,
//   or a value of its metadata such as our payment or refund id) as the event `type` says, or to `status` (a
//   `charge.refunded` event carries the intent's charge), and returns the event's `body` and its `signature` (a Stripe-Signature made with the official
//   `stripe.webhooks.generateTestHeaderStringAsync`, at `timestamp` seconds, default now), for the test to deliver;
// - `GET /_fake/requests`: every API request seen (method, path, idempotency key, form fields).
// - `GET /_fake/intents`: every PaymentIntent as the fake holds it.
import { randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import Stripe from "stripe";
import type { TestProject } from "vitest/node";

type Fields = Record<string, string>;
interface StripeObject {
  id: string;
  object: string;
  status: string;
  amount: number;
  currency: string;
  metadata: Fields;
  created: number;
  [more: string]: unknown;
}
interface Rule {
  path: string;
  match: Fields;
  status: number;
  error?: { type: string; code?: string; message: string };
  refundStatus?: string;
  lost?: boolean;
  times: number;
}

const now = () => Math.floor(Date.now() / 1000);
const id = (prefix: string) => `${prefix}_${randomBytes(12).toString("hex")}`;

/** `metadata[payment_id]=x&amount=1` as `{ "metadata[payment_id]": "x", amount: "1" }`, and metadata alone. */
function metadataOf(fields: Fields): Fields {
  return Object.fromEntries(
    Object.entries(fields).flatMap(([key, value]) => {
      const m = /^metadata\[(.+)\]$/.exec(key);
      return m?.[1] ? [[m[1], value]] : [];
    }),
  );
}

const stripeError = (status: number, type: string, message: string, code?: string, param?: string) => ({
  status,
  body: { error: { type, message, ...(code ? { code } : {}), ...(param ? { param } : {}) } },
});

export async function startStripeFake(options: { secretKey: string; webhookSecret: string }) {
  const intents = new Map<string, StripeObject>();
  const refunds = new Map<string, StripeObject>();
  const idempotent = new Map<string, { fields: string; status: number; body: unknown }>();
  const rules: Rule[] = [];
  const requests: { method: string; path: string; idempotencyKey: string | null; fields: Fields }[] = [];

  function refunded(intentId: string): number {
    let sum = 0;
    for (const r of refunds.values()) if (r.payment_intent === intentId && r.status !== "failed") sum += r.amount;
    return sum;
  }

  function createIntent(fields: Fields) {
    const amount = Number(fields.amount);
    if (!Number.isSafeInteger(amount) || amount < 1) {
      return stripeError(
        400,
        "invalid_request_error",
        "Invalid positive integer",
        "parameter_invalid_integer",
        "amount",
      );
    }
    if (!/^[a-z]{3}$/.test(fields.currency ?? "")) {
      return stripeError(400, "invalid_request_error", "Invalid currency", "parameter_invalid_string", "currency");
    }
    const intentId = id("pi");
    const intent: StripeObject = {
      id: intentId,
      object: "payment_intent",
      amount,
      currency: fields.currency ?? "",
      status: "requires_payment_method",
      client_secret: `${intentId}_secret_${randomBytes(12).toString("hex")}`,
      automatic_payment_methods: fields["automatic_payment_methods[enabled]"] === "true" ? { enabled: true } : null,
      last_payment_error: null,
      metadata: metadataOf(fields),
      created: now(),
      livemode: false,
    };
    intents.set(intentId, intent);
    return { status: 200, body: intent };
  }

  /** Stripe cancels an intent that has not succeeded (or been canceled); otherwise a 400. */
  function cancelIntent(intent: StripeObject, fields: Fields) {
    if (intent.status === "succeeded" || intent.status === "canceled") {
      return stripeError(
        400,
        "invalid_request_error",
        `You cannot cancel this PaymentIntent because it has a status of ${intent.status}.`,
        "payment_intent_unexpected_state",
      );
    }
    intent.status = "canceled";
    intent.cancellation_reason = fields.cancellation_reason ?? null;
    return { status: 200, body: intent };
  }

  function createRefund(fields: Fields, rule: Rule | undefined) {
    const intent = intents.get(fields.payment_intent ?? "");
    if (!intent) {
      return stripeError(400, "invalid_request_error", "No such payment_intent", "resource_missing", "payment_intent");
    }
    if (intent.status !== "succeeded") {
      return stripeError(
        400,
        "invalid_request_error",
        "This PaymentIntent has no successful charge to refund.",
        "charge_not_refundable",
      );
    }
    const left = intent.amount - refunded(intent.id);
    const amount = fields.amount === undefined ? left : Number(fields.amount);
    if (!Number.isSafeInteger(amount) || amount < 1 || amount > left) {
      return stripeError(
        400,
        "invalid_request_error",
        `Refund amount is greater than unrefunded amount (${left}).`,
        "amount_too_large",
        "amount",
      );
    }
    const refund: StripeObject = {
      id: id("re"),
      object: "refund",
      amount,
      currency: intent.currency,
      payment_intent: intent.id,
      status: rule?.refundStatus ?? "succeeded",
      failure_reason: null,
      metadata: metadataOf(fields),
      created: now(),
    };
    refunds.set(refund.id, refund);
    return { status: 200, body: refund };
  }

  /** The next rule for the request (counted as used), among the lost ones or the others. */
  function takeRule(path: string, fields: Fields, lost: boolean) {
    const rule = rules.find(
      (r) =>
        r.path === path &&
        r.times > 0 &&
        (r.lost ?? false) === lost &&
        Object.entries(r.match).every(([k, v]) => fields[k] === v),
    );
    if (rule) rule.times -= 1;
    return rule;
  }

  function api(method: string, path: string, fields: Fields) {
    const rule = takeRule(path, fields, false);
    if (rule?.error) return { status: rule.status, body: { error: rule.error } };
    if (method === "POST" && path === "/v1/payment_intents") return createIntent(fields);
    if (method === "POST" && path === "/v1/refunds") return createRefund(fields, rule);
    const got = /^\/v1\/payment_intents\/([^/]+)$/.exec(path);
    const intent = got?.[1] ? intents.get(got[1]) : undefined;
    if (method === "GET" && intent) return { status: 200, body: intent };
    const refundGot = /^\/v1\/refunds\/([^/]+)$/.exec(path);
    const refund = refundGot?.[1] ? refunds.get(refundGot[1]) : undefined;
    if (method === "GET" && refund) return { status: 200, body: refund };
    const cancelling = /^\/v1\/payment_intents\/([^/]+)\/cancel$/.exec(path);
    const toCancel = cancelling?.[1] ? intents.get(cancelling[1]) : undefined;
    if (method === "POST" && toCancel) return cancelIntent(toCancel, fields);
    if (method === "GET" && path === "/v1/refunds") {
      const data = [...refunds.values()].filter((r) => r.payment_intent === fields.payment_intent).reverse();
      return { status: 200, body: { object: "list", url: "/v1/refunds", has_more: false, data } };
    }
    return stripeError(
      404,
      "invalid_request_error",
      `Unrecognized request URL (${method}: ${path}).`,
      "resource_missing",
    );
  }

  /** Moves the object as the event says and returns the signed delivery. */
  async function event(input: { type: string; object: string; status?: string; timestamp?: number }) {
    const object = [...intents.values(), ...refunds.values()].find(
      (o) => o.id === input.object || Object.values(o.metadata).includes(input.object),
    );
    if (!object) return { status: 404, body: { error: `no ${input.object}` } };
    const states: Record<string, string> = {
      "payment_intent.succeeded": "succeeded",
      "payment_intent.processing": "processing",
      "payment_intent.payment_failed": "requires_payment_method",
    };
    const status = input.status ?? states[input.type];
    if (status) object.status = status;
    if (input.type === "payment_intent.payment_failed") {
      object.last_payment_error = { type: "card_error", code: "card_declined", message: "Your card was declined." };
    }
    // The intent's charge, as far as a refund event shows it.
    const charge = {
      id: `ch_${object.id.slice(3)}`,
      object: "charge",
      amount: object.amount,
      amount_refunded: refunded(object.id),
      currency: object.currency,
      metadata: object.metadata,
      payment_intent: object.id,
      refunded: refunded(object.id) === object.amount,
    };
    const body = JSON.stringify({
      id: id("evt"),
      object: "event",
      api_version: "2026-10-28.endive",
      created: now(),
      data: { object: input.type === "charge.refunded" ? charge : object },
      livemode: false,
      pending_webhooks: 1,
      request: { id: null, idempotency_key: null },
      type: input.type,
    });
    const signature = await Stripe.webhooks.generateTestHeaderStringAsync({
      payload: body,
      secret: options.webhookSecret,
      timestamp: input.timestamp ?? now(),
    });
    return { status: 200, body: { body, signature } };
  }

  async function handle(req: IncomingMessage): Promise<{ status: number; body: unknown; replayed?: boolean }> {
    const url = new URL(req.url ?? "/", "http://fake");
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString("utf8");
    if (url.pathname === "/_fake/rules" && req.method === "POST") {
      const rule = JSON.parse(text) as Partial<Rule> & { path: string; status: number };
      rules.push({ match: {}, times: Number.POSITIVE_INFINITY, ...rule });
      return { status: 200, body: { ok: true } };
    }
    if (url.pathname === "/_fake/events" && req.method === "POST") return event(JSON.parse(text));
    if (url.pathname === "/_fake/requests") return { status: 200, body: requests };
    if (url.pathname === "/_fake/intents") return { status: 200, body: [...intents.values()] };

    if (req.headers.authorization !== `Bearer ${options.secretKey}`) {
      return stripeError(401, "invalid_request_error", "Invalid API Key provided.");
    }
    const fields = Object.fromEntries(new URLSearchParams(req.method === "GET" ? url.search : text));
    const key = typeof req.headers["idempotency-key"] === "string" ? req.headers["idempotency-key"] : null;
    requests.push({ method: req.method ?? "", path: url.pathname, idempotencyKey: key, fields });
    const answer = respond(req.method ?? "", url.pathname, fields, text, key);
    const lost = takeRule(url.pathname, fields, true);
    return lost ? { status: lost.status, body: { error: lost.error } } : answer;
  }

  function respond(method: string, path: string, fields: Fields, text: string, key: string | null) {
    if (method !== "POST" || key === null) return api(method, path, fields);
    const first = idempotent.get(key);
    if (first) {
      if (first.fields !== text) {
        return stripeError(
          400,
          "idempotency_error",
          "Keys for idempotent requests can only be used with the same parameters they were first used with.",
        );
      }
      return { status: first.status, body: first.body, replayed: true };
    }
    const answer = api(method, path, fields);
    // Stripe keeps the result of a request it ran, errors included, but not a 500 (that one may be retried).
    if (answer.status < 500) idempotent.set(key, { fields: text, status: answer.status, body: answer.body });
    return answer;
  }

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    handle(req).then(
      ({ status, body, replayed }) => {
        res.writeHead(status, {
          "content-type": "application/json",
          "request-id": id("req"),
          ...(replayed ? { "idempotent-replayed": "true" } : {}),
        });
        res.end(JSON.stringify(body));
      },
      (err: unknown) => {
        res.writeHead(500, { "content-type": "application/json" });
        res.end(JSON.stringify({ error: { type: "api_error", message: String(err) } }));
      },
    );
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** The keys the checkout project's Worker is given and the fake expects (test values, not Stripe's). */
export const stripeTestKeys = { secretKey: "sk_test_zhongcao_fake", webhookSecret: "whsec_zhongcao_fake" };

declare module "vitest" {
  export interface ProvidedContext {
    stripeApiBase: string;
  }
}

/** The checkout project's global setup: one fake for the run, its URL handed over as `stripeApiBase`. */
export default async function setup(project: TestProject) {
  const fake = await startStripeFake(stripeTestKeys);
  project.provide("stripeApiBase", fake.url);
  return fake.close;
}
