/**
 * The hot path's fast paths (issue 21) decide exactly as the checks they shortcut: request paths
 * (core/ids.ts `requestPathProblem`) and subscription references (core/validate.ts `validateSubscriptionRef`).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ValidationError } from '../../src/core/errors.js';
import { requestPathProblem } from '../../src/core/ids.js';
import { SubscriptionRefSchema, validateInput, validateSubscriptionRef } from '../../src/core/validate.js';

// biome-ignore lint/suspicious/noControlCharactersInRegex: the checks refuse control characters.
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
/** The checks without the fast path, as they read before it. */
function slowPathProblem(path: string): boolean {
  const q = path.indexOf('?');
  const p = q === -1 ? path : path.slice(0, q);
  if (CONTROL.test(p) || p.includes('\\')) return true;
  if (p === '/' || p === '') return false;
  const segments = p.split('/');
  for (let i = p.startsWith('/') ? 1 : 0; i < segments.length; i++) {
    const s = segments[i]!;
    const dots = s.replace(/%2e/gi, '.');
    if (s === '' || dots === '.' || dots === '..') return true;
  }
  return false;
}

const pathChar = fc.constantFrom('/', '.', '%', '2', 'e', 'E', 'a', '\\', '\u0001', '\u0085', '?', '-', '~', ' ', 'é');
const idText = fc.oneof(
  fc.string({ maxLength: 8 }),
  fc
    .array(fc.constantFrom('a', '1', '-', '.', '/', '%', '2', 'e', ' ', '\t', '?', '\\', '\u0000'), { maxLength: 8 })
    .map((a) => a.join('')),
);

describe('hot-path fast paths decide as the full checks', () => {
  it('requestPathProblem', () => {
    fc.assert(
      fc.property(
        fc.array(pathChar, { maxLength: 14 }).map((a) => a.join('')),
        (p) => {
          expect(requestPathProblem(p) !== undefined).toBe(slowPathProblem(p));
        },
      ),
      { numRuns: 20_000 },
    );
  });

  it('validateSubscriptionRef', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.record({ customerId: idText, subscriptionId: idText }),
          fc.record({ customerId: fc.oneof(idText, fc.integer()), subscriptionId: idText, extra: fc.string() }),
          fc.anything(),
        ),
        (ref) => {
          const zod = (() => {
            try {
              return { ok: validateInput(SubscriptionRefSchema, ref, 'subscription reference', 'ref') };
            } catch (error) {
              return { error: error as ValidationError };
            }
          })();
          if ('ok' in zod) expect(validateSubscriptionRef(ref)).toEqual(zod.ok);
          else expect(() => validateSubscriptionRef(ref)).toThrow(zod.error.message);
        },
      ),
      { numRuns: 5_000 },
    );
  });
});
