import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ConflictError } from '../../src/core/errors.js';
import { UsageLocationMissingError } from '../../src/graph/index.js';
import { GRAPH_SEED_IDS } from '../../src/testing/graph/index.js';
import { PAX8_SEED_IDS } from '../../src/testing/pax8/index.js';
import {
  type LifecycleProgress,
  Marketplaces,
  SeatPropagationTimeoutError,
  offboardUser,
  onboardUser,
  policyFor,
  preferBillingTerm,
} from '../../src/workflows/index.js';
import {
  BP_SKU,
  AsProvider,
  BUSINESS_PREMIUM,
  CONTOSO,
  type World,
  addUser,
  createWorld,
  pax8BusinessPremiumSeats,
  server,
  useAllSeats,
} from './fixtures.js';

const MONTHLY = PAX8_SEED_IDS.subscriptions.contosoBusinessPremiumMonthly;
let world: World;

beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterAll(() => server.close());
beforeEach(() => {
  world = createWorld({ propagationMs: 45_000 });
});

function base(userId: string) {
  return {
    marketplaces: world.marketplaces,
    graph: world.graph,
    company: CONTOSO,
    license: BUSINESS_PREMIUM,
    userId,
    sleep: world.clock.sleep,
    now: world.clock.now,
  };
}

const monthlySeats = () => world.pax8Fake.getSubscription(MONTHLY)?.quantity;
const seatWrites = () => world.pax8Fake.appliedWrites.filter((w) => w.method === 'PUT');

describe('onboardUser', () => {
  it('assigns a free seat without buying', async () => {
    const user = addUser(world, '11111111-1111-4111-8111-111111111111', 'Free');
    const r = await onboardUser(base(user));
    expect(r.outcome).toBe('assigned');
    expect(r.seatChanges).toEqual([]);
    expect(seatWrites()).toHaveLength(0);
    expect(world.graphFake.freeUnits(BP_SKU)).toBe(1);
  });

  it('buys one seat on the monthly subscription, waits for Graph with progress, then assigns', async () => {
    useAllSeats(world);
    const user = addUser(world, '22222222-2222-4222-8222-222222222222', 'Buyer');
    const events: LifecycleProgress[] = [];
    const r = await onboardUser({ ...base(user), onProgress: (e) => events.push(e) });
    expect(r.outcome).toBe('assigned');
    expect(r.seatChanges).toHaveLength(1);
    expect(r.seatChanges[0]).toMatchObject({ subscriptionId: MONTHLY, before: 20, after: 21, outcome: 'applied' });
    expect(r.selection?.reason).toMatch(/commitment P1M preferred/);
    expect(monthlySeats()).toBe(21);
    const steps = events.map((e) => e.step);
    expect(steps).toEqual(
      expect.arrayContaining(['selected-subscription', 'seat-added', 'waiting-for-graph', 'seat-visible', 'assigned']),
    );
    expect(steps.filter((s) => s === 'waiting-for-graph').length).toBeGreaterThanOrEqual(3);
    expect(r.progress).toEqual(events);
    const details = await world.graph.getAssignedLicenses(user); // app-only read (issue 17)
    expect(details.map((d) => d.skuId)).toEqual([BP_SKU]);
  });

  it('two concurrent onboardings buy exactly two seats', async () => {
    useAllSeats(world);
    const a = addUser(world, '33333333-3333-4333-8333-333333333333', 'Ann');
    const b = addUser(world, '44444444-4444-4444-8444-444444444444', 'Bob');
    const conflicts: string[] = [];
    const [ra, rb] = await Promise.all([
      onboardUser({ ...base(a), onProgress: (e) => e.step === 'conflict' && conflicts.push(a) }),
      onboardUser({ ...base(b), onProgress: (e) => e.step === 'conflict' && conflicts.push(b) }),
    ]);
    expect([ra.outcome, rb.outcome]).toEqual(['assigned', 'assigned']);
    expect(monthlySeats()).toBe(22);
    expect(seatWrites()).toHaveLength(2);
    expect(pax8BusinessPremiumSeats(world.pax8Fake)).toBe(102);
    expect(world.graphFake.sku(BP_SKU).consumedUnits).toBe(102);
    expect(conflicts.length).toBeGreaterThanOrEqual(1);
  });

  it('five concurrent onboardings buy exactly five seats', async () => {
    useAllSeats(world);
    const users = [0, 1, 2, 3, 4].map((i) => addUser(world, `aaaaaaaa-aaaa-4aaa-8aaa-00000000000${i}`, `U${i}`));
    const results = await Promise.all(users.map((u) => onboardUser(base(u))));
    expect(results.map((r) => r.outcome)).toEqual(Array(5).fill('assigned'));
    expect(monthlySeats()).toBe(25);
    expect(results.reduce((n, r) => n + r.seatChanges.length, 0)).toBe(5);
    expect(world.graphFake.freeUnits(BP_SKU)).toBe(0);
  });

  it('a run that starts while the seat of another run is on its way does not strand it', async () => {
    useAllSeats(world);
    const first = addUser(world, 'bbbbbbbb-bbbb-4bbb-8bbb-000000000001', 'First');
    const late = addUser(world, 'bbbbbbbb-bbbb-4bbb-8bbb-000000000002', 'Late');
    let lateRun: Promise<unknown> | undefined;
    const a = onboardUser({
      ...base(first),
      onProgress: (e) => {
        if (e.step === 'seat-added') lateRun = onboardUser(base(late));
      },
    });
    const [ra] = await Promise.all([a]);
    const rl = (await lateRun) as Awaited<typeof a>;
    expect([ra.outcome, rl.outcome]).toEqual(['assigned', 'assigned']);
    expect(monthlySeats()).toBe(22);
  });

  it('gives up after maxRounds conflicts without buying', async () => {
    useAllSeats(world);
    const busy = new AsProvider(world.pax8, 'pax8');
    busy.addSeats = async () => {
      throw new ConflictError('someone else changed it', { provider: 'pax8', operation: 'addSeats' });
    };
    const user = addUser(world, 'cccccccc-cccc-4ccc-8ccc-000000000001', 'Busy');
    const err = await onboardUser({ ...base(user), marketplaces: new Marketplaces([busy]), maxRounds: 2 }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ConflictError);
    expect((err as ConflictError).message).toMatch(/gave up after 3 conflicting seat changes; nothing more was bought/);
    expect(seatWrites()).toHaveLength(0);
  });

  it('is safe to run twice: the second run finds the license and does nothing', async () => {
    useAllSeats(world);
    const user = addUser(world, '55555555-5555-4555-8555-555555555555', 'Twice');
    await onboardUser(base(user));
    const again = await onboardUser(base(user));
    expect(again.outcome).toBe('already-assigned');
    expect(seatWrites()).toHaveLength(1);
  });

  it('times out with a typed error when Graph never shows the seat, and a rerun waits instead of buying', async () => {
    useAllSeats(world);
    const user = addUser(world, '66666666-6666-4666-8666-666666666666', 'Slow');
    world.graphFake.tenant().scheduled.length = 0;
    const slow = { ...base(user), waitTimeoutMs: 60_000 };
    // Nothing propagates: drop every scheduled change as soon as it is made.
    const stop = world.pax8.on('audit', () => {
      world.graphFake.tenant().scheduled.length = 0;
    });
    const err = await onboardUser(slow).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SeatPropagationTimeoutError);
    expect((err as SeatPropagationTimeoutError).seatChanges).toHaveLength(1);
    expect((err as SeatPropagationTimeoutError).hint).toMatch(/Run onboardUser again later/);
    const second = await onboardUser(slow).catch((e: unknown) => e);
    expect(second).toBeInstanceOf(SeatPropagationTimeoutError);
    expect((second as SeatPropagationTimeoutError).seatChanges).toHaveLength(0);
    expect(seatWrites()).toHaveLength(1);
    stop();
    world.graphFake.setEnabledUnits(BP_SKU, 101);
    expect((await onboardUser(slow)).outcome).toBe('assigned');
    expect(seatWrites()).toHaveLength(1);
  });

  it('dry run decides without writing', async () => {
    const user = addUser(world, '77777777-7777-4777-8777-777777777777', 'Dry');
    expect((await onboardUser({ ...base(user), dryRun: true })).plan).toBe('assign-free-seat');
    useAllSeats(world);
    const r = await onboardUser({ ...base(user), dryRun: true });
    expect(r).toMatchObject({ outcome: 'dry-run', plan: 'add-seat-then-assign' });
    expect(r.reason).toMatch(/would add one seat/);
    expect(seatWrites()).toHaveLength(0);
    expect(world.graphFake.appliedWrites).toHaveLength(0);
  });

  it('honours a custom policy (the annual subscription)', async () => {
    useAllSeats(world);
    const user = addUser(world, '88888888-8888-4888-8888-888888888888', 'Annual');
    const r = await onboardUser({ ...base(user), policy: { name: 'annual', prefer: [preferBillingTerm('annual')] } });
    expect(r.seatChanges[0]?.subscriptionId).toBe(PAX8_SEED_IDS.subscriptions.contosoBusinessPremiumAnnual);
  });

  it('surfaces a user without usageLocation as a typed error', async () => {
    await expect(onboardUser(base(GRAPH_SEED_IDS.users.withoutUsageLocation))).rejects.toBeInstanceOf(
      UsageLocationMissingError,
    );
  });

  it('says so with a commitment-warning event when the seat would go into an annual commitment', async () => {
    useAllSeats(world);
    const user = addUser(world, '12121212-1212-4121-8121-121212121212', 'Annual');
    const events: LifecycleProgress[] = [];
    const annual = policyFor({ purpose: 'add', require: { commitmentTerm: 'P1Y' } });
    const r = await onboardUser({ ...base(user), dryRun: true, policy: annual, onProgress: (e) => events.push(e) });
    expect(r.outcome).toBe('dry-run');
    expect(r.selection?.warnings).toEqual([
      expect.objectContaining({ code: 'long-commitment', commitmentTerm: 'P1Y' }),
    ]);
    const warning = events.find((e) => e.step === 'commitment-warning');
    expect(warning?.message).toMatch(
      /committed for P1Y: they can be removed until .*then not before \d{4}-\d{2}-\d{2}/,
    );
    // Read from the injected clock: 7 days (168 h) after "now".
    expect(r.selection?.warnings[0]?.removableUntil).toBe(new Date(world.clock.now() + 168 * 3_600_000).toISOString());
  });

  it('validates its input', async () => {
    await expect(onboardUser({ ...base(''), skuId: 'x' })).rejects.toThrow(/userId is required; skuId must be a GUID/);
    await expect(onboardUser({ ...base('u'), license: 'Business Premium' })).rejects.toThrow(
      /Which Microsoft 365 license/,
    );
  });
});

describe('offboardUser', () => {
  it('unassigns and releases a seat of the monthly subscription', async () => {
    const r = await offboardUser(base(GRAPH_SEED_IDS.users.licensed));
    expect(r).toMatchObject({ outcome: 'unassigned', seat: { released: true } });
    expect(r.seat.selection?.subscription.id).toBe(MONTHLY);
    expect(monthlySeats()).toBe(19);
  });

  it('unassigns, then reports why the seat stays when the vendor refuses the decrease', async () => {
    // Only the annual (P1Y) subscription qualifies; its seats are outside their decrease window.
    const annualFirst = { name: 'annual-only', require: { billingTerm: 'annual' as const } };
    const r = await offboardUser({ ...base(GRAPH_SEED_IDS.users.licensed), policy: annualFirst });
    expect(r.outcome).toBe('unassigned');
    expect(r.seat.released).toBe(false);
    expect(r.seat.reason).toMatch(/refused the decrease/);
    expect(world.graphFake.freeUnits(BP_SKU)).toBe(3);
    expect(seatWrites()).toHaveLength(0);
  });

  it('releases the seat when the commitment allows (a seat added this week), and is safe to run twice', async () => {
    useAllSeats(world);
    const user = addUser(world, '99999999-9999-4999-8999-999999999999', 'Temp');
    await onboardUser(base(user));
    expect(monthlySeats()).toBe(21);
    const first = await offboardUser(base(user));
    expect(first).toMatchObject({ outcome: 'unassigned', seat: { released: true } });
    expect(first.seat.change).toMatchObject({ before: 21, after: 20 });
    const second = await offboardUser(base(user));
    expect(second).toMatchObject({ outcome: 'not-assigned', seat: { released: false } });
    expect(monthlySeats()).toBe(20);
    expect(seatWrites()).toHaveLength(2);
  });

  it('keeps the seat when the policy says so or no subscription qualifies', async () => {
    const kept = await offboardUser({ ...base(GRAPH_SEED_IDS.users.licensed), releaseSeat: 'never' });
    expect(kept.seat).toMatchObject({ released: false, reason: expect.stringMatching(/releaseSeat is never/) });
    const other = world.graphFake
      .tenant()
      .users.find((u) => u.id !== GRAPH_SEED_IDS.users.licensed && u.assignedLicenses.some((l) => l.skuId === BP_SKU));
    const strict = await offboardUser({
      ...base(other!.id),
      policy: {
        name: 'strict',
        require: { decreasable: 'strict', predicates: [{ test: (s) => s.quantity > 500, description: 'huge' }] },
      },
    });
    expect(strict.seat.released).toBe(false);
    expect(strict.seat.reason).toMatch(/No subscription qualifies/);
  });

  it('does not release a seat someone else took meanwhile', async () => {
    const r = await offboardUser({
      ...base(GRAPH_SEED_IDS.users.licensed),
      onProgress: (e) => {
        if (e.step === 'unassigned') world.graphFake.sku(BP_SKU).consumedUnits = 100;
      },
    });
    expect(r.seat).toMatchObject({ released: false, reason: expect.stringMatching(/already taken/) });
  });

  it('dry run changes nothing', async () => {
    const r = await offboardUser({ ...base(GRAPH_SEED_IDS.users.licensed), dryRun: true });
    expect(r.outcome).toBe('dry-run');
    expect(world.graphFake.appliedWrites).toHaveLength(0);
  });
});
