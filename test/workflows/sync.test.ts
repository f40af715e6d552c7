import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  Marketplaces,
  type SyncCheckpoint,
  type SyncProgress,
  type SyncRecord,
  syncAll,
} from '../../src/workflows/index.js';
import { AsProvider, type World, createWorld, server } from './fixtures.js';
import { createPax8Client } from '../../src/providers/pax8/index.js';
import { createPax8Fake } from '../../src/testing/pax8/index.js';
import { MemoryTokenCache } from '../../src/core/auth/token-provider.js';

let world: World;
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterAll(() => server.close());
beforeEach(() => {
  world = createWorld();
});

async function collect(run: AsyncIterable<SyncRecord>, stopAfter = Number.POSITIVE_INFINITY): Promise<SyncRecord[]> {
  const out: SyncRecord[] = [];
  for await (const r of run) {
    out.push(r);
    if (out.length >= stopAfter) break;
  }
  return out;
}

/** A second "provider": another Pax8 fake on its own host, presented as D&H. */
function secondProvider() {
  const fake = createPax8Fake({ baseUrl: 'https://second-vendor.example/v1', now: world.clock.date });
  server.use(...fake.handlers);
  const client = createPax8Client({
    credentials: fake.credentials,
    baseUrl: fake.baseUrl,
    tokenUrl: fake.tokenUrl,
    rateLimit: false,
    retry: { retries: 1, baseDelayMs: 1, maxDelayMs: 1 },
    tokenCache: new MemoryTokenCache(),
  });
  return { fake, client: new AsProvider(client, 'dandh') };
}

describe('syncAll', () => {
  it('streams every customer and subscription, tagged by provider, with progress events', async () => {
    const events: SyncProgress[] = [];
    const run = syncAll(world.marketplaces, { onProgress: (e) => events.push(e) });
    const records = await collect(run);
    const customers = records.filter((r) => r.type === 'customer');
    const subs = records.filter((r) => r.type === 'subscription');
    expect(customers).toHaveLength(world.pax8Fake.companies.length);
    expect(subs).toHaveLength(world.pax8Fake.subscriptions.length);
    expect(records.every((r) => r.provider === 'pax8')).toBe(true);
    expect(events[0]?.type).toBe('provider-started');
    expect(events.at(-1)).toMatchObject({
      type: 'provider-done',
      customers: customers.length,
      subscriptions: subs.length,
    });
    expect(run.checkpoint().providers.pax8?.status).toBe('done');
  });

  it('isolates a failing provider: the other goes on and the failure is a record', async () => {
    const second = secondProvider();
    second.fake.faults.add({ kind: 'http-503', path: '/companies' });
    const m = new Marketplaces([world.pax8, second.client]);
    const events: SyncProgress[] = [];
    const run = syncAll(m, { onProgress: (e) => events.push(e) });
    const records = await collect(run);
    const errors = records.filter((r) => r.type === 'error');
    expect(errors).toEqual([
      expect.objectContaining({ type: 'error', provider: 'dandh', scope: 'provider', kind: 'server' }),
    ]);
    expect(records.filter((r) => r.type === 'subscription' && r.provider === 'pax8')).toHaveLength(
      world.pax8Fake.subscriptions.length,
    );
    const cp = run.checkpoint();
    expect(cp.providers.pax8?.status).toBe('done');
    expect(cp.providers.dandh).toMatchObject({ status: 'failed', lastError: expect.stringMatching(/503/) });
    expect(events.filter((e) => e.type !== 'customer-done').map((e) => `${e.type}:${e.provider}`)).toEqual([
      'provider-started:pax8',
      'provider-done:pax8',
      'provider-started:dandh',
      'provider-failed:dandh',
    ]);

    // The vendor is back: resuming syncs only the provider that failed.
    second.fake.faults.clear();
    const resumed = await collect(syncAll(m, { checkpoint: cp }));
    expect(new Set(resumed.map((r) => r.provider))).toEqual(new Set(['dandh']));
    expect(resumed.filter((r) => r.type === 'subscription')).toHaveLength(second.fake.subscriptions.length);
  });

  it('reports a customer whose subscriptions cannot be read and goes on', async () => {
    const victim = world.pax8Fake.companies[3]!;
    const inner = world.pax8;
    const guarded = new AsProvider(inner, 'pax8');
    guarded.listSubscriptions = (o) => {
      if (o?.customerId === victim.id) {
        return inner.listSubscriptions({ ...o, customerId: `${victim.id}-gone` });
      }
      return inner.listSubscriptions(o);
    };
    const records = await collect(syncAll(new Marketplaces([guarded])));
    const errors = records.filter((r) => r.type === 'error');
    // The fake answers an unknown company with 403/404: a customer-scoped error.
    expect(errors).toEqual([expect.objectContaining({ scope: 'customer', customerId: victim.id })]);
    expect(records.filter((r) => r.type === 'customer')).toHaveLength(world.pax8Fake.companies.length);
  });

  it('resumes from a checkpoint after stopping half way, without losing or repeating finished customers', async () => {
    const saved: SyncCheckpoint[] = [];
    const first = syncAll(world.marketplaces, { onCheckpoint: (c) => void saved.push(c) });
    const part = await collect(first, 150);
    const cp = first.checkpoint();
    expect(cp.providers.pax8?.status).toBe('in-progress');
    expect(JSON.parse(JSON.stringify(cp))).toEqual(cp);
    expect(saved.at(-1)).toEqual(cp);
    const rest = await collect(syncAll(world.marketplaces, { checkpoint: cp }));
    const finished = new Set(cp.providers.pax8?.doneInPage);
    const customers = [...part, ...rest]
      .filter((r) => r.type === 'customer')
      .map((r) => (r.type === 'customer' ? r.customer.id : ''));
    // Every customer at least once; only the one in flight when the run stopped is repeated.
    expect(new Set(customers).size).toBe(world.pax8Fake.companies.length);
    expect(customers.length - new Set(customers).size).toBeLessThanOrEqual(1);
    for (const id of finished) expect(rest.some((r) => r.type === 'customer' && r.customer.id === id)).toBe(false);
    const subIds = new Set(
      [...part, ...rest]
        .filter((r) => r.type === 'subscription')
        .map((r) => (r.type === 'subscription' ? r.subscription.id : '')),
    );
    expect(subIds.size).toBe(world.pax8Fake.subscriptions.length);
  });

  it('skips providers already done in the checkpoint', async () => {
    const run = syncAll(world.marketplaces);
    await collect(run);
    const events: SyncProgress[] = [];
    const again = await collect(
      syncAll(world.marketplaces, { checkpoint: run.checkpoint(), onProgress: (e) => events.push(e) }),
    );
    expect(again).toEqual([]);
    expect(events.map((e) => e.type)).toEqual(['provider-skipped']);
  });
});
