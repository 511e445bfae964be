-- Pinyin in the search index (issue 5), and names that follow renames.
--
-- search_source's titles gain the pinyin their writers store beside them (search_pinyin, see shared/pinyin.ts:
-- "xiaoheiping xhp" for 小黑瓶), so the trigram table finds full syllables, any part of them and initials, and
-- search_words has them as words (1-2 letter prefixes). The update triggers also fire when only the pinyin is written
-- (POST /v1/search/reindex fills it for rows older than this migration). A merchant's or creator's new name is
-- re-indexed in the documents that contain it: the merchant's products and sessions, the creator's notes and sessions.
DROP VIEW search_source_words;
--> statement-breakpoint
DROP VIEW search_source;
--> statement-breakpoint
CREATE VIEW search_source AS
SELECT p.id AS doc_id, 'product' AS kind,
  p.title || ' ' || coalesce(p.brand, '') || ' ' || coalesce(p.search_pinyin, '') AS title,
  coalesce(p.category, '') || ' ' || coalesce(m.name, '') || ' ' || p.description || ' ' ||
    coalesce((SELECT group_concat(o.value, ' ') FROM skus s, json_each(s.options) o WHERE s.product_id = p.id), '') AS body
FROM products p LEFT JOIN merchants m ON m.id = p.merchant_id
WHERE p.status = 'active'
UNION ALL
SELECT n.id, 'note', n.title || ' ' || coalesce(n.search_pinyin, ''),
  n.body || ' ' || coalesce((SELECT group_concat(t.value, ' ') FROM json_each(n.topics) t), '') || ' ' || coalesce(c.name, '')
FROM notes n LEFT JOIN creators c ON c.id = n.creator_id
WHERE n.status = 'published'
UNION ALL
SELECT l.id, 'live', l.title || ' ' || coalesce(l.search_pinyin, ''), coalesce(c.name, m.name, '')
FROM live_sessions l LEFT JOIN creators c ON c.id = l.creator_id LEFT JOIN merchants m ON m.id = l.merchant_id;
--> statement-breakpoint
CREATE VIEW search_source_words AS
SELECT doc_id, coalesce((SELECT group_concat(CASE WHEN (unicode(c) BETWEEN 12352 AND 12543 OR unicode(c) BETWEEN 13312 AND 40959 OR unicode(c) BETWEEN 63744 AND 64255 OR unicode(c) BETWEEN 131072 AND 195103) THEN ' ' || c || ' ' ELSE c END, '' ORDER BY n) FROM (SELECT n, substr(title, n, 1) AS c FROM search_positions WHERE n <= length(title))), '') AS title_words, coalesce((SELECT group_concat(CASE WHEN (unicode(c) BETWEEN 12352 AND 12543 OR unicode(c) BETWEEN 13312 AND 40959 OR unicode(c) BETWEEN 63744 AND 64255 OR unicode(c) BETWEEN 131072 AND 195103) THEN ' ' || c || ' ' ELSE c END, '' ORDER BY n) FROM (SELECT n, substr(body, n, 1) AS c FROM search_positions WHERE n <= length(body))), '') AS body_words FROM search_source;
--> statement-breakpoint
DROP TRIGGER search_products_update;
--> statement-breakpoint
CREATE TRIGGER search_products_update AFTER UPDATE OF title, description, brand, category, status, merchant_id, search_pinyin ON products
BEGIN
  DELETE FROM search_trigram WHERE rowid = (SELECT id FROM search_documents WHERE doc_id = NEW.id);
  DELETE FROM search_words WHERE rowid = (SELECT id FROM search_documents WHERE doc_id = NEW.id);
  DELETE FROM search_documents WHERE doc_id = NEW.id;
  INSERT INTO search_documents (doc_id, kind) SELECT doc_id, kind FROM search_source WHERE doc_id = NEW.id;
  INSERT INTO search_trigram (rowid, title, body) SELECT d.id, s.title, s.body FROM search_source s JOIN search_documents d ON d.doc_id = s.doc_id WHERE s.doc_id = NEW.id;
  INSERT INTO search_words (rowid, title, body) SELECT d.id, title_words, body_words FROM search_source_words s JOIN search_documents d ON d.doc_id = s.doc_id WHERE s.doc_id = NEW.id;
END;
--> statement-breakpoint
DROP TRIGGER search_notes_update;
--> statement-breakpoint
CREATE TRIGGER search_notes_update AFTER UPDATE OF title, body, topics, status, creator_id, search_pinyin ON notes
BEGIN
  DELETE FROM search_trigram WHERE rowid = (SELECT id FROM search_documents WHERE doc_id = NEW.id);
  DELETE FROM search_words WHERE rowid = (SELECT id FROM search_documents WHERE doc_id = NEW.id);
  DELETE FROM search_documents WHERE doc_id = NEW.id;
  INSERT INTO search_documents (doc_id, kind) SELECT doc_id, kind FROM search_source WHERE doc_id = NEW.id;
  INSERT INTO search_trigram (rowid, title, body) SELECT d.id, s.title, s.body FROM search_source s JOIN search_documents d ON d.doc_id = s.doc_id WHERE s.doc_id = NEW.id;
  INSERT INTO search_words (rowid, title, body) SELECT d.id, title_words, body_words FROM search_source_words s JOIN search_documents d ON d.doc_id = s.doc_id WHERE s.doc_id = NEW.id;
END;
--> statement-breakpoint
DROP TRIGGER search_live_sessions_update;
--> statement-breakpoint
CREATE TRIGGER search_live_sessions_update AFTER UPDATE OF title, creator_id, merchant_id, search_pinyin ON live_sessions
BEGIN
  DELETE FROM search_trigram WHERE rowid = (SELECT id FROM search_documents WHERE doc_id = NEW.id);
  DELETE FROM search_words WHERE rowid = (SELECT id FROM search_documents WHERE doc_id = NEW.id);
  DELETE FROM search_documents WHERE doc_id = NEW.id;
  INSERT INTO search_documents (doc_id, kind) SELECT doc_id, kind FROM search_source WHERE doc_id = NEW.id;
  INSERT INTO search_trigram (rowid, title, body) SELECT d.id, s.title, s.body FROM search_source s JOIN search_documents d ON d.doc_id = s.doc_id WHERE s.doc_id = NEW.id;
  INSERT INTO search_words (rowid, title, body) SELECT d.id, title_words, body_words FROM search_source_words s JOIN search_documents d ON d.doc_id = s.doc_id WHERE s.doc_id = NEW.id;
END;
--> statement-breakpoint
CREATE TRIGGER search_merchants_rename AFTER UPDATE OF name ON merchants
WHEN NEW.name IS NOT OLD.name
BEGIN
  DELETE FROM search_trigram WHERE rowid IN (SELECT id FROM search_documents WHERE doc_id IN (SELECT id FROM products WHERE merchant_id = NEW.id UNION ALL SELECT id FROM live_sessions WHERE merchant_id = NEW.id));
  DELETE FROM search_words WHERE rowid IN (SELECT id FROM search_documents WHERE doc_id IN (SELECT id FROM products WHERE merchant_id = NEW.id UNION ALL SELECT id FROM live_sessions WHERE merchant_id = NEW.id));
  DELETE FROM search_documents WHERE doc_id IN (SELECT id FROM products WHERE merchant_id = NEW.id UNION ALL SELECT id FROM live_sessions WHERE merchant_id = NEW.id);
  INSERT INTO search_documents (doc_id, kind) SELECT doc_id, kind FROM search_source WHERE doc_id IN (SELECT id FROM products WHERE merchant_id = NEW.id UNION ALL SELECT id FROM live_sessions WHERE merchant_id = NEW.id);
  INSERT INTO search_trigram (rowid, title, body) SELECT d.id, s.title, s.body FROM search_source s JOIN search_documents d ON d.doc_id = s.doc_id WHERE s.doc_id IN (SELECT id FROM products WHERE merchant_id = NEW.id UNION ALL SELECT id FROM live_sessions WHERE merchant_id = NEW.id);
  INSERT INTO search_words (rowid, title, body) SELECT d.id, title_words, body_words FROM search_source_words s JOIN search_documents d ON d.doc_id = s.doc_id WHERE s.doc_id IN (SELECT id FROM products WHERE merchant_id = NEW.id UNION ALL SELECT id FROM live_sessions WHERE merchant_id = NEW.id);
END;
--> statement-breakpoint
CREATE TRIGGER search_creators_rename AFTER UPDATE OF name ON creators
WHEN NEW.name IS NOT OLD.name
BEGIN
  DELETE FROM search_trigram WHERE rowid IN (SELECT id FROM search_documents WHERE doc_id IN (SELECT id FROM notes WHERE creator_id = NEW.id UNION ALL SELECT id FROM live_sessions WHERE creator_id = NEW.id));
  DELETE FROM search_words WHERE rowid IN (SELECT id FROM search_documents WHERE doc_id IN (SELECT id FROM notes WHERE creator_id = NEW.id UNION ALL SELECT id FROM live_sessions WHERE creator_id = NEW.id));
  DELETE FROM search_documents WHERE doc_id IN (SELECT id FROM notes WHERE creator_id = NEW.id UNION ALL SELECT id FROM live_sessions WHERE creator_id = NEW.id);
  INSERT INTO search_documents (doc_id, kind) SELECT doc_id, kind FROM search_source WHERE doc_id IN (SELECT id FROM notes WHERE creator_id = NEW.id UNION ALL SELECT id FROM live_sessions WHERE creator_id = NEW.id);
  INSERT INTO search_trigram (rowid, title, body) SELECT d.id, s.title, s.body FROM search_source s JOIN search_documents d ON d.doc_id = s.doc_id WHERE s.doc_id IN (SELECT id FROM notes WHERE creator_id = NEW.id UNION ALL SELECT id FROM live_sessions WHERE creator_id = NEW.id);
  INSERT INTO search_words (rowid, title, body) SELECT d.id, title_words, body_words FROM search_source_words s JOIN search_documents d ON d.doc_id = s.doc_id WHERE s.doc_id IN (SELECT id FROM notes WHERE creator_id = NEW.id UNION ALL SELECT id FROM live_sessions WHERE creator_id = NEW.id);
END;
