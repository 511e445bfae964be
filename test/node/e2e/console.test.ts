// The merchant console (GET /merchant) in Chromium against the real `npm start`, used as a merchant would: signed in
// with the demo store's secret key, it registers a webhook endpoint, creates a product with two uploaded pictures
// (PNG files made here) and two SKUs, which the storefront then shows with those pictures; it creates a flash sale
// and watches a shopper's hold and order arrive in the sale's live view; it fulfils the order, refunds one of its
// lines, and finds the figures and the webhook log moved accordingly. Each step leaves a screenshot (console-N-…).
// The same platform names a video server (LIVEKIT_URL) on a port where none runs: the live room shows the session's
// cover and status; then a stand-in answers there, and the room loads the LiveKit SDK and offers it the viewer's
// stream token (verified here with the dev API secret), falling back to the cover when no room follows.
import { writeFile } from "node:fs/promises";
import { createServer, type IncomingMessage } from "node:http";
import { tmpdir } from "node:os";
import path from "node:path";
import { TokenVerifier } from "livekit-server-sdk";
import type { Page } from "playwright-core";
import { afterAll, describe, expect, it } from "vitest";
import { zhongcao } from "#shared/client/index.ts";
import { png } from "../../png.ts";
import { startWebhookReceiver } from "../../webhook-receiver.ts";
import { freePort } from "../ports.ts";
import {
  screenshot as fullPageScreenshot,
  npmStartWithChromium,
  pageErrors,
  pictures,
  textMatching,
} from "./browser.ts";

const receiver = await startWebhookReceiver();
const receiverUrl = `${receiver.url}/hooks/console`;
afterAll(() => receiver.close());
/** The port LIVEKIT_URL names, where no video server runs (a stand-in listens there in the last test). */
const videoPort = await freePort();
const { platform, browser } = await npmStartWithChromium("console", {
  env: { LIVEKIT_URL: `ws://127.0.0.1:${videoPort}` },
});
/** The event types the store's receiver was sent, in order of arrival. */
const received = () =>
  (receiver.received.get("console") ?? []).map((d) => (JSON.parse(d.body) as { type: string }).type);

interface Credentials {
  merchants: { id: string; secretKey: string; publishableKey: string }[];
  liveSessionId: string;
}

/**
 * A step's screenshot. Chromium's headless shell drops the first click after a full-page capture, so one lands on the
 * header's empty top edge right after, and the merchant's next click is the one that counts.
 */
async function screenshot(page: Page, name: string): Promise<void> {
  await fullPageScreenshot(page, name);
  const width = page.viewportSize()?.width ?? 400;
  await page.mouse.click(Math.round(width / 2), 1);
}

/** Opens a console section by its hash route and waits for the section's element. */
async function open(page: Page, hash: string, selector: string): Promise<void> {
  await page.evaluate((h) => {
    location.hash = h;
  }, hash);
  await page.locator(selector).waitFor();
}

/** Submits `form` and waits for `done` to appear; a problem the form shows instead fails the test with its text. */
async function submit(page: Page, form: string, done: string): Promise<void> {
  await page.click(`${form} button[type="submit"]`);
  await page.waitForFunction(
    ([d, problem]) => document.querySelector(d) !== null || document.querySelector(problem) !== null,
    [done, `${form} .notice.error, #section > p.error`] as const,
  );
  const problem = page.locator(`${form} .notice.error, #section > p.error`);
  if ((await problem.count()) > 0) throw new Error(`${form}: ${await problem.first().textContent()}`);
}

const until = async <T>(read: () => Promise<T>, done: (value: T) => boolean, what: string): Promise<T> => {
  for (let i = 0; i < 120; i++) {
    const value = await read();
    if (done(value)) return value;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new Error(`never happened: ${what}`);
};

describe("the merchant console", () => {
  it("runs a store: product with uploaded pictures, flash sale watched live, fulfil, refund a line, figures and webhooks", async () => {
    const gateway = platform.gateway;
    const { merchants } = await platform.credentials<Credentials>();
    const store = merchants[0];
    if (!store) throw new Error("demo data changed");
    const asStore = zhongcao(gateway, { bearer: store.secretKey });
    const to = new Date().toISOString().slice(0, 10);
    const from = new Date(Date.now() - 13 * 86_400_000).toISOString().slice(0, 10);
    const report = async () => {
      const answer = await asStore.GET("/v1/analytics/merchants/{id}", {
        params: { path: { id: "me" }, query: { from, to } },
      });
      if (!answer.data) throw new Error(JSON.stringify(answer.error));
      return answer.data.totals;
    };
    const before = await report();

    // Two pictures, as files a merchant would pick: a red and a blue gradient.
    const files = [
      path.join(tmpdir(), `console-red-${process.pid}.png`),
      path.join(tmpdir(), `console-blue-${process.pid}.png`),
    ];
    await writeFile(files[0] as string, await png(640, 480, (x, y) => [200 + (x % 56), y % 80, 60]));
    await writeFile(files[1] as string, await png(480, 640, (x, y) => [40, y % 120, 180 + (x % 76)]));

    const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
    const errors = pageErrors(page);
    await page.goto(`${gateway}/merchant`, { waitUntil: "domcontentloaded" });

    // 1. Sign in with the demo store's secret key: the overview.
    await page.fill('#key input[name="key"]', store.secretKey);
    await page.press('#key input[name="key"]', "Enter");
    await page.locator("#figures").waitFor();
    expect(await page.textContent("#chart-orders h3")).toBe(`订单 · 近 14 天 ${before.orders} 单`);
    await screenshot(page, "console-1-overview");

    // 2. A webhook endpoint for the store's own receiver, every event type ticked.
    await open(page, "#/webhooks", "#endpoint-form");
    await page.fill('#endpoint-form input[name="url"]', receiverUrl);
    await page.click('#endpoint-form button[type="submit"]');
    await textMatching(page, "#endpoint-form .notice", /签名密钥（只显示这一次）：whsec_/);
    await screenshot(page, "console-2-webhook-endpoint");

    // 3. A new product: two uploaded pictures, two SKUs.
    await open(page, "#/products", "#products");
    await page.click('a[href="#/products/new"]');
    await page.locator("#product-form").waitFor();
    await page.fill('#product-form input[name="title"]', "控制台测试丝巾 Console Scarf");
    await page.fill('#product-form textarea[name="description"]', "桑蚕丝，两种颜色");
    await page.fill('#product-form input[name="category"]', "accessories");
    await page.setInputFiles('#product-form input[name="images"]', files);
    await page.click("#add-sku");
    await page.fill('#product-form input[name="options-0"]', "颜色=朱红");
    await page.fill('#product-form input[name="price-0"]', "199.00");
    await page.fill('#product-form input[name="stock-0"]', "20");
    await page.fill('#product-form input[name="options-1"]', "颜色=靛蓝");
    await page.fill('#product-form input[name="price-1"]', "89.50");
    await page.fill('#product-form input[name="stock-1"]', "10");
    await screenshot(page, "console-3-new-product");
    await submit(page, "#product-form", "#product");
    const productId = (await page.getAttribute("#product", "data-product")) ?? "";
    const product = await asStore.GET("/v1/products/{id}", { params: { path: { id: productId } } });
    if (!product.data) throw new Error(JSON.stringify(product.error));
    expect(product.data.images).toHaveLength(2);
    expect(product.data.skus.map((s) => [s.options, s.price.amount, s.stock])).toEqual([
      [{ 颜色: "朱红" }, 19_900, 20],
      [{ 颜色: "靛蓝" }, 8_950, 10],
    ]);
    const [red, blue] = product.data.skus;
    if (!red || !blue) throw new Error("two SKUs expected");
    // Both uploaded pictures, each decoded from the gateway.
    const served = { src: expect.stringMatching(`^${gateway}/media/`), decoded: true };
    expect(await pictures(page, "#product .gallery img")).toEqual([served, served]);
    await screenshot(page, "console-4-product");

    // 4. The storefront shows it with its pictures, each decoded from the gateway.
    const shopPage = await browser.newPage({ viewport: { width: 420, height: 900 } });
    const shopErrors = pageErrors(shopPage);
    await shopPage.goto(`${gateway}/?key=${store.publishableKey}#/product/${productId}`, {
      waitUntil: "domcontentloaded",
    });
    await textMatching(shopPage, "#view", /控制台测试丝巾/);
    expect(await pictures(shopPage, ".gallery img")).toEqual([served, served]);
    await screenshot(shopPage, "console-5-storefront-product");
    expect(shopErrors).toEqual([]);
    await shopPage.close();

    // 5. A flash sale of the red scarf: 5 units at ¥99.
    await open(page, "#/flash-sales", "#flash-sale-form");
    await page.selectOption('#flash-sale-form select[name="skuId"]', red.id);
    await page.fill('#flash-sale-form input[name="quantity"]', "5");
    await page.fill('#flash-sale-form input[name="price"]', "99");
    await submit(page, "#flash-sale-form", "#flash-sale");
    const flashSaleId = (await page.getAttribute("#flash-sale", "data-sale")) ?? "";
    expect(await page.textContent("#stock-left")).toBe("5");
    await textMatching(page, "#flash-sale-live .stats", /进行中/);
    await screenshot(page, "console-6-flash-sale");

    // 6. A shopper reserves a unit: the live view shows it held.
    const opened = await zhongcao(gateway, { publishableKey: store.publishableKey }).POST("/v1/shopper-sessions", {
      body: {},
    });
    if (!opened.data) throw new Error(JSON.stringify(opened.error));
    const shopper = zhongcao(gateway, { publishableKey: store.publishableKey, bearer: opened.data.accessToken });
    const hold = await shopper.POST("/v1/flash-sales/{id}/reservations", {
      params: { path: { id: flashSaleId } },
      body: { quantity: 1, wait: false },
      headers: { "idempotency-key": crypto.randomUUID() },
    });
    if (!hold.data) throw new Error(JSON.stringify(hold.error));
    expect(hold.data.status).toBe("held");
    await textMatching(page, "#held", /^1$/);
    expect(await page.textContent("#stock-left")).toBe("4");
    await screenshot(page, "console-7-hold");

    // 7. It checks out the held unit with one blue scarf, and pays: the order appears in the live view.
    const cart = await shopper.POST("/v1/carts", { body: {} });
    if (!cart.data) throw new Error(JSON.stringify(cart.error));
    for (const line of [
      { skuId: red.id, quantity: 1, flashSaleId, holdId: hold.data.id },
      { skuId: blue.id, quantity: 1 },
    ]) {
      const added = await shopper.POST("/v1/carts/{id}/lines", { params: { path: { id: cart.data.id } }, body: line });
      if (!added.data) throw new Error(JSON.stringify(added.error));
    }
    const checkedOut = await shopper.POST("/v1/carts/{id}/checkout", {
      params: { path: { id: cart.data.id } },
      body: { paymentProvider: "sandbox" },
      headers: { "idempotency-key": crypto.randomUUID() },
    });
    if (!checkedOut.data?.payment) throw new Error(JSON.stringify(checkedOut.error));
    const order = checkedOut.data;
    // ¥99 (the flash price) + ¥89.50.
    expect(order.totals.total.amount).toBe(18_850);
    const paid = await shopper.POST("/v1/payments/{id}/sandbox", {
      params: { path: { id: checkedOut.data.payment.id } },
      body: { outcome: "succeed", deliver: true },
      headers: { "idempotency-key": crypto.randomUUID() },
    });
    if (!paid.data) throw new Error(JSON.stringify(paid.error));
    await textMatching(page, "#sale-orders", new RegExp(order.number));
    await textMatching(page, "#committed", /^1$/);
    expect(await page.textContent("#held")).toBe("0");
    expect(await page.textContent("#sale-orders")).toContain("已支付");
    await screenshot(page, "console-8-order-in-live-view");

    // 8. The order, fulfilled from the console.
    await page.click(`#sale-orders a[href="#/orders/${order.id}"]`);
    await page.locator(`#order[data-order="${order.id}"]`).waitFor();
    expect(await page.textContent("#order-status")).toBe("已支付");
    await page.click("#fulfil");
    await textMatching(page, "#order-status", /已发货/);
    await screenshot(page, "console-9-fulfilled");

    // 9. The blue scarf's line refunded: ¥89.50 back, the order partly refunded.
    const blueLine = order.lines.findIndex((l) => l.skuId === blue.id);
    await page.fill(`#refund-form input[name="line-${blueLine}"]`, "1");
    await page.fill('#refund-form input[name="reason"]', "颜色不喜欢");
    await page.click('#refund-form button[type="submit"]');
    await textMatching(page, "#order-status", /部分退款/);
    await textMatching(page, "#refunds", /¥89\.50/);
    expect(await page.textContent("#refunds")).toContain("颜色不喜欢");
    expect(await page.textContent("#refunds")).toContain(`第 ${blueLine + 1} 行 × 1`);
    // The refunded line has nothing left to give back; the flash-sale line still has its unit.
    expect(await page.getAttribute(`#refund-form input[name="line-${blueLine}"]`, "max")).toBe("0");
    expect(await page.getAttribute(`#refund-form input[name="line-${1 - blueLine}"]`, "max")).toBe("1");
    const refunds = await asStore.GET("/v1/orders/{id}/refunds", { params: { path: { id: order.id } } });
    expect(refunds.data?.data.map((r) => r.amount.amount)).toEqual([8_950]);
    await screenshot(page, "console-10-refund");

    // 10. The figures: one more order, its ¥188.50 in GMV; and the webhook log: the order's events, delivered.
    const expected = ["order.created", "order.paid", "order.fulfilled", "order.refunded"];
    await until(
      async () => received(),
      (types) => expected.every((t) => types.includes(t)),
      `the receiver got ${expected.join(", ")} (got ${received().join(", ")})`,
    );
    const after = await report();
    expect(after.orders).toBe(before.orders + 1);
    const gmv = (totals: typeof before) => totals.money.find((m) => m.currency === "CNY")?.gmv.amount ?? 0;
    expect(gmv(after) - gmv(before)).toBe(18_850);
    await open(page, "#/", "#figures");
    expect(await page.textContent("#chart-orders h3")).toBe(`订单 · 近 14 天 ${after.orders} 单`);
    expect(await page.textContent("#chart-gmv-CNY h3")).toContain(
      new Intl.NumberFormat("zh-CN", { style: "currency", currency: "CNY" }).format(gmv(after) / 100),
    );
    const endpoint = page.locator(".endpoint", { hasText: receiverUrl });
    await endpoint.waitFor();
    const deliveries = await endpoint.locator("tbody tr").allTextContents();
    expect(deliveries.length).toBeGreaterThanOrEqual(expected.length);
    for (const row of deliveries) expect(row).toContain("已送达");
    await screenshot(page, "console-11-figures-and-webhooks");

    // 11. Creators (达人合作): an open affiliate plan published from the console is listed with its rate.
    await open(page, "#/creators", "#affiliate-plans");
    await page.fill('#plan-form input[name="rate"]', "12.5");
    await submit(page, "#plan-form", "#affiliate-plans tbody tr");
    await page.locator("#affiliate-plans tbody tr", { hasText: "12.5%" }).waitFor();
    const plans = await asStore.GET("/v1/affiliate-plans", { params: { query: { limit: 10 } } });
    expect(plans.data?.data.some((p) => p.type === "open" && p.commissionRateBps === 1250)).toBe(true);
    await page.locator("#sample-requests").waitFor();
    await page.locator("#collaborations").waitFor();
    await screenshot(page, "console-12-creators");

    expect(errors).toEqual([]);
    await page.close();
  });
});

describe("the live room's video", () => {
  /** The demo live session (it has a cover) and a publishable key of its store. */
  async function demoRoom() {
    const { merchants, liveSessionId } = await platform.credentials<Credentials>();
    for (const m of merchants) {
      const found = await zhongcao(platform.gateway, { bearer: m.secretKey }).GET("/v1/live/sessions/{id}", {
        params: { path: { id: liveSessionId } },
      });
      if (found.data) return { session: found.data, publishableKey: m.publishableKey };
    }
    throw new Error("the demo live session has no store");
  }
  const statusText = { scheduled: "未开播", live: "直播中", ended: "已结束", cancelled: "已取消" } as const;
  const video = () => ({ ws: `ws://127.0.0.1:${videoPort}`, http: `http://127.0.0.1:${videoPort}` });

  it("admits the configured video server in the storefront's CSP only", async () => {
    const storefront = (await fetch(`${platform.gateway}/`)).headers.get("content-security-policy") ?? "";
    expect(storefront).toContain(`connect-src 'self' ${video().ws} ${video().http};`);
    expect(storefront).toContain("script-src 'self';");
    const html = await (await fetch(`${platform.gateway}/`)).text();
    expect(html).toContain(`<meta name="livekit-url" content="${video().ws}">`);
    const merchant = (await fetch(`${platform.gateway}/merchant`)).headers.get("content-security-policy") ?? "";
    expect(merchant).toContain("connect-src 'self';");
    const sdk = await fetch(`${platform.gateway}/pages/live-video.js`);
    expect(sdk.headers.get("content-type")).toBe("text/javascript; charset=utf-8");
  });

  it("shows the session's cover and status when the video server does not answer, without loading the SDK", async () => {
    const { session, publishableKey } = await demoRoom();
    expect(session.coverUrl).not.toBeNull();
    const page = await browser.newPage({ viewport: { width: 420, height: 900 } });
    const errors = pageErrors(page);
    const requested: string[] = [];
    page.on("request", (r) => requested.push(r.url()));
    const probe = page.waitForEvent("requestfailed", (r) => r.url().startsWith(video().http));
    await page.goto(`${platform.gateway}/?key=${publishableKey}#/live/${session.id}`, {
      waitUntil: "domcontentloaded",
    });
    await page.locator("#stage").waitFor();
    await probe;
    const cover = await pictures(page, "#stage img");
    expect(cover).toHaveLength(1);
    expect(cover[0]?.decoded).toBe(true);
    expect(cover[0]?.src.startsWith(`${platform.gateway}/media/`)).toBe(true);
    expect(await page.textContent("#stage .stage-status")).toBe(statusText[session.status]);
    expect(await page.locator("#stage video").count()).toBe(0);
    expect(await page.textContent("#room-notice")).toBe("");
    expect(requested.filter((url) => url.endsWith("/pages/live-video.js"))).toEqual([]);
    await screenshot(page, "live-room-cover");
    // The refused probe is the browser's only complaint.
    expect(errors.filter((e) => !e.includes("ERR_CONNECTION_REFUSED"))).toEqual([]);
    await page.close();
  });

  it("loads the SDK and offers the viewer's stream token when the video server answers, keeping the cover", async () => {
    const { session, publishableKey } = await demoRoom();
    // A stand-in for LiveKit: answers HTTP, and records the SDK's WebSocket request before closing it.
    const upgrades: string[] = [];
    const standIn = createServer((_req, res) => res.writeHead(200).end("OK"));
    standIn.on("upgrade", (req: IncomingMessage, socket) => {
      upgrades.push(req.url ?? "");
      socket.destroy();
    });
    await new Promise<void>((resolve) => standIn.listen(videoPort, "127.0.0.1", resolve));
    try {
      const page = await browser.newPage({ viewport: { width: 420, height: 900 } });
      const errors = pageErrors(page);
      const sdk = page.waitForResponse((r) => r.url() === `${platform.gateway}/pages/live-video.js`);
      await page.goto(`${platform.gateway}/?key=${publishableKey}#/live/${session.id}`, {
        waitUntil: "domcontentloaded",
      });
      expect((await sdk).status()).toBe(200);
      await page.waitForFunction(() => document.querySelector("#stage")?.getAttribute("data-stream") === "unavailable");
      const rtc = upgrades.find((url) => url.startsWith("/rtc"));
      if (!rtc) throw new Error(`no /rtc WebSocket request: ${upgrades.join(", ")}`);
      const token = new URL(rtc, video().http).searchParams.get("access_token") ?? "";
      // npm start's LiveKit API key and secret (livekit-server --dev's).
      const claims = await new TokenVerifier("devkey", "secret").verify(token);
      expect(claims.video).toMatchObject({ room: session.id, roomJoin: true, canSubscribe: true, canPublish: false });
      expect(await page.textContent("#stage .stage-status")).toBe(statusText[session.status]);
      expect((await pictures(page, "#stage img"))[0]?.decoded).toBe(true);
      // What the SDK logs about the refused connection is its own; the page itself throws nothing.
      expect(errors.filter((e) => !/livekit|websocket|rtc|signal|connect|could not/i.test(e))).toEqual([]);
      await page.close();
    } finally {
      standIn.closeAllConnections();
      await new Promise((resolve) => standIn.close(resolve));
    }
  });
});
