// Promotions in the console: a coupon (fixed or percent off, a minimum spend, a quantity), spend-and-save rules
// (满减) and the platform's campaigns a product can join. Coupons the API has no list for: this tab shows those it
// issued, each read again by id.
import { h } from "../dom.ts";
import { dateTime, money } from "../format.ts";
import { type Api, idempotent, reloadAfter, unwrap } from "./api.ts";
import { action, fen, field, form, input, section, select, table, text } from "./ui.ts";

const issuedItem = "zhongcao.console.coupons";
const issued = (): string[] => JSON.parse(sessionStorage.getItem(issuedItem) ?? "[]") as string[];
const inDays = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString();

export async function promotions(api: Api, reload: () => void): Promise<HTMLElement> {
  const write = reloadAfter(reload);
  const [coupons, rules, campaigns, products] = await Promise.all([
    Promise.all(issued().map(async (id) => unwrap(await api.GET("/v1/coupons/{id}", { params: { path: { id } } })))),
    api.GET("/v1/promotions/spend-and-save", {}),
    api.GET("/v1/campaigns", {}),
    api.GET("/v1/products", { params: { query: { limit: 100, status: "active" } } }),
  ]);
  const catalogue = unwrap(products).data;
  const productOptions: [string, string][] = catalogue.map((p) => [p.id, p.title]);
  return section(
    { id: "promotions", label: "营销", heading: "优惠券" },
    coupons.length === 0
      ? h("p", { class: "meta" }, "本标签页还没有发券")
      : table(
          ["名称", "优惠", "门槛", "已领 / 总量", "有效期"],
          coupons.map((c) => [
            c.name,
            c.kind === "fixed" && c.amountOff ? money(c.amountOff) : `${c.percentOff ?? 0}%`,
            c.minSpend ? money(c.minSpend) : "无",
            `${c.claimed} / ${c.quantity}`,
            `${dateTime(c.startsAt)} – ${dateTime(c.endsAt)}`,
          ]),
          { id: "coupons" },
        ),
    form(
      { id: "coupon-form" },
      "发券",
      async (data) => {
        const fixed = text(data, "kind") === "fixed";
        const coupon = unwrap(
          await api.POST("/v1/coupons", {
            headers: idempotent(),
            body: {
              name: text(data, "name"),
              kind: fixed ? "fixed" : "percent",
              currency: "CNY",
              ...(fixed
                ? { amountOff: { amount: fen(text(data, "off")), currency: "CNY" } }
                : { percentOff: Number(text(data, "off")) }),
              ...(text(data, "minSpend") ? { minSpend: { amount: fen(text(data, "minSpend")), currency: "CNY" } } : {}),
              startsAt: new Date().toISOString(),
              endsAt: inDays(Number(text(data, "days") || 7)),
              quantity: Number(text(data, "quantity")),
              perShopperLimit: 1,
            },
          }),
        );
        sessionStorage.setItem(issuedItem, JSON.stringify([coupon.id, ...issued()]));
        reload();
        return undefined;
      },
      field("名称", input("name", { required: "" })),
      field(
        "类型",
        select("kind", [
          ["fixed", "立减（元）"],
          ["percent", "折扣（%）"],
        ]),
      ),
      field("优惠", input("off", { required: "", inputmode: "decimal" })),
      field("门槛（元，可空）", input("minSpend", { inputmode: "decimal" })),
      field("数量", input("quantity", { type: "number", min: "1", required: "" })),
      field("有效天数", input("days", { type: "number", min: "1", value: "7" })),
    ),
    h("h2", {}, "满减"),
    table(
      ["名称", "规则", "有效期"],
      unwrap(rules).data.map((r) => [
        r.name,
        r.tiers.map((t) => `满 ${Number(t.threshold) / 100} 减 ${Number(t.off) / 100}`).join("；"),
        `${dateTime(r.startsAt)} – ${dateTime(r.endsAt)}`,
      ]),
      { id: "spend-and-save" },
    ),
    form(
      { id: "spend-and-save-form" },
      "创建满减",
      (data) =>
        write(
          api.POST("/v1/promotions/spend-and-save", {
            headers: idempotent(),
            body: {
              name: text(data, "name"),
              kind: "tiered",
              currency: "CNY",
              tiers: [{ threshold: fen(text(data, "threshold")), off: fen(text(data, "off")) }],
              startsAt: new Date().toISOString(),
              endsAt: inDays(Number(text(data, "days") || 7)),
            },
          }),
        ),
      field("名称", input("name", { required: "" })),
      field("满（元）", input("threshold", { required: "", inputmode: "decimal" })),
      field("减（元）", input("off", { required: "", inputmode: "decimal" })),
      field("有效天数", input("days", { type: "number", min: "1", value: "7" })),
    ),
    h("h2", {}, "平台活动"),
    ...unwrap(campaigns).data.map((campaign) =>
      h(
        "div",
        { class: "card", "data-campaign": campaign.id },
        h("h3", {}, campaign.name),
        h(
          "p",
          { class: "meta" },
          `${campaign.badge} · ${dateTime(campaign.mainStartsAt)} – ${dateTime(campaign.endsAt)}`,
        ),
        form(
          { class: "join-form" },
          "报名",
          async (data) => {
            unwrap(
              await api.POST("/v1/campaigns/{id}/products", {
                params: { path: { id: campaign.id } },
                body: {
                  productId: text(data, "productId"),
                  // Every SKU at its list price less the discount typed in.
                  prices: (catalogue.find((p) => p.id === text(data, "productId"))?.skus ?? []).map((sku) => ({
                    skuId: sku.id,
                    price: {
                      amount: Math.round((sku.price.amount * (100 - Number(text(data, "discount")))) / 100),
                      currency: sku.price.currency,
                    },
                  })),
                },
              }),
            );
            return "已报名";
          },
          field("商品", select("productId", productOptions)),
          field("活动折扣（%）", input("discount", { type: "number", min: "0", max: "90", value: "10" })),
        ),
      ),
    ),
    action("刷新", async () => reload()),
  );
}
