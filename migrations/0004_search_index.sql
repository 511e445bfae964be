-- The search index (issue 5), kept by triggers in the same transaction as every catalogue, note and live write.
--
-- search_trigram: FTS5 trigram (case and diacritics folded): any substring of 3+ characters, Chinese or Latin.
-- search_words:   FTS5 unicode61 over the text with a space put around every CJK character: one token per CJK
--                 character (1- and 2-character Chinese queries are phrase queries of adjacent characters) and
--                 whole Latin words (1- and 2-letter prefix queries; the vocabulary for typo correction).
-- Both are contentless (the text lives in products, notes, live_sessions); search_documents maps their rowids to
-- document ids. search_source is what a document's text is; the triggers re-index a document from it, and a
-- document the view no longer yields (a draft or archived product, a deleted note) simply leaves the index.
CREATE VIRTUAL TABLE search_trigram USING fts5(title, body, tokenize = 'trigram remove_diacritics 1', content = '', contentless_delete = 1);
--> statement-breakpoint
CREATE VIRTUAL TABLE search_words USING fts5(title, body, tokenize = 'unicode61 remove_diacritics 2', content = '', contentless_delete = 1);
--> statement-breakpoint
CREATE VIRTUAL TABLE search_words_vocab USING fts5vocab(search_words, 'row');
--> statement-breakpoint
INSERT INTO search_positions (n) WITH RECURSIVE p(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM p WHERE n < 4000) SELECT n FROM p;
--> statement-breakpoint
-- What each document's text is: title (weighted higher) and body.
CREATE VIEW search_source AS
SELECT p.id AS doc_id, 'product' AS kind,
  p.title || ' ' || coalesce(p.brand, '') AS title,
  coalesce(p.category, '') || ' ' || coalesce(m.name, '') || ' ' || p.description || ' ' ||
    coalesce((SELECT group_concat(o.value, ' ') FROM skus s, json_each(s.options) o WHERE s.product_id = p.id), '') AS body
FROM products p LEFT JOIN merchants m ON m.id = p.merchant_id
WHERE p.status = 'active'
UNION ALL
SELECT n.id, 'note', n.title,
  n.body || ' ' || coalesce((SELECT group_concat(t.value, ' ') FROM json_each(n.topics) t), '') || ' ' || coalesce(c.name, '')
FROM notes n LEFT JOIN creators c ON c.id = n.creator_id
WHERE n.status = 'published'
UNION ALL
SELECT l.id, 'live', l.title, coalesce(c.name, m.name, '')
FROM live_sessions l LEFT JOIN creators c ON c.id = l.creator_id LEFT JOIN merchants m ON m.id = l.merchant_id;
--> statement-breakpoint
CREATE VIEW search_source_words AS
SELECT doc_id, coalesce((SELECT group_concat(CASE WHEN (unicode(c) BETWEEN 12352 AND 12543 OR unicode(c) BETWEEN 13312 AND 40959 OR unicode(c) BETWEEN 63744 AND 64255 OR unicode(c) BETWEEN 131072 AND 195103) THEN ' ' || c || ' ' ELSE c END, '' ORDER BY n) FROM (SELECT n, substr(title, n, 1) AS c FROM search_positions WHERE n <= length(title))), '') AS title_words, coalesce((SELECT group_concat(CASE WHEN (unicode(c) BETWEEN 12352 AND 12543 OR unicode(c) BETWEEN 13312 AND 40959 OR unicode(c) BETWEEN 63744 AND 64255 OR unicode(c) BETWEEN 131072 AND 195103) THEN ' ' || c || ' ' ELSE c END, '' ORDER BY n) FROM (SELECT n, substr(body, n, 1) AS c FROM search_positions WHERE n <= length(body))), '') AS body_words FROM search_source;
--> statement-breakpoint
CREATE TRIGGER search_products_insert AFTER INSERT ON products
BEGIN
  DELETE FROM search_trigram WHERE rowid = (SELECT id FROM search_documents WHERE doc_id = NEW.id);
  DELETE FROM search_words WHERE rowid = (SELECT id FROM search_documents WHERE doc_id = NEW.id);
  DELETE FROM search_documents WHERE doc_id = NEW.id;
  INSERT INTO search_documents (doc_id, kind) SELECT doc_id, kind FROM search_source WHERE doc_id = NEW.id;
  INSERT INTO search_trigram (rowid, title, body) SELECT d.id, s.title, s.body FROM search_source s JOIN search_documents d ON d.doc_id = s.doc_id WHERE s.doc_id = NEW.id;
  INSERT INTO search_words (rowid, title, body) SELECT d.id, title_words, body_words FROM search_source_words s JOIN search_documents d ON d.doc_id = s.doc_id WHERE s.doc_id = NEW.id;
END;
--> statement-breakpoint
CREATE TRIGGER search_products_update AFTER UPDATE OF title, description, brand, category, status, merchant_id ON products
BEGIN
  DELETE FROM search_trigram WHERE rowid = (SELECT id FROM search_documents WHERE doc_id = NEW.id);
  DELETE FROM search_words WHERE rowid = (SELECT id FROM search_documents WHERE doc_id = NEW.id);
  DELETE FROM search_documents WHERE doc_id = NEW.id;
  INSERT INTO search_documents (doc_id, kind) SELECT doc_id, kind FROM search_source WHERE doc_id = NEW.id;
  INSERT INTO search_trigram (rowid, title, body) SELECT d.id, s.title, s.body FROM search_source s JOIN search_documents d ON d.doc_id = s.doc_id WHERE s.doc_id = NEW.id;
  INSERT INTO search_words (rowid, title, body) SELECT d.id, title_words, body_words FROM search_source_words s JOIN search_documents d ON d.doc_id = s.doc_id WHERE s.doc_id = NEW.id;
END;
--> statement-breakpoint
CREATE TRIGGER search_products_delete AFTER DELETE ON products
BEGIN
  DELETE FROM search_trigram WHERE rowid = (SELECT id FROM search_documents WHERE doc_id = OLD.id);
  DELETE FROM search_words WHERE rowid = (SELECT id FROM search_documents WHERE doc_id = OLD.id);
  DELETE FROM search_documents WHERE doc_id = OLD.id;
  INSERT INTO search_documents (doc_id, kind) SELECT doc_id, kind FROM search_source WHERE doc_id = OLD.id;
  INSERT INTO search_trigram (rowid, title, body) SELECT d.id, s.title, s.body FROM search_source s JOIN search_documents d ON d.doc_id = s.doc_id WHERE s.doc_id = OLD.id;
  INSERT INTO search_words (rowid, title, body) SELECT d.id, title_words, body_words FROM search_source_words s JOIN search_documents d ON d.doc_id = s.doc_id WHERE s.doc_id = OLD.id;
END;
--> statement-breakpoint
CREATE TRIGGER search_skus_insert AFTER INSERT ON skus
BEGIN
  DELETE FROM search_trigram WHERE rowid = (SELECT id FROM search_documents WHERE doc_id = NEW.product_id);
  DELETE FROM search_words WHERE rowid = (SELECT id FROM search_documents WHERE doc_id = NEW.product_id);
  DELETE FROM search_documents WHERE doc_id = NEW.product_id;
  INSERT INTO search_documents (doc_id, kind) SELECT doc_id, kind FROM search_source WHERE doc_id = NEW.product_id;
  INSERT INTO search_trigram (rowid, title, body) SELECT d.id, s.title, s.body FROM search_source s JOIN search_documents d ON d.doc_id = s.doc_id WHERE s.doc_id = NEW.product_id;
  INSERT INTO search_words (rowid, title, body) SELECT d.id, title_words, body_words FROM search_source_words s JOIN search_documents d ON d.doc_id = s.doc_id WHERE s.doc_id = NEW.product_id;
END;
--> statement-breakpoint
CREATE TRIGGER search_skus_update AFTER UPDATE OF options, product_id ON skus
BEGIN
  DELETE FROM search_trigram WHERE rowid = (SELECT id FROM search_documents WHERE doc_id = NEW.product_id);
  DELETE FROM search_words WHERE rowid = (SELECT id FROM search_documents WHERE doc_id = NEW.product_id);
  DELETE FROM search_documents WHERE doc_id = NEW.product_id;
  INSERT INTO search_documents (doc_id, kind) SELECT doc_id, kind FROM search_source WHERE doc_id = NEW.product_id;
  INSERT INTO search_trigram (rowid, title, body) SELECT d.id, s.title, s.body FROM search_source s JOIN search_documents d ON d.doc_id = s.doc_id WHERE s.doc_id = NEW.product_id;
  INSERT INTO search_words (rowid, title, body) SELECT d.id, title_words, body_words FROM search_source_words s JOIN search_documents d ON d.doc_id = s.doc_id WHERE s.doc_id = NEW.product_id;
END;
--> statement-breakpoint
CREATE TRIGGER search_skus_delete AFTER DELETE ON skus
BEGIN
  DELETE FROM search_trigram WHERE rowid = (SELECT id FROM search_documents WHERE doc_id = OLD.product_id);
  DELETE FROM search_words WHERE rowid = (SELECT id FROM search_documents WHERE doc_id = OLD.product_id);
  DELETE FROM search_documents WHERE doc_id = OLD.product_id;
  INSERT INTO search_documents (doc_id, kind) SELECT doc_id, kind FROM search_source WHERE doc_id = OLD.product_id;
  INSERT INTO search_trigram (rowid, title, body) SELECT d.id, s.title, s.body FROM search_source s JOIN search_documents d ON d.doc_id = s.doc_id WHERE s.doc_id = OLD.product_id;
  INSERT INTO search_words (rowid, title, body) SELECT d.id, title_words, body_words FROM search_source_words s JOIN search_documents d ON d.doc_id = s.doc_id WHERE s.doc_id = OLD.product_id;
END;
--> statement-breakpoint
CREATE TRIGGER search_notes_insert AFTER INSERT ON notes
BEGIN
  DELETE FROM search_trigram WHERE rowid = (SELECT id FROM search_documents WHERE doc_id = NEW.id);
  DELETE FROM search_words WHERE rowid = (SELECT id FROM search_documents WHERE doc_id = NEW.id);
  DELETE FROM search_documents WHERE doc_id = NEW.id;
  INSERT INTO search_documents (doc_id, kind) SELECT doc_id, kind FROM search_source WHERE doc_id = NEW.id;
  INSERT INTO search_trigram (rowid, title, body) SELECT d.id, s.title, s.body FROM search_source s JOIN search_documents d ON d.doc_id = s.doc_id WHERE s.doc_id = NEW.id;
  INSERT INTO search_words (rowid, title, body) SELECT d.id, title_words, body_words FROM search_source_words s JOIN search_documents d ON d.doc_id = s.doc_id WHERE s.doc_id = NEW.id;
END;
--> statement-breakpoint
CREATE TRIGGER search_notes_update AFTER UPDATE OF title, body, topics, status, creator_id ON notes
BEGIN
  DELETE FROM search_trigram WHERE rowid = (SELECT id FROM search_documents WHERE doc_id = NEW.id);
  DELETE FROM search_words WHERE rowid = (SELECT id FROM search_documents WHERE doc_id = NEW.id);
  DELETE FROM search_documents WHERE doc_id = NEW.id;
  INSERT INTO search_documents (doc_id, kind) SELECT doc_id, kind FROM search_source WHERE doc_id = NEW.id;
  INSERT INTO search_trigram (rowid, title, body) SELECT d.id, s.title, s.body FROM search_source s JOIN search_documents d ON d.doc_id = s.doc_id WHERE s.doc_id = NEW.id;
  INSERT INTO search_words (rowid, title, body) SELECT d.id, title_words, body_words FROM search_source_words s JOIN search_documents d ON d.doc_id = s.doc_id WHERE s.doc_id = NEW.id;
END;
--> statement-breakpoint
CREATE TRIGGER search_notes_delete AFTER DELETE ON notes
BEGIN
  DELETE FROM search_trigram WHERE rowid = (SELECT id FROM search_documents WHERE doc_id = OLD.id);
  DELETE FROM search_words WHERE rowid = (SELECT id FROM search_documents WHERE doc_id = OLD.id);
  DELETE FROM search_documents WHERE doc_id = OLD.id;
  INSERT INTO search_documents (doc_id, kind) SELECT doc_id, kind FROM search_source WHERE doc_id = OLD.id;
  INSERT INTO search_trigram (rowid, title, body) SELECT d.id, s.title, s.body FROM search_source s JOIN search_documents d ON d.doc_id = s.doc_id WHERE s.doc_id = OLD.id;
  INSERT INTO search_words (rowid, title, body) SELECT d.id, title_words, body_words FROM search_source_words s JOIN search_documents d ON d.doc_id = s.doc_id WHERE s.doc_id = OLD.id;
END;
--> statement-breakpoint
CREATE TRIGGER search_live_sessions_insert AFTER INSERT ON live_sessions
BEGIN
  DELETE FROM search_trigram WHERE rowid = (SELECT id FROM search_documents WHERE doc_id = NEW.id);
  DELETE FROM search_words WHERE rowid = (SELECT id FROM search_documents WHERE doc_id = NEW.id);
  DELETE FROM search_documents WHERE doc_id = NEW.id;
  INSERT INTO search_documents (doc_id, kind) SELECT doc_id, kind FROM search_source WHERE doc_id = NEW.id;
  INSERT INTO search_trigram (rowid, title, body) SELECT d.id, s.title, s.body FROM search_source s JOIN search_documents d ON d.doc_id = s.doc_id WHERE s.doc_id = NEW.id;
  INSERT INTO search_words (rowid, title, body) SELECT d.id, title_words, body_words FROM search_source_words s JOIN search_documents d ON d.doc_id = s.doc_id WHERE s.doc_id = NEW.id;
END;
--> statement-breakpoint
CREATE TRIGGER search_live_sessions_update AFTER UPDATE OF title, creator_id, merchant_id ON live_sessions
BEGIN
  DELETE FROM search_trigram WHERE rowid = (SELECT id FROM search_documents WHERE doc_id = NEW.id);
  DELETE FROM search_words WHERE rowid = (SELECT id FROM search_documents WHERE doc_id = NEW.id);
  DELETE FROM search_documents WHERE doc_id = NEW.id;
  INSERT INTO search_documents (doc_id, kind) SELECT doc_id, kind FROM search_source WHERE doc_id = NEW.id;
  INSERT INTO search_trigram (rowid, title, body) SELECT d.id, s.title, s.body FROM search_source s JOIN search_documents d ON d.doc_id = s.doc_id WHERE s.doc_id = NEW.id;
  INSERT INTO search_words (rowid, title, body) SELECT d.id, title_words, body_words FROM search_source_words s JOIN search_documents d ON d.doc_id = s.doc_id WHERE s.doc_id = NEW.id;
END;
--> statement-breakpoint
CREATE TRIGGER search_live_sessions_delete AFTER DELETE ON live_sessions
BEGIN
  DELETE FROM search_trigram WHERE rowid = (SELECT id FROM search_documents WHERE doc_id = OLD.id);
  DELETE FROM search_words WHERE rowid = (SELECT id FROM search_documents WHERE doc_id = OLD.id);
  DELETE FROM search_documents WHERE doc_id = OLD.id;
  INSERT INTO search_documents (doc_id, kind) SELECT doc_id, kind FROM search_source WHERE doc_id = OLD.id;
  INSERT INTO search_trigram (rowid, title, body) SELECT d.id, s.title, s.body FROM search_source s JOIN search_documents d ON d.doc_id = s.doc_id WHERE s.doc_id = OLD.id;
  INSERT INTO search_words (rowid, title, body) SELECT d.id, title_words, body_words FROM search_source_words s JOIN search_documents d ON d.doc_id = s.doc_id WHERE s.doc_id = OLD.id;
END;
--> statement-breakpoint
-- Sales signal: units per product and day, added when an order is paid, taken back if a paid order is cancelled.
CREATE TRIGGER search_orders_paid AFTER UPDATE OF status ON orders
WHEN NEW.status = 'paid' AND OLD.status <> 'paid'
BEGIN
  INSERT INTO search_product_sales (product_id, day, units)
  SELECT product_id, substr(coalesce(NEW.paid_at, strftime('%Y-%m-%dT%H:%M:%fZ', 'now')), 1, 10), sum(quantity)
  FROM order_lines WHERE order_id = NEW.id GROUP BY product_id
  ON CONFLICT (product_id, day) DO UPDATE SET units = units + excluded.units;
END;
--> statement-breakpoint
CREATE TRIGGER search_orders_cancelled AFTER UPDATE OF status ON orders
WHEN NEW.status = 'cancelled' AND OLD.status IN ('paid', 'fulfilled', 'delivered') AND OLD.paid_at IS NOT NULL
BEGIN
  UPDATE search_product_sales
  SET units = max(0, units - (SELECT coalesce(sum(quantity), 0) FROM order_lines WHERE order_id = NEW.id AND order_lines.product_id = search_product_sales.product_id))
  WHERE day = substr(OLD.paid_at, 1, 10) AND product_id IN (SELECT product_id FROM order_lines WHERE order_id = NEW.id);
END;
--> statement-breakpoint
-- Backfill what exists.
INSERT INTO search_documents (doc_id, kind) SELECT doc_id, kind FROM search_source;
--> statement-breakpoint
INSERT INTO search_trigram (rowid, title, body) SELECT d.id, s.title, s.body FROM search_source s JOIN search_documents d ON d.doc_id = s.doc_id;
--> statement-breakpoint
INSERT INTO search_words (rowid, title, body) SELECT d.id, s.title_words, s.body_words FROM search_source_words s JOIN search_documents d ON d.doc_id = s.doc_id;
--> statement-breakpoint
INSERT INTO search_product_sales (product_id, day, units)
SELECT l.product_id, substr(o.paid_at, 1, 10), sum(l.quantity)
FROM orders o JOIN order_lines l ON l.order_id = o.id
WHERE o.status IN ('paid', 'fulfilled', 'delivered') AND o.paid_at IS NOT NULL
GROUP BY l.product_id, substr(o.paid_at, 1, 10);
