// The storefront page (GET /) in a real browser against the real `npm start`: the shopper's whole journey, from the
// feed through a Chinese search and a product page into a live room (comment, likes, viewers, the pinned product's
// flash-sale countdown) and a flash-sale purchase paid with the sandbox provider, ending on the confirmed order.
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { zhongcao } from "#shared/client/index.ts";
import { demo } from "../../../dev/demo.ts";
import { drawsChinese, npmStartWithChromium, pageErrors, pictures, screenshot, textMatching } from "./browser.ts";

const { platform, browser } = await npmStartWithChromium("storefront");

interface Credentials {
  merchants: { id: string; secretKey: string; publishableKey: string }[];
  creators: { id: string; creatorKey: string }[];
}

/** The host's side of the room, over a plain WebSocket: what it receives, and a way to send. */
async function hostSocket(url: string) {
  const frames: { type: string; [k: string]: unknown }[] = [];
  const ws = new WebSocket(url);
  ws.addEventListener("message", (e) => frames.push(JSON.parse(String(e.data))));
  await new Promise((resolve, reject) => {
    ws.addEventListener("open", resolve);
    ws.addEventListener("error", reject);
  });
  return { ws, frames };
}

describe("the storefront page", () => {
  it("serves one document with a strict CSP, no inline script, UTF-8 and lang zh-CN", async () => {
    const res = await fetch(`${platform.gateway}/`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/html; charset=UTF-8");
    const csp = res.headers.get("content-security-policy") ?? "";
    expect(csp).toContain("script-src 'self';");
    expect(csp).not.toContain("unsafe-inline");
    const html = await res.text();
    expect(html).toContain('<html lang="zh-CN">');
    expect(html).toContain('<meta charset="utf-8">');
    expect(html.match(/<script[^>]*>/g)).toEqual(['<script type="module" src="/pages/storefront.js">']);
    const script = await fetch(`${platform.gateway}/pages/storefront.js`);
    expect(script.headers.get("content-type")).toBe("text/javascript; charset=utf-8");
    expect((await script.text()).length).toBeGreaterThan(1000);
  });

  it("takes a shopper from the feed through search and a product into a live room, and sells a flash-sale unit", async () => {
    const gateway = platform.gateway;
    const { merchants } = await platform.credentials<Credentials>();
    // The demo's Perfect Diary store sells the lipstick; it goes live with a flash sale of it, pinned in its room.
    const store = merchants[1];
    const lipstick = demo.products[2];
    if (!store || !lipstick) throw new Error("demo data changed");
    const asStore = zhongcao(gateway, { bearer: store.secretKey });
    // The storefront address npm start printed, on this test's free port: its demo key allows this origin.
    const publishableKey = store.publishableKey;
    expect(platform.output()).toContain(`${gateway}/?key=${merchants[0]?.publishableKey}`);

    const title = "完美日记口红秒杀专场";
    const session = await asStore.POST("/v1/live/sessions", {
      body: {
        title,
        scheduledStartAt: new Date(Date.now() + 60_000).toISOString(),
        productIds: [lipstick.id],
        moderatorIds: [],
        keywordFilter: [],
      },
    });
    if (!session.data) throw new Error(JSON.stringify(session.error));
    const sessionId = session.data.id;
    expect(
      (await asStore.POST("/v1/live/sessions/{id}/start", { params: { path: { id: sessionId } } })).response.status,
    ).toBe(200);
    const product = await asStore.GET("/v1/products/{id}", { params: { path: { id: lipstick.id } } });
    const skuId = product.data?.skus[0]?.id;
    if (!skuId) throw new Error("the lipstick has no SKU");
    const sale = await asStore.POST("/v1/flash-sales", {
      body: {
        skuId,
        quantity: 5,
        price: { amount: 4900, currency: "CNY" },
        startsAt: new Date().toISOString(),
        endsAt: new Date(Date.now() + 30 * 60_000).toISOString(),
        perShopperLimit: 1,
        liveSessionId: sessionId,
      },
      headers: { "idempotency-key": crypto.randomUUID() },
    });
    if (!sale.data) throw new Error(JSON.stringify(sale.error));
    const flashSaleId = sale.data.id;
    const hostToken = await asStore.POST("/v1/live/sessions/{id}/token", {
      params: { path: { id: sessionId } },
      body: {},
    });
    if (!hostToken.data) throw new Error(JSON.stringify(hostToken.error));
    const host = await hostSocket(`${hostToken.data.roomUrl}?token=${hostToken.data.roomToken}`);
    host.ws.send(JSON.stringify({ type: "pin", productId: lipstick.id, flashSaleId }));

    const page: Page = await browser.newPage({ viewport: { width: 1100, height: 800 } });
    const errors = pageErrors(page);

    // The feed: the session on air with its live badge, and the demo's notes.
    await page.goto(`${gateway}/?key=${publishableKey}`, { waitUntil: "domcontentloaded" });
    const liveCard = page.locator(".live-card", { hasText: title });
    await liveCard.waitFor();
    expect(await liveCard.locator(".badge").textContent()).toBe("直播中");
    await page.locator(".note-card", { hasText: "黄皮显白口红" }).waitFor();
    expect(page.url()).toBe(`${gateway}/`); // the key left the address bar
    expect(await page.evaluate(() => [document.characterSet, document.documentElement.lang])).toEqual([
      "UTF-8",
      "zh-CN",
    ]);
    // Chinese is drawn with a CJK font (Noto Sans SC, from the npm registry), not as empty boxes.
    expect(await drawsChinese(page)).toBe(true);
    // Every note has its cover, drawn and uploaded by `npm start`, served by this gateway and decoded.
    const covers = await pictures(page, ".waterfall img");
    expect(covers.length).toBeGreaterThanOrEqual(4);
    for (const cover of covers)
      expect(cover).toEqual({ src: expect.stringMatching(`^${gateway}/media/med_`), decoded: true });
    await screenshot(page, "storefront-1-feed");

    // Search with a two-character Chinese query, from the search box.
    await page.fill('#search input[name="q"]', "口红");
    await page.press('#search input[name="q"]', "Enter");
    const hit = page.locator("#product-results li", { hasText: "完美日记小细跟口红" });
    await hit.waitFor();
    expect(await hit.locator("mark").first().textContent()).toBe("口红");
    expect(page.url()).toBe(`${gateway}/#/search?q=${encodeURIComponent("口红")}`);
    await screenshot(page, "storefront-2-search");

    // The product page: title and every SKU with its price.
    await hit.locator("a").click();
    await textMatching(page, "h1", /完美日记小细跟口红/);
    const rows = await page.locator(".skus tbody tr").allTextContents();
    expect(rows).toHaveLength(lipstick.skus.length);
    expect(rows[0]).toContain("¥89.00");
    const gallery = await pictures(page, ".gallery img");
    expect(gallery).toHaveLength(2);
    for (const image of gallery)
      expect(image).toEqual({ src: expect.stringMatching(`^${gateway}/media/med_`), decoded: true });
    await screenshot(page, "storefront-3-product");

    // Back to the feed, into the live room.
    await page.click(".brand");
    await liveCard.locator("a").click();
    await page.locator("#pinned h2", { hasText: "完美日记小细跟口红" }).waitFor();
    expect(await textMatching(page, "#viewers", /^2$/)).toBe("2"); // the host and this shopper
    expect(await page.textContent("#room-status")).toBe("直播中");
    expect(await page.textContent("#flash-price")).toBe("¥49.00");
    expect(await page.textContent("#stock-left")).toBe("5");
    const countdown = await textMatching(page, "#countdown", /^距结束 \d\d:\d\d$/);
    const [minutes = 0, seconds = 0] = countdown.replace("距结束 ", "").split(":").map(Number);
    expect(minutes * 60 + seconds).toBeGreaterThan(0);
    expect(minutes * 60 + seconds).toBeLessThanOrEqual(30 * 60);

    // A comment reaches the room (the host's socket sees it) and comes back to the page.
    await page.fill("#comment-form input", "好看！想要这个色号");
    await page.press("#comment-form input", "Enter");
    await textMatching(page, "#comments", /好看！想要这个色号/);
    // The room broadcasts to every socket at once: the host's copy may land just after the page drew its own.
    await expect
      .poll(() => host.frames.some((f) => f.type === "comment" && JSON.stringify(f).includes("好看！想要这个色号")))
      .toBe(true);
    // Three taps, counted by the room and broadcast as its total.
    for (let i = 0; i < 3; i++) await page.click("#like-button");
    expect(await textMatching(page, "#likes", /^3$/)).toBe("3");
    await screenshot(page, "storefront-4-live-room");

    // Buy: a hold on one unit, a cart and checkout, the sandbox payment, and the confirmed order.
    await page.click("#buy");
    await page.locator("#order").waitFor({ timeout: 30_000 });
    expect(await page.textContent("#order-status")).toBe("已支付");
    expect(await page.textContent("#order-number")).toMatch(/^ZC-\d{8}-\d{6}$/);
    expect(await page.textContent("#order-total")).toBe("¥59.00"); // ¥49 + ¥10 shipping (free from ¥99)
    const orderId = new URL(page.url()).hash.replace("#/order/", "");
    await screenshot(page, "storefront-5-order");

    // What the page showed is what the platform recorded.
    const order = await asStore.GET("/v1/orders/{id}", { params: { path: { id: orderId } } });
    // Bought from the room: the line is credited to the session (a store's own stream: no creator).
    expect(order.data).toMatchObject({
      status: "paid",
      lines: [{ skuId, flashSaleId, quantity: 1, credit: { noteId: null, liveSessionId: sessionId, creatorId: null } }],
    });
    const after = await asStore.GET("/v1/flash-sales/{id}", { params: { path: { id: flashSaleId } } });
    expect(after.data?.stockLeft).toBe(4);
    expect(errors).toEqual([]);
    host.ws.close();
    await page.close();
  });

  it("the feed learns: after the shopper likes notes on one topic, the feed leads with that topic", async () => {
    const gateway = platform.gateway;
    const { merchants } = await platform.credentials<Credentials>();
    const publishableKey = merchants[0]?.publishableKey ?? "";
    const asGuest = zhongcao(gateway, { publishableKey });
    const shopper = async () => {
      const session = await asGuest.POST("/v1/shopper-sessions", { body: {} });
      if (!session.data) throw new Error(JSON.stringify(session.error));
      return zhongcao(gateway, { publishableKey, bearer: session.data.accessToken });
    };
    const tag = crypto.randomUUID().replaceAll("-", "").slice(0, 8);
    const [storage, other] = [`收纳${tag}`, `穿搭${tag}`];
    const post = async (author: ReturnType<typeof zhongcao>, topic: string, i: number) => {
      const note = await author.POST("/v1/notes", {
        body: {
          title: `${topic} 笔记 ${i}`,
          body: "好物分享",
          images: ["https://img.example.com/feed.jpg"],
          topics: [topic],
          productIds: [],
        },
      });
      if (!note.data) throw new Error(JSON.stringify(note.error));
      return note.data.id;
    };
    // Storage notes by eight people (a page holds at most two by one author); the other topic is what everyone
    // else likes, so it leads the feed of someone who has done nothing yet.
    const storageNotes: string[] = [];
    for (let i = 0; i < 8; i++) storageNotes.push(await post(await shopper(), storage, i));
    const [stylist, fan] = [await shopper(), await shopper()];
    for (let i = 0; i < 8; i++) {
      const id = await post(stylist, other, i);
      await fan.PUT("/v1/notes/{id}/like", { params: { path: { id } } });
    }

    const page: Page = await browser.newPage({ viewport: { width: 1100, height: 800 } });
    const errors = pageErrors(page);
    const leading = async () => {
      await page.goto(`${gateway}/?key=${publishableKey}#/`);
      await page.locator(".note-card").first().waitFor();
      const topics = await page
        .locator(".note-card")
        .evaluateAll((cards) => cards.slice(0, 6).map((c) => c.getAttribute("data-topics") ?? ""));
      return topics.filter((t) => t.includes(storage)).length;
    };
    expect(await leading()).toBeLessThan(3);
    await screenshot(page, "storefront-feed-1-before");

    for (const id of storageNotes.slice(0, 3)) {
      await page.goto(`${gateway}/#/note/${id}`);
      await page.click("#note-like");
      await textMatching(page, "#note-like", /已喜欢/);
    }
    // Likes teach the profile after they answer: wait until it holds all three (a feed read meanwhile would count
    // its notes as seen), then the feed leads with the topic.
    const session = JSON.parse(
      (await page.evaluate(() => localStorage.getItem("zhongcao.storefront.shopperSession"))) ?? "{}",
    ) as { accessToken?: string };
    const me = zhongcao(gateway, { publishableKey, bearer: session.accessToken ?? "" });
    await expect
      .poll(async () => (await me.GET("/v1/me/interests")).data?.topics.find((t) => t.key === storage)?.signals.like, {
        timeout: 15_000,
      })
      .toBe(3);
    expect(await leading()).toBeGreaterThanOrEqual(4);
    await screenshot(page, "storefront-feed-2-after");

    // The note page offers related notes.
    await page.goto(`${gateway}/#/note/${storageNotes[0]}`);
    await page.locator('[aria-label="相关笔记"] .note-card').first().waitFor();
    // This test's notes name a picture on a host that does not exist; the page itself must log nothing else.
    expect(errors.filter((e) => !e.includes("img.example.com") && !e.includes("Failed to load resource"))).toEqual([]);
    await page.close();
  });

  it("shows every demo product's pictures from the gateway, and a creator's showcase (橱窗) with the product's picture", async () => {
    const gateway = platform.gateway;
    const { merchants, creators } = await platform.credentials<Credentials>();
    const lancome = merchants[0];
    const creator = creators[0];
    if (!lancome || !creator) throw new Error("demo credentials missing");
    const page: Page = await browser.newPage({ viewport: { width: 1100, height: 800 } });
    const errors = pageErrors(page);
    // Straight to the pages under test (the feed may hold other tests' notes, whose pictures are on made-up hosts).
    await page.goto(`${gateway}/?key=${lancome.publishableKey}#/product/${demo.products[0]?.id ?? ""}`, {
      waitUntil: "domcontentloaded",
    });

    // Every active demo product: its two pictures, drawn and uploaded by `npm start`, decode from this gateway.
    for (const product of demo.products.filter((p) => p.status !== "draft")) {
      await page.goto(`${gateway}/#/product/${product.id}`);
      await textMatching(page, "h1", new RegExp(product.title.slice(0, 4)));
      const gallery = await pictures(page, ".gallery img");
      expect(gallery, product.title).toHaveLength(2);
      for (const image of gallery) {
        expect(image).toEqual({ src: expect.stringMatching(`^${gateway}/media/med_`), decoded: true });
      }
    }

    // An open affiliate plan lets the demo creator put the serum in their showcase; the storefront shows it.
    const serum = demo.products[0]?.id ?? "";
    const store = zhongcao(gateway, { bearer: lancome.secretKey });
    const plan = await store.POST("/v1/affiliate-plans", {
      body: { type: "open", productIds: [serum], commissionRateBps: 1500, startsAt: new Date().toISOString() },
    });
    if (!plan.data) throw new Error(JSON.stringify(plan.error));
    const session = await zhongcao(gateway, {}).POST("/v1/creator-sessions", {
      body: { creatorKey: creator.creatorKey },
    });
    if (!session.data) throw new Error(JSON.stringify(session.error));
    const asCreator = zhongcao(gateway, { bearer: session.data.accessToken });
    const shelved = await asCreator.PUT("/v1/creators/me/showcase/{productId}", {
      params: { path: { productId: serum } },
    });
    expect(shelved.response.status).toBeLessThan(300);

    await page.goto(`${gateway}/#/creator/${creator.id}`);
    const item = page.locator(`.showcase-item[data-product="${serum}"]`);
    await item.waitFor();
    const [picture] = await pictures(page, ".showcase-item img");
    expect(picture).toEqual({ src: expect.stringMatching(`^${gateway}/media/med_`), decoded: true });
    await screenshot(page, "storefront-6-showcase");
    // Buying from the showcase carries the creator's attribution to the product page.
    await item.locator("a").click();
    expect(decodeURIComponent(page.url())).toContain("attribution=attr_");
    expect(errors).toEqual([]);
    await page.close();
  });
});
