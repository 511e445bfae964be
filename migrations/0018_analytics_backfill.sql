-- The business figures for the orders paid before the analytics rollups existed (shared/analytics.ts writes them as
-- orders, refunds and returns change from now on): the same figures, computed in bulk from orders, order_lines,
-- refunds and returns. A buyer's order is a repeat order when the buyer had an earlier paid order in the scope.
-- Views were not recorded before: none are backfilled.
CREATE TABLE `analytics_backfill` AS
WITH o AS (
  SELECT id, merchant_id, currency, total_amount, paid_at, substr(paid_at, 1, 10) AS day,
         CASE WHEN owner_id LIKE 'guest:%' THEN id ELSE owner_id END AS customer,
         EXISTS (SELECT 1 FROM order_lines WHERE order_id = orders.id
                 AND (note_id IS NOT NULL OR live_session_id IS NOT NULL)) AS attributed
  FROM orders WHERE paid_at IS NOT NULL),
ls AS (
  SELECT l.order_id, l.creator_id, l.live_session_id, l.note_id, l.unit_amount * l.quantity - l.discount_amount AS amount
  FROM order_lines l JOIN o ON o.id = l.order_id),
s AS (
  SELECT id AS order_id, 'platform' AS kind, '' AS scope_id, total_amount AS amount, attributed FROM o
  UNION ALL SELECT id, 'merchant', merchant_id, total_amount, attributed FROM o
  UNION ALL SELECT order_id, 'creator', creator_id, sum(amount), 1 FROM ls WHERE creator_id IS NOT NULL
    GROUP BY order_id, creator_id
  UNION ALL SELECT order_id, 'live_session', live_session_id, sum(amount), 1 FROM ls WHERE live_session_id IS NOT NULL
    GROUP BY order_id, live_session_id
  UNION ALL SELECT order_id, 'note', note_id, sum(amount), 1 FROM ls WHERE note_id IS NOT NULL GROUP BY order_id, note_id)
SELECT s.kind, s.scope_id, s.amount, s.attributed, o.day, o.currency, o.customer,
       row_number() OVER (PARTITION BY s.kind, s.scope_id, o.customer ORDER BY o.paid_at, o.id) > 1 AS back
FROM s JOIN o ON o.id = s.order_id;
--> statement-breakpoint
INSERT INTO `analytics_daily_money` (scope_kind, scope_id, day, currency, orders, gmv_amount)
SELECT kind, scope_id, day, currency, count(*), sum(amount) FROM analytics_backfill
GROUP BY kind, scope_id, day, currency;
--> statement-breakpoint
INSERT INTO `analytics_buyers` (scope_kind, scope_id, day, customer_id, repeat)
SELECT kind, scope_id, day, customer, max(back) FROM analytics_backfill GROUP BY kind, scope_id, day, customer;
--> statement-breakpoint
INSERT INTO `analytics_customers` (scope_kind, scope_id, customer_id, orders, first_day)
SELECT kind, scope_id, customer, count(*), min(day) FROM analytics_backfill GROUP BY kind, scope_id, customer;
--> statement-breakpoint
INSERT INTO `analytics_daily` (scope_kind, scope_id, day, orders, attributed_orders, buyers, repeat_buyers)
SELECT a.kind, a.scope_id, a.day, a.orders, a.attributed, b.buyers, b.repeat_buyers
FROM (SELECT kind, scope_id, day, count(*) AS orders, sum(attributed) AS attributed FROM analytics_backfill
      GROUP BY kind, scope_id, day) a
JOIN (SELECT scope_kind, scope_id, day, count(*) AS buyers, sum(repeat) AS repeat_buyers FROM analytics_buyers
      GROUP BY scope_kind, scope_id, day) b ON b.scope_kind = a.kind AND b.scope_id = a.scope_id AND b.day = a.day;
--> statement-breakpoint
DROP TABLE `analytics_backfill`;
--> statement-breakpoint
INSERT INTO `analytics_daily_money` (scope_kind, scope_id, day, currency, refunded_amount)
WITH r AS (
  SELECT r.id, r.order_id, r.amount, r.payment_id, o.merchant_id, o.currency, substr(o.paid_at, 1, 10) AS day,
         (SELECT sum(amount) FROM refund_lines WHERE refund_id = r.id) AS named
  FROM refunds r JOIN orders o ON o.id = r.order_id WHERE r.status = 'succeeded' AND o.paid_at IS NOT NULL),
ls AS (
  SELECT r.day, r.currency, l.creator_id, l.live_session_id, l.note_id,
         CASE WHEN r.named IS NOT NULL
           THEN coalesce((SELECT fl.amount FROM refund_lines fl WHERE fl.refund_id = r.id AND fl.position = l.position), 0)
                * r.amount / r.named
           ELSE (l.unit_amount * l.quantity - l.discount_amount) * r.amount
                / (SELECT amount FROM payments WHERE id = r.payment_id)
         END AS amount
  FROM order_lines l JOIN r ON l.order_id = r.order_id),
s AS (
  SELECT 'platform' AS kind, '' AS scope_id, day, currency, amount FROM r
  UNION ALL SELECT 'merchant', merchant_id, day, currency, amount FROM r
  UNION ALL SELECT 'creator', creator_id, day, currency, amount FROM ls WHERE creator_id IS NOT NULL
  UNION ALL SELECT 'live_session', live_session_id, day, currency, amount FROM ls WHERE live_session_id IS NOT NULL
  UNION ALL SELECT 'note', note_id, day, currency, amount FROM ls WHERE note_id IS NOT NULL)
SELECT kind, scope_id, day, currency, sum(amount) FROM s WHERE true GROUP BY kind, scope_id, day, currency
ON CONFLICT DO UPDATE SET refunded_amount = refunded_amount + excluded.refunded_amount;
--> statement-breakpoint
INSERT INTO `analytics_daily` (scope_kind, scope_id, day, returned_orders)
WITH t AS (
  SELECT t.id, t.order_id, o.merchant_id, substr(o.paid_at, 1, 10) AS day
  FROM returns t JOIN orders o ON o.id = t.order_id
  WHERE t.status IN ('approved', 'refunded') AND o.paid_at IS NOT NULL),
s AS (
  SELECT order_id, day, 'platform' AS kind, '' AS scope_id FROM t
  UNION SELECT order_id, day, 'merchant', merchant_id FROM t
  UNION SELECT t.order_id, t.day, 'creator', l.creator_id FROM t JOIN return_lines x ON x.return_id = t.id
    JOIN order_lines l ON l.order_id = t.order_id AND l.position = x.position WHERE l.creator_id IS NOT NULL
  UNION SELECT t.order_id, t.day, 'live_session', l.live_session_id FROM t JOIN return_lines x ON x.return_id = t.id
    JOIN order_lines l ON l.order_id = t.order_id AND l.position = x.position WHERE l.live_session_id IS NOT NULL
  UNION SELECT t.order_id, t.day, 'note', l.note_id FROM t JOIN return_lines x ON x.return_id = t.id
    JOIN order_lines l ON l.order_id = t.order_id AND l.position = x.position WHERE l.note_id IS NOT NULL)
SELECT kind, scope_id, day, count(*) FROM s WHERE true GROUP BY kind, scope_id, day
ON CONFLICT DO UPDATE SET returned_orders = returned_orders + excluded.returned_orders;
