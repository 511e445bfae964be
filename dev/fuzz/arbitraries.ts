// JSON Schema (as the OpenAPI 3.1 document writes it) to fast-check arbitraries: values a schema accepts, and the
// ways to break one. Covers what the document uses: $ref, allOf, oneOf/anyOf, type lists (nullable), enum, const,
// string patterns, lengths and formats, number bounds, arrays (lengths, uniqueItems) and objects (required, closed).
import fc from "fast-check";

export type Schema = {
  $ref?: string;
  type?: string | string[];
  enum?: unknown[];
  const?: unknown;
  default?: unknown;
  example?: unknown;
  pattern?: string;
  format?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  items?: Schema;
  minItems?: number;
  maxItems?: number;
  uniqueItems?: boolean;
  properties?: Record<string, Schema>;
  required?: string[];
  additionalProperties?: boolean | Schema;
  allOf?: Schema[];
  oneOf?: Schema[];
  anyOf?: Schema[];
};

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** `#/components/schemas/X` looked up in `schemas`; allOf merged; anything else as it is. */
export function resolve(schema: Schema, schemas: Record<string, Schema>, depth = 0): Schema {
  if (depth > 20) return {};
  if (schema.$ref) {
    const name = schema.$ref.replace("#/components/schemas/", "");
    const { $ref: _ref, ...rest } = schema;
    return resolve({ ...(schemas[name] ?? {}), ...rest }, schemas, depth + 1);
  }
  if (schema.allOf) {
    const { allOf, ...rest } = schema;
    return allOf.reduce<Schema>((merged, part) => mergeSchemas(merged, resolve(part, schemas, depth + 1)), rest);
  }
  return schema;
}

function mergeSchemas(a: Schema, b: Schema): Schema {
  const merged: Schema = { ...a, ...b };
  if (a.properties || b.properties) merged.properties = { ...a.properties, ...b.properties };
  if (a.required || b.required) merged.required = [...new Set([...(a.required ?? []), ...(b.required ?? [])])];
  return merged;
}

const typesOf = (schema: Schema): string[] =>
  schema.type === undefined ? [] : Array.isArray(schema.type) ? schema.type : [schema.type];

// Strings a pattern matches. JSON Schema patterns are Unicode regular expressions (`\p{L}` is a letter); one that
// fast-check cannot read as such is tried without the flag.
function matching(pattern: string): fc.Arbitrary<string> | null {
  for (const flags of ["u", ""]) {
    try {
      const arb = fc.stringMatching(new RegExp(pattern, flags));
      fc.sample(arb, { numRuns: 1, seed: 1 });
      return arb;
    } catch {
      // next
    }
  }
  return null;
}

const isoInstant = fc
  .date({ min: new Date("2000-01-01T00:00:00Z"), max: new Date("2100-01-01T00:00:00Z"), noInvalidDate: true })
  .map((d) => d.toISOString());

function stringArbitrary(schema: Schema): fc.Arbitrary<string> {
  const minLength = schema.minLength ?? 0;
  const fits = (s: string) => s.length >= minLength && s.length <= (schema.maxLength ?? Number.POSITIVE_INFINITY);
  const maxLength = schema.maxLength ?? Math.max(minLength, 40);
  if (schema.format === "date-time") return isoInstant;
  if (schema.format === "date") return isoInstant.map((instant) => instant.slice(0, 10));
  if (schema.format === "uri") {
    return fc.webUrl({ validSchemes: ["https"], withQueryParameters: false, withFragments: false }).filter(fits);
  }
  if (schema.pattern !== undefined) {
    // Only if most of what the pattern makes fits the lengths (a filter that rarely passes would spin); else, as a
    // pattern fast-check cannot read, its example.
    const arb = matching(schema.pattern);
    if (arb && fc.sample(arb, { numRuns: 20, seed: 1 }).filter(fits).length >= 10) return arb.filter(fits);
    return fc.constant(typeof schema.example === "string" ? schema.example : "x".repeat(Math.max(1, minLength)));
  }
  return fc.string({ minLength, maxLength: Math.min(maxLength, minLength + 20), unit: textUnit });
}

// One unit arbitrary for every string (fast-check's "grapheme" unit costs a large table each time it is made):
// ASCII, Chinese, accents and emoji.
const textUnit = fc.oneof(
  { weight: 4, arbitrary: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)) },
  { weight: 1, arbitrary: fc.constantFrom("口", "红", "小", "书", "é", "ß", "ー", "💄", "👍🏽", "\t", "\n") },
);

function numberArbitrary(schema: Schema, integer: boolean): fc.Arbitrary<number> {
  let min = schema.minimum ?? -1_000_000;
  let max = schema.maximum ?? 1_000_000_000;
  if (schema.exclusiveMinimum !== undefined) min = Math.max(min, schema.exclusiveMinimum + (integer ? 1 : 1e-6));
  if (schema.exclusiveMaximum !== undefined) max = Math.min(max, schema.exclusiveMaximum - (integer ? 1 : 1e-6));
  if (integer) {
    const lo = Math.ceil(min);
    const hi = Math.floor(max);
    return fc.oneof(fc.integer({ min: lo, max: hi }), fc.constantFrom(lo, hi));
  }
  return fc.double({ min, max, noNaN: true, noDefaultInfinity: true });
}

/** Values `schema` accepts. */
export function valid(schema: Schema, schemas: Record<string, Schema>, depth = 0): fc.Arbitrary<Json> {
  const s = resolve(schema, schemas);
  if (depth > 8) return fc.constant(null);
  if (s.const !== undefined) return fc.constant(s.const as Json);
  if (s.enum) return fc.constantFrom(...(s.enum as Json[]));
  const alternatives = s.oneOf ?? s.anyOf;
  if (alternatives) {
    const { oneOf: _o, anyOf: _a, ...shared } = s;
    return fc.oneof(
      ...alternatives.map((alt) => valid(mergeSchemas(shared, resolve(alt, schemas)), schemas, depth + 1)),
    );
  }
  const types = typesOf(s);
  if (types.length > 1) return fc.oneof(...types.map((type) => valid({ ...s, type }, schemas, depth)));
  switch (types[0]) {
    case "null":
      return fc.constant(null);
    case "boolean":
      return fc.boolean();
    case "integer":
      return numberArbitrary(s, true);
    case "number":
      return numberArbitrary(s, false);
    case "string":
      return stringArbitrary(s);
    case "array": {
      const item = valid(s.items ?? {}, schemas, depth + 1);
      const minLength = s.minItems ?? 0;
      const maxLength = Math.min(s.maxItems ?? 5, minLength + 5);
      return s.uniqueItems
        ? fc.uniqueArray(item, { minLength, maxLength, selector: (v) => JSON.stringify(v) })
        : fc.array(item, { minLength, maxLength });
    }
    case "object":
      return objectArbitrary(s, schemas, depth);
    default:
      if (s.properties) return objectArbitrary(s, schemas, depth);
      return fc.jsonValue({ maxDepth: 2 }) as fc.Arbitrary<Json>;
  }
}

function objectArbitrary(s: Schema, schemas: Record<string, Schema>, depth: number): fc.Arbitrary<Json> {
  const properties = s.properties ?? {};
  const model: Record<string, fc.Arbitrary<Json>> = {};
  for (const [key, prop] of Object.entries(properties)) model[key] = valid(prop, schemas, depth + 1);
  const required = (s.required ?? []).filter((key) => key in properties);
  const known = fc.record(model, { requiredKeys: required });
  if (typeof s.additionalProperties === "object") {
    const extra = fc.dictionary(
      fc.string({ minLength: 1, maxLength: 12 }).filter((k) => !(k in properties)),
      valid(s.additionalProperties, schemas, depth + 1),
      { maxKeys: 3 },
    );
    return fc.tuple(known, extra).map(([a, b]) => ({ ...b, ...a }) as Json);
  }
  return known as fc.Arbitrary<Json>;
}

/** Strings meant to hurt: control characters, lone surrogates, prototype keys, injections, huge and odd text. */
export const hostileString: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(
    "\u0000",
    "a\u0001b",
    "\ud800",
    "x\udc00",
    "__proto__",
    "constructor",
    "toString",
    "hasOwnProperty",
    "valueOf",
    "' OR 1=1 --",
    '"; DROP TABLE orders; --',
    "../../../etc/passwd",
    "%2e%2e%2f",
    "<script>alert(1)</script>",
    "{{7*7}}<%= 7*7 %>",
    "\u202eevil",
    "\u200b",
    "🧨".repeat(50),
    "口红".repeat(3000),
    "x".repeat(70_000),
    "",
    " ",
    "null",
    "NaN",
    "-1",
    "1e309",
  ),
  fc.string({ unit: "binary", maxLength: 30 }),
);

/** Any JSON value, including the odd ones (huge numbers, deep nesting, hostile strings). */
export const anyJson: fc.Arbitrary<Json> = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }) as fc.Arbitrary<Json>,
  hostileString,
  fc.constantFrom<Json>(1e308, -1e308, 2 ** 53 + 1, -0, 0.1, [], {}, [[[[[[[[[[[]]]]]]]]]]]),
);

/** A value `schema` refuses (as far as one can tell without its refinements): wrong type, out of range, too long. */
export function invalid(schema: Schema, schemas: Record<string, Schema>): fc.Arbitrary<Json> {
  const s = resolve(schema, schemas);
  const options: fc.Arbitrary<Json>[] = [];
  const types = typesOf(s);
  if (!types.includes("string")) options.push(hostileString);
  if (!types.includes("integer") && !types.includes("number")) options.push(fc.integer());
  if (!types.includes("object")) options.push(fc.constant({ unexpected: true }));
  if (!types.includes("array")) options.push(fc.constant([1, "two"]));
  if (!types.includes("null")) options.push(fc.constant(null));
  if (s.enum) options.push(fc.constant(`not-${String(s.enum[0])}`));
  if (s.maximum !== undefined) options.push(fc.constantFrom(s.maximum + 1, s.maximum * 10 + 1, 2 ** 53));
  if (s.minimum !== undefined) options.push(fc.constantFrom(s.minimum - 1, -(2 ** 53)));
  if (types.includes("integer")) options.push(fc.constantFrom(1.5, 2 ** 60));
  if (s.maxLength !== undefined) options.push(fc.constant("y".repeat(s.maxLength + 1)));
  if (s.minLength !== undefined && s.minLength > 0) options.push(fc.constant(""));
  if (s.pattern !== undefined) options.push(fc.constantFrom("not a match", "prod_", "_01", "x/../y"));
  if (s.maxItems !== undefined && s.items) {
    options.push(fc.array(valid(s.items, schemas), { minLength: s.maxItems + 1, maxLength: s.maxItems + 1 }));
  }
  if (s.uniqueItems && s.items) options.push(valid(s.items, schemas).map((v) => [v, v]));
  if (s.required && s.required.length > 0 && s.properties) {
    const key = s.required[0] ?? "";
    options.push(valid(s, schemas).map((v) => omit(v, key)));
  }
  if (s.additionalProperties === false && s.properties) {
    options.push(valid(s, schemas).map((v) => ({ ...(v as object), unknownField: 1 }) as Json));
  }
  return fc.oneof(...options);
}

function omit(value: Json, key: string): Json {
  if (value === null || typeof value !== "object" || Array.isArray(value)) return value;
  const { [key]: _gone, ...rest } = value;
  return rest;
}

/** `value` with one field somewhere inside replaced by `replacement` (or the value itself when it has no fields). */
export function replaceSomewhere(value: Json, pick: number, replacement: Json): Json {
  const slots: { parent: Json[] | { [key: string]: Json }; key: string | number }[] = [];
  const walk = (v: Json) => {
    if (Array.isArray(v)) {
      v.forEach((item, i) => {
        slots.push({ parent: v, key: i });
        walk(item);
      });
    } else if (v !== null && typeof v === "object") {
      for (const [k, item] of Object.entries(v)) {
        slots.push({ parent: v, key: k });
        walk(item);
      }
    }
  };
  const copy = structuredClone(value);
  walk(copy);
  const slot = slots[pick % Math.max(1, slots.length)];
  if (!slot) return replacement;
  (slot.parent as Record<string | number, Json>)[slot.key] = replacement;
  return copy;
}
