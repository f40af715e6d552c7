/**
 * addSeats and removeSeats share setSeats' write path; an error leaving them must still name the method the caller
 * invoked (`operation`, and the message's leading operation), on every provider: input validation before any request,
 * ifCurrent conflicts, vendor refusals mapped by each provider's errors.ts, write-outcome-unknown, and the dry run.
 * setSeats keeps `setSeats`. The vendor call's own request events keep its label (`setSeats`).
 */
import { describe, expect, it } from 'vitest';
import type { MarketplaceClient } from '../../src/core/marketplace-client.js';
import {
  type AuditEvent,
  BusinessRuleError,
  ConflictError,
  MarketplaceError,
  RateLimitError,
  type RequestEvent,
  ValidationError,
  WriteOutcomeUnknownError,
} from '../../src/index.js';
import type { SubscriptionRef } from '../../src/model/subscription.js';
import {
  DANDH_SEED_IDS,
  INGRAM_SEED_IDS,
  PARTNER_CENTER_SEED_IDS,
  PAX8_SEED_IDS,
  SHERWEB_SEED_IDS,
  TD_SYNNEX_SEED_IDS,
  createMockMarketplace,
} from '../../src/testing/index.js';
import { writeMatch } from '../reliability/chaos-kit.js';
import { directFetch } from '../reliability/direct-fetch.js';
import { PROVIDERS, type Provider, clientFor, fakeOf } from '../reliability/providers.js';

type Seat = 'setSeats' | 'addSeats' | 'removeSeats';

/** Contoso's Business Premium subscriptions in each fake: monthly (changes freely), annual (decreases refused). */
const REFS: Record<Provider, { monthly: SubscriptionRef; annual: SubscriptionRef }> = {
  pax8: {
    monthly: {
      customerId: PAX8_SEED_IDS.contoso,
      subscriptionId: PAX8_SEED_IDS.subscriptions.contosoBusinessPremiumMonthly,
    },
    annual: {
      customerId: PAX8_SEED_IDS.contoso,
      subscriptionId: PAX8_SEED_IDS.subscriptions.contosoBusinessPremiumAnnual,
    },
  },
  sherweb: {
    monthly: {
      customerId: SHERWEB_SEED_IDS.contoso,
      subscriptionId: SHERWEB_SEED_IDS.contosoM365BusinessPremiumMonthly,
    },
    annual: { customerId: SHERWEB_SEED_IDS.contoso, subscriptionId: SHERWEB_SEED_IDS.contosoM365BusinessPremiumAnnual },
  },
  ingram: {
    monthly: { customerId: INGRAM_SEED_IDS.contoso, subscriptionId: INGRAM_SEED_IDS.contosoM365BusinessPremiumMonthly },
    annual: { customerId: INGRAM_SEED_IDS.contoso, subscriptionId: INGRAM_SEED_IDS.contosoM365BusinessPremiumAnnual },
  },
  'td-synnex': {
    monthly: {
      customerId: TD_SYNNEX_SEED_IDS.contoso,
      subscriptionId: TD_SYNNEX_SEED_IDS.contosoBusinessPremiumMonthly,
    },
    annual: { customerId: TD_SYNNEX_SEED_IDS.contoso, subscriptionId: TD_SYNNEX_SEED_IDS.contosoBusinessPremiumAnnual },
  },
  dandh: {
    monthly: {
      customerId: String(DANDH_SEED_IDS.contoso),
      subscriptionId: String(DANDH_SEED_IDS.contosoBusinessPremiumMonthly),
    },
    annual: {
      customerId: String(DANDH_SEED_IDS.contoso),
      subscriptionId: String(DANDH_SEED_IDS.contosoBusinessPremiumAnnual),
    },
  },
  'partner-center': {
    monthly: {
      customerId: PARTNER_CENTER_SEED_IDS.contoso,
      subscriptionId: PARTNER_CENTER_SEED_IDS.subscriptions.contosoBusinessPremiumMonthly,
    },
    annual: {
      customerId: PARTNER_CENTER_SEED_IDS.contoso,
      subscriptionId: PARTNER_CENTER_SEED_IDS.subscriptions.contosoBusinessPremiumAnnual,
    },
  },
};

/** Seats removed from the annual subscription in a dry run that the provider's check refuses. */
const REFUSED_DRY_DECREASE: Partial<Record<Provider, number>> = {
  sherweb: 5, // local check of the commitment window
  'partner-center': 6, // local check: only 5 seats are inside the 7-day window
  'td-synnex': 70, // local check of the cancellation window
  ingram: 1, // the vendor's estimate refuses
  dandh: 10, // the vendor's ValidateFields refuses
  // pax8 has no dry-run check: a dry run reads the subscription and sends nothing
};

/** Providers that cannot hold 0 seats (the refusal is a provider's own error). */
const NO_ZERO_SEATS: Provider[] = ['sherweb', 'partner-center', 'td-synnex'];

function world(provider: Provider) {
  const mock = createMockMarketplace();
  const client = clientFor(mock, provider, { fetch: directFetch(mock.handlers) });
  const requests: RequestEvent[] = [];
  const audits: AuditEvent[] = [];
  client.on('request', (e) => requests.push(e));
  client.on('audit', (e) => audits.push(e));
  return { mock, fake: fakeOf(mock, provider), client, requests, audits, ...REFS[provider] };
}

/** The change each seat method makes: one seat more (or less, for removeSeats) than `quantity`. */
function change(c: MarketplaceClient, op: Seat, ref: SubscriptionRef, quantity: number, options = {}) {
  if (op === 'addSeats') return c.addSeats(ref, 1, options);
  if (op === 'removeSeats') return c.removeSeats(ref, 1, options);
  return c.setSeats(ref, quantity + 1, options);
}

async function failure(p: Promise<unknown>): Promise<MarketplaceError> {
  const e = await p.then(
    () => undefined,
    (error: unknown) => error,
  );
  expect(e).toBeInstanceOf(MarketplaceError);
  return e as MarketplaceError;
}

/** The error names `op` in its field and its message, and not another seat method. */
function expectNamed(e: MarketplaceError, op: Seat): void {
  expect(e.operation).toBe(op);
  expect(e.toJSON().operation).toBe(op);
  for (const other of ['setSeats', 'addSeats', 'removeSeats'].filter((o) => o !== op)) {
    expect(e.message.startsWith(other)).toBe(false);
  }
}

const SEAT_OPS: Seat[] = ['addSeats', 'removeSeats', 'setSeats'];

describe.each(PROVIDERS)('%s: seat errors name the method the caller invoked', (provider) => {
  it('input validation before any request', async () => {
    const w = world(provider);
    const bad = [
      ['addSeats', w.client.addSeats(w.monthly, 0)],
      ['addSeats', w.client.addSeats(w.monthly, 1, { ifCurrent: -1 })],
      ['addSeats', w.client.addSeats({ customerId: '', subscriptionId: 'x' }, 1)],
      ['removeSeats', w.client.removeSeats(w.monthly, 1.5)],
      ['removeSeats', w.client.removeSeats(w.monthly, 1, { actor: 42 as unknown as string })],
      ['setSeats', w.client.setSeats(w.monthly, -1)],
    ] as const;
    for (const [op, p] of bad) {
      const e = await failure(p);
      expect(e).toBeInstanceOf(ValidationError);
      expectNamed(e, op);
    }
    expect(w.fake.requests).toHaveLength(0);
  });

  if (provider === 'dandh' || provider === 'td-synnex') {
    it("the vendor's own id check (ids are integers) before any request", async () => {
      const w = world(provider);
      const ref = { customerId: 'not-a-number', subscriptionId: w.monthly.subscriptionId };
      for (const op of SEAT_OPS) {
        const e = await failure(change(w.client, op, ref, 10));
        expect(e).toBeInstanceOf(ValidationError);
        expectNamed(e, op);
      }
      expect(w.fake.appliedWrites).toHaveLength(0);
    });
  }

  it('validation after the read: removing more seats than there are, or reaching 0 where the vendor cannot', async () => {
    const w = world(provider);
    const { quantity } = await w.client.getSubscription(w.monthly);
    const tooMany = await failure(w.client.removeSeats(w.monthly, quantity + 1));
    expect(tooMany).toBeInstanceOf(ValidationError);
    expectNamed(tooMany, 'removeSeats');
    if (NO_ZERO_SEATS.includes(provider)) {
      const zero = await failure(w.client.removeSeats(w.monthly, quantity));
      expect(zero).toBeInstanceOf(ValidationError);
      expectNamed(zero, 'removeSeats');
      expectNamed(await failure(w.client.setSeats(w.monthly, 0)), 'setSeats');
    }
    expect(w.fake.appliedWrites).toHaveLength(0);
  });

  it('ifCurrent conflicts', async () => {
    const w = world(provider);
    const { quantity } = await w.client.getSubscription(w.monthly);
    for (const op of SEAT_OPS) {
      const e = await failure(change(w.client, op, w.monthly, quantity, { ifCurrent: quantity + 7 }));
      expect(e).toBeInstanceOf(ConflictError);
      expectNamed(e, op);
    }
    expect(w.fake.appliedWrites).toHaveLength(0);
  });

  it("a vendor error mapped by the provider's errors.ts (429 on every write attempt); request events keep setSeats", async () => {
    const w = world(provider);
    const { quantity } = await w.client.getSubscription(w.monthly);
    w.fake.faults.add({ ...writeMatch(provider), kind: 'http-429' });
    for (const op of SEAT_OPS) {
      w.requests.length = 0;
      w.audits.length = 0;
      const e = await failure(change(w.client, op, w.monthly, quantity));
      expect(e).toBeInstanceOf(RateLimitError);
      expectNamed(e, op);
      expect(e.message.startsWith(`${op}:`)).toBe(true);
      // the audit names the method and quotes the error as thrown
      expect(w.audits.map((a) => [a.operation, a.outcome, a.error?.message])).toEqual([[op, 'failed', e.message]]);
      // the vendor request is labelled by the shared write path, whichever method sent it
      const writes = w.requests.filter((r) => r.operation === 'setSeats');
      expect(writes.length).toBeGreaterThan(0);
      expect(w.requests.some((r) => r.operation === 'addSeats' || r.operation === 'removeSeats')).toBe(false);
    }
    expect(w.fake.appliedWrites).toHaveLength(0);
  });

  it('write outcome unknown (503 on every write attempt, nothing applied)', async () => {
    const w = world(provider);
    const { quantity } = await w.client.getSubscription(w.monthly);
    w.fake.faults.add({ ...writeMatch(provider), kind: 'http-503' });
    for (const op of SEAT_OPS) {
      const e = await failure(change(w.client, op, w.monthly, quantity));
      expect(e).toBeInstanceOf(WriteOutcomeUnknownError);
      expectNamed(e, op);
      expect((e as WriteOutcomeUnknownError).observed).toBe(quantity);
    }
    expect(w.fake.appliedWrites).toHaveLength(0);
  });

  const dryDecrease = REFUSED_DRY_DECREASE[provider];
  if (dryDecrease !== undefined) {
    it('a dry run the provider refuses', async () => {
      const w = world(provider);
      const { quantity } = await w.client.getSubscription(w.annual);
      const removed = await failure(w.client.removeSeats(w.annual, dryDecrease, { dryRun: true }));
      expect(removed).toBeInstanceOf(BusinessRuleError);
      expectNamed(removed, 'removeSeats');
      const set = await failure(w.client.setSeats(w.annual, quantity - dryDecrease, { dryRun: true }));
      expect(set).toBeInstanceOf(BusinessRuleError);
      expectNamed(set, 'setSeats');
      expect(w.fake.appliedWrites).toHaveLength(0);
    });
  }
});

describe('vendor refusals of a real write', () => {
  it.each([
    ['pax8', 5],
    ['sherweb', 5],
    ['ingram', 5],
    ['dandh', 1],
  ] as const)('%s: a decrease outside the window (removeSeats, then setSeats)', async (provider, count) => {
    const w = world(provider);
    const { quantity } = await w.client.getSubscription(w.annual);
    const removed = await failure(w.client.removeSeats(w.annual, count));
    expect(removed).toBeInstanceOf(BusinessRuleError);
    expectNamed(removed, 'removeSeats');
    const set = await failure(w.client.setSeats(w.annual, quantity - count));
    expect(set).toBeInstanceOf(BusinessRuleError);
    expectNamed(set, 'setSeats');
    expect(w.fake.appliedWrites).toHaveLength(0);
  });

  it('partner-center: a decrease outside the 7-day window (removeSeats, then setSeats)', async () => {
    const w = world('partner-center');
    const { quantity } = await w.client.getSubscription(w.monthly);
    const removed = await failure(w.client.removeSeats(w.monthly, 1));
    expect(removed).toBeInstanceOf(BusinessRuleError);
    expectNamed(removed, 'removeSeats');
    expectNamed(await failure(w.client.setSeats(w.monthly, quantity - 1)), 'setSeats');
    expect(w.fake.appliedWrites).toHaveLength(0);
  });
});

describe('vendor quirks', () => {
  it('dandh: provisioning that fails right after an accepted write names the method, not the pending kind', async () => {
    for (const op of SEAT_OPS) {
      const w = world('dandh');
      const { quantity } = await w.client.getSubscription(w.monthly);
      w.client.on('response', (e) => {
        if (e.url.endsWith('/UpdateSubscription'))
          w.mock.dandh.fail(Number(w.monthly.subscriptionId), 'vendor said no');
      });
      const e = await failure(change(w.client, op, w.monthly, quantity));
      expect(e).toBeInstanceOf(BusinessRuleError);
      expect(e.code).toBe('PROVISIONING_FAILED');
      expectNamed(e, op);
      expect(e.message).toMatch(new RegExp(`^${op}: D&H accepted the change but provisioning failed`));
    }
  });
});
