// Reading the business figures from the daily rollups (shared/analytics.ts writes them): a per-day series and the
// totals of a date range for one scope, or the range totals of many scopes of one kind (a merchant's sessions).
// Sums of daily counters, except buyers over a range: distinct buyers, counted from the buyer-day rows.
import { z } from "@hono/zod-openapi";
import type { Client, InStatement, Row } from "@libsql/client/web";
import type { ScopeKind } from "#shared/analytics.ts";
import { type Currency, currencies, moneyIn } from "#shared/money.ts";
import { MoneySchema } from "#shared/openapi/schemas.ts";

export interface Scope {
  kind: ScopeKind;
  id: string;
}

/** An inclusive range of UTC days, `YYYY-MM-DD`. */
export interface DayRange {
  from: string;
  to: string;
}

const rate = z
  .number()
  .nullable()
  .openapi({ description: "A share from 0 to 1, rounded to 4 decimals; null when its denominator is 0." });

export const MoneyFiguresSchema = z
  .object({
    currency: z.enum(currencies),
    orders: z.number().int().openapi({ description: "Orders paid in this currency." }),
    gmv: MoneySchema.openapi({ description: "Gross merchandise value of those orders, refunds not deducted." }),
    averageOrderValue: MoneySchema.openapi({ description: "gmv / orders, rounded to the nearest minor unit." }),
    refunded: MoneySchema.openapi({ description: "What succeeded refunds of those orders gave back." }),
  })
  .openapi("AnalyticsMoneyFigures");

export const FiguresSchema = z
  .object({
    orders: z.number().int().openapi({ description: "Orders paid (every currency)." }),
    attributedOrders: z
      .number()
      .int()
      .openapi({ description: "Of them, orders with a line bought from a note or a live session." }),
    buyers: z.number().int().openapi({ description: "Distinct buyers (daily purchasing users, for one day)." }),
    repeatBuyers: z
      .number()
      .int()
      .openapi({ description: "Of them, buyers with an order in this scope before the one in the range." }),
    returnedOrders: z.number().int().openapi({ description: "Orders paid in the range with an approved return." }),
    noteViews: z.number().int().openapi({ description: "Distinct (viewer, note, day) views." }),
    streamViews: z.number().int().openapi({ description: "Distinct (viewer, live session, day) joins." }),
    views: z.number().int().openapi({ description: "noteViews + streamViews." }),
    conversionRate: rate.openapi({ description: "attributedOrders / views." }),
    repurchaseRate: rate.openapi({ description: "repeatBuyers / buyers." }),
    returnRate: rate.openapi({ description: "returnedOrders / orders." }),
    money: z.array(MoneyFiguresSchema).openapi({ description: "Per currency, never added across currencies." }),
  })
  .openapi("AnalyticsFigures");

export const DayFiguresSchema = FiguresSchema.extend({ day: z.string() }).openapi("AnalyticsDayFigures");

export type Figures = z.infer<typeof FiguresSchema>;
export type DayFigures = z.infer<typeof DayFiguresSchema>;

/** Summed (or, over a range, distinct) counts of a scope: what `figures` derives the rates from. */
export interface Counts {
  orders: number;
  attributedOrders: number;
  buyers: number;
  repeatBuyers: number;
  returnedOrders: number;
  noteViews: number;
  streamViews: number;
}

export interface MoneyRow {
  currency: string;
  orders: number;
  gmv: number;
  refunded: number;
}

const zero: Counts = {
  orders: 0,
  attributedOrders: 0,
  buyers: 0,
  repeatBuyers: 0,
  returnedOrders: 0,
  noteViews: 0,
  streamViews: 0,
};

const share = (part: number, whole: number) => (whole === 0 ? null : Math.round((part / whole) * 10000) / 10000);

/** The figures served from counts and per-currency sums (rates rounded to 4 decimals, AOV to a minor unit). */
export function figures(counts: Counts, money: MoneyRow[]): Figures {
  const views = counts.noteViews + counts.streamViews;
  return {
    ...counts,
    views,
    conversionRate: share(counts.attributedOrders, views),
    repurchaseRate: share(counts.repeatBuyers, counts.buyers),
    returnRate: share(counts.returnedOrders, counts.orders),
    money: money
      .toSorted((a, b) => a.currency.localeCompare(b.currency))
      .map((m) => {
        const inCurrency = moneyIn(m.currency);
        return {
          currency: m.currency as Currency,
          orders: m.orders,
          gmv: inCurrency(m.gmv),
          averageOrderValue: inCurrency(m.orders === 0 ? 0 : Math.round(m.gmv / m.orders)),
          refunded: inCurrency(m.refunded),
        };
      }),
  };
}

const num = (row: Row, column: string) => Number(row[column] ?? 0);

const countColumns = `sum(orders) AS orders, sum(attributed_orders) AS attributed_orders,
  sum(buyers) AS buyers, sum(repeat_buyers) AS repeat_buyers, sum(returned_orders) AS returned_orders,
  sum(note_views) AS note_views, sum(stream_views) AS stream_views`;

function counts(row: Row | undefined): Counts {
  if (!row) return zero;
  return {
    orders: num(row, "orders"),
    attributedOrders: num(row, "attributed_orders"),
    buyers: num(row, "buyers"),
    repeatBuyers: num(row, "repeat_buyers"),
    returnedOrders: num(row, "returned_orders"),
    noteViews: num(row, "note_views"),
    streamViews: num(row, "stream_views"),
  };
}

function moneyRow(row: Row): MoneyRow {
  return {
    currency: String(row.currency),
    orders: num(row, "orders"),
    gmv: num(row, "gmv"),
    refunded: num(row, "refunded"),
  };
}

/** The range totals of each of `ids` (scopes of one kind), in three queries whatever their number. */
export async function readTotals(
  client: Pick<Client, "batch">,
  kind: ScopeKind,
  ids: readonly string[],
  range: DayRange,
  livemode: boolean,
): Promise<Map<string, Figures>> {
  const args = { kind, ids: JSON.stringify(ids), livemode: livemode ? 1 : 0, from: range.from, to: range.to };
  const where = `scope_kind = :kind AND scope_id IN (SELECT value FROM json_each(:ids)) AND livemode = :livemode
                 AND day BETWEEN :from AND :to`;
  const statements: InStatement[] = [
    { sql: `SELECT scope_id, ${countColumns} FROM analytics_daily WHERE ${where} GROUP BY scope_id`, args },
    {
      sql: `SELECT scope_id, currency, sum(orders) AS orders, sum(gmv_amount) AS gmv, sum(refunded_amount) AS refunded
            FROM analytics_daily_money WHERE ${where} GROUP BY scope_id, currency`,
      args,
    },
    {
      sql: `SELECT scope_id, count(DISTINCT customer_id) AS buyers,
                   count(DISTINCT CASE WHEN repeat = 1 THEN customer_id END) AS repeat_buyers
            FROM analytics_buyers WHERE ${where} GROUP BY scope_id`,
      args,
    },
  ];
  const [daily, money, buyers] = await client.batch(statements, "read");
  const totals = new Map<string, Figures>();
  for (const id of ids) {
    const summed = counts(daily?.rows.find((r) => r.scope_id === id));
    const distinct = buyers?.rows.find((r) => r.scope_id === id);
    totals.set(
      id,
      figures(
        {
          ...summed,
          buyers: distinct ? num(distinct, "buyers") : 0,
          repeatBuyers: distinct ? num(distinct, "repeat_buyers") : 0,
        },
        (money?.rows ?? []).filter((r) => r.scope_id === id).map(moneyRow),
      ),
    );
  }
  return totals;
}

/** Every UTC day of the range, in order. */
export function daysOf(range: DayRange): string[] {
  const days: string[] = [];
  for (let t = Date.parse(`${range.from}T00:00:00Z`); t <= Date.parse(`${range.to}T00:00:00Z`); t += 86_400_000) {
    days.push(new Date(t).toISOString().slice(0, 10));
  }
  return days;
}

/** One scope's figures of one mode per day (every day of the range, zeros included) and over the range. */
export async function readReport(
  client: Pick<Client, "batch">,
  scope: Scope,
  range: DayRange,
  livemode: boolean,
): Promise<{ totals: Figures; days: DayFigures[] }> {
  const args = { kind: scope.kind, id: scope.id, livemode: livemode ? 1 : 0, from: range.from, to: range.to };
  const where = "scope_kind = :kind AND scope_id = :id AND livemode = :livemode AND day BETWEEN :from AND :to";
  const [[daily, money], totals] = await Promise.all([
    client.batch(
      [
        {
          sql: `SELECT day, ${countColumns} FROM analytics_daily WHERE ${where} GROUP BY day`,
          args,
        },
        {
          sql: `SELECT day, currency, orders, gmv_amount AS gmv, refunded_amount AS refunded
                FROM analytics_daily_money WHERE ${where}`,
          args,
        },
      ],
      "read",
    ),
    readTotals(client, scope.kind, [scope.id], range, livemode),
  ]);
  const countsByDay = new Map((daily?.rows ?? []).map((r) => [String(r.day), counts(r)]));
  const moneyByDay = new Map<string, MoneyRow[]>();
  for (const r of money?.rows ?? []) {
    const day = String(r.day);
    moneyByDay.set(day, [...(moneyByDay.get(day) ?? []), moneyRow(r)]);
  }
  const days = daysOf(range).map((day) => ({
    day,
    ...figures(countsByDay.get(day) ?? zero, moneyByDay.get(day) ?? []),
  }));
  const total = totals.get(scope.id);
  if (!total) throw new Error(`no totals read for ${scope.kind} ${scope.id}`);
  return { totals: total, days };
}
