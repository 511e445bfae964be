// An approved return becomes `refunded` in the same batch as its refund succeeding (settleRefund). A refund that
// fails leaves it approved, to be approved again (a new refund).
import type { InStatement } from "@libsql/client/web";

export function returnRefunded(refundId: string, at: string): InStatement {
  return {
    sql: `UPDATE returns SET status = 'refunded', updated_at = :at
          WHERE refund_id = :refund AND status = 'approved'
          AND EXISTS (SELECT 1 FROM refunds WHERE id = :refund AND status = 'succeeded' AND updated_at = :at)`,
    args: { refund: refundId, at },
  };
}
