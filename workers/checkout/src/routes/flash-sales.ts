// Public reads of flash sales: the terms from libSQL, the stock left from the sale's FlashSaleStock object.
import { eq } from "drizzle-orm";
import { database } from "../../../../shared/db.ts";
import { ProblemError } from "../../../../shared/errors.ts";
import { createRouter } from "../../../../shared/http.ts";
import { retrieveRoute } from "../../../../shared/openapi.ts";
import { flashSales } from "../../../../shared/schema.ts";
import { FlashSaleSchema, toFlashSale } from "../flash-sale.ts";

const getFlashSale = retrieveRoute({
  prefix: "fs",
  schema: FlashSaleSchema,
  summary: "Retrieve a flash sale with its stock left",
  name: "flash sale",
});

export const flashSaleRoutes = createRouter<{ Bindings: Env }>();

flashSaleRoutes.openapi(getFlashSale, async (c) => {
  const { id } = c.req.valid("param");
  const row = await database(c.env).query.flashSales.findFirst({ where: eq(flashSales.id, id) });
  if (!row) throw new ProblemError("not_found", `Flash sale ${id} does not exist.`);
  const stock = await c.env.FLASH_SALE_STOCK.getByName(id).open(row.quantity);
  // The database's CHECK keeps quantity positive, so a refusal here means the row and the object disagree.
  if (!stock.ok) throw new Error(`flash sale ${id}: stock object refused quantity ${row.quantity} (${stock.reason})`);
  c.header("cache-control", "no-store");
  return c.json(toFlashSale(row, stock.available, new Date()), 200);
});
