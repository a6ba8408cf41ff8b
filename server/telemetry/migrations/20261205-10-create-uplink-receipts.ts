/**
 * The same receipts table as the registry's (see that migration): there it holds the verdicts of refused messages,
 * here those of stored ones, committed in the same transaction as their rows, so that after a crash a device
 * resending a message it got no acknowledgement for is answered from here instead of being stored twice.
 */
export { sql } from '../../db/migrations/20261205-12-create-uplink-receipts.ts';
