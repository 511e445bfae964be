// Load shedding (workers/gateway/src/pipeline/overload.ts) on a small app with the gateway's error handling: requests past
// MAX_IN_FLIGHT in progress are refused at once with the 429 problem and Retry-After; the count goes down as
// requests finish (whatever their outcome); /health, provider webhooks and preflights are never refused; "0" is off.
import { describe, expect, it } from "vitest";
import { createApp } from "#shared/http.ts";
import { shedLoad } from "../../../workers/gateway/src/pipeline/overload.ts";

/** An app whose routes wait until released; `started` counts the requests that reached a route. */
function slowApp() {
  const app = createApp<{ Bindings: Env }>("gateway");
  app.use("*", shedLoad());
  let release: () => void = () => {};
  let gate = new Promise<void>((resolve) => {
    release = resolve;
  });
  const state = { started: 0 };
  const wait = async () => {
    state.started++;
    await gate;
  };
  app.get("/slow", async (c) => {
    await wait();
    return c.json({ ok: true });
  });
  app.get("/fails", async () => {
    await wait();
    throw new Error("boom");
  });
  app.get("/health", async (c) => {
    await wait();
    return c.json({ status: "ok" });
  });
  app.post("/v1/webhooks/sandbox", async (c) => {
    await wait();
    return c.json({ received: true });
  });
  const open = () => {
    release();
    gate = new Promise<void>((resolve) => {
      release = resolve;
    });
  };
  return { app, state, open };
}

const envWith = (max: string) => ({ MAX_IN_FLIGHT: max }) as unknown as Env;
/** Lets the requests already sent reach their route (or be refused). */
const settle = () => new Promise((resolve) => setTimeout(resolve, 20));

describe("load shedding", () => {
  it("refuses past MAX_IN_FLIGHT with 429 rate_limited and Retry-After, and admits again once requests finish", async () => {
    const { app, state, open } = slowApp();
    const env = envWith("2");
    const first = [app.request("/slow", {}, env), app.request("/fails", {}, env)];
    await settle();
    expect(state.started).toBe(2);

    const refused = await app.request("/slow", {}, env);
    expect(refused.status).toBe(429);
    expect(refused.headers.get("content-type")).toContain("application/problem+json");
    expect(refused.headers.get("retry-after")).toBe("1");
    expect(refused.headers.get("ratelimit-policy")).toBe('"in-flight";q=2');
    const problem = (await refused.json()) as { code: string; detail: string; requestId: string };
    expect(problem.code).toBe("rate_limited");
    expect(problem.detail).toContain("2 at once");
    expect(problem.requestId).toMatch(/^req_/);
    expect(state.started).toBe(2);

    open();
    const [ok, failed] = await Promise.all(first);
    expect(ok?.status).toBe(200);
    expect(failed?.status).toBe(500);
    // Both slots are free again, the failed request's too.
    const again = [app.request("/slow", {}, env), app.request("/slow", {}, env)];
    await settle();
    expect(state.started).toBe(4);
    open();
    expect((await Promise.all(again)).map((r) => r.status)).toEqual([200, 200]);
  });

  it("never refuses /health, provider webhooks or preflights; 0 turns it off", async () => {
    const { app, state, open } = slowApp();
    const one = envWith("1");
    const busy = app.request("/slow", {}, one);
    await settle();
    const exempt = [app.request("/health", {}, one), app.request("/v1/webhooks/sandbox", { method: "POST" }, one)];
    const preflight = await app.request("/slow", { method: "OPTIONS" }, one);
    expect(preflight.status).not.toBe(429);
    await settle();
    expect(state.started).toBe(3);

    const off = envWith("0");
    const unlimited = Array.from({ length: 5 }, () => app.request("/slow", {}, off));
    await settle();
    expect(state.started).toBe(8);
    open();
    const statuses = (await Promise.all([busy, ...exempt, ...unlimited])).map((r) => r.status);
    expect(statuses).toEqual([200, 200, 200, 200, 200, 200, 200, 200]);
  });
});
