// Search (the search Worker reads these): the index's document map, CJK split positions, sales signal, synonyms,
// settings, query analytics. The FTS5 tables and the triggers that keep them are in the search_index migration.
import { index, integer, primaryKey, real, sqliteTable, text } from "drizzle-orm/sqlite-core";
import { timestamp } from "./columns.ts";

// One row per indexed document: an active product, a published note, a live session. Its integer id is the rowid
// of the FTS5 tables (search_trigram, search_words), so a trigger finds a document's index rows by primary key; each
// kind's ids lie in a range of their own (products from 2^40, notes from 2·2^40, live sessions from 3·2^40; the
// search_kind_ranges migration's trigger places each new row), so an FTS5 query confines itself to a kind by rowid.
// Beside it, what search filters, facets and ranks a match by, copied by that trigger when the document is
// (re-)indexed: the owner (merchant, creator or host), a product's category and brand, a note's topics and likes +
// saves (kept current by a trigger on notes), and the creation time as a Julian day number.
export const searchDocuments = sqliteTable(
  "search_documents",
  {
    id: integer("id").primaryKey(),
    docId: text("doc_id").notNull().unique(),
    kind: text("kind", { enum: ["product", "note", "live"] }).notNull(),
    ownerId: text("owner_id"),
    category: text("category"),
    brand: text("brand"),
    topics: text("topics"),
    engagement: integer("engagement").notNull().default(0),
    createdDay: real("created_day").notNull().default(0),
  },
  (t) => [index("search_documents_kind").on(t.kind, t.docId)],
);

// The numbers 1..4000: the character positions at which the index triggers split CJK text into one token per
// character (a trigger cannot use a recursive CTE, so it joins this table instead).
export const searchPositions = sqliteTable("search_positions", {
  n: integer("n").primaryKey(),
});

// Units sold per product and UTC day, added by a trigger when an order becomes paid: the ranking's sales signal.
export const searchProductSales = sqliteTable(
  "search_product_sales",
  {
    productId: text("product_id").notNull(),
    day: text("day").notNull(),
    units: integer("units").notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.productId, t.day] })],
);

// Operator-managed synonym sets: a query for any term of a set also finds what the other terms find.
export const searchSynonyms = sqliteTable(
  "search_synonyms",
  {
    setName: text("set_name").notNull(),
    // Normalised (NFKC, lower case, single spaces), as queries are.
    term: text("term").notNull(),
    createdAt: timestamp("created_at"),
  },
  (t) => [primaryKey({ columns: [t.setName, t.term] }), index("search_synonyms_term").on(t.term)],
);

// Operator-configured ranking weights, one JSON object under the name "ranking"; missing weights take defaults.
export const searchSettings = sqliteTable("search_settings", {
  name: text("name").primaryKey(),
  value: text("value", { mode: "json" }).$type<Record<string, number>>().notNull(),
  updatedAt: timestamp("updated_at"),
});

// What the query log's tables count by: a normalised query (NFKC, lower case, single spaces) and the UTC day it was
// searched on.
const queryOnDay = () => ({ day: text("day").notNull(), query: text("query").notNull() });

// The query log, counted per UTC day, result type and normalised query.
export const searchQueryStats = sqliteTable(
  "search_query_stats",
  {
    ...queryOnDay(),
    type: text("type").notNull(),
    searches: integer("searches").notNull().default(0),
    zeroResults: integer("zero_results").notNull().default(0),
    lastResultCount: integer("last_result_count").notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.day, t.type, t.query] }), index("search_query_stats_day").on(t.day, t.searches)],
);

// Per merchant and day: how often a query showed that merchant's products on its first page.
export const searchQueryMerchants = sqliteTable(
  "search_query_merchants",
  {
    ...queryOnDay(),
    merchantId: text("merchant_id").notNull(),
    impressions: integer("impressions").notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.day, t.merchantId, t.query] })],
);

// Who searched what, per storefront (the publishable key's merchant) and day, for suggestions: one row per distinct
// searcher, so a query is offered only once enough different people of that storefront looked for it. The searcher
// is a shopper's or creator's id, else a salted hash of the caller's address. Only queries that found something.
export const searchQuerySearchers = sqliteTable(
  "search_query_searchers",
  {
    ...queryOnDay(),
    storefront: text("storefront").notNull(),
    type: text("type").notNull(),
    searcher: text("searcher").notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.storefront, t.type, t.query, t.day, t.searcher] }),
    index("search_query_searchers_day").on(t.day),
  ],
);

// Operator-blocked terms: a query suggestion or title containing one is never offered. Normalised, as queries are.
export const searchSuggestionBlocks = sqliteTable("search_suggestion_blocks", {
  term: text("term").primaryKey(),
  createdAt: timestamp("created_at"),
});
