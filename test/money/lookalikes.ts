/**
 * Vendor look-alikes for the money tests, written from the vendors' docs with plain node:http (deliberately not
 * the msw fakes of src/testing): a Pax8-like synchronous API (`PUT /subscriptions/{id}` with the new quantity)
 * whose answers can be lost after applying, and a Sherweb-like asynchronous API that queues amendments and
 * applies them later, in order.
 */
import { loseAnswer, send, startLookAlike } from '../helpers/lookalike.js';

/** How the Pax8 look-alike answers a seat write. */
export type Pax8WriteFault =
  /** 200 with the changed subscription (the documented answer). */
  | 'ok'
  /** Applies, then answers 200 `{}`. */
  | 'empty-object'
  /** Applies, then answers 200 with no body. */
  | 'empty-200'
  /** Applies, then answers 204. */
  | '204'
  /** Applies, then drops the connection without an answer. */
  | 'reset-after-apply'
  /** Applies, then never answers (the caller's abort or timeout ends the call). */
  | 'hang-after-apply'
  /** Does not apply, but answers 200 with the requested quantity (a lying or lagging vendor). */
  | 'echo-without-apply';

/** A running Pax8 look-alike. */
export interface Pax8LookAlike {
  url: string;
  /** Seats per subscription id (as created). */
  seats: Map<string, number>;
  /** Seat writes received / applied (an applied write changed the count). */
  writesReceived: number;
  writesApplied: number;
  /** How the next seat writes are answered (shifted one per write; `ok` when empty). */
  faults: Pax8WriteFault[];
  /** Subscriptions cancelled (status `Cancelled`). */
  cancelled: Set<string>;
  /** How the next cancellations are answered: `ok` (204), `ignore` (204, nothing cancelled), `reset-after-apply`. */
  cancelFaults: Array<'ok' | 'ignore' | 'reset-after-apply'>;
  /** Added to every answer (ms), to widen race windows. */
  latencyMs: number;
  /** Called on every subscription GET before it answers (tests hook races here). */
  onRead?: (() => Promise<void> | void) | undefined;
  close(): Promise<void>;
}

const CUSTOMER = '11111111-2222-4333-8444-555555555555';

/** The customer every look-alike subscription belongs to. */
export const LOOKALIKE_CUSTOMER = CUSTOMER;

const json = send;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Starts a Pax8 look-alike with the given subscriptions (id -> seats). */
export async function startPax8LookAlike(initial: Record<string, number>): Promise<Pax8LookAlike> {
  const subscription = (id: string, quantity: number) => ({
    status: state.cancelled.has(id) ? 'Cancelled' : 'Active',
    id,
    companyId: CUSTOMER,
    productId: 'prod-1',
    productName: 'Microsoft 365 Business Premium',
    quantity,
    billingTerm: 'Monthly',
    commitmentTerm: null,
  });
  const state: Pax8LookAlike = {
    url: '',
    seats: new Map(Object.entries(initial)),
    writesReceived: 0,
    writesApplied: 0,
    faults: [],
    cancelled: new Set(),
    cancelFaults: [],
    latencyMs: 0,
    close: async () => undefined,
  };
  const server = await startLookAlike(async (req, res) => {
    const url = { pathname: req.path };
    const text = req.body;
    if (state.latencyMs) await sleep(state.latencyMs);
    if (req.method === 'POST' && url.pathname === '/token') {
      return json(res, 200, { access_token: 'lookalike-token', token_type: 'Bearer', expires_in: 3600 });
    }
    if (req.headers.authorization !== 'Bearer lookalike-token') return json(res, 401, { message: 'Unauthorized' });
    const m = /^\/subscriptions\/([^/]+)$/.exec(url.pathname);
    // Pax8 ids are UUIDs, found whatever their case.
    const id = m ? decodeURIComponent(m[1]!).toLowerCase() : undefined;
    if (!id || !state.seats.has(id)) return json(res, 404, { message: 'Not found' });
    if (req.method === 'GET') {
      await state.onRead?.();
      return json(res, 200, subscription(id, state.seats.get(id)!));
    }
    if (req.method === 'PUT') {
      state.writesReceived += 1;
      const quantity = (JSON.parse(text) as { quantity: number }).quantity;
      const fault = state.faults.shift() ?? 'ok';
      if (fault !== 'echo-without-apply') {
        if (state.seats.get(id) !== quantity) state.writesApplied += 1;
        state.seats.set(id, quantity);
      }
      switch (fault) {
        case 'ok':
        case 'echo-without-apply':
          return json(res, 200, subscription(id, quantity));
        case 'empty-object':
          return json(res, 200, {});
        case 'empty-200':
          res.writeHead(200, { 'content-type': 'application/json', 'content-length': 0 });
          return res.end();
        case '204':
          res.writeHead(204);
          return res.end();
        case 'reset-after-apply':
          return loseAnswer(res);
        case 'hang-after-apply':
          return; // never answers; the client aborts
      }
    }
    if (req.method === 'DELETE') {
      const fault = state.cancelFaults.shift() ?? 'ok';
      if (fault !== 'ignore') state.cancelled.add(id);
      if (fault === 'reset-after-apply') return loseAnswer(res);
      res.writeHead(204);
      return res.end();
    }
    return json(res, 405, { message: 'Method not allowed' });
  });
  state.url = server.url;
  state.close = server.close;
  return state;
}

/** A running Sherweb look-alike: amendments are queued and applied in order when `drain()` runs. */
export interface SherwebLookAlike {
  url: string;
  seats: Map<string, number>;
  /** Amendments received, in order (ids lower-cased, as Sherweb compares them). */
  amendments: Array<{ id: string; subscriptionId: string; newQuantity: number; status: 'Queued' | 'Success' }>;
  /** Applies every queued amendment, in order (`misread`: the vendor sets this count instead of the last one). */
  drain(misread?: number): void;
  close(): Promise<void>;
}

/** Starts a Sherweb look-alike for `customerId` with the given subscriptions (lower-case uuid -> seats). */
export async function startSherwebLookAlike(
  customerId: string,
  initial: Record<string, number>,
): Promise<SherwebLookAlike> {
  let next = 0;
  const state: SherwebLookAlike = {
    url: '',
    seats: new Map(Object.entries(initial)),
    amendments: [],
    drain(misread?: number) {
      for (const a of state.amendments) {
        if (a.status !== 'Queued') continue;
        state.seats.set(a.subscriptionId, misread ?? a.newQuantity);
        a.status = 'Success';
      }
    },
    close: async () => undefined,
  };
  const server = await startLookAlike(async (req, res) => {
    const url = { pathname: req.path, searchParams: req.query };
    const text = req.body;
    if (req.method === 'POST' && url.pathname === '/token') {
      return json(res, 200, { access_token: 'sw-token', token_type: 'Bearer', expires_in: 3600 });
    }
    if (req.headers.authorization !== 'Bearer sw-token' || !req.headers['ocp-apim-subscription-key']) {
      return json(res, 401, { title: 'Unauthorized', status: 401 });
    }
    const customer = url.searchParams.get('customerId')?.toLowerCase();
    if (req.method === 'GET' && url.pathname === '/billing/subscriptions') {
      if (customer !== customerId) return json(res, 404, { title: 'Customer not found', status: 404 });
      const items = [...state.seats].map(([id, quantity]) => ({
        id,
        productName: 'Microsoft 365 Business Basic',
        sku: 'sku-1',
        quantity,
        billingCycle: 'Monthly',
        purchaseDate: '2026-01-01T00:00:00Z',
        commitmentTerm: null,
      }));
      return json(res, 200, { items });
    }
    if (req.method === 'POST' && url.pathname === '/billing/subscriptions/amendments') {
      const params = (
        JSON.parse(text) as {
          subscriptionAmendmentParameters: Array<{ subscriptionId: string; newQuantity: number }>;
        }
      ).subscriptionAmendmentParameters;
      const id = `00000000-0000-4000-8000-${String(++next).padStart(12, '0')}`;
      for (const p of params) {
        state.amendments.push({
          id,
          subscriptionId: p.subscriptionId.toLowerCase(),
          newQuantity: p.newQuantity,
          status: 'Queued',
        });
      }
      return json(res, 200, { subscriptionsAmendmentId: id, requestTrackingId: id });
    }
    const tracking = /^\/tracking\/([^/]+)$/.exec(url.pathname);
    if (req.method === 'GET' && tracking) {
      const a = state.amendments.find((x) => x.id === tracking[1]);
      if (!a) return json(res, 404, { title: 'Not found', status: 404 });
      return json(res, 200, { status: a.status });
    }
    return json(res, 404, { title: 'Not found', status: 404 });
  });
  state.url = server.url;
  state.close = server.close;
  return state;
}
