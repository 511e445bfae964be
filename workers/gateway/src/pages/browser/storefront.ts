// The storefront page (GET /): the discover feed with live badges, search, notes, products, the live room, orders
// and a creator's showcase, as a shopper sees them. Routes live in the address's hash (#/search?q=…,
// #/product/prod_…, #/live/live_…, #/creator/cre_…), so the gateway serves one document; every call goes through
// the typed client (shared/client).
import type { components } from "#shared/client/schema.d.ts";
import { type Child, h, highlighted, listOrNone, show } from "./dom.ts";
import { dateTime, imageAt, type Money, money, orderStatusText, problemText } from "./format.ts";
import { liveRoom } from "./live-room.ts";
import { buy } from "./purchase.ts";
import { publicApi, publishableKey, rememberPublishableKey, shopperApi } from "./shopper.ts";

const view = document.getElementById("view");
const searchForm = document.getElementById("search");
if (!(view instanceof HTMLElement) || !(searchForm instanceof HTMLFormElement)) throw new Error("page markup missing");

/** What leaving the current page must do (the live room closes its socket). */
let leave: (() => void) | undefined;

function keyForm(): void {
  const input = h("input", { name: "key", placeholder: "pk_test_…", "aria-label": "可发布密钥", required: "" });
  const form = h(
    "form",
    { class: "key-form" },
    h("p", {}, "这个店铺页面需要一个可发布密钥（publishable key，pk_…）。`npm start` 会打印演示商家的密钥。"),
    input,
    h("button", { type: "submit" }, "进入店铺"),
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    rememberPublishableKey(input.value.trim());
    void route();
  });
  show(view as HTMLElement, form);
}

/** A picture that loads when it nears the screen; `sizes` lets the browser take the width it needs. */
function picture(url: string, alt: string, sizes: string): HTMLImageElement {
  return h("img", {
    src: imageAt(url, 480),
    srcset: url.includes("/media/med_")
      ? `${imageAt(url, 240)} 240w, ${imageAt(url, 480)} 480w, ${imageAt(url, 960)} 960w`
      : undefined,
    sizes,
    alt,
    loading: "lazy",
    decoding: "async",
  });
}

/** A product's or a note's pictures, side by side, scrolled sideways like a phone's gallery. */
function gallery(images: string[], alt: string): HTMLElement | null {
  if (images.length === 0) return null;
  return h(
    "div",
    { class: "gallery", "aria-label": "图片" },
    ...images.map((url, i) => picture(url, `${alt} ${i + 1}`, "(max-width: 640px) 90vw, 600px")),
  );
}

/** A note's or a product's page: its pictures, its title, then the rest. */
function article(kind: "note" | "product", item: { images: string[]; title: string }, ...rest: Child[]): HTMLElement {
  return h("article", { class: kind }, gallery(item.images, item.title), h("h1", {}, item.title), ...rest);
}

function price(value: unknown): string {
  const m = value as Partial<Money> | null | undefined;
  return m && typeof m.amount === "number" && typeof m.currency === "string" ? money(m as Money) : "";
}

/** A waterfall of note cards (the discover feed, related notes). */
function noteCards(notes: components["schemas"]["NoteSummary"][], label: string): HTMLElement {
  return h(
    "ul",
    { class: "waterfall notes", "aria-label": label },
    ...notes.map((n) =>
      h(
        "li",
        { class: "note-card", "data-topics": n.topics.join(" ") },
        h(
          "a",
          { href: `#/note/${n.id}` },
          n.cover ? picture(n.cover, n.title, "(max-width: 640px) 50vw, 300px") : null,
          h("span", { class: "title" }, n.title),
        ),
        h(
          "p",
          { class: "meta" },
          h("span", {}, n.author.name ?? ""),
          h("span", { class: "likes" }, `♥ ${n.likeCount}`),
        ),
      ),
    ),
  );
}

async function feed(key: string, target: HTMLElement): Promise<void> {
  // As the storefront's shopper, so discover is their own feed once they have liked or read something
  // (docs/guides/personalised-feed.md); the public feed if no session can be had.
  const api = (await shopperApi(key).catch(() => null))?.api ?? publicApi(key);
  const { data, error } = await api.GET("/v1/feed", { params: { query: { type: "discover", limit: 20 } } });
  if (!data) throw error;
  show(
    target,
    data.live.length > 0
      ? h(
          "section",
          { class: "live-strip", "aria-label": "直播" },
          h("h2", {}, "直播"),
          h(
            "ul",
            { class: "cards" },
            ...data.live.map((s) =>
              h(
                "li",
                { class: "card live-card" },
                h(
                  "a",
                  { href: `#/live/${s.id}` },
                  h("span", { class: `badge ${s.badge}` }, s.badge === "live" ? "直播中" : "预告"),
                  " ",
                  s.title,
                ),
                h("p", { class: "meta" }, s.host.name ?? "", " · ", dateTime(s.startedAt ?? s.scheduledStartAt)),
              ),
            ),
          ),
        )
      : null,
    h(
      "section",
      { "aria-label": "发现" },
      h("h2", {}, "发现"),
      // RED's discover page: a two-column waterfall of note covers, each with its title, author and likes.
      noteCards(data.data, "发现"),
    ),
  );
}

async function note(key: string, id: string, target: HTMLElement): Promise<void> {
  const { data, error } = await publicApi(key).GET("/v1/notes/{id}", { params: { path: { id } } });
  if (!data) throw error;
  // The view beacon (reads come from the edge cache, so only this counts a view for the merchant's figures); a
  // failed beacon must not spoil the page.
  void shopperApi(key)
    .then(({ api }) => api.POST("/v1/notes/{id}/views", { params: { path: { id } } }))
    .catch(() => undefined);
  const related = await publicApi(key).GET("/v1/notes/{id}/related", {
    params: { path: { id }, query: { limit: 10 } },
  });
  const likes = h("span", { id: "note-likes" }, String(data.likeCount));
  const likeButton = h("button", { type: "button", id: "note-like" }, "♥ 喜欢");
  likeButton.addEventListener("click", () => {
    likeButton.setAttribute("disabled", "");
    void shopperApi(key)
      .then(({ api }) => api.PUT("/v1/notes/{id}/like", { params: { path: { id } } }))
      .then(({ data: state }) => {
        if (state?.likeCount !== undefined) likes.textContent = String(state.likeCount);
        likeButton.textContent = "♥ 已喜欢";
      })
      .catch(() => likeButton.removeAttribute("disabled"));
  });
  show(
    target,
    article(
      "note",
      data,
      h(
        "p",
        { class: "meta" },
        data.author.type === "creator"
          ? h("a", { href: `#/creator/${data.author.id}`, class: "author" }, data.author.name ?? "")
          : (data.author.name ?? ""),
        " · ",
        dateTime(data.createdAt),
        " · ♥ ",
        likes,
        " ",
        likeButton,
      ),
      h("p", { class: "body" }, data.body),
      h(
        "ul",
        { class: "cards" },
        ...data.products.map((p) =>
          h(
            "li",
            { class: "card" },
            h("a", { href: `#/product/${p.id}?attribution=${encodeURIComponent(p.attribution)}` }, p.title),
            h("p", { class: "meta" }, money(p.price), p.inStock ? "" : " · 缺货"),
          ),
        ),
      ),
    ),
    related.data && related.data.data.length > 0
      ? h("section", { "aria-label": "相关笔记" }, h("h2", {}, "相关笔记"), noteCards(related.data.data, "相关笔记"))
      : null,
  );
}

/** A search's count: past the search's count bound it is a lower bound, shown as such ("1000+"). */
const countOf = (page: { totalCount: number; totalIsExact: boolean }) =>
  `${page.totalCount}${page.totalIsExact ? "" : "+"}`;

async function search(key: string, q: string, target: HTMLElement): Promise<void> {
  const api = publicApi(key);
  const [products, notes] = await Promise.all([
    api.GET("/v1/search", { params: { query: { q, type: "products" } } }),
    api.GET("/v1/search", { params: { query: { q, type: "notes" } } }),
  ]);
  if (!products.data) throw products.error;
  if (!notes.data) throw notes.error;
  const input = searchForm?.querySelector("input");
  if (input) input.value = q;
  show(
    target,
    h("h1", {}, `“${q}”的搜索结果`),
    h("h2", {}, "商品 ", h("small", { id: "product-count" }, `${countOf(products.data)} 件`)),
    h(
      "ul",
      { class: "results", id: "product-results" },
      ...products.data.data.map((hit) =>
        h(
          "li",
          { class: "card" },
          h("a", { href: `#/product/${hit.id}` }, highlighted(hit.highlight.title)),
          h("p", { class: "meta" }, price(hit.price), " ", highlighted(hit.highlight.snippet)),
        ),
      ),
    ),
    h("h2", {}, "笔记 ", h("small", {}, `${countOf(notes.data)} 篇`)),
    h(
      "ul",
      { class: "results" },
      ...notes.data.data.map((hit) =>
        h("li", { class: "card" }, h("a", { href: `#/note/${hit.id}` }, highlighted(hit.highlight.title))),
      ),
    ),
  );
}

async function product(key: string, id: string, attribution: string | null, target: HTMLElement): Promise<void> {
  const { data, error } = await publicApi(key).GET("/v1/products/{id}", { params: { path: { id } } });
  if (!data) throw error;
  const notice = h("p", { class: "notice", role: "status" });
  show(
    target,
    article(
      "product",
      data,
      h("p", { class: "meta" }, [data.brand, data.category].filter(Boolean).join(" · ")),
      h("p", { class: "body" }, data.description),
      h(
        "table",
        { class: "skus" },
        h("thead", {}, h("tr", {}, h("th", {}, "规格"), h("th", {}, "价格"), h("th", {}, "库存"), h("th", {}, ""))),
        h(
          "tbody",
          {},
          ...data.skus.map((sku) => {
            const button = h("button", { type: "button" }, "立即购买");
            button.disabled = !sku.inStock;
            button.addEventListener("click", async () => {
              button.disabled = true;
              try {
                const { api } = await shopperApi(key);
                const line = { skuId: sku.id, quantity: 1, ...(attribution ? { attribution } : {}) };
                const order = await buy(api, line, (text) => {
                  notice.textContent = text;
                });
                location.hash = `#/order/${order.id}`;
              } catch (e) {
                notice.textContent = `购买失败：${problemText(e)}`;
                button.disabled = false;
              }
            });
            return h(
              "tr",
              {},
              h("td", {}, Object.values(sku.options).join(" / ")),
              h("td", {}, money(sku.price)),
              h("td", {}, sku.inStock ? "有货" : "缺货"),
              h("td", {}, button),
            );
          }),
        ),
      ),
      notice,
    ),
  );
}

/** A creator's showcase (橱窗): the products they chose to recommend; buying one from here credits them. */
async function showcase(key: string, id: string, target: HTMLElement): Promise<void> {
  const { data, error } = await publicApi(key).GET("/v1/creators/{id}/showcase", { params: { path: { id } } });
  if (!data) throw error;
  show(
    target,
    h(
      "section",
      { class: "showcase", "aria-label": "橱窗" },
      h("h1", {}, "橱窗"),
      listOrNone(data.data, "这位博主的橱窗还是空的", h("ul", { class: "waterfall" }), (item) =>
        h(
          "li",
          { class: "note-card showcase-item", "data-product": item.productId },
          h(
            "a",
            { href: `#/product/${item.productId}?attribution=${encodeURIComponent(item.attribution)}` },
            item.image ? picture(item.image, item.title, "(max-width: 640px) 50vw, 300px") : null,
            h("span", { class: "title" }, item.title),
          ),
          h("p", { class: "meta" }, h("span", {}, money(item.price))),
        ),
      ),
    ),
  );
}

async function order(key: string, id: string, target: HTMLElement): Promise<void> {
  const { api } = await shopperApi(key);
  const { data, error } = await api.GET("/v1/orders/{id}", { params: { path: { id } } });
  if (!data) throw error;
  show(
    target,
    h(
      "article",
      { class: "order", id: "order" },
      h("h1", {}, data.status === "paid" ? "支付成功" : "订单"),
      h("p", {}, "订单号 ", h("strong", { id: "order-number" }, data.number)),
      h("p", {}, "状态 ", h("strong", { id: "order-status" }, orderStatusText[data.status])),
      h(
        "ul",
        { class: "lines" },
        ...data.lines.map((l) => h("li", {}, `${l.title} × ${l.quantity}　${money(l.amount)}`)),
      ),
      h("p", {}, "实付 ", h("strong", { id: "order-total" }, money(data.totals.total))),
      data.paidAt ? h("p", { class: "meta" }, `支付时间 ${dateTime(data.paidAt)}`) : null,
    ),
  );
}

async function route(): Promise<void> {
  leave?.();
  leave = undefined;
  const target = view as HTMLElement;
  const key = publishableKey();
  if (!key) return keyForm();
  const [path = "", query = ""] = location.hash.replace(/^#/, "").split("?");
  const params = new URLSearchParams(query);
  const [, page, id] = path.split("/");
  show(target, h("p", { class: "loading" }, "加载中…"));
  try {
    if (page === "search") await search(key, params.get("q") ?? "", target);
    else if (page === "note" && id) await note(key, id, target);
    else if (page === "product" && id) await product(key, id, params.get("attribution"), target);
    else if (page === "live" && id) leave = await liveRoom(target, key, id);
    else if (page === "order" && id) await order(key, id, target);
    else if (page === "creator" && id) await showcase(key, id, target);
    else await feed(key, target);
  } catch (error) {
    show(target, h("p", { class: "error", role: "alert" }, `出错了：${problemText(error)}`));
  }
}

searchForm.addEventListener("submit", (event) => {
  event.preventDefault();
  const q = new FormData(searchForm).get("q");
  if (typeof q === "string" && q.trim()) location.hash = `#/search?q=${encodeURIComponent(q.trim())}`;
});
window.addEventListener("hashchange", () => void route());
void route();
