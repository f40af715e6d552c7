/**
 * What the transport hands to `fetch` after the issue 21 fast paths: the same headers whether or not anyone
 * listens to `request` events (the listener path builds them differently), and a request id of its own per call
 * even though the next call's id is made ahead while a request is on the wire.
 */
import { describe, expect, it } from 'vitest';
import { createPax8Client } from '../../../src/providers/pax8/index.js';
import { JSON_HEADERS, REF, SUBSCRIPTION, tokenBody } from '../../helpers/pax8-in-memory.js';

const TOKEN = tokenBody('request-inputs-token');
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** Records the headers of every API request and answers at once. */
function recordingFetch(sent: Record<string, string>[]): typeof fetch {
  return (async (input: string | URL | Request, init?: RequestInit) => {
    if (String(input).endsWith('/token')) return new Response(TOKEN, { status: 200, headers: JSON_HEADERS });
    sent.push({ ...(init?.headers as Record<string, string>) });
    return new Response(SUBSCRIPTION, { status: 200, headers: JSON_HEADERS });
  }) as typeof fetch;
}

function client(fetch: typeof globalThis.fetch) {
  return createPax8Client({
    credentials: { clientId: 'request-inputs', clientSecret: `secret-${Math.random()}` },
    baseUrl: 'http://127.0.0.1:9/v1',
    rateLimit: false,
    fetch,
  });
}

describe('request inputs', () => {
  it('sends the same headers with and without a request listener, per-call headers included', async () => {
    const quiet: Record<string, string>[] = [];
    const heard: Record<string, string>[] = [];
    const a = client(recordingFetch(quiet));
    const b = client(recordingFetch(heard));
    const events: unknown[] = [];
    b.on('request', (e) => {
      if (e.operation === 'getSubscription') events.push(e);
    });
    await a.getSubscription(REF);
    await b.getSubscription(REF);
    await a.getSubscription(REF, { headers: { 'x-trace': 't-1' } });
    await b.getSubscription(REF, { headers: { 'x-trace': 't-1' } });
    expect(quiet).toEqual(heard);
    expect(quiet[0]).toEqual({
      'user-agent': expect.stringMatching(/^msp-marketplace-sdk\//),
      accept: 'application/json',
      authorization: 'Bearer request-inputs-token',
    });
    expect(quiet[1]).toEqual({ ...quiet[0], 'x-trace': 't-1' });
    expect(events).toHaveLength(2);
  });

  it('gives every call a request id of its own (made ahead or not), concurrent calls included', async () => {
    const c = client(recordingFetch([]));
    const ids: string[] = [];
    c.on('response', (e) => {
      if (e.operation === 'getSubscription') ids.push(e.requestId);
    });
    await Promise.all([c.getSubscription(REF), c.getSubscription(REF), c.getSubscription(REF)]);
    for (let i = 0; i < 5; i++) await c.getSubscription(REF);
    await Promise.all([c.getSubscription(REF), c.getSubscription(REF)]);
    expect(ids).toHaveLength(10);
    expect(new Set(ids).size).toBe(10);
    for (const id of ids) expect(id).toMatch(UUID);
  });
});
