/**
 * The scrubber's own promises (src/core/redact.ts, secret-boundary.ts, events.ts, wire.ts), each independent of
 * what the transport already redacts at the source: errors scrubbed whole, events and logger calls scrubbed
 * whoever built them, previews scrubbed before they are cut, tokens bounded, every encoding.
 */
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import { ResponseValidationError, ServerError } from '../../src/core/errors.js';
import { EventHub } from '../../src/core/events.js';
import { MAX_TOKENS, Redactor, scrubError, scrubVendorError } from '../../src/core/redact.js';
import { PagedList } from '../../src/core/pagination.js';
import { scrubErrorsAtBoundary } from '../../src/core/secret-boundary.js';
import { parseWire } from '../../src/core/wire.js';
import { createMarketplaceClient } from '../../src/create-client.js';
import { SecretSentinel } from '../reliability/secret-sentinel.js';

const SECRET = 'CANARY-unit-secret-9c1d2e';

function leaksOf(value: unknown, ...secrets: string[]): number {
  const s = new SecretSentinel();
  s.secret(SECRET, ...secrets);
  s.observe('value', value);
  return s.leaks().length;
}

describe('the scrubber', () => {
  it('replaces a secret in clear, URL/form-encoded, JSON-escaped, base64 and base64url form, also inside longer base64', () => {
    const r = new Redactor();
    const odd = 'p@ss w/rd+"x"';
    r.add(odd);
    r.add(SECRET);
    r.addBasic('api.user', SECRET);
    const texts = [
      odd,
      encodeURIComponent(odd),
      encodeURIComponent(odd).replace(/%[0-9A-F]{2}/g, (m) => m.toLowerCase()),
      new URLSearchParams({ v: odd }).toString().slice(2),
      JSON.stringify(odd).slice(1, -1),
      Buffer.from(SECRET).toString('base64'),
      Buffer.from(SECRET).toString('base64url'),
      `Basic ${Buffer.from(`api.user:${SECRET}`).toString('base64')}`,
      Buffer.from(`{"refresh":"${SECRET}"}`).toString('base64url'),
    ];
    for (const t of texts) {
      const out = r.redact(`before ${t} after`);
      expect(out).toContain('[REDACTED]');
      expect(leaksOf(out)).toBe(0);
      expect(out).not.toContain(odd);
    }
  });

  it('scrubs an error in place: every string field, stack, nested values and the whole cause chain', () => {
    new Redactor().add(SECRET);
    const inner = new Error(`socket said ${SECRET}`);
    const error = new ServerError(`pax8 answered ${SECRET}`, {
      code: SECRET,
      requestId: `req-${SECRET}`,
      hint: `try ${encodeURIComponent(SECRET)}`,
      cause: new ResponseValidationError('middle', { value: { nested: [SECRET] }, cause: inner }),
    });
    const same = scrubError(error);
    expect(same).toBe(error);
    expect(error).toBeInstanceOf(ServerError);
    expect(error.code).toBe('[REDACTED]');
    expect(leaksOf(error)).toBe(0);
    expect(inspect(error, { depth: Infinity })).not.toContain(SECRET);
    expect(inner.stack).not.toContain(SECRET);
  });

  it('cuts vendor codes after scrubbing, never before', () => {
    new Redactor().add(SECRET);
    const long = `${'x'.repeat(195)}${SECRET}`;
    const e = scrubVendorError(new ServerError('m', { code: long, requestId: long }));
    expect(e.code!.length).toBeLessThanOrEqual(203);
    expect(e.code).not.toContain(SECRET.slice(0, 5));
    expect(e.requestId).not.toContain(SECRET.slice(0, 5));
  });

  it('previews a vendor value scrubbed first, then cut (the first characters of a secret do not survive)', () => {
    new Redactor().add(SECRET);
    const raw = { quantity: `${'y'.repeat(110)}${SECRET}` };
    let error: unknown;
    try {
      parseWire(z.object({ quantity: z.number() }), raw, 'subscription', { provider: 'pax8', operation: 'get' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ResponseValidationError);
    expect(String((error as Error).message)).not.toContain(SECRET.slice(0, 6));
    expect(JSON.stringify((error as ResponseValidationError).value)).not.toContain(SECRET.slice(0, 6));
    // Secret-named keys are replaced whatever their value.
    try {
      parseWire(z.object({ a: z.number() }), { a: { access_token: 'never-registered-token' } }, 't', {
        provider: 'x',
        operation: 'token',
      });
    } catch (e) {
      expect(JSON.stringify((e as ResponseValidationError).value)).not.toContain('never-registered-token');
    }
  });

  it('emits scrubbed events and logger calls whoever built the payload', () => {
    new Redactor().add(SECRET);
    const logged: string[] = [];
    const log = (m: string, d?: unknown) => logged.push(`${m} ${JSON.stringify(d)}`);
    const hub = new EventHub({ debug: log, info: log, warn: log, error: log });
    const seen: unknown[] = [];
    hub.on('warning', (e) => seen.push(e));
    hub.on('audit', (e) => seen.push(e));
    hub.emit('warning', { provider: 'pax8', code: SECRET, message: `vendor said ${SECRET}` });
    hub.emit('audit', {
      provider: 'pax8',
      operation: 'setSeats',
      dryRun: false,
      outcome: 'failed',
      error: { kind: 'server', message: SECRET },
      before: { deep: { deeper: [SECRET] } },
      at: new Date().toISOString(),
    });
    expect(seen).toHaveLength(2);
    expect(leaksOf(seen)).toBe(0);
    expect(leaksOf(logged.join('\n'))).toBe(0);
  });

  it('remembers only the last tokens (bounded), and credentials for the client life', () => {
    const r = new Redactor();
    r.add(SECRET);
    for (let i = 0; i < MAX_TOKENS + 10; i++) r.addToken(`token-${i}-abcdef`);
    expect(r.size).toBe(MAX_TOKENS + 1);
    expect(r.redact('token-0-abcdef')).toBe('token-0-abcdef');
    expect(r.redact(`token-${MAX_TOKENS + 9}-abcdef ${SECRET}`)).toBe('[REDACTED] [REDACTED]');
  });

  it('wraps every method of a class chain: rejections, throws and listing failures come out scrubbed', async () => {
    new Redactor().add(SECRET);
    class Base {
      constructor() {
        scrubErrorsAtBoundary(this, Base.prototype);
      }
      async read(): Promise<never> {
        throw new ServerError(`read ${SECRET}`, { code: SECRET });
      }
    }
    class Child extends Base {
      list(): PagedList<number> {
        return new PagedList(async () => {
          throw new ServerError(`page ${SECRET}`, { requestId: SECRET });
        });
      }
      sync(): never {
        throw new Error(`sync ${SECRET}`);
      }
    }
    const c = new Child();
    const errors: unknown[] = [];
    await c.read().catch((e: unknown) => errors.push(e));
    await c
      .list()
      .toArray({ limit: 5 })
      .catch((e: unknown) => errors.push(e));
    try {
      c.sync();
    } catch (e) {
      errors.push(e);
    }
    expect(errors).toHaveLength(3);
    expect(leaksOf(errors)).toBe(0);
    for (const e of errors) expect(leaksOf(e)).toBe(0);
  });

  it('util.inspect and JSON of a client show no credential', () => {
    const client = createMarketplaceClient({
      provider: 'sherweb',
      credentials: { clientId: `${SECRET}-id`, clientSecret: SECRET, subscriptionKey: `${SECRET}-key` },
      rateLimit: false,
    });
    expect(leaksOf(inspect(client, { depth: Infinity, showHidden: true }), `${SECRET}-id`, `${SECRET}-key`)).toBe(0);
    expect(leaksOf(JSON.stringify(client), `${SECRET}-id`, `${SECRET}-key`)).toBe(0);
  });
});
