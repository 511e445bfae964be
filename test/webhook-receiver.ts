// A local receiver for merchant webhooks: a Node HTTP server on 127.0.0.1 that records every delivery (its
// Standard Webhooks headers and exact body) per path and answers as told. The checkout project starts one for the
// run (its URL handed over as `webhookReceiverUrl`); the webhooks benchmark starts its own with an `answer` rule.
//
// Tests steer it (no auth, test-only):
// - `POST /hooks/<name>`: a delivery to the receiver `<name>`; answered by the next rule queued for `<name>`, else 200;
// - `POST /_rules/<name> { status, retryAfter?, times?, hold? }`: the next `times` (default 1) deliveries to `<name>`
//   get `status` (with `Retry-After` when given); `hold` keeps them unanswered until `POST /_release/<name>`;
// - `GET /_received/<name>`: the deliveries recorded so far, in arrival order.
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { TestProject } from "vitest/node";

export interface Received {
  id: string;
  timestamp: string;
  signature: string;
  body: string;
  /** Milliseconds since the epoch, when it arrived. */
  at: number;
}

interface Rule {
  status: number;
  retryAfter?: string;
  times: number;
  hold?: boolean;
}

async function bodyOf(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

export async function startWebhookReceiver(options: { answer?: (received: Received) => number } = {}) {
  const received = new Map<string, Received[]>();
  const rules = new Map<string, Rule[]>();
  const held = new Map<string, (() => void)[]>();

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const [, kind = "", name = ""] = (req.url ?? "").split("/");
    const reply = (status: number, body = "", headers: Record<string, string> = {}) => {
      res.writeHead(status, { "content-type": "text/plain", ...headers });
      res.end(body);
    };
    if (req.method === "GET" && kind === "_received") {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify(received.get(name) ?? []));
      return;
    }
    if (req.method === "POST" && kind === "_rules") {
      const rule = JSON.parse(await bodyOf(req)) as Rule;
      rules.set(name, [...(rules.get(name) ?? []), { ...rule, times: rule.times ?? 1 }]);
      return reply(204);
    }
    if (req.method === "POST" && kind === "_release") {
      for (const release of held.get(name) ?? []) release();
      held.delete(name);
      return reply(204);
    }
    if (req.method !== "POST" || kind !== "hooks") return reply(404, "not found");
    const delivery: Received = {
      id: String(req.headers["webhook-id"] ?? ""),
      timestamp: String(req.headers["webhook-timestamp"] ?? ""),
      signature: String(req.headers["webhook-signature"] ?? ""),
      body: await bodyOf(req),
      at: Date.now(),
    };
    received.set(name, [...(received.get(name) ?? []), delivery]);
    const rule = rules.get(name)?.[0];
    if (rule) {
      rule.times--;
      if (rule.times <= 0) rules.get(name)?.shift();
      if (rule.hold) await new Promise<void>((resolve) => held.set(name, [...(held.get(name) ?? []), resolve]));
      return reply(rule.status, `status ${rule.status}`, rule.retryAfter ? { "retry-after": rule.retryAfter } : {});
    }
    const status = options.answer?.(delivery) ?? 200;
    reply(status, status === 200 ? "ok" : `status ${status}`);
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      res.writeHead(500);
      res.end(String(err));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

declare module "vitest" {
  export interface ProvidedContext {
    webhookReceiverUrl: string;
  }
}

/** The checkout project's global setup: one receiver for the run. */
export default async function setup(project: TestProject) {
  const receiver = await startWebhookReceiver();
  project.provide("webhookReceiverUrl", receiver.url);
  return receiver.close;
}
