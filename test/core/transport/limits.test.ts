/**
 * Bounded resources (issue 14): bodies are read as a stream and stop past limits.maxResponseBytes (decoded bytes,
 * so a gzip bomb stops too, long before any timeout); listings stop at limits.maxPages and when a page repeats
 * the previous one; bad limits are refused before any request.
 */
import { gzipSync } from 'node:zlib';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  PagingLimitError,
  ResponseTooLargeError,
  ValidationError,
  createMarketplaceClient,
} from '../../../src/index.js';
import type { ClientLimits } from '../../../src/index.js';
import { type LookAlike, json, lookAlike, unique } from './look-alike.js';

const KiB = 1024;
const MiB = 1024 * KiB;
let api: LookAlike;

beforeAll(async () => {
  api = await lookAlike();
});
afterAll(() => api.close());
afterEach(() => {
  api.seen.length = 0;
});

function pax8(limits: ClientLimits) {
  return createMarketplaceClient({
    provider: 'pax8',
    credentials: { clientId: 'pax8-id', clientSecret: `pax8-secret-${unique()}` },
    baseUrl: `${api.origin}/v1`,
    rateLimit: false,
    retry: { baseDelayMs: 1, maxDelayMs: 2 },
    timeoutMs: 10_000,
    limits,
  });
}

const token = (path: string) => path === '/v1/token';

describe('response size', () => {
  it('an endless body stops just past maxResponseBytes; the vendor is cut off', async () => {
    let written = 0;
    let closed: Promise<void> = Promise.resolve();
    const chunk = Buffer.alloc(64 * KiB, 'a');
    api.handler = (q, res) => {
      if (token(q.path)) return json(res, 200, { access_token: 'tok-big', expires_in: 3600 });
      res.writeHead(200, { 'content-type': 'application/json' });
      closed = new Promise((resolve) => res.on('close', () => resolve()));
      let open = true;
      res.on('close', () => {
        open = false;
      });
      const pump = () => {
        while (open && written < 1024 * MiB) {
          written += chunk.length;
          if (!res.write(chunk)) return void res.once('drain', pump);
        }
      };
      pump();
    };
    const error = await pax8({ maxResponseBytes: 256 * KiB })
      .getCustomer('c-1')
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ResponseTooLargeError);
    const e = error as ResponseTooLargeError;
    expect(e).toMatchObject({ kind: 'response-validation', limitBytes: 256 * KiB, retryable: false, status: 200 });
    expect(e.readBytes).toBeGreaterThan(256 * KiB);
    expect(e.readBytes).toBeLessThanOrEqual(256 * KiB + 64 * KiB);
    await closed;
    // The connection was dropped: the vendor wrote at most the cap plus socket buffers, not the gigabyte it meant to.
    expect(written).toBeLessThan(32 * MiB);
    // Not retried: the same answer would come again.
    expect(api.seen.filter((s) => !token(s.path))).toHaveLength(1);
  });

  it('a gzip bomb stops at the cap in decoded bytes, not at the timeout', async () => {
    const bomb = gzipSync(Buffer.alloc(16 * MiB, 0x20), { level: 1 });
    expect(bomb.length).toBeLessThan(MiB);
    api.handler = (q, res) => {
      if (token(q.path)) return json(res, 200, { access_token: 'tok-bomb', expires_in: 3600 });
      res.writeHead(200, {
        'content-type': 'application/json',
        'content-encoding': 'gzip',
        'content-length': String(bomb.length),
      });
      res.end(bomb);
    };
    const error = await pax8({ maxResponseBytes: MiB })
      .getCustomer('c-1')
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ResponseTooLargeError);
    const e = error as ResponseTooLargeError;
    expect(e.readBytes).toBeGreaterThan(MiB);
    expect(e.readBytes).toBeLessThan(2 * MiB);
    // Decoded bytes read is the memory bound (RSS is too noisy in a shared process to assert on).
  });

  it('a Content-Length over the cap is refused without reading the body', async () => {
    api.handler = (q, res) => {
      if (token(q.path)) return json(res, 200, { access_token: 'tok-cl', expires_in: 3600 });
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(5 * MiB) });
      res.write('{"id":"');
      // The rest never comes: only the announced length can tell.
    };
    const error = await pax8({ maxResponseBytes: MiB })
      .getCustomer('c-1')
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ResponseTooLargeError);
    expect((error as ResponseTooLargeError).readBytes).toBe(5 * MiB);
  });
});

describe('page-number paging', () => {
  const page = (n: number, ids: string[]) => ({
    content: ids.map((id) => ({ id, name: id })),
    page: { size: 200, totalElements: 1e9, totalPages: 5e6, number: n },
  });

  it('a vendor that keeps answering full pages is stopped at maxPages with a typed error', async () => {
    api.handler = (q, res) => {
      if (token(q.path)) return json(res, 200, { access_token: 'tok-pages', expires_in: 3600 });
      const n = Number(new URL(q.path, api.origin).searchParams.get('page'));
      return json(res, 200, page(n, [`c-${n}-a`, `c-${n}-b`]));
    };
    const got: string[] = [];
    const error = await (async () => {
      for await (const c of pax8({ maxPages: 5 }).listCustomers()) got.push(c.id);
    })().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PagingLimitError);
    expect(error).toMatchObject({ reason: 'max-pages', pages: 5 });
    expect(got).toHaveLength(10);
    expect(api.seen.filter((s) => s.path.startsWith('/v1/companies'))).toHaveLength(5);
  });

  it('a page that repeats the previous page stops the listing (no progress), without duplicates', async () => {
    api.handler = (q, res) => {
      if (token(q.path)) return json(res, 200, { access_token: 'tok-same-page', expires_in: 3600 });
      return json(res, 200, page(0, ['c-a', 'c-b']));
    };
    const got: string[] = [];
    const error = await (async () => {
      for await (const c of pax8({}).listCustomers()) got.push(c.id);
    })().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PagingLimitError);
    expect(error).toMatchObject({ reason: 'no-progress', pages: 2 });
    expect(got).toEqual(['c-a', 'c-b']);
    // The pages read ahead (at most the read-ahead window, 9 past the first) are sent before the repeat shows.
    const sent = api.seen.filter((s) => s.path.startsWith('/v1/companies')).length;
    expect(sent).toBeGreaterThanOrEqual(2);
    expect(sent).toBeLessThanOrEqual(10);
  });

  it('read page by page (pagesAhead 0), a repeated page costs exactly one request more', async () => {
    api.handler = (q, res) => {
      if (token(q.path)) return json(res, 200, { access_token: 'tok-same-page-0', expires_in: 3600 });
      return json(res, 200, page(0, ['c-a', 'c-b']));
    };
    // Only this test's requests (the previous test's aborted read-ahead may still arrive): its token.
    const mine = () =>
      api.seen.filter(
        (s) => s.path.startsWith('/v1/companies') && s.headers.authorization === 'Bearer tok-same-page-0',
      );
    const error = await (async () => {
      for await (const _ of pax8({}).listCustomers().byPage({ pagesAhead: 0 })) {
        // drain
      }
    })().catch((e: unknown) => e);
    expect(error).toMatchObject({ reason: 'no-progress', pages: 2 });
    expect(mine()).toHaveLength(2);
  });
});

describe('the limits option', () => {
  it.each([
    [{ maxResponseBytes: -1 }, 'limits.maxResponseBytes'],
    [{ maxResponseBytes: 1.5 }, 'limits.maxResponseBytes'],
    [{ maxPages: 0 }, 'limits.maxPages'],
    [{ deadlineMs: Number.NaN }, 'limits.deadlineMs'],
    [{ deadlineMs: '1000' }, 'limits.deadlineMs'],
  ])('%j is refused with ValidationError before any request', (limits, path) => {
    const before = api.seen.length;
    let error: unknown;
    try {
      pax8(limits as ClientLimits);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).issues.map((i) => i.path)).toContain(path);
    expect(api.seen.length).toBe(before);
  });
});
