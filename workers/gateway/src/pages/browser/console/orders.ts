// Orders and returns in the console: orders by status, one order with its lines, its fulfilment and delivery, and a
// refund of chosen lines; returns waiting for a decision, approved (refunded, restocked if chosen) or rejected.
import type { components } from "#shared/client/schema.d.ts";
import { h, listOrNone } from "../dom.ts";
import { dateTime, money, orderStatusText } from "../format.ts";
import { type Api, idempotent, reloadAfter, unwrap } from "./api.ts";
import { action, field, form, input, section, select, table, text } from "./ui.ts";

type Order = components["schemas"]["Order"];

export async function orderList(api: Api, status: string | null): Promise<HTMLElement> {
  const query = { limit: 50, ...(status ? { status: status as Order["status"] } : {}) };
  const page = unwrap(await api.GET("/v1/orders", { params: { query } }));
  const filter = select(
    "status",
    [["", "全部"], ...(Object.entries(orderStatusText) as [string, string][])],
    status ?? "",
  );
  filter.setAttribute("aria-label", "按状态筛选");
  filter.addEventListener("change", () => {
    location.hash = filter.value ? `#/orders?status=${filter.value}` : "#/orders";
  });
  return h(
    "section",
    { id: "orders", "aria-label": "订单" },
    h("h2", {}, "订单 ", filter),
    page.data.length === 0
      ? h("p", { class: "meta" }, "没有订单")
      : table(
          ["订单号", "状态", "金额", "件数", "下单时间"],
          page.data.map((o) => [
            h("a", { href: `#/orders/${o.id}`, "data-order": o.id }, o.number),
            orderStatusText[o.status],
            money(o.totals.total),
            o.lines.reduce((n, l) => n + l.quantity, 0),
            dateTime(o.createdAt),
          ]),
          { class: "list" },
        ),
  );
}

const refundStatus = { pending: "处理中", succeeded: "已退款", failed: "失败" } as const;

/** A line as a merchant tells lines apart: the title, its unit price and whether a flash sale sold it. */
const lineLabel = (line: Order["lines"][number]) =>
  `${line.title}（${money(line.unitPrice)}${line.flashSaleId ? " · 秒杀" : ""}）`;

export async function orderPage(api: Api, id: string, reload: () => void): Promise<HTMLElement> {
  const write = reloadAfter(reload);
  const order = unwrap(await api.GET("/v1/orders/{id}", { params: { path: { id } } }));
  const refunds = unwrap(await api.GET("/v1/orders/{id}/refunds", { params: { path: { id } } }));
  // What each line may still give back: its quantity less what refunds that did not fail already named.
  const refunded = new Map<number, number>();
  for (const refund of refunds.data) {
    if (refund.status === "failed") continue;
    for (const l of refund.lines) refunded.set(l.position, (refunded.get(l.position) ?? 0) + l.quantity);
  }
  const left = (position: number, quantity: number) => Math.max(0, quantity - (refunded.get(position) ?? 0));
  const refundable =
    order.status === "paid" ||
    order.status === "fulfilled" ||
    order.status === "delivered" ||
    order.status === "partially_refunded";
  return h(
    "section",
    { id: "order", "data-order": order.id, "aria-label": "订单详情" },
    h(
      "h2",
      {},
      `订单 ${order.number} `,
      h("span", { class: "badge", id: "order-status" }, orderStatusText[order.status]),
    ),
    table(
      ["商品", "数量", "金额", "退款"],
      order.lines.map((l, position) => [
        lineLabel(l),
        l.quantity,
        money(l.amount),
        refunded.has(position) ? `已退 ${refunded.get(position)}` : "",
      ]),
      { class: "lines" },
    ),
    h(
      "p",
      {},
      "实付 ",
      h("strong", {}, money(order.totals.total)),
      order.paidAt ? ` · 支付于 ${dateTime(order.paidAt)}` : "",
    ),
    h(
      "p",
      { class: "actions" },
      order.status === "paid"
        ? action("发货", () => write(api.POST("/v1/orders/{id}/fulfil", { params: { path: { id } } })), {
            id: "fulfil",
          })
        : null,
      order.status === "fulfilled"
        ? action("确认签收", () => write(api.POST("/v1/orders/{id}/deliver", { params: { path: { id } } })), {
            id: "deliver",
          })
        : null,
    ),
    refundable
      ? form(
          { id: "refund-form" },
          "退款",
          async (data) => {
            const lines = order.lines
              .map((_line, position) => ({ position, quantity: Number(text(data, `line-${position}`) || 0) }))
              .filter((l) => l.quantity > 0);
            unwrap(
              await api.POST("/v1/orders/{id}/refunds", {
                params: { path: { id } },
                headers: idempotent(),
                body: { lines, reason: text(data, "reason") || "商家退款" },
              }),
            );
            reload();
            return undefined;
          },
          h("h3", {}, "按行退款"),
          ...order.lines.map((line, position) =>
            field(
              `${lineLabel(line)} 最多 ${left(position, line.quantity)}`,
              input(`line-${position}`, {
                type: "number",
                min: "0",
                max: String(left(position, line.quantity)),
                value: "0",
              }),
            ),
          ),
          field("原因", input("reason", { placeholder: "商家退款" })),
        )
      : null,
    h("h3", {}, "退款记录"),
    refunds.data.length === 0
      ? h("p", { class: "meta" }, "没有退款")
      : table(
          ["时间", "金额", "状态", "退款行", "原因"],
          refunds.data.map((r) => [
            dateTime(r.createdAt),
            money(r.amount),
            refundStatus[r.status],
            r.lines.map((l) => `第 ${l.position + 1} 行 × ${l.quantity}`).join("，"),
            r.reason ?? "",
          ]),
          { id: "refunds" },
        ),
  );
}

export async function returnList(api: Api, reload: () => void): Promise<HTMLElement> {
  const write = reloadAfter(reload);
  const page = unwrap(await api.GET("/v1/returns", { params: { query: { limit: 50, status: "requested" } } }));
  return section(
    { id: "returns", label: "退货", heading: "待处理的退货" },
    listOrNone(page.data, "没有待处理的退货", h("div"), (r) =>
      h(
        "div",
        { class: "card", "data-return": r.id },
        h("p", {}, h("a", { href: `#/orders/${r.orderId}` }, r.orderId), ` · ${r.reason} · ${dateTime(r.createdAt)}`),
        form(
          { class: "approve-form" },
          "同意并退款",
          (data) =>
            write(
              api.POST("/v1/returns/{id}/approve", {
                params: { path: { id: r.id } },
                headers: idempotent(),
                body: { restock: data.get("restock") === "on" },
              }),
            ),
          field("退回入库", input("restock", { type: "checkbox", checked: "" })),
        ),
        form(
          { class: "reject-form" },
          "拒绝",
          (data) =>
            write(
              api.POST("/v1/returns/{id}/reject", {
                params: { path: { id: r.id } },
                body: { reason: text(data, "reason") },
              }),
            ),
          field("拒绝原因", input("reason", { required: "" })),
        ),
      ),
    ),
  );
}
