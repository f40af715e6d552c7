import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import { ResponseValidationError } from '../../src/core/errors.js';
import { compileGuard, parseWire } from '../../src/core/wire.js';

// Shapes like the vendors' wire schemas (src/providers/*/map.ts): loose objects of nullish strings, numbers, unions.
const Commitment = z.looseObject({ id: z.string().nullish(), term: z.string().nullish(), endDate: z.unknown() });
const Subscription = z.looseObject({
  id: z.string().min(1),
  companyId: z.string().min(1),
  productId: z.string().nullish(),
  quantity: z.union([z.number(), z.string()]),
  autoRenew: z.boolean().optional(),
  price: z.number().nullish(),
  tags: z.array(z.string()).nullish(),
  commitmentTerm: Commitment.nullish(),
});
const Loose = z.looseObject({ a: z.unknown(), b: z.string().optional() });
const schemas = { Subscription, Commitment, Loose };

const key = fc.constantFrom('id', 'companyId', 'productId', 'quantity', 'autoRenew', 'price', 'tags', 'commitmentTerm');
const leaf = fc.oneof(
  fc.string({ maxLength: 3 }),
  fc.double(),
  fc.integer(),
  fc.boolean(),
  fc.constant(null),
  fc.constant(undefined),
  fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, ''),
);
const value = fc.letrec((tie) => ({
  v: fc.oneof(
    { depthSize: 'small' },
    leaf,
    fc.array(tie('v'), { maxLength: 3 }),
    fc.dictionary(fc.oneof(key, fc.constantFrom('a', 'b', 'term', 'endDate')), tie('v'), { maxKeys: 8 }),
  ),
})).v;
// Mostly well-formed subscriptions with one field perturbed, so both outcomes are well covered.
const nearlyValid = fc
  .record({
    id: fc.string({ maxLength: 4 }),
    companyId: fc.constant('c-1'),
    productId: fc.option(fc.string(), { nil: null }),
    quantity: fc.oneof(fc.integer(), fc.string({ maxLength: 3 })),
    commitmentTerm: fc.option(fc.record({ id: fc.string(), term: fc.string(), endDate: value }), { nil: null }),
  })
  .chain((base) => fc.tuple(fc.constant(base), key, fc.option(value)))
  .map(([base, k, v]) => (v === null ? base : { ...base, [k]: v }));

describe('parseWire fast guard (issue 21)', () => {
  it('accepts exactly what zod accepts, and then zod would return the same value', () => {
    for (const schema of Object.values(schemas)) {
      const guard = compileGuard(schema);
      expect(guard).not.toBeNull();
      fc.assert(
        fc.property(fc.oneof(value, nearlyValid), (v) => {
          const parsed = schema.safeParse(v);
          expect(guard!(v)).toBe(parsed.success);
          if (parsed.success) expect(parsed.data).toEqual(v);
        }),
        { numRuns: 1500 },
      );
    }
  });

  it('compiles no guard for schemas whose output differs from their input or that refine it', () => {
    expect(compileGuard(z.object({ a: z.string() }))).toBeNull(); // strips unknown keys
    expect(compileGuard(z.strictObject({ a: z.string() }))).toBeNull();
    expect(compileGuard(z.looseObject({ n: z.coerce.number() }))).toBeNull();
    expect(compileGuard(z.looseObject({ s: z.string().trim() }))).toBeNull();
    expect(compileGuard(z.looseObject({ s: z.string().default('x') }))).toBeNull();
    expect(compileGuard(z.looseObject({ s: z.string().refine((x) => x !== 'no') }))).toBeNull();
    expect(compileGuard(z.looseObject({ n: z.number().int() }))).toBeNull();
    expect(compileGuard(z.looseObject({ e: z.enum(['a']) }))).toBeNull();
  });

  it('keeps zod error messages for payloads the guard refuses', () => {
    const ctx = { provider: 'pax8', operation: 'getSubscription' };
    expect(() => parseWire(Subscription, { id: '', companyId: 'c', quantity: 1 }, 'subscription', ctx)).toThrow(
      ResponseValidationError,
    );
    expect(() => parseWire(Subscription, { id: 'x', companyId: 'c', quantity: true }, 'subscription', ctx)).toThrow(
      /quantity/,
    );
    const ok = { id: 'x', companyId: 'c', quantity: 1, extra: { kept: true } };
    expect(parseWire(Subscription, ok, 'subscription', ctx)).toEqual(ok);
  });
});
