-- Managing keys now takes the api_keys:write scope. A merchant secret key that holds every scope that existed
-- before it (a full key) could manage keys until now and keeps that power; narrower keys do not get it.
UPDATE api_keys
SET scopes = json_insert(scopes, '$[#]', 'api_keys:write')
WHERE kind = 'secret'
  AND merchant_id IS NOT NULL
  AND NOT EXISTS (SELECT 1 FROM json_each(api_keys.scopes) WHERE value = 'api_keys:write')
  AND (
    SELECT count(DISTINCT value) FROM json_each(api_keys.scopes)
    WHERE value IN ('catalog:write', 'orders:read', 'orders:write', 'flash_sales:write', 'presales:write',
                    'webhooks:write', 'analytics:read', 'promotions:write')
  ) = 8;
