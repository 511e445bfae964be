// docs/getting-started.md runs as written: its `export` lines and curl calls, in order, against a real `npm start`,
// each answering the status and the fields the page shows. The page's addresses (127.0.0.1:8787 for the gateway,
// 127.0.0.1:4242 for the webhook receiver it starts) become this run's free ports.
import { readFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, expect, it } from "vitest";
import { type NpmStart, npmStart } from "../e2e/npm-start.ts";
import { callOf, mismatch, readPage, valueAt } from "./markdown.ts";

let platform: NpmStart;
let receiver: Server;
const deliveries: { webhookId: string; body: { type: string; data: { id: string } } }[] = [];

beforeAll(async () => {
  receiver = createServer((req, res) => {
    let body = "";
    req.on("data", (chunk: Buffer) => {
      body += chunk.toString("utf8");
    });
    req.on("end", () => {
      deliveries.push({ webhookId: String(req.headers["webhook-id"]), body: JSON.parse(body) });
      res.end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
  platform = await npmStart("getting-started");
}, 180_000);

afterAll(async () => {
  await platform?.stop();
  await new Promise((resolve) => receiver?.close(resolve));
}, 30_000);

it("docs/getting-started.md: every call answers what the page shows, in order", async () => {
  const steps = readPage(await readFile("docs/getting-started.md", "utf8"));
  const receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
  // One pass over both addresses: replaced one after the other, a free port starting 4242 would be rewritten twice.
  const addresses: Record<string, string> = { "8787": platform.gateway, "4242": receiverUrl };
  const local = (text: string) =>
    text.replace(/http:\/\/127\.0\.0\.1:(8787|4242)\b/g, (_, port: string) => addresses[port] ?? _);
  const vars: Record<string, string> = {};
  let calls = 0;
  for (const step of steps) {
    if (step.kind === "export") {
      vars[step.name] = step.value;
      continue;
    }
    const call = callOf(step.text, step.line, vars);
    const body = call.body === undefined ? undefined : local(call.body);
    // A read may be shown after work that finishes in the background (a webhook delivery): it may take a moment.
    const deadline = Date.now() + (call.method === "GET" ? 15_000 : 0);
    let problem: string | null;
    let answer: unknown;
    for (;;) {
      const res = await fetch(local(call.url), { method: call.method, headers: call.headers, body });
      answer = (res.headers.get("content-type") ?? "").includes("json") ? await res.json() : await res.text();
      problem =
        res.status !== step.expected?.status
          ? `status ${res.status}, the page shows ${step.expected?.status}`
          : step.expected.body === undefined
            ? null
            : mismatch(JSON.parse(local(JSON.stringify(step.expected.body))), answer, vars);
      if (problem === null || Date.now() > deadline) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    expect(problem, `docs/getting-started.md line ${step.line}: ${problem}\n${JSON.stringify(answer, null, 2)}`).toBe(
      null,
    );
    for (const [name, path] of Object.entries(step.captures)) {
      const value = valueAt(answer, path);
      expect(typeof value, `line ${step.line}: ${path} to keep as $${name}`).toBe("string");
      vars[name] = value as string;
    }
    calls++;
  }
  expect(calls).toBeGreaterThanOrEqual(12);
  // The receiver the page starts got the paid order.
  expect(deliveries.map((d) => [d.body.type, d.body.data.id])).toContainEqual(["order.paid", vars.ORDER_ID]);
});
