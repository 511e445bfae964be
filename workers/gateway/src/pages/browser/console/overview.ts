// The console's overview: the merchant's figures of the last two weeks as charts (GMV per currency, orders,
// conversion and return rate: today's figure large, one bar a day) and the same figures per live session.
import type { components } from "#shared/client/schema.d.ts";
import { barChart } from "../charts.ts";
import { h } from "../dom.ts";
import { money } from "../format.ts";
import type { Api } from "./api.ts";

type Figures = components["schemas"]["AnalyticsFigures"];

/** How many days the charts cover, today included. */
const days = 14;
const dayMs = 86_400_000;

const percent = (rate: number | null) => (rate === null ? "—" : `${(rate * 100).toFixed(1)}%`);
const gmvOf = (figures: Figures, currency: string) =>
  figures.money.find((m) => m.currency === currency)?.gmv.amount ?? 0;

export async function figures(api: Api): Promise<HTMLElement> {
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
  // A rate (a day without one drawn at 0): the period's in the title, today's large.
  const rateChart = (id: string, name: string, rate: (figures: Figures) => number | null) =>
    barChart({
      id,
      title: `${name} · 近 ${days} 天 ${percent(rate(totals))}`,
      headline: `今日 ${percent(today ? rate(today) : null)}`,
      points: series.map((d) => ({ label: label(d.day), value: rate(d) ?? 0 })),
      format: percent,
    });
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
    rateChart("chart-conversion", "转化率", (f) => f.conversionRate),
    rateChart("chart-returns", "退货率", (f) => f.returnRate),
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
