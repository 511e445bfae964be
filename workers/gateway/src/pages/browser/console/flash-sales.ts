// Flash sales in the console: a new sale on one of the merchant's SKUs, and a sale's live view, read again every two
// seconds while the page is open: stock left, units held, the waiting line and sold units per shard, and the orders
// the sale has made. The sales this tab created are listed (the API reads a sale by id).
import { h, listOrNone, show } from "../dom.ts";
import { dateTime, money, orderStatusText } from "../format.ts";
import { type Api, idempotent, unwrap } from "./api.ts";
import { fen, field, form, input, section, select, table, text } from "./ui.ts";

const createdItem = "zhongcao.console.flashSales";
const created = (): string[] => JSON.parse(sessionStorage.getItem(createdItem) ?? "[]") as string[];

/** A datetime-local value, read as this browser's local time, as RFC 3339 UTC. */
const instant = (local: string) => new Date(local).toISOString();
const localValue = (date: Date) =>
  new Date(date.getTime() - date.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);

/** Creates the sale the form describes, keeps its id for this tab's list and opens its live view. */
async function createSale(api: Api, data: FormData): Promise<undefined> {
  const sale = unwrap(
    await api.POST("/v1/flash-sales", {
      headers: idempotent(),
      body: {
        skuId: text(data, "skuId"),
        quantity: Number(text(data, "quantity")),
        price: { amount: fen(text(data, "price")), currency: "CNY" },
        startsAt: instant(text(data, "startsAt")),
        endsAt: instant(text(data, "endsAt")),
        perShopperLimit: Number(text(data, "perShopperLimit") || 1),
        shards: Number(text(data, "shards") || 1),
      },
    }),
  );
  sessionStorage.setItem(createdItem, JSON.stringify([sale.id, ...created()]));
  location.hash = `#/flash-sales/${sale.id}`;
  return undefined;
}

export async function flashSales(api: Api): Promise<HTMLElement> {
  const products = unwrap(await api.GET("/v1/products", { params: { query: { limit: 100, status: "active" } } }));
  const skuOptions: [string, string][] = products.data.flatMap((p) =>
    p.skus.map((s): [string, string] => [
      s.id,
      `${p.title} · ${Object.values(s.options).join(" / ")} · 库存 ${s.stock ?? 0}`,
    ]),
  );
  return section(
    { id: "flash-sales", label: "秒杀" },
    form(
      { id: "flash-sale-form" },
      "创建秒杀",
      (data) => createSale(api, data),
      field("规格", select("skuId", skuOptions)),
      field("数量", input("quantity", { type: "number", min: "1", required: "" })),
      field("秒杀价（元）", input("price", { required: "", inputmode: "decimal" })),
      field("开始", input("startsAt", { type: "datetime-local", required: "", value: localValue(new Date()) })),
      field(
        "结束",
        input("endsAt", { type: "datetime-local", required: "", value: localValue(new Date(Date.now() + 3_600_000)) }),
      ),
      field("每人限购", input("perShopperLimit", { type: "number", min: "1", value: "1" })),
      field("分片数（1–64）", input("shards", { type: "number", min: "1", max: "64", value: "1" })),
    ),
    h("h3", {}, "本标签页创建的秒杀"),
    listOrNone(created(), "还没有", h("ul"), (id) => h("li", {}, h("a", { href: `#/flash-sales/${id}` }, id))),
  );
}

async function saleView(api: Api, id: string): Promise<HTMLElement> {
  const sale = unwrap(await api.GET("/v1/flash-sales/{id}", { params: { path: { id } } }));
  const orders = unwrap(await api.GET("/v1/orders", { params: { query: { limit: 100 } } }));
  const mine = orders.data.filter((o) => o.lines.some((l) => l.flashSaleId === id));
  const shards = sale.shardStock ?? [];
  const sum = (key: "held" | "committed" | "waiting") => shards.reduce((n, s) => n + (s[key] ?? 0), 0);
  return h(
    "div",
    {},
    h(
      "p",
      { class: "stats" },
      `${sale.status === "running" ? "进行中" : sale.status === "scheduled" ? "未开始" : "已结束"} · `,
      money(sale.price),
      " · 剩余 ",
      h("strong", { id: "stock-left" }, sale.stockLeft),
      ` / ${sale.quantity} · 锁定中 `,
      h("strong", { id: "held" }, sum("held")),
      " · 排队 ",
      h("strong", { id: "waiting" }, sum("waiting")),
      " · 已成交 ",
      h("strong", { id: "committed" }, sum("committed")),
    ),
    h(
      "p",
      { class: "meta" },
      `${dateTime(sale.startsAt)} – ${dateTime(sale.endsAt)} · 每人限购 ${sale.perShopperLimit}`,
    ),
    shards.length > 1
      ? table(
          ["分片", "可售", "锁定", "成交", "排队"],
          shards.map((s) => [s.shard, s.available, s.held, s.committed, s.waiting]),
          { id: "shards" },
        )
      : null,
    h("h3", {}, "秒杀订单"),
    mine.length === 0
      ? h("p", { class: "meta", id: "sale-orders" }, "还没有订单")
      : table(
          ["订单号", "状态", "金额", "时间"],
          mine.map((o) => [
            h("a", { href: `#/orders/${o.id}` }, o.number),
            orderStatusText[o.status],
            money(o.totals.total),
            dateTime(o.createdAt),
          ]),
          { id: "sale-orders" },
        ),
  );
}

/** The sale's live view; answers what leaving the page must do (stop reading it again). */
export async function flashSalePage(api: Api, id: string, target: HTMLElement): Promise<() => void> {
  const body = h("div", { id: "flash-sale-live" }, await saleView(api, id));
  show(target, h("section", { id: "flash-sale", "data-sale": id }, h("h2", {}, "秒杀实况"), body));
  const timer = setInterval(async () => {
    try {
      body.replaceChildren(await saleView(api, id));
    } catch {
      // The next tick tries again; a passing network error must not end the view.
    }
  }, 2000);
  return () => clearInterval(timer);
}
