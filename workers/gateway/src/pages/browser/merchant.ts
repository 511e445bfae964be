// The merchant console (GET /merchant): with a secret key typed in (kept in sessionStorage, so it leaves with the
// tab), the store run from one page: figures, products and stock, orders and returns, flash sales, live sessions,
// promotions, creators (affiliate plans, samples, paid collaborations), webhooks and API keys, one section per hash
// route (#/products, #/orders?status=paid, …). Every call goes through the typed client (shared/client): the console
// does nothing the public API cannot.
import { zhongcao } from "#shared/client/index.ts";
import { type Api, unwrap } from "./console/api.ts";
import { creatorSection } from "./console/creators.ts";
import { flashSalePage, flashSales } from "./console/flash-sales.ts";
import { keys } from "./console/keys.ts";
import { liveSessions } from "./console/live.ts";
import { orderList, orderPage, returnList } from "./console/orders.ts";
import { figures } from "./console/overview.ts";
import { newProduct, productList, productPage } from "./console/products.ts";
import { promotions } from "./console/promotions.ts";
import { webhooks } from "./console/webhooks.ts";
import { h, show } from "./dom.ts";
import { problemText } from "./format.ts";

const keyItem = "zhongcao.merchant.secretKey";
const view = document.getElementById("view");
const keyForm = document.getElementById("key");
if (!(view instanceof HTMLElement) || !(keyForm instanceof HTMLFormElement)) throw new Error("page markup missing");

const sections: [string, string][] = [
  ["#/", "概览"],
  ["#/products", "商品"],
  ["#/orders", "订单"],
  ["#/returns", "退货"],
  ["#/flash-sales", "秒杀"],
  ["#/live", "直播"],
  ["#/promotions", "营销"],
  ["#/creators", "达人合作"],
  ["#/webhooks", "Webhook"],
  ["#/keys", "API 密钥"],
];

/** What leaving the current section must do (a flash sale's live view stops reading). */
let leave: (() => void) | undefined;

async function section(api: Api, merchant: { id: string; name: string }, target: HTMLElement): Promise<void> {
  leave?.();
  leave = undefined;
  const [path = "", query = ""] = location.hash.replace(/^#/, "").split("?");
  const [, page = "", id] = path.split("/");
  const reload = () => void section(api, merchant, target);
  if (page === "products" && id === "new") return show(target, newProduct(api));
  if (page === "products" && id) return show(target, await productPage(api, id, reload));
  if (page === "products") return show(target, await productList(api));
  if (page === "orders" && id) return show(target, await orderPage(api, id, reload));
  if (page === "orders") return show(target, await orderList(api, new URLSearchParams(query).get("status")));
  if (page === "returns") return show(target, await returnList(api, reload));
  if (page === "flash-sales" && id) {
    leave = await flashSalePage(api, id, target);
    return;
  }
  if (page === "flash-sales") return show(target, await flashSales(api));
  if (page === "live") return show(target, await liveSessions(api, merchant.id, reload));
  if (page === "promotions") return show(target, await promotions(api, reload));
  if (page === "creators") return show(target, await creatorSection(api, reload));
  if (page === "webhooks") return show(target, await webhooks(api, reload));
  if (page === "keys") return show(target, await keys(api, reload));
  const [figuresSection, webhooksSection] = await Promise.all([figures(api), webhooks(api, reload)]);
  show(target, figuresSection, webhooksSection);
}

async function console_(key: string): Promise<void> {
  const target = view as HTMLElement;
  const api = zhongcao(location.origin, { bearer: key });
  show(target, h("p", { class: "loading" }, "加载中…"));
  try {
    const merchant = unwrap(await api.GET("/v1/merchants/me", {}));
    const logout = h("button", { type: "button", id: "logout" }, "退出");
    logout.addEventListener("click", () => {
      sessionStorage.removeItem(keyItem);
      window.removeEventListener("hashchange", onHashChange);
      show(target, h("p", {}, "已退出。输入密钥（sk_…）进入商家后台。"));
    });
    const content = h("div", { id: "section" });
    const nav = h(
      "nav",
      { class: "console-nav" },
      ...sections.map(([href, label]) => h("a", { href, class: "tab" }, label)),
    );
    show(target, h("p", { class: "meta" }, `${merchant.name} · 密钥只保存在本标签页。`, logout), nav, content);
    const render = async () => {
      for (const link of Array.from(nav.querySelectorAll("a"))) {
        const current = location.hash.startsWith(link.getAttribute("href") ?? "") && link.getAttribute("href") !== "#/";
        link.classList.toggle(
          "current",
          current || (link.getAttribute("href") === "#/" && ["", "#/"].includes(location.hash)),
        );
      }
      show(content, h("p", { class: "loading" }, "加载中…"));
      try {
        await section(api, merchant, content);
      } catch (error) {
        show(content, h("p", { class: "error", role: "alert" }, `出错了：${problemText(error)}`));
      }
    };
    onHashChange = () => void render();
    window.addEventListener("hashchange", onHashChange);
    await render();
  } catch (error) {
    show(target, h("p", { class: "error", role: "alert" }, `出错了：${problemText(error)}`));
  }
}

let onHashChange = () => {};

keyForm.addEventListener("submit", (event) => {
  event.preventDefault();
  const key = new FormData(keyForm).get("key");
  if (typeof key !== "string" || !key.trim()) return;
  sessionStorage.setItem(keyItem, key.trim());
  keyForm.reset();
  void console_(key.trim());
});

const kept = sessionStorage.getItem(keyItem);
if (kept) void console_(kept);
else show(view, h("p", {}, "输入商家密钥（sk_…）进入商家后台：商品、订单、秒杀、直播、营销、webhook 与经营数据。"));
