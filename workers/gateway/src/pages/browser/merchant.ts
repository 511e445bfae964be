// The merchant page (GET /merchant): with a secret key typed in (kept in sessionStorage, so it leaves with the tab),
// its business figures of the last two weeks as charts (GMV per currency, orders, conversion and return rate: today's
// figure large, one bar a day), the same figures per live session, and the webhook endpoints with their recent
// deliveries. Every call goes through the typed client (shared/client).
import { zhongcao } from "#shared/client/index.ts";
import type { components } from "#shared/client/schema.d.ts";
import { barChart } from "./charts.ts";
import { h, show } from "./dom.ts";
import { dateTime, money, problemText } from "./format.ts";

type Api = ReturnType<typeof zhongcao>;
type Attempt = components["schemas"]["WebhookAttempt"];
type Figures = components["schemas"]["AnalyticsFigures"];

/** How many days the charts cover, today included. */
const days = 14;
const dayMs = 86_400_000;

const percent = (rate: number | null) => (rate === null ? "—" : `${(rate * 100).toFixed(1)}%`);
const gmvOf = (figures: Figures, currency: string) =>
  figures.money.find((m) => m.currency === currency)?.gmv.amount ?? 0;

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

async function figures(api: Api): Promise<HTMLElement> {
  const to = new Date().toISOString().slice(0, 10);
  const from = new Date(Date.now() - (days - 1) * dayMs).toISOString().slice(0, 10);
  const [report, sessions] = await Promise.all([
    api.GET("/v1/analytics/merchants/{id}", { params: { path: { id: "me" }, query: { from, to } } }),
    api.GET("/v1/analytics/live-sessions", { params: { query: { from, to, limit: 20 } } }),
  ]);
  if (!report.data) throw report.error;
  if (!sessions.data) throw sessions.error;
  const { totals, days: series } = report.data;
  const today = series.at(-1);
  const label = (day: string) => day.slice(5);
  // GMV is never added across currencies: one chart each (CNY when nothing was sold yet).
  const currencies = totals.money.length > 0 ? totals.money.map((m) => m.currency) : ["CNY"];
  const charts = [
    ...currencies.map((currency) =>
      barChart({
        id: `chart-gmv-${currency}`,
        title: `GMV（${currency}）· 近 ${days} 天 ${money({ amount: gmvOf(totals, currency), currency })}`,
        headline: `今日 ${money({ amount: today ? gmvOf(today, currency) : 0, currency })}`,
        points: series.map((d) => ({ label: label(d.day), value: gmvOf(d, currency) })),
        format: (amount) => money({ amount, currency }),
      }),
    ),
    barChart({
      id: "chart-orders",
      title: `订单 · 近 ${days} 天 ${totals.orders} 单`,
      headline: `今日 ${today?.orders ?? 0} 单`,
      points: series.map((d) => ({ label: label(d.day), value: d.orders })),
      format: (n) => `${n} 单`,
    }),
    barChart({
      id: "chart-conversion",
      title: `转化率 · 近 ${days} 天 ${percent(totals.conversionRate)}`,
      headline: `今日 ${percent(today?.conversionRate ?? null)}`,
      points: series.map((d) => ({ label: label(d.day), value: d.conversionRate ?? 0 })),
      format: (rate) => percent(rate),
    }),
    barChart({
      id: "chart-returns",
      title: `退货率 · 近 ${days} 天 ${percent(totals.returnRate)}`,
      headline: `今日 ${percent(today?.returnRate ?? null)}`,
      points: series.map((d) => ({ label: label(d.day), value: d.returnRate ?? 0 })),
      format: (rate) => percent(rate),
    }),
  ];
  const rows = sessions.data.data;
  return h(
    "section",
    { id: "figures", "aria-label": "经营数据" },
    h("h2", {}, `经营数据 ${from} – ${to}`),
    h(
      "p",
      { class: "meta" },
      `访问 ${totals.views}（笔记 ${totals.noteViews}，直播 ${totals.streamViews}）· 来自笔记与直播的订单 ${totals.attributedOrders} · 买家 ${totals.buyers} · 复购率 ${percent(totals.repurchaseRate)}`,
    ),
    h("div", { class: "charts" }, ...charts),
    h("h2", {}, "直播场次"),
    rows.length === 0
      ? h("p", { class: "meta" }, "还没有直播")
      : h(
          "div",
          {},
          barChart({
            id: "chart-sessions",
            title: `各场 GMV（${currencies[0] ?? "CNY"}）`,
            points: rows.map((r) => ({ label: r.title.slice(0, 6), value: gmvOf(r.totals, currencies[0] ?? "CNY") })),
            format: (amount) => money({ amount, currency: currencies[0] ?? "CNY" }),
          }),
          h(
            "table",
            { id: "sessions" },
            h(
              "thead",
              {},
              h("tr", {}, ...["直播", "状态", "GMV", "订单", "观看", "转化率", "退货率"].map((t) => h("th", {}, t))),
            ),
            h(
              "tbody",
              {},
              ...rows.map((r) =>
                h(
                  "tr",
                  { "data-session": r.id },
                  h("td", {}, r.title),
                  h("td", {}, r.status),
                  h(
                    "td",
                    {},
                    r.totals.money.map((m) => money(m.gmv)).join(" + ") || money({ amount: 0, currency: "CNY" }),
                  ),
                  h("td", {}, r.totals.orders),
                  h("td", {}, r.totals.streamViews),
                  h("td", {}, percent(r.totals.conversionRate)),
                  h("td", {}, percent(r.totals.returnRate)),
                ),
              ),
            ),
          ),
        ),
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
    const [figuresSection, webhooksSection] = await Promise.all([figures(api), webhooks(api)]);
    show(target, h("p", { class: "meta" }, "密钥只保存在本标签页。", logout), figuresSection, webhooksSection);
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
