// What webhook dispatch costs while nothing happens, and what catches a lost kick: an idle endpoint's dispatcher
// keeps no alarm (an hour of simulated time wakes it 0 times; the old 30 s look woke it 120 times), a failed delivery
// still keeps one for its retry, and the minute's sweep (the cron trigger's scheduled handler) delivers a message
// whose writer never kicked. Time moves by the alarm APIs, never by waiting.
import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env, exports } from "cloudflare:workers";
import { sql as drizzleSql } from "drizzle-orm";
import { describe, expect, it, vi } from "vitest";
import { database } from "#shared/db.ts";
import { jsonSource, webhookEvent } from "#shared/webhook-events.ts";
import { dueEndpoints } from "../../../workers/checkout/src/webhooks/sweep.ts";
import { asMerchant } from "./callers.ts";
import { call, newMerchant } from "./helpers.ts";
import {
  attempted,
  createEndpoint,
  deliveriesOf,
  newEndpoint,
  receivedAtLeast,
  rule,
  runDue,
  uniqueName,
  verify,
} from "./webhooks-helpers.ts";

const HOUR_MS = 3_600_000;

const alarmOf = (endpointId: string) =>
  runInDurableObject(env.WEBHOOK_DISPATCHER.getByName(endpointId), (_, state) => state.storage.getAlarm());

/**
 * The alarm once the pass a kick started is over (the kick sets it to now; while its handler runs, the alarm reads as
 * none), null when none is left: read inside the object after its pass (its private chain of passes) has settled.
 */
const alarmAfterPass = (endpointId: string) =>
  vi.waitFor(
    async () => {
      const at = await runInDurableObject(env.WEBHOOK_DISPATCHER.getByName(endpointId), async (instance, state) => {
        await (instance as unknown as { pass: Promise<void> }).pass;
        return state.storage.getAlarm();
      });
      if (at !== null && at <= Date.now()) throw new Error("the kicked pass has not run yet");
      return at;
    },
    { timeout: 20_000, interval: 20 },
  );

/**
 * How many times the dispatcher's alarm would run within `spanMs`: each scheduled alarm is run at once and the clock
 * moved on by how far ahead it was set, until none is set or the span is over.
 */
async function wakesWithin(endpointId: string, spanMs: number): Promise<number> {
  const stub = env.WEBHOOK_DISPATCHER.getByName(endpointId);
  let clock = 0;
  let wakes = 0;
  for (;;) {
    const at = await alarmOf(endpointId);
    if (at === null) return wakes;
    clock += Math.max(0, at - Date.now());
    if (clock > spanMs || !(await runDurableObjectAlarm(stub))) return wakes;
    wakes++;
    if (wakes > 10_000) throw new Error("the dispatcher keeps waking");
  }
}

/** An event recorded the way any Worker records one, in its own batch, and no kick afterwards (a lost kick). */
async function recordWithoutKick(merchant: string): Promise<void> {
  const db = database(env);
  const statements = webhookEvent({
    type: "order.created",
    source: jsonSource({ id: "ord_lost_kick", merchantId: merchant }),
    merchants: drizzleSql`SELECT ${merchant}`,
  });
  const [message, fanOut] = statements.map((statement) => db.run(statement));
  if (!message || !fanOut) throw new Error("an event is two statements");
  await db.batch([message, fanOut]);
}

describe("an idle webhook endpoint", () => {
  it("keeps no alarm: 0 wakes in an hour, after it was created and after a delivery", async () => {
    const { merchant, name, endpoint } = await newEndpoint();
    // Creating it kicked its dispatcher, whose pass found nothing to send.
    expect(await alarmAfterPass(endpoint.id)).toBeNull();
    expect(await wakesWithin(endpoint.id, HOUR_MS)).toBe(0);

    const test = await call("POST", `/v1/webhook-endpoints/${endpoint.id}/test`, {
      headers: asMerchant(merchant),
      body: {},
    });
    expect(test.status).toBe(202);
    await receivedAtLeast(name, 1);
    await attempted(endpoint.id, 1);
    expect(await alarmAfterPass(endpoint.id)).toBeNull();
    expect(await wakesWithin(endpoint.id, HOUR_MS)).toBe(0);
    // Nothing for the sweep to do either.
    expect(await dueEndpoints(env)).not.toContain(endpoint.id);
  });

  it("still keeps an alarm for a retry, and none once the retry has delivered", async () => {
    const { merchant, name, endpoint } = await newEndpoint();
    await rule(name, { status: 503 });
    const test = await call("POST", `/v1/webhook-endpoints/${endpoint.id}/test`, {
      headers: asMerchant(merchant),
      body: {},
    });
    expect(test.status).toBe(202);
    const [failed] = await attempted(endpoint.id, 1);
    expect(failed?.status).toBe("pending");
    // The retry is 5 s after the first attempt: the alarm is set for it.
    const retryAt = await alarmAfterPass(endpoint.id);
    expect(retryAt).toBe(Date.parse(failed?.next_attempt_at ?? ""));
    // When it is due, the retry delivers it; then nothing is left, and no alarm either.
    await runDue(endpoint.id);
    await receivedAtLeast(name, 2);
    expect((await deliveriesOf(endpoint.id)).map((d) => d.status)).toEqual(["succeeded"]);
    expect(await alarmAfterPass(endpoint.id)).toBeNull();
    expect(await wakesWithin(endpoint.id, HOUR_MS)).toBe(0);
  });
});

describe("the minute's sweep", () => {
  it("delivers a message whose kick was lost; an idle endpoint is left alone", async () => {
    const { merchant, name, endpoint } = await newEndpoint();
    const idle = await createEndpoint(await newMerchant(), uniqueName());
    // The pass its creation kicked is over before the event is written.
    expect(await alarmAfterPass(endpoint.id)).toBeNull();
    await recordWithoutKick(merchant);
    // Recorded and due, but nobody told the dispatcher: it sleeps.
    expect((await deliveriesOf(endpoint.id)).map((d) => [d.status, d.attempts])).toEqual([["pending", 0]]);
    expect(await alarmOf(endpoint.id)).toBeNull();
    const due = await dueEndpoints(env);
    expect(due).toContain(endpoint.id);
    expect(due).not.toContain(idle.id);

    // The cron trigger's handler, as Cloudflare (or `npm start`) calls it once a minute.
    await exports.default.scheduled();
    const [delivery] = await receivedAtLeast(name, 1);
    expect(verify(endpoint.secret, delivery as never)).toMatchObject({
      type: "order.created",
      data: { id: "ord_lost_kick", merchantId: merchant },
    });
    await attempted(endpoint.id, 1);
    expect(await dueEndpoints(env)).not.toContain(endpoint.id);
    expect(await alarmOf(idle.id)).toBeNull();
  });
});
