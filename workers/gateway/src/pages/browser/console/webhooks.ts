// Webhooks in the console: each endpoint with its recent deliveries (a failed one can be sent again), a new
// endpoint (its signing secret shown once), and rotating a secret (the old one keeps signing for a day).
import type { components } from "#shared/client/schema.d.ts";
import { h } from "../dom.ts";
import { dateTime } from "../format.ts";
import { type Api, idempotent, reloadAfter, unwrap } from "./api.ts";
import { action, field, form, input, section } from "./ui.ts";

type Attempt = components["schemas"]["WebhookAttempt"];

const eventTypes = [
  "order.created",
  "order.paid",
  "order.cancelled",
  "order.fulfilled",
  "order.delivered",
  "order.refunded",
  "return.requested",
  "inventory.low",
  "flash_sale.sold_out",
];

function outcome(a: Attempt): HTMLElement {
  if (a.responseStatus !== null && a.responseStatus >= 200 && a.responseStatus < 300) {
    return h("span", { class: "ok" }, "已送达");
  }
  const why = a.responseStatus !== null ? `HTTP ${a.responseStatus}` : (a.error ?? "无响应");
  const next = a.nextAttemptAt ? `，${dateTime(a.nextAttemptAt)} 重试` : "，已放弃";
  return h("span", { class: "failing" }, `失败（${why}${next}）`);
}

export async function webhooks(api: Api, reload: () => void): Promise<HTMLElement> {
  const write = reloadAfter(reload);
  const endpoints = await api.GET("/v1/webhook-endpoints", { params: { query: { limit: 20 } } });
  if (!endpoints.data) throw endpoints.error;
  const sections = await Promise.all(
    endpoints.data.data.map(async (endpoint) => {
      const attempts = await api.GET("/v1/webhook-endpoints/{id}/attempts", {
        params: { path: { id: endpoint.id }, query: { limit: 20 } },
      });
      if (!attempts.data) throw attempts.error;
      const secret = h("p", { class: "secret", role: "status" });
      return h(
        "section",
        { class: "card endpoint", "data-endpoint": endpoint.id },
        h(
          "h3",
          {},
          endpoint.url,
          " ",
          h("span", { class: `badge ${endpoint.enabled ? "live" : ""}` }, endpoint.enabled ? "启用" : "已停用"),
        ),
        h(
          "p",
          { class: "meta" },
          endpoint.eventTypes.join(", "),
          endpoint.disabledReason ? ` · ${endpoint.disabledReason}` : "",
        ),
        action(
          "轮换签名密钥",
          async () => {
            const rotated = unwrap(
              await api.POST("/v1/webhook-endpoints/{id}/rotate-secret", { params: { path: { id: endpoint.id } } }),
            );
            secret.textContent = `新密钥（只显示这一次）：${rotated.secret}`;
          },
          { class: "rotate" },
        ),
        secret,
        attempts.data.data.length === 0
          ? h("p", { class: "meta" }, "还没有投递记录")
          : h(
              "table",
              { class: "attempts" },
              h(
                "thead",
                {},
                h("tr", {}, ...["时间", "消息", "第几次", "状态码", "耗时", "结果", ""].map((t) => h("th", {}, t))),
              ),
              h(
                "tbody",
                {},
                ...attempts.data.data.map((a) =>
                  h(
                    "tr",
                    { "data-message": a.messageId },
                    h("td", {}, dateTime(a.createdAt)),
                    h("td", {}, h("code", {}, a.messageId)),
                    h("td", {}, a.attempt),
                    h("td", { class: "status" }, a.responseStatus ?? "—"),
                    h("td", {}, `${a.latencyMs} ms`),
                    h("td", {}, outcome(a)),
                    h(
                      "td",
                      {},
                      action(
                        "重发",
                        () =>
                          write(
                            api.POST("/v1/webhook-endpoints/{id}/messages/{messageId}/resend", {
                              params: { path: { id: endpoint.id, messageId: a.messageId } },
                            }),
                          ),
                        { class: "resend" },
                      ),
                    ),
                  ),
                ),
              ),
            ),
      );
    }),
  );
  return section(
    { id: "webhooks", label: "Webhook 投递" },
    sections.length > 0 ? h("div", {}, ...sections) : h("p", { class: "meta" }, "还没有 webhook 端点"),
    form(
      { id: "endpoint-form" },
      "添加端点",
      async (data) => {
        const created = unwrap(
          await api.POST("/v1/webhook-endpoints", {
            headers: idempotent(),
            body: {
              url: String(data.get("url")),
              eventTypes: data.getAll("eventTypes").map(String) as ["order.paid"],
            },
          }),
        );
        return `已添加。签名密钥（只显示这一次）：${created.secret}`;
      },
      h("h3", {}, "添加端点"),
      field("URL", input("url", { type: "url", required: "", placeholder: "https://shop.example.com/hooks" })),
      h(
        "fieldset",
        {},
        h("legend", {}, "事件"),
        ...eventTypes.map((type) => field(type, input("eventTypes", { type: "checkbox", value: type, checked: "" }))),
      ),
    ),
  );
}
