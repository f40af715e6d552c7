/**
 * Pax8's commitment-rules look-up (`GET /products/{id}/dependencies`) is shared by every call that needs the same
 * product at the same time. One call giving up (its signal, or a listing left early) must fail only itself, never
 * another call waiting on the same look-up. Against a Pax8 look-alike written here with node:http that holds the
 * look-up open until the test lets it answer.
 */
import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { defaultTokenCache } from '../../../src/core/auth/token-provider.js';
import { createPax8Client } from '../../../src/providers/pax8/index.js';

const PRODUCT = '5e1d0c2b-8a47-4f63-9b21-0d7c3e4f5a6b';
const COMPANY = 'a1b2c3d4-0000-4000-8000-00000000c0de';
const subscription = (id: string) => ({
  id,
  companyId: COMPANY,
  productId: PRODUCT,
  quantity: 5,
  status: 'Active',
  billingTerm: 'Annual',
  startDate: '2020-01-15T00:00:00Z',
  commitmentTerm: { id: 'annual-rule', term: 'Annual', endDate: '2099-01-15T00:00:00Z' },
});

let server: Server;
let baseUrl = '';
const seen = { dependencies: 0, dependenciesAbandoned: 0 };
/** Subscriptions on the one page of `/subscriptions`, all of one product. */
let pageLength = 1;
/** Answers the held look-ups. */
let release: () => void = () => undefined;
let held: Promise<void> = Promise.resolve();
let arrived: () => void = () => undefined;
let lookUpArrived: Promise<void> = Promise.resolve();

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

function handle(req: IncomingMessage, res: ServerResponse): void {
  req.resume();
  const url = new URL(req.url ?? '/', 'http://x');
  if (req.method === 'POST' && url.pathname === '/token') {
    req.on('end', () => send(res, 200, { access_token: 'tok', expires_in: 3600, token_type: 'Bearer' }));
    return;
  }
  if (req.headers.authorization !== 'Bearer tok') {
    send(res, 401, { message: 'Unauthorized' });
    return;
  }
  if (url.pathname === `/products/${PRODUCT}/dependencies`) {
    seen.dependencies += 1;
    res.on('close', () => {
      if (!res.writableFinished) seen.dependenciesAbandoned += 1;
    });
    arrived();
    void held.then(() =>
      send(res, 200, {
        commitmentDependencies: [
          { id: 'annual-rule', term: 'Annual', allowForQuantityDecrease: true, allowForEarlyCancellation: false },
        ],
      }),
    );
    return;
  }
  const one = /^\/subscriptions\/([^/]+)$/.exec(url.pathname);
  if (one) send(res, 200, subscription(one[1]!));
  else if (url.pathname === '/subscriptions') {
    const content = Array.from({ length: pageLength }, (_, i) =>
      subscription(`5ab00000-0000-4000-8000-${(i + 1).toString(16).padStart(12, '0')}`),
    );
    send(res, 200, { content, page: { size: 200, number: 0, totalPages: 1, totalElements: pageLength } });
  } else send(res, 404, { message: 'Not Found' });
}

beforeAll(async () => {
  server = createServer(handle);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  release();
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});
beforeEach(() => {
  defaultTokenCache.clear();
  seen.dependencies = 0;
  seen.dependenciesAbandoned = 0;
  pageLength = 1;
  held = new Promise<void>((resolve) => {
    release = resolve;
  });
  lookUpArrived = new Promise<void>((resolve) => {
    arrived = resolve;
  });
});

const client = () =>
  createPax8Client({
    credentials: { clientId: 'id', clientSecret: 'secret' },
    baseUrl,
    tokenUrl: `${baseUrl}/token`,
    retry: { retries: 0 },
  });
const ref = (subscriptionId: string) => ({ customerId: COMPANY, subscriptionId });

/**
 * Reads a subscription and resolves `waiting` once the read waits on the product's rules: its own answer came
 * (`onResponse`), and what follows it up to the look-up is synchronous or microtasks, done by the next macrotask.
 */
function readWaitingOnRules(pax8: ReturnType<typeof client>, subscriptionId: string) {
  let answered!: () => void;
  const waiting = new Promise<void>((resolve) => {
    answered = resolve;
  }).then(() => new Promise<void>((resolve) => setTimeout(resolve, 0)));
  const read = pax8.getSubscription(ref(subscriptionId), { onResponse: () => answered() });
  return { read, waiting };
}

describe('Pax8 commitment-rules look-up shared by concurrent calls', () => {
  it('a call aborted during the shared look-up fails alone; the other call gets the rules from the same look-up', async () => {
    const pax8 = client();
    const aborting = new AbortController();
    const first = pax8.getSubscription(ref('5ab00000-0000-4000-8000-00000000000a'), { signal: aborting.signal });
    const firstOutcome = first.then(
      () => 'resolved',
      (e: unknown) => (e as Error).name,
    );
    await lookUpArrived;
    const second = readWaitingOnRules(pax8, '5ab00000-0000-4000-8000-00000000000b');
    await second.waiting;
    aborting.abort();
    expect(await firstOutcome).toBe('AbortError');
    release();
    const sub = await second.read;
    // The rules were read: the product allows decreases during its annual term.
    expect(sub.constraints?.canDecrease).toBe(true);
    expect(seen.dependencies).toBe(1);
    expect(seen.dependenciesAbandoned).toBe(0);
    // The look-up went on after the abort and is cached: a third call sends no second look-up.
    await pax8.getSubscription(ref('5ab00000-0000-4000-8000-00000000000c'));
    expect(seen.dependencies).toBe(1);
  });

  it('a listing aborted while its look-up is open does not fail a read waiting on the same look-up', async () => {
    const pax8 = client();
    const aborting = new AbortController();
    const listing = (async () => {
      for await (const s of pax8.listSubscriptions({ customerId: COMPANY, signal: aborting.signal })) return s;
      return undefined;
    })().then(
      () => 'resolved',
      (e: unknown) => (e as Error).name,
    );
    await lookUpArrived;
    const read = readWaitingOnRules(pax8, '5ab00000-0000-4000-8000-00000000000d');
    await read.waiting;
    aborting.abort();
    expect(await listing).toBe('AbortError');
    release();
    expect((await read.read).constraints?.canDecrease).toBe(true);
    expect(seen.dependencies).toBe(1);
  });

  it('a page of many subscriptions of one product waits on the look-up without a listener per subscription', async () => {
    // Node warns (MaxListenersExceededWarning) past 10 abort listeners on one signal: the page's subscriptions all
    // wait on the same look-up under the same signal, so they must share one wait, not add one listener each.
    pageLength = 30;
    const warnings: string[] = [];
    const onWarning = (w: Error) => warnings.push(w.name);
    process.on('warning', onWarning);
    try {
      const pax8 = client();
      const caller = new AbortController();
      const listed = (async () => {
        const out = [];
        for await (const s of pax8.listSubscriptions({ customerId: COMPANY, signal: caller.signal })) out.push(s);
        return out;
      })();
      await lookUpArrived;
      // Every subscription of the page is mapped and waits on the look-up by the next macrotask.
      await new Promise((resolve) => setTimeout(resolve, 20));
      release();
      const subs = await listed;
      expect(subs).toHaveLength(30);
      expect(subs.every((s) => s.constraints?.canDecrease === true)).toBe(true);
      expect(seen.dependencies).toBe(1);
      // Process warnings are emitted on a later tick.
      await new Promise((resolve) => setImmediate(resolve));
      expect(warnings).not.toContain('MaxListenersExceededWarning');
    } finally {
      process.off('warning', onWarning);
    }
  });
});
