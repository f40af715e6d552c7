/**
 * Write safety under faults: seat changes per provider with a fault before the vendor applies the change,
 * after it applies it (answer lost, 500 after applying, cut body) and while an asynchronous change completes.
 * The final seat count must be what was asked, no change may be applied twice, every case the SDK cannot
 * settle must be a WriteOutcomeUnknownError with before/expected/observed, and ifCurrent conflicts are never
 * written.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { ConflictError, MarketplaceError, WriteOutcomeUnknownError } from '../../src/core/errors.js';
import type { MarketplaceClient } from '../../src/core/marketplace-client.js';
import type { Subscription, SubscriptionRef } from '../../src/model/subscription.js';
import type { FaultRule } from '../../src/testing/kit/faults.js';
import { createMockMarketplace } from '../../src/testing/mock-marketplace.js';
import { addFaults, readMatch, writeMatch } from './chaos-kit.js';
import { directFetch } from './direct-fetch.js';
import { FigureBook } from './figures.js';
import { PROVIDERS, type Provider, clientFor, fakeOf } from './providers.js';
import { SecretSentinel } from './secret-sentinel.js';

/** Seat changes per provider: the full 500 (as `npm run test:full` and CI run it); 100 with `RELIABILITY_QUICK=1` (docs/reliability.md). */
const CHANGES = Number(process.env.RELIABILITY_WRITES ?? (process.env.RELIABILITY_QUICK === '1' ? 100 : 500));
/**
 * The write client's per-attempt timeout. Generous on purpose: a normal write that outlived it on a loaded machine
 * would still be applied by the fake after the client gave up, which is the (absolute-target, so harmless) late
 * apply the SDK cannot see, not the fault under test.
 */
const TIMEOUT_MS = 250;

type Scenario = {
  name: string;
  where: 'none' | 'before' | 'after' | 'async';
  rule?: Omit<FaultRule, 'method' | 'path'>;
};
const SCENARIOS: Scenario[] = [
  { name: 'clean', where: 'none' },
  { name: '500 before apply', where: 'before', rule: { kind: 'http-500', times: 1 } },
  { name: '503 twice before apply', where: 'before', rule: { kind: 'http-503', times: 2 } },
  { name: 'reset before apply', where: 'before', rule: { kind: 'reset', times: 1 } },
  { name: 'response lost', where: 'after', rule: { kind: 'response-lost', times: 1 } },
  { name: 'applied then 500', where: 'after', rule: { kind: 'applied-then-500', times: 1 } },
  { name: 'truncated answer', where: 'after', rule: { kind: 'truncated', times: 1 } },
  { name: 'faults while completing', where: 'async' },
  { name: 'response lost, then reads fail', where: 'after', rule: { kind: 'response-lost', times: 1 } },
  { name: 'timeout before apply', where: 'before', rule: { kind: 'timeout', times: 1, latencyMs: TIMEOUT_MS * 2 } },
];

const book = new FigureBook('write-safety');
const sentinel = new SecretSentinel();
const mock = createMockMarketplace({ partnerCenter: { asyncSubscriptionUpdates: { delayMs: 1_000 } } });
const fetch = sentinel.fetch(directFetch(mock.handlers));

const completer: Record<Provider, () => void> = {
  pax8: () => {},
  sherweb: () => mock.sherweb.completeAll(),
  ingram: () => mock.ingram.completeAll(),
  'td-synnex': () => void mock.tdSynnex.completeAll(),
  dandh: () => void mock.dandh.completeAll(),
  'partner-center': () => void mock.partnerCenter.completeAll(),
};

afterAll(() => {
  book.add('all', 'secretsChecked', sentinel.secrets);
  book.add('all', 'recorded', sentinel.recorded);
  book.add('all', 'secretsFound', sentinel.leaks().length);
  book.note(
    `Write safety: ${CHANGES} seat changes per provider, cycling through ${SCENARIOS.map((s) => s.name).join(', ')}; ` +
      'every 25th change carries a stale ifCurrent.',
  );
  book.save();
});

/** A subscription a +1 seat change works on, found by trying (clean) on each candidate. */
async function pickSubscription(provider: Provider, c: MarketplaceClient): Promise<SubscriptionRef> {
  const candidates: Subscription[] = [];
  for await (const customer of c.listCustomers()) {
    for await (const s of c.listSubscriptions({ customerId: customer.id })) {
      if (s.status === 'active' && s.quantity > 0) candidates.push(s);
    }
    if (candidates.length > 40) break;
  }
  candidates.sort((a, b) => Number(b.billingTerm === 'monthly') - Number(a.billingTerm === 'monthly'));
  for (const s of candidates) {
    const ref = { customerId: s.customerId, subscriptionId: s.id };
    try {
      const r = await c.setSeats(ref, s.quantity + 1);
      if (r.operation) await r.operation.waitForCompletion({ pollIntervalMs: 1, onProgress: completer[provider] });
      if ((await c.getSubscription(ref)).quantity === s.quantity + 1) return ref;
    } catch {
      // not this one
    }
  }
  throw new Error(`${provider}: no subscription accepts a seat change`);
}

// Providers run side by side (separate fakes and subscriptions), so one provider's timeouts overlap another's work.
describe.concurrent('write safety under faults', () => {
  for (const provider of PROVIDERS) {
    it(`${provider}: ${CHANGES} seat changes end exactly as asked, none applied twice`, async ({ expect }) => {
      const fake = fakeOf(mock, provider);
      sentinel.credentials(mock.clientOptions(provider).credentials);
      const c = sentinel.watch(clientFor(mock, provider, { fetch, timeoutMs: TIMEOUT_MS, logger: sentinel.logger() }));
      const clean = clientFor(mock, provider, { fetch });
      const ref = await pickSubscription(provider, clean);
      const problems: string[] = [];
      const started = performance.now();
      for (let i = 0; i < CHANGES; i++) {
        const scenario = SCENARIOS[i % SCENARIOS.length]!;
        const before = (await clean.getSubscription(ref)).quantity;
        const target = before + 1;
        const applied0 = fake.appliedWrites.length;
        const requests0 = fake.requests.length;
        const fired0 = fake.faults.fired.length;
        const conflict = i % 25 === 24;
        const removers: Array<() => void> = [];
        if (scenario.rule) removers.push(fake.faults.add({ ...writeMatch(provider), ...scenario.rule }));
        if (scenario.where === 'async' || scenario.name.includes('reads fail')) {
          removers.push(
            addFaults(fake.faults, readMatch(provider), [
              { kind: 'http-503', p: 0.15 },
              { kind: 'reset', p: 0.15 },
            ]),
          );
        }
        let outcome: 'ok' | 'unknown' | 'conflict' | 'error' = 'ok';
        try {
          const result = await c.setSeats(ref, target, conflict ? { ifCurrent: before - 1 } : {});
          if (result.operation) {
            await result.operation
              .waitForCompletion({ pollIntervalMs: 1, timeoutMs: 5_000, onProgress: completer[provider] })
              .catch((error: unknown) => {
                sentinel.observe(`${provider} wait`, error);
                if (!(error instanceof MarketplaceError)) problems.push(`#${i} wait: untyped ${String(error)}`);
              });
          }
        } catch (error) {
          sentinel.observe(`${provider} write`, error);
          if (error instanceof WriteOutcomeUnknownError) {
            outcome = 'unknown';
            book.add(provider, 'writeOutcomeUnknown');
            if (error.before !== before || error.expected !== target || !('observed' in error)) {
              problems.push(`#${i} ${scenario.name}: unknown outcome without before/expected/observed`);
            }
          } else if (error instanceof ConflictError && conflict) outcome = 'conflict';
          else if (error instanceof MarketplaceError) outcome = 'error';
          else problems.push(`#${i} ${scenario.name}: untyped ${String(error)}`);
        } finally {
          for (const r of removers) r();
        }
        completer[provider]();
        const after = (await clean.getSubscription(ref)).quantity;
        const applied = fake.appliedWrites.length - applied0;
        book.add(provider, 'seatChanges');
        book.add(provider, 'writeFaults', fake.faults.fired.length - fired0);
        if (applied > 1) {
          book.add(provider, 'doubleApplied');
          problems.push(`#${i} ${scenario.name}: applied ${applied} times`);
        }
        if (conflict) {
          const wrote = fake.requests
            .slice(requests0)
            .some((r) => r.method !== 'GET' && !/token|Session/i.test(r.path));
          const sent = provider === 'dandh' ? applied > 0 : wrote;
          if (outcome !== 'conflict' || sent || after !== before) {
            book.add(provider, 'conflictsWritten');
            problems.push(`#${i}: ifCurrent conflict ended ${outcome}, wrote=${sent}, seats ${before}->${after}`);
          }
          continue;
        }
        const wrongFinal =
          outcome === 'ok'
            ? after !== target
            : outcome === 'unknown'
              ? after !== before && after !== target
              : after !== before;
        if (wrongFinal) {
          book.add(provider, 'wrongFinalSeats');
          problems.push(`#${i} ${scenario.name}: ${outcome}, asked ${target} (from ${before}), vendor has ${after}`);
        }
      }
      book.note(`${provider}: ${CHANGES} seat changes in ${Math.round(performance.now() - started)} ms.`);
      expect(problems.slice(0, 8)).toEqual([]);
    }, 600_000);
  }
});

describe('secrets', () => {
  it('lets no secret out', () => {
    expect(sentinel.leaks().slice(0, 3)).toEqual([]);
  });
});
