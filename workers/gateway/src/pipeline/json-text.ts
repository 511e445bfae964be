// Every JSON body a route receives is valid text: UTF-8, no control characters (tab, newline and carriage return
// aside), no lone surrogates, and no key that reaches an object's prototype. Checked once here, in one pass, for the
// gateway's own routes and the forwarded ones alike, so no route has to remember it; a body that passes is forwarded
// as the very bytes that came in.
import type { MiddlewareHandler } from "hono";
import { type FieldError, ProblemError } from "#shared/errors.ts";
import { isWebhook } from "./authenticate.ts";

const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false });
const reservedKeys = new Set(["__proto__", "constructor", "prototype"]);

/**
 * A JSON body read once (Hono keeps it, so a route's own validation and forward.ts read the same bytes) and checked.
 * A provider's signed webhook is its text, not a client's: refused, it would be retried for days and never applied.
 */
export function checkJsonBodies(): MiddlewareHandler<{ Bindings: Env }> {
  return async function checkJsonBodiesMiddleware(c, next) {
    const contentType = c.req.header("content-type");
    if (c.req.raw.body !== null && isJson(contentType) && !isWebhook(c.req.path)) {
      checkJsonText(contentType, await c.req.arrayBuffer());
    }
    return next();
  };
}

/** Throws 400 validation_failed at the first fault. Malformed JSON is left for the Worker to answer as it always has. */
export function checkJsonText(contentType: string | undefined, body: ArrayBuffer): void {
  if (body.byteLength === 0 || !isJson(contentType)) return;
  let text: string;
  try {
    text = utf8.decode(body);
  } catch {
    throw refused({ path: "", message: "not valid UTF-8" });
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return;
  }
  const fault = firstFault(value);
  if (fault) throw refused(fault);
}

function isJson(contentType: string | undefined): boolean {
  return contentType?.split(";")[0]?.trim().toLowerCase() === "application/json";
}

function refused(error: FieldError): ProblemError {
  return new ProblemError("validation_failed", "The body holds text that is not accepted.", { errors: [error] });
}

// Iterative, with its own stack: a deeply nested body that JSON.parse accepts must not overflow the call stack.
function firstFault(root: unknown): FieldError | null {
  const stack: { value: unknown; path: string }[] = [{ value: root, path: "" }];
  for (let item = stack.pop(); item !== undefined; item = stack.pop()) {
    const { value, path } = item;
    if (typeof value === "string") {
      const message = textFault(value);
      if (message) return { path, message };
    } else if (Array.isArray(value)) {
      for (let i = value.length - 1; i >= 0; i--) stack.push({ value: value[i], path: `${path}/${i}` });
    } else if (value !== null && typeof value === "object") {
      const keys = Object.keys(value);
      for (let i = keys.length - 1; i >= 0; i--) {
        const key = keys[i] as string;
        const at = `${path}/${key.replaceAll("~", "~0").replaceAll("/", "~1")}`;
        if (reservedKeys.has(key)) return { path: at, message: "is a reserved key" };
        const message = textFault(key);
        if (message) return { path: at, message: `key ${message}` };
        stack.push({ value: (value as Record<string, unknown>)[key], path: at });
      }
    }
  }
  return null;
}

function textFault(text: string): string | null {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x20 ? c !== 0x09 && c !== 0x0a && c !== 0x0d : c === 0x7f) return "contains a control character";
    if (c >= 0xd800 && c <= 0xdfff) {
      const next = text.charCodeAt(i + 1);
      if (c > 0xdbff || !(next >= 0xdc00 && next <= 0xdfff)) return "contains a lone surrogate";
      i++;
    }
  }
  return null;
}
