// The closed list of problem codes every Worker may answer with, mapped to HTTP once (docs/api/conventions.md#problem-codes).
export const problems = {
  unauthorized: { status: 401, title: "Unauthorized" },
  forbidden: { status: 403, title: "Forbidden" },
  not_found: { status: 404, title: "Not found" },
  method_not_allowed: { status: 405, title: "Method not allowed" },
  validation_failed: { status: 400, title: "Validation failed" },
  conflict: { status: 409, title: "Conflict" },
  payment_provider_disabled: { status: 409, title: "Payment provider disabled" },
  payment_provider_unavailable: { status: 502, title: "Payment provider unavailable" },
  sandbox_in_live_mode: { status: 400, title: "Sandbox in live mode" },
  refund_exceeds_payment: { status: 409, title: "Refund exceeds payment" },
  return_window_closed: { status: 409, title: "Return window closed" },
  return_exceeds_order: { status: 409, title: "Return exceeds order" },
  precondition_failed: { status: 412, title: "Precondition failed" },
  payload_too_large: { status: 413, title: "Payload too large" },
  unsupported_media_type: { status: 415, title: "Unsupported media type" },
  idempotency_key_reused: { status: 422, title: "Idempotency key reused" },
  idempotency_key_in_use: { status: 409, title: "Idempotency key in use" },
  rate_limited: { status: 429, title: "Rate limited" },
  sold_out: { status: 409, title: "Sold out" },
  limit_exceeded: { status: 409, title: "Limit exceeded" },
  sale_not_started: { status: 409, title: "Sale not started" },
  sale_ended: { status: 409, title: "Sale ended" },
  presale_not_open: { status: 409, title: "Pre-sale not open" },
  balance_not_open: { status: 409, title: "Balance not open" },
  balance_window_closed: { status: 409, title: "Balance window closed" },
  session_cancelled: { status: 409, title: "Session cancelled" },
  coupon_expired: { status: 409, title: "Coupon expired" },
  coupon_exhausted: { status: 409, title: "Coupon exhausted" },
  coupon_not_applicable: { status: 409, title: "Coupon not applicable" },
  coupon_not_claimed: { status: 409, title: "Coupon not claimed" },
  coupon_limit_exceeded: { status: 409, title: "Coupon limit exceeded" },
  min_spend_not_met: { status: 409, title: "Minimum spend not met" },
  stacking_not_allowed: { status: 409, title: "Stacking not allowed" },
  service_unavailable: { status: 503, title: "Service unavailable" },
  internal: { status: 500, title: "Internal error" },
} as const satisfies Record<string, { status: number; title: string }>;

export type ProblemCode = keyof typeof problems;

/** One field at fault, as a JSON pointer into the request (`/quantity`, `/lines/0/skuId`). */
export interface FieldError {
  path: string;
  message: string;
}

export interface Problem {
  type: string;
  title: string;
  status: number;
  code: ProblemCode;
  detail: string;
  requestId: string;
  errors?: FieldError[];
}

/** Thrown by domain and HTTP code alike; `app.onError` turns it into problem+json. */
export class ProblemError extends Error {
  readonly code: ProblemCode;
  readonly errors: FieldError[] | undefined;
  readonly headers: Record<string, string> | undefined;

  constructor(
    code: ProblemCode,
    detail: string,
    options?: { errors?: FieldError[]; headers?: Record<string, string> },
  ) {
    // A refusal answered as a problem, not a fault: nothing reads its stack, and capturing one was the costliest
    // part of refusing (thousands a second when a flash sale sells out).
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    super(detail);
    Error.stackTraceLimit = limit;
    this.name = "ProblemError";
    this.code = code;
    this.errors = options?.errors;
    this.headers = options?.headers;
  }
}

export function problemBody(code: ProblemCode, detail: string, requestId: string, errors?: FieldError[]): Problem {
  const { status, title } = problems[code];
  const body: Problem = { type: `/docs/problems/${code}`, title, status, code, detail, requestId };
  if (errors && errors.length > 0) body.errors = errors;
  return body;
}

export function problemResponse(problem: Problem, headers?: Record<string, string>): Response {
  return new Response(JSON.stringify(problem), {
    status: problem.status,
    headers: { "content-type": "application/problem+json; charset=utf-8", ...headers },
  });
}
