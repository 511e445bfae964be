// Money in integer minor units shown in the shopper's locale; times and order states as Chinese readers expect them.
import type { components } from "#shared/client/schema.d.ts";
/** Any amount the API returns: integer minor units and an ISO 4217 currency. */
export interface Money {
  amount: number;
  currency: string;
}

export function money({ amount, currency }: Money): string {
  const format = new Intl.NumberFormat("zh-CN", { style: "currency", currency });
  const digits = format.resolvedOptions().maximumFractionDigits ?? 2;
  return format.format(amount / 10 ** digits);
}

export function dateTime(iso: string): string {
  return new Date(iso).toLocaleString("zh-CN", { hour12: false });
}

/** "mm:ss", or "h:mm:ss" from an hour up, for a countdown of `ms` milliseconds (never below zero). */
export function countdown(ms: number): string {
  const total = Math.max(0, Math.ceil(ms / 1000));
  const two = (n: number) => String(n).padStart(2, "0");
  const hours = Math.floor(total / 3600);
  const rest = `${two(Math.floor((total % 3600) / 60))}:${two(total % 60)}`;
  return hours > 0 ? `${hours}:${rest}` : rest;
}

/** A problem+json answer (or a network failure) as one line a person can read, with its code and request id. */
export function problemText(error: unknown): string {
  if (error && typeof error === "object" && "code" in error) {
    const p = error as { code: string; detail?: string; title?: string; requestId?: string };
    return `${p.detail ?? p.title ?? p.code} (${p.code}${p.requestId ? `, ${p.requestId}` : ""})`;
  }
  return error instanceof Error ? error.message : String(error);
}

/**
 * An image URL at another width: an upload's URL (`…/media/{id}/{width}`) names its width last, so a list asks for a
 * smaller one; any other URL is what it is.
 */
export function imageAt(url: string, width: 240 | 480 | 960 | 1600): string {
  return url.replace(/(\/media\/med_[0-9A-Z]+)\/\d+$/, `$1/${width}`);
}

/** An order's status as both pages show it. */
export const orderStatusText: Record<components["schemas"]["Order"]["status"], string> = {
  pending_payment: "待支付",
  paid: "已支付",
  fulfilled: "已发货",
  delivered: "已签收",
  cancelled: "已取消",
  partially_refunded: "部分退款",
  refunded: "已退款",
  pending_deposit: "待付定金",
  deposit_paid: "已付定金",
  pending_balance: "待付尾款",
  deposit_forfeited: "定金不退",
};
