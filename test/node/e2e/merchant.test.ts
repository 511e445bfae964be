// The merchant page (GET /merchant) in a real browser against the real `npm start`: a new store's figures, made in
// this test through the API (orders, note and stream views), drawn as charts with the right values; its webhook
// deliveries listed with their outcome; the secret key kept in the tab's sessionStorage only.
import { afterAll, describe, expect, it } from "vitest";
import { zhongcao } from "#shared/client/index.ts";
import { buy } from "../../../workers/gateway/src/pages/browser/purchase.ts";
import { startWebhookReceiver } from "../../webhook-receiver.ts";
import { npmStartWithChromium, pageErrors, screenshot, textMatching } from "./browser.ts";

const { platform, browser } = await npmStartWithChromium("merchant");
// The store's webhook receiver: order.created is taken (200), order.paid refused (503), so both outcomes show.
const receiver = await startWebhookReceiver({
  answer: (delivery) => ((JSON.parse(delivery.body) as { type: string }).type === "order.paid" ? 503 : 200),
});
const receiverUrl = `${receiver.url}/hooks/merchant`;

afterAll(() => receiver.close());

const ignoreProgress = () => undefined;

describe("the merchant page", () => {
  it("charts the store's GMV, orders, conversion and return rate, per live session, and lists webhook deliveries", async () => {
    const gateway = platform.gateway;
    const { operatorKey } = await platform.credentials<{ operatorKey: string }>();
    const operator = zhongcao(gateway, { bearer: operatorKey });
    const onboarded = await operator.POST("/v1/merchants", {
      body: {
        name: "页面测试小店 Page Test Store",
        handle: "pagetest",
        commissionRateBps: 1000,
        allowsPromotion: true,
        allowedOrigins: [],
      },
    });
    if (!onboarded.data) throw new Error(JSON.stringify(onboarded.error));
    const secretKey = onboarded.data.secretKey.key;
    const publishableKey = onboarded.data.publishableKey.key;
    const store = zhongcao(gateway, { bearer: secretKey });

    const endpoint = await store.POST("/v1/webhook-endpoints", {
      body: { url: receiverUrl, eventTypes: ["order.created", "order.paid"] },
    });
    if (!endpoint.data) throw new Error(JSON.stringify(endpoint.error));
    const product = await store.POST("/v1/products", {
      body: {
        title: "页面测试精华 Test Serum",
        description: "测试用",
        brand: null,
        category: null,
        images: [],
        allowsPromotion: true,
        commissionRateBps: null,
        status: "active",
        skus: [{ options: { size: "30ml" }, price: { amount: 10_000, currency: "CNY" }, stock: 50 }],
      },
    });
    const skuId = product.data?.skus[0]?.id;
    if (!product.data || !skuId) throw new Error(JSON.stringify(product.error));
    const session = await store.POST("/v1/live/sessions", {
      body: {
        title: "页面测试直播",
        scheduledStartAt: new Date(Date.now() + 60_000).toISOString(),
        productIds: [product.data.id],
        moderatorIds: [],
        keywordFilter: [],
      },
    });
    if (!session.data) throw new Error(JSON.stringify(session.error));
    const sessionId = session.data.id;
    await store.POST("/v1/live/sessions/{id}/start", { params: { path: { id: sessionId } } });

    const shopper = async () => {
      const opened = await zhongcao(gateway, { publishableKey }).POST("/v1/shopper-sessions", { body: {} });
      if (!opened.data) throw new Error(JSON.stringify(opened.error));
      return zhongcao(gateway, { publishableKey, bearer: opened.data.accessToken });
    };
    const [author, reader, browserOnly] = [await shopper(), await shopper(), await shopper()];
    // A note tagging the serum; two people open it (2 note views), one of them joins the stream (1 stream view).
    const note = await author.POST("/v1/notes", {
      body: {
        title: "这支精华真的好用",
        body: "用了一个月 #护肤",
        images: ["https://img.example.com/serum.jpg"],
        topics: [],
        productIds: [product.data.id],
      },
    });
    if (!note.data) throw new Error(JSON.stringify(note.error));
    const noteId = note.data.id;
    const attribution = note.data.products[0]?.attribution;
    for (const viewer of [author, reader]) {
      const viewed = await viewer.POST("/v1/notes/{id}/views", { params: { path: { id: noteId } } });
      expect(viewed.response.status).toBe(204);
    }
    const joined = await reader.POST("/v1/live/sessions/{id}/token", { params: { path: { id: sessionId } }, body: {} });
    expect(joined.response.status).toBe(200);
    // Two paid orders: one unit bought from the note (attributed), two units bought directly.
    const fromNote = await buy(reader, { skuId, quantity: 1, attribution }, ignoreProgress);
    const direct = await buy(browserOnly, { skuId, quantity: 2 }, ignoreProgress);
    expect([fromNote.status, direct.status]).toEqual(["paid", "paid"]);
    // Expected: GMV ¥100 + 2 × ¥100 = ¥300.00; 2 orders; conversion 1 attributed order / 3 views = 33.3%; no
    // returns: 0.0%. The session's own figures: 1 stream view, no order bought from it.

    // Four deliveries (order.created taken twice, order.paid refused twice) before the page is opened.
    let attempts: { responseStatus: number | null; messageId: string }[] = [];
    for (let i = 0; i < 120 && attempts.length < 4; i++) {
      const page = await store.GET("/v1/webhook-endpoints/{id}/attempts", {
        params: { path: { id: endpoint.data.id }, query: { limit: 100 } },
      });
      attempts = page.data?.data ?? [];
      if (attempts.length < 4) await new Promise((resolve) => setTimeout(resolve, 500));
    }
    expect(attempts.filter((a) => a.responseStatus === 200)).toHaveLength(2);
    expect(attempts.filter((a) => a.responseStatus === 503).length).toBeGreaterThanOrEqual(2);

    const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
    const errors = pageErrors(page);
    await page.goto(`${gateway}/merchant`, { waitUntil: "domcontentloaded" });
    const csp = (await page.request.get(`${gateway}/merchant`)).headers()["content-security-policy"];
    expect(csp).toContain("script-src 'self';");

    // A wrong key: the API's problem, shown with its code.
    await page.fill('#key input[name="key"]', "sk_test_0000000000000000000000000000000000000000");
    await page.press('#key input[name="key"]', "Enter");
    await textMatching(page, "#view", /出错了：.*unauthorized/);

    await page.fill('#key input[name="key"]', secretKey);
    await page.press('#key input[name="key"]', "Enter");
    await page.locator("#figures").waitFor();
    expect(
      await page.evaluate(() => [sessionStorage.getItem("zhongcao.merchant.secretKey"), localStorage.length]),
    ).toEqual([secretKey, 0]);

    const bars = (chart: string) =>
      page.$$eval(`#${chart} rect.bar`, (rects) => rects.map((r) => Number(r.getAttribute("data-value"))));
    const gmv = await bars("chart-gmv-CNY");
    expect(gmv).toHaveLength(14);
    expect(gmv.reduce((a, b) => a + b, 0)).toBe(30_000);
    expect(await page.textContent("#chart-gmv-CNY h3")).toBe("GMV（CNY）· 近 14 天 ¥300.00");
    const orders = await bars("chart-orders");
    expect(orders.reduce((a, b) => a + b, 0)).toBe(2);
    expect(await page.textContent("#chart-orders h3")).toBe("订单 · 近 14 天 2 单");
    // Today's figure is the last bar's (the orders were all made today, unless the test crossed midnight UTC).
    expect(await page.textContent("#chart-orders .today")).toBe(`今日 ${orders.at(-1)} 单`);
    expect(await page.textContent("#chart-conversion h3")).toBe("转化率 · 近 14 天 33.3%");
    expect(await page.textContent("#chart-returns h3")).toBe("退货率 · 近 14 天 0.0%");
    expect(await page.textContent("#figures > p.meta")).toContain("访问 3（笔记 2，直播 1）· 来自笔记与直播的订单 1");
    const sessionRow = await page.locator(`#sessions tr[data-session="${sessionId}"] td`).allTextContents();
    expect(sessionRow).toEqual(["页面测试直播", "live", "¥0.00", "0", "1", "0.0%", "—"]);

    // Webhook deliveries: each attempt the API lists, with its status and outcome.
    const rows = page.locator(`[data-endpoint="${endpoint.data.id}"] tbody tr`);
    expect(await rows.count()).toBeGreaterThanOrEqual(4);
    for (const delivered of attempts.filter((a) => a.responseStatus === 200)) {
      const row = page.locator(`[data-endpoint="${endpoint.data.id}"] tr[data-message="${delivered.messageId}"]`);
      expect(await row.locator(".status").textContent()).toBe("200");
      expect(await row.textContent()).toContain("已送达");
    }
    const refused = await page
      .locator(`[data-endpoint="${endpoint.data.id}"] tbody tr`, { hasText: "503" })
      .allTextContents();
    expect(refused.length).toBeGreaterThanOrEqual(2);
    for (const text of refused) expect(text).toMatch(/失败（HTTP 503，.* 重试）|失败（HTTP 503，已放弃）/);
    await screenshot(page, "merchant-1-dashboard");
    expect(errors.filter((e) => !e.includes("401"))).toEqual([]);
    await page.close();
  });
});
