// The merchant page (GET /merchant): with a secret key typed in (kept in sessionStorage, so it leaves with the tab),
// the webhook endpoints and their recent deliveries. Every call goes through the typed client (shared/client).
import { zhongcao } from "../../../../shared/client/index.ts";
import type { components } from "../../../../shared/client/schema.d.ts";
import { h, show } from "./dom.ts";
import { dateTime, problemText } from "./format.ts";

type Api = ReturnType<typeof zhongcao>;
type Attempt = components["schemas"]["WebhookAttempt"];

const keyItem = "zhongcao.merchant.secretKey";
const view = document.getElementById("view");
const keyForm = document.getElementById("key");
if (!(view instanceof HTMLElement) || !(keyForm instanceof HTMLFormElement)) throw new Error("page markup missing");

function outcome(a: Attempt): HTMLElement {
  if (a.responseStatus !== null && a.responseStatus >= 200 && a.responseStatus < 300) {
    return h("span", { class: "ok" }, "已送达");
  }
  const why = a.responseStatus !== null ? `HTTP ${a.responseStatus}` : (a.error ?? "无响应");
  const next = a.nextAttemptAt ? `，${dateTime(a.nextAttemptAt)} 重试` : "，已放弃";
  return h("span", { class: "failing" }, `失败（${why}${next}）`);
}

async function webhooks(api: Api): Promise<HTMLElement> {
  const endpoints = await api.GET("/v1/webhook-endpoints", { params: { query: { limit: 20 } } });
  if (!endpoints.data) throw endpoints.error;
  const sections = await Promise.all(
    endpoints.data.data.map(async (endpoint) => {
      const attempts = await api.GET("/v1/webhook-endpoints/{id}/attempts", {
        params: { path: { id: endpoint.id }, query: { limit: 20 } },
      });
      if (!attempts.data) throw attempts.error;
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
        attempts.data.data.length === 0
          ? h("p", { class: "meta" }, "还没有投递记录")
          : h(
              "table",
              { class: "attempts" },
              h(
                "thead",
                {},
                h("tr", {}, ...["时间", "消息", "第几次", "状态码", "耗时", "结果"].map((t) => h("th", {}, t))),
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
                  ),
                ),
              ),
            ),
      );
    }),
  );
  return h(
    "section",
    { id: "webhooks", "aria-label": "Webhook 投递" },
    h("h2", {}, "Webhook 投递"),
    sections.length > 0 ? h("div", {}, ...sections) : h("p", { class: "meta" }, "还没有 webhook 端点"),
  );
}

async function dashboard(key: string): Promise<void> {
  const target = view as HTMLElement;
  const api = zhongcao(location.origin, { bearer: key });
  show(target, h("p", { class: "loading" }, "加载中…"));
  try {
    const logout = h("button", { type: "button", id: "logout" }, "退出");
    logout.addEventListener("click", () => {
      sessionStorage.removeItem(keyItem);
      show(target, h("p", {}, "已退出。输入密钥（sk_…）查看经营数据。"));
    });
    show(target, h("p", { class: "meta" }, "密钥只保存在本标签页。", logout), await webhooks(api));
  } catch (error) {
    show(target, h("p", { class: "error", role: "alert" }, `出错了：${problemText(error)}`));
  }
}

keyForm.addEventListener("submit", (event) => {
  event.preventDefault();
  const key = new FormData(keyForm).get("key");
  if (typeof key !== "string" || !key.trim()) return;
  sessionStorage.setItem(keyItem, key.trim());
  keyForm.reset();
  void dashboard(key.trim());
});

const kept = sessionStorage.getItem(keyItem);
if (kept) void dashboard(kept);
else show(view, h("p", {}, "输入商家密钥（sk_…，需要 analytics:read 与 webhooks:write）查看经营数据与 webhook 投递。"));
