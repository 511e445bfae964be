// When to try a failed delivery again: the schedule counts from the previous attempt (0, then 5 s, 5 min, 30 min,
// 2 h, 5 h, 10 h, 10 h: eight attempts over about 28 hours, then the message is failed). A `Retry-After` (seconds or
// an HTTP date) may push the next attempt later, never earlier, and never more than the longest step.

/** Seconds before each attempt, counted from the one before (the first is sent at once). */
export const retrySchedule = [0, 5, 5 * 60, 30 * 60, 2 * 3600, 5 * 3600, 10 * 3600, 10 * 3600] as const;

const retryAfterCapMs = 10 * 3600 * 1000;

/** Failing this long without a success disables an endpoint. */
export const failureDisablesAfterMs = 5 * 24 * 3600 * 1000;

/** Milliseconds a `Retry-After` header asks for, or null when absent or unreadable. */
function retryAfterMs(header: string | null, now: number): number | null {
  if (header === null) return null;
  const value = header.trim();
  if (/^\d+$/.test(value)) return Number(value) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? null : Math.max(0, at - now);
}

/** When to try again after `attempts` attempts have failed, or null: given up. */
export function nextAttemptAt(attempts: number, retryAfter: string | null, now: number): number | null {
  const step = retrySchedule[attempts];
  if (step === undefined) return null;
  const asked = Math.min(retryAfterMs(retryAfter, now) ?? 0, retryAfterCapMs);
  return now + Math.max(step * 1000, asked);
}
