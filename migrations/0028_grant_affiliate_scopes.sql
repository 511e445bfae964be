-- Affiliate plans take the scopes affiliates:read and affiliates:write. A merchant secret key that holds every scope
-- that existed before them (a full key) gets both, so full keys keep doing everything; narrower keys do not.
UPDATE api_keys
SET scopes = json_insert(json_insert(scopes, '$[#]', 'affiliates:read'), '$[#]', 'affiliates:write')
WHERE kind = 'secret'
  AND merchant_id IS NOT NULL
  AND NOT EXISTS (SELECT 1 FROM json_each(api_keys.scopes) WHERE value IN ('affiliates:read', 'affiliates:write'))
  AND (
    SELECT count(DISTINCT value) FROM json_each(api_keys.scopes)
    WHERE value IN ('catalog:write', 'orders:read', 'orders:write', 'flash_sales:write', 'presales:write',
                    'webhooks:write', 'analytics:read', 'promotions:write', 'api_keys:write')
  ) = 9;
