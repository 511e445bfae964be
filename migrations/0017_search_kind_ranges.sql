ALTER TABLE `search_documents` ADD `owner_id` text;--> statement-breakpoint
ALTER TABLE `search_documents` ADD `category` text;--> statement-breakpoint
ALTER TABLE `search_documents` ADD `brand` text;--> statement-breakpoint
ALTER TABLE `search_documents` ADD `topics` text;--> statement-breakpoint
ALTER TABLE `search_documents` ADD `engagement` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `search_documents` ADD `created_day` real DEFAULT 0 NOT NULL;--> statement-breakpoint
-- Search documents in kind ranges, with their ranking and facet columns (issue 5, the speed goals).
-- Renumber what exists into the ranges (in its order), fill the new columns, and rebuild both FTS5 tables under the
-- new rowids; then a trigger places each document the index triggers insert: into the next id of its kind's range,
-- with its columns. A re-indexed document (any indexed change) is deleted and inserted again, so it gets both anew.
INSERT INTO search_trigram(search_trigram) VALUES ('delete-all');
--> statement-breakpoint
INSERT INTO search_words(search_words) VALUES ('delete-all');
--> statement-breakpoint
UPDATE search_documents SET id = -id;
--> statement-breakpoint
UPDATE search_documents
SET id = r.n + (CASE search_documents.kind WHEN 'product' THEN 1099511627776 WHEN 'note' THEN 2199023255552 ELSE 3298534883328 END)
FROM (SELECT id AS old, row_number() OVER (PARTITION BY kind ORDER BY id DESC) AS n FROM search_documents) AS r
WHERE r.old = search_documents.id;
--> statement-breakpoint
UPDATE search_documents
SET owner_id = p.merchant_id, category = p.category, brand = p.brand, created_day = julianday(p.created_at)
FROM products p WHERE p.id = search_documents.doc_id AND search_documents.kind = 'product';
--> statement-breakpoint
UPDATE search_documents
SET owner_id = n.creator_id, topics = n.topics, engagement = n.like_count + n.save_count, created_day = julianday(n.created_at)
FROM notes n WHERE n.id = search_documents.doc_id AND search_documents.kind = 'note';
--> statement-breakpoint
UPDATE search_documents
SET owner_id = coalesce(l.creator_id, l.merchant_id), created_day = julianday(l.created_at)
FROM live_sessions l WHERE l.id = search_documents.doc_id AND search_documents.kind = 'live';
--> statement-breakpoint
INSERT INTO search_trigram (rowid, title, body) SELECT d.id, s.title, s.body FROM search_source s JOIN search_documents d ON d.doc_id = s.doc_id;
--> statement-breakpoint
INSERT INTO search_words (rowid, title, body) SELECT d.id, s.title_words, s.body_words FROM search_source_words s JOIN search_documents d ON d.doc_id = s.doc_id;
--> statement-breakpoint
CREATE TRIGGER search_documents_place AFTER INSERT ON search_documents
BEGIN
  UPDATE search_documents SET
    id = CASE
      WHEN NEW.id >= (CASE NEW.kind WHEN 'product' THEN 1099511627776 WHEN 'note' THEN 2199023255552 ELSE 3298534883328 END)
        AND NEW.id < (CASE NEW.kind WHEN 'product' THEN 2199023255552 WHEN 'note' THEN 3298534883328 ELSE 4398046511104 END)
      THEN NEW.id
      ELSE coalesce((SELECT max(id) FROM search_documents
        WHERE id >= (CASE NEW.kind WHEN 'product' THEN 1099511627776 WHEN 'note' THEN 2199023255552 ELSE 3298534883328 END)
          AND id < (CASE NEW.kind WHEN 'product' THEN 2199023255552 WHEN 'note' THEN 3298534883328 ELSE 4398046511104 END)),
        (CASE NEW.kind WHEN 'product' THEN 1099511627776 WHEN 'note' THEN 2199023255552 ELSE 3298534883328 END)) + 1
    END,
    owner_id = CASE NEW.kind
      WHEN 'product' THEN (SELECT merchant_id FROM products WHERE id = NEW.doc_id)
      WHEN 'note' THEN (SELECT creator_id FROM notes WHERE id = NEW.doc_id)
      ELSE (SELECT coalesce(creator_id, merchant_id) FROM live_sessions WHERE id = NEW.doc_id) END,
    category = CASE NEW.kind WHEN 'product' THEN (SELECT category FROM products WHERE id = NEW.doc_id) END,
    brand = CASE NEW.kind WHEN 'product' THEN (SELECT brand FROM products WHERE id = NEW.doc_id) END,
    topics = CASE NEW.kind WHEN 'note' THEN (SELECT topics FROM notes WHERE id = NEW.doc_id) END,
    engagement = CASE NEW.kind WHEN 'note' THEN (SELECT like_count + save_count FROM notes WHERE id = NEW.doc_id) ELSE 0 END,
    created_day = coalesce(julianday(CASE NEW.kind
      WHEN 'product' THEN (SELECT created_at FROM products WHERE id = NEW.doc_id)
      WHEN 'note' THEN (SELECT created_at FROM notes WHERE id = NEW.doc_id)
      ELSE (SELECT created_at FROM live_sessions WHERE id = NEW.doc_id) END), 0)
  WHERE id = NEW.id;
END;
--> statement-breakpoint
-- Likes and saves change without a re-index: the note's engagement follows them.
CREATE TRIGGER search_notes_engagement AFTER UPDATE OF like_count, save_count ON notes
BEGIN
  UPDATE search_documents SET engagement = NEW.like_count + NEW.save_count WHERE doc_id = NEW.id;
END;
