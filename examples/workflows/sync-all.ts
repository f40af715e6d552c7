/**
 * Sync: stream every customer and subscription of every configured marketplace into your own store, with
 * progress, per-provider error isolation, and resuming from a checkpoint.
 * Run: npx tsx examples/workflows/sync-all.ts
 */
import { type SyncCheckpoint, syncAll } from '../../src/workflows/index.js';
import { startFakes } from './fakes.js';

const fakes = startFakes();
const db = new Map<string, unknown>(); // stands in for your database: upserts keyed by provider + id
let saved: SyncCheckpoint | undefined;

// First run: stop after 100 records, as if the worker were restarted.
const first = syncAll(fakes.marketplaces, {
  onCheckpoint: (c) => {
    saved = c; // persist it (a file, a table row) in real code
  },
});
let n = 0;
for await (const record of first) {
  if (record.type === 'customer') db.set(`${record.provider}:customer:${record.customer.id}`, record.customer);
  if (record.type === 'subscription') db.set(`${record.provider}:sub:${record.subscription.id}`, record.subscription);
  if (++n === 100) break;
}
console.log(`Stopped after ${n} records; checkpoint: ${JSON.stringify(saved?.providers.pax8)}`);

// Second run: resume from the stored checkpoint.
const resumed = syncAll(fakes.marketplaces, {
  checkpoint: saved,
  onProgress: (e) => {
    if (e.type !== 'customer-done')
      console.log(`  ${e.type} ${e.provider}: ${e.customers} customers, ${e.subscriptions} subscriptions`);
  },
});
for await (const record of resumed) {
  if (record.type === 'error') console.log(`  ${record.provider} failed (${record.kind}): ${record.message}`);
  if (record.type === 'customer') db.set(`${record.provider}:customer:${record.customer.id}`, record.customer);
  if (record.type === 'subscription') db.set(`${record.provider}:sub:${record.subscription.id}`, record.subscription);
}
const subs = [...db.keys()].filter((k) => k.includes(':sub:')).length;
console.log(
  `Stored ${db.size - subs} customers and ${subs} subscriptions (the fake has ${fakes.mock.pax8.subscriptions.length}).`,
);
fakes.stop();
