// The sandbox provider: payments that succeed, fail or stay processing on request (POST /v1/payments/{id}/sandbox),
// so the whole flow runs offline. Its webhooks are signed like Stripe's: header `x-sandbox-signature:
// t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">` with SANDBOX_WEBHOOK_SECRET, accepted within 300 s.
// Its refunds succeed at once, except one whose reason is SANDBOX_FAILING_REFUND, which fails (to try that path).
import { z } from "@hono/zod-openapi";
import type { PaymentOutcome, PaymentProvider, VerifyResult } from "./provider.ts";

export const SANDBOX_SIGNATURE_HEADER = "x-sandbox-signature";
export const TOLERANCE_SECONDS = 300;
export const SANDBOX_FAILING_REFUND = "sandbox:fail";

export const SandboxEventSchema = z
  .object({
    id: z.string().regex(/^evt_[0-9A-Za-z]{1,64}$/),
    type: z.enum(["payment.succeeded", "payment.failed", "payment.processing"]),
    createdAt: z.string(),
    data: z.object({ paymentId: z.string().regex(/^pay_[0-9A-Za-z]{1,64}$/), sequence: z.number().int().positive() }),
  })
  .openapi("SandboxEvent");

export type SandboxEvent = z.infer<typeof SandboxEventSchema>;

const encoder = new TextEncoder();

function key(secret: string, usage: "sign" | "verify"): Promise<CryptoKey> {
  return crypto.subtle.importKey("raw", encoder.encode(secret), { name: "HMAC", hash: "SHA-256" }, false, [usage]);
}

const hex = (bytes: ArrayBuffer) => Array.from(new Uint8Array(bytes), (b) => b.toString(16).padStart(2, "0")).join("");

function unhex(text: string): Uint8Array | null {
  if (!/^([0-9a-f]{2})+$/.test(text)) return null;
  return Uint8Array.from(text.match(/../g) ?? [], (pair) => Number.parseInt(pair, 16));
}

export async function signSandbox(secret: string, body: string, nowMs: number): Promise<string> {
  const t = Math.floor(nowMs / 1000);
  const mac = await crypto.subtle.sign("HMAC", await key(secret, "sign"), encoder.encode(`${t}.${body}`));
  return `t=${t},v1=${hex(mac)}`;
}

export async function verifySandbox(secret: string, body: string, header: string | null, nowMs: number) {
  if (!header) return { ok: false as const, reason: "missing signature" };
  const parts = Object.fromEntries(header.split(",").map((part) => part.trim().split("=", 2) as [string, string]));
  const t = Number(parts.t);
  const mac = unhex(parts.v1 ?? "");
  if (!Number.isSafeInteger(t) || !mac) return { ok: false as const, reason: "malformed signature" };
  if (Math.abs(nowMs / 1000 - t) > TOLERANCE_SECONDS)
    return { ok: false as const, reason: "timestamp outside tolerance" };
  // subtle.verify compares in constant time.
  const valid = await crypto.subtle.verify("HMAC", await key(secret, "verify"), mac, encoder.encode(`${t}.${body}`));
  return valid ? { ok: true as const } : { ok: false as const, reason: "signature mismatch" };
}

const outcomes: Record<SandboxEvent["type"], PaymentOutcome> = {
  "payment.succeeded": "succeeded",
  "payment.failed": "failed",
  "payment.processing": "processing",
};

export function sandboxProvider(secret: string): PaymentProvider {
  return {
    name: "sandbox",
    signatureHeader: SANDBOX_SIGNATURE_HEADER,
    createPayment: async () => ({ reference: null, clientSecret: null }),
    cancelPayment: async () => undefined,
    refund: async ({ reason }) =>
      reason === SANDBOX_FAILING_REFUND
        ? { reference: null, outcome: "failed", failureReason: "the sandbox was asked to fail this refund" }
        : { reference: null, outcome: "succeeded", failureReason: null },
    async verifyWebhook(body: string, headers: Headers, nowMs: number): Promise<VerifyResult> {
      const signature = await verifySandbox(secret, body, headers.get(SANDBOX_SIGNATURE_HEADER), nowMs);
      if (!signature.ok) return { ...signature, unsigned: true };
      let json: unknown;
      try {
        json = JSON.parse(body);
      } catch {
        return { ok: false, reason: "body is not JSON" };
      }
      const parsed = SandboxEventSchema.safeParse(json);
      if (!parsed.success) return { ok: false, reason: "not a sandbox event" };
      const event = parsed.data;
      return {
        ok: true,
        events: [
          {
            kind: "payment",
            id: event.id,
            paymentId: event.data.paymentId,
            outcome: outcomes[event.type],
            sequence: event.data.sequence,
            payload: body,
          },
        ],
      };
    },
  };
}
