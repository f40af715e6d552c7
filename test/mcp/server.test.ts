/**
 * The MCP server driven by an MCP client (in-memory transport) against the embedded fakes: the two-step flow,
 * the safety rails and bad input. What reached a vendor is asserted on the fakes' request logs.
 */
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { type CallToolResult, ToolListChangedNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import * as z from 'zod';
import { createMarketplaceClient } from '../../src/create-client.js';
import {
  type MarketplaceMcpServerOptions,
  type McpAuditEntry,
  createMarketplaceMcpServer,
} from '../../src/mcp/index.js';
import {
  type MockMarketplace,
  PAX8_SEED_IDS,
  SHERWEB_SEED_IDS,
  createMockMarketplace,
} from '../../src/testing/index.js';

const PAX8_CUSTOMER = `PAX8:${PAX8_SEED_IDS.contoso}`;
const COMPANY = `${PAX8_CUSTOMER};SHERWEB:${SHERWEB_SEED_IDS.contoso}`;
const LICENSE = 'Microsoft 365 Business Premium';
const MONTHLY = PAX8_SEED_IDS.subscriptions.contosoBusinessPremiumMonthly;
const ANNUAL = PAX8_SEED_IDS.subscriptions.contosoBusinessPremiumAnnual;

let mock: MockMarketplace;
let audits: McpAuditEntry[];
let clients: Client[];

beforeEach(() => {
  mock = createMockMarketplace();
  mock.start();
  audits = [];
  clients = [];
});

afterEach(async () => {
  for (const c of clients) await c.close();
  mock.stop();
});

/** A server over the Pax8 and Sherweb fakes, and a client connected to it. */
async function connect(options: Partial<MarketplaceMcpServerOptions> = {}): Promise<Client> {
  return (await connectServer(options)).client;
}

/** {@link connect}, also returning the server; `beforeConnect` runs on it before the transport is connected. */
async function connectServer(
  options: Partial<MarketplaceMcpServerOptions> = {},
  beforeConnect?: (server: McpServer) => void,
): Promise<{ client: Client; server: McpServer }> {
  const common = { rateLimit: false as const };
  const server = createMarketplaceMcpServer({
    marketplaces: [
      createMarketplaceClient({ provider: 'pax8', ...common, ...mock.clientOptions('pax8') }),
      createMarketplaceClient({ provider: 'sherweb', ...common, ...mock.clientOptions('sherweb') }),
    ],
    audit: (e) => audits.push(e),
    ...options,
  });
  beforeConnect?.(server);
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  await server.connect(serverSide);
  const client = new Client({ name: 'test-agent', version: '1.0.0' });
  await client.connect(clientSide);
  clients.push(client);
  return { client, server };
}

async function call(client: Client, name: string, args: Record<string, unknown>): Promise<CallToolResult> {
  return (await client.callTool({ name, arguments: args })) as CallToolResult;
}

interface Row {
  customer: string;
  subscriptionId: string;
  billingTerm: string;
  seats: number;
  commitmentTerm: string | null;
}

const rows = (r: CallToolResult) => (r.structuredContent as { subscriptions: Row[] }).subscriptions;
const error = (r: CallToolResult) => (r.structuredContent as { error: Record<string, unknown> }).error;
const pax8Seats = (id: string) => mock.pax8.state.subscriptions.get(id)?.quantity;
/** Requests that reached any fake, token calls included. */
const vendorRequests = () => mock.pax8.requests.length + mock.sherweb.requests.length;
const pax8Writes = () => mock.pax8.requests.filter((r) => r.method !== 'GET' && !r.path.includes('token'));

describe('tools/list', () => {
  it('lists the sixteen tools with JSON Schemas from the zod schemas', async () => {
    const client = await connect();
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name).sort()).toEqual([
      'add_seats',
      'assign_license',
      'cancel_subscription',
      'list_companies',
      'list_invoices',
      'list_license_subscriptions',
      'offboard_user',
      'onboard_user',
      'reconcile_licenses',
      'remove_seats',
      'renewal_calendar',
      'rightsizing_plan',
      'seat_drift',
      'select_subscription',
      'unassign_license',
      'verify_connection',
    ]);
    const add = tools.find((t) => t.name === 'add_seats')!;
    expect(add.inputSchema).toMatchObject({
      type: 'object',
      additionalProperties: false,
      required: ['customer', 'subscriptionId', 'count', 'ifCurrent'],
      properties: { count: { type: 'integer', minimum: 1 }, ifCurrent: { type: 'integer', minimum: 0 } },
    });
    expect(add.annotations).toMatchObject({ readOnlyHint: false, destructiveHint: true });
    expect(tools.find((t) => t.name === 'list_companies')!.annotations).toMatchObject({ readOnlyHint: true });
  });
});

describe('the two-step flow', () => {
  it('lists the license subscriptions, then adds seats to the monthly one (writes enabled)', async () => {
    const client = await connect({ enableWrites: true });
    const listed = await call(client, 'list_license_subscriptions', { company: COMPANY, license: LICENSE });
    expect(listed.isError).toBeFalsy();
    const subs = rows(listed);
    expect(subs.map((s) => s.customer)).toEqual(expect.arrayContaining([PAX8_CUSTOMER]));
    expect(subs.length).toBeGreaterThanOrEqual(4);
    expect(subs[0]).toMatchObject({
      provider: 'pax8',
      billingTerm: expect.any(String),
      canChangeNow: expect.any(Object),
    });
    expect((listed.content[0] as { text: string }).text).toContain(`subscriptionId ${MONTHLY}`);

    const monthly = subs.find((s) => s.customer === PAX8_CUSTOMER && s.billingTerm === 'monthly')!;
    expect(monthly).toMatchObject({ subscriptionId: MONTHLY, seats: 20, commitmentTerm: 'P1M' });
    const added = await call(client, 'add_seats', {
      customer: monthly.customer,
      subscriptionId: monthly.subscriptionId,
      count: 2,
      ifCurrent: monthly.seats,
    });
    expect(added.isError).toBeFalsy();
    expect(added.structuredContent).toMatchObject({
      outcome: 'applied',
      dryRun: false,
      before: 20,
      after: 22,
      session: { seatsChanged: 2, maxSeatsPerSession: 10, remaining: 8 },
    });
    expect(pax8Seats(MONTHLY)).toBe(22);
    expect(pax8Seats(ANNUAL)).toBe(80);
    expect(audits).toEqual([
      expect.objectContaining({
        tool: 'add_seats',
        actor: 'msp-marketplace-mcp',
        client: 'test-agent/1.0.0',
        provider: 'pax8',
        subscriptionId: MONTHLY,
        outcome: 'applied',
        before: 20,
        after: 22,
        dryRun: false,
      }),
    ]);
    expect(JSON.stringify(audits)).not.toContain(mock.clientOptions('pax8').credentials.clientSecret);
  });

  it('select_subscription picks the monthly subscription for adding, with its reason', async () => {
    const client = await connect();
    const r = await call(client, 'select_subscription', { company: PAX8_CUSTOMER, license: LICENSE, purpose: 'add' });
    expect(r.isError).toBeFalsy();
    expect(r.structuredContent).toMatchObject({
      choice: { subscriptionId: MONTHLY, billingTerm: 'monthly' },
      policy: 'default-add',
      next: { tool: 'add_seats', customer: PAX8_CUSTOMER, subscriptionId: MONTHLY, ifCurrent: 20 },
    });
    expect((r.structuredContent as { reason: string }).reason).toMatch(/monthly/);
    const most = await call(client, 'select_subscription', {
      company: PAX8_CUSTOMER,
      license: LICENSE,
      purpose: 'add',
      prefer: ['most-seats'],
    });
    expect(most.structuredContent).toMatchObject({ choice: { subscriptionId: ANNUAL } });
  });
});

describe('safety rails', () => {
  it('writes are dry runs by default: nothing is written at the vendor', async () => {
    // A cap above the 20 seats a cancellation counts (dry runs are checked against the cap too).
    const client = await connect({ maxSeatsPerSession: 50 });
    await call(client, 'list_license_subscriptions', { company: PAX8_CUSTOMER, license: LICENSE });
    const r = await call(client, 'add_seats', {
      customer: PAX8_CUSTOMER,
      subscriptionId: MONTHLY,
      count: 2,
      ifCurrent: 20,
    });
    expect(r.isError).toBeFalsy();
    expect(r.structuredContent).toMatchObject({
      outcome: 'dry-run',
      dryRun: true,
      before: 20,
      requested: 22,
      session: { writesEnabled: false, seatsChanged: 0 },
    });
    expect((r.content[0] as { text: string }).text).toMatch(/--enable-writes/);
    const cancel = await call(client, 'cancel_subscription', {
      customer: PAX8_CUSTOMER,
      subscriptionId: MONTHLY,
      ifCurrent: 20,
    });
    expect(cancel.structuredContent).toMatchObject({ outcome: 'dry-run', dryRun: true });
    expect(pax8Seats(MONTHLY)).toBe(20);
    expect(mock.pax8.state.subscriptions.get(MONTHLY)?.status).not.toMatch(/cancel/i);
    expect(pax8Writes()).toEqual([]);
    expect(mock.pax8.appliedWrites).toEqual([]);
    expect(audits.map((a) => [a.tool, a.outcome, a.dryRun])).toEqual([
      ['add_seats', 'dry-run', true],
      ['cancel_subscription', 'dry-run', true],
    ]);
  });

  it('a stale ifCurrent is refused with a conflict and nothing is written', async () => {
    const client = await connect({ enableWrites: true, maxSeatsPerSession: 50 });
    await call(client, 'list_license_subscriptions', { company: PAX8_CUSTOMER, license: LICENSE });
    mock.pax8.state.subscriptions.get(MONTHLY)!.quantity = 25; // someone changed it since the listing
    const r = await call(client, 'add_seats', {
      customer: PAX8_CUSTOMER,
      subscriptionId: MONTHLY,
      count: 1,
      ifCurrent: 20,
    });
    expect(r.isError).toBe(true);
    expect(error(r)).toMatchObject({
      kind: 'conflict',
      expected: 20,
      actual: 25,
      hint: expect.stringMatching(/Re-read/),
    });
    expect((r.content[0] as { text: string }).text).toMatch(/^error \[conflict\]: .*\nhint: /);
    const cancel = await call(client, 'cancel_subscription', {
      customer: PAX8_CUSTOMER,
      subscriptionId: MONTHLY,
      ifCurrent: 20,
    });
    expect(error(cancel)).toMatchObject({ kind: 'conflict', expected: 20, actual: 25 });
    expect(pax8Seats(MONTHLY)).toBe(25);
    expect(pax8Writes()).toEqual([]);
    expect(audits.map((a) => a.outcome)).toEqual(['refused', 'refused']);
  });

  it('refuses a change beyond the session seat cap before any vendor call', async () => {
    const client = await connect({ enableWrites: true, maxSeatsPerSession: 3 });
    await call(client, 'list_license_subscriptions', { company: PAX8_CUSTOMER, license: LICENSE });
    const first = await call(client, 'add_seats', {
      customer: PAX8_CUSTOMER,
      subscriptionId: MONTHLY,
      count: 2,
      ifCurrent: 20,
    });
    expect(first.structuredContent).toMatchObject({ outcome: 'applied', session: { seatsChanged: 2, remaining: 1 } });
    const before = vendorRequests();
    const second = await call(client, 'remove_seats', {
      customer: PAX8_CUSTOMER,
      subscriptionId: MONTHLY,
      count: 2,
      ifCurrent: 22,
    });
    expect(second.isError).toBe(true);
    expect(error(second)).toMatchObject({ kind: 'business-rule', code: 'SESSION_SEAT_CAP' });
    expect(error(second).hint).toMatch(/--max-seats-per-session/);
    const cancel = await call(client, 'cancel_subscription', {
      customer: PAX8_CUSTOMER,
      subscriptionId: MONTHLY,
      ifCurrent: 22,
    });
    expect(error(cancel)).toMatchObject({ kind: 'business-rule', code: 'SESSION_SEAT_CAP' });
    expect(vendorRequests()).toBe(before);
    expect(pax8Seats(MONTHLY)).toBe(22);
    // Within what is left it still works.
    const third = await call(client, 'remove_seats', {
      customer: PAX8_CUSTOMER,
      subscriptionId: MONTHLY,
      count: 1,
      ifCurrent: 22,
    });
    expect(third.structuredContent).toMatchObject({ outcome: 'applied', after: 21, session: { remaining: 0 } });
  });

  it('read-only mode refuses every write tool before any vendor call', async () => {
    const client = await connect({ readOnly: true, enableWrites: true });
    await call(client, 'list_license_subscriptions', { company: PAX8_CUSTOMER, license: LICENSE });
    const before = vendorRequests();
    for (const [name, args] of [
      ['add_seats', { count: 1 }],
      ['remove_seats', { count: 1 }],
      ['cancel_subscription', {}],
    ] as const) {
      const r = await call(client, name, { customer: PAX8_CUSTOMER, subscriptionId: MONTHLY, ifCurrent: 20, ...args });
      expect(r.isError).toBe(true);
      expect(error(r)).toMatchObject({ kind: 'read-only', hint: expect.any(String) });
    }
    expect(vendorRequests()).toBe(before);
    expect(audits.map((a) => a.outcome)).toEqual(['refused', 'refused', 'refused']);
  });

  it('refuses a subscription that no listing of this session returned', async () => {
    const client = await connect({ enableWrites: true });
    const r = await call(client, 'add_seats', {
      customer: PAX8_CUSTOMER,
      subscriptionId: MONTHLY,
      count: 1,
      ifCurrent: 20,
    });
    expect(error(r)).toMatchObject({ kind: 'validation', hint: expect.stringMatching(/list_license_subscriptions/) });
    expect(vendorRequests()).toBe(0);
  });
});

describe('bad tool input', () => {
  it('is a validation error naming every problem, and nothing reaches a vendor', async () => {
    const client = await connect({ enableWrites: true });
    const cases: [string, Record<string, unknown>, RegExp][] = [
      [
        'add_seats',
        { customer: PAX8_CUSTOMER, subscriptionId: MONTHLY, count: 0, ifCurrent: 20 },
        /count: must be at least 1/,
      ],
      ['add_seats', { customer: PAX8_CUSTOMER, subscriptionId: MONTHLY, count: 1 }, /ifCurrent/],
      ['add_seats', { customer: PAX8_CUSTOMER, subscriptionId: MONTHLY, count: 1.5, ifCurrent: 20 }, /whole number/],
      ['remove_seats', { customer: PAX8_CUSTOMER, subscriptionId: '', count: 1, ifCurrent: 20 }, /subscriptionId/],
      [
        'add_seats',
        { customer: PAX8_CUSTOMER, subscriptionId: MONTHLY, quantity: 3, ifCurrent: 20, count: 1 },
        /quantity/,
      ],
      [
        'cancel_subscription',
        { customer: PAX8_CUSTOMER, subscriptionId: MONTHLY, ifCurrent: 20, effectiveDate: 'soon' },
        /effectiveDate/,
      ],
      ['list_license_subscriptions', { company: 'PAX8:not-a-uuid', license: LICENSE }, /not a UUID/],
      ['list_license_subscriptions', { company: 'ACME:1', license: LICENSE }, /unknown marketplace prefix/],
      ['select_subscription', { company: PAX8_CUSTOMER, license: LICENSE, purpose: 'buy' }, /purpose/],
      ['add_seats', { customer: 'PAX8', subscriptionId: MONTHLY, count: 1, ifCurrent: 20 }, /PREFIX:id/],
    ];
    for (const [name, args, pattern] of cases) {
      const r = await call(client, name, args);
      expect(r.isError, `${name} ${JSON.stringify(args)}`).toBe(true);
      const e = error(r);
      expect(e.kind).toBe('validation');
      expect(String(e.message)).toMatch(pattern);
      expect(JSON.stringify(r)).not.toMatch(/\bat .*\.ts:\d+/); // never a stack
    }
    expect(vendorRequests()).toBe(0);
  });

  it('an unknown tool is a clear error', async () => {
    const client = await connect();
    const r = await call(client, 'purchase', {});
    expect(error(r)).toMatchObject({ kind: 'validation', hint: expect.stringMatching(/add_seats/) });
  });
});

describe('other tools', () => {
  it('list_companies, verify_connection', async () => {
    const client = await connect();
    const companies = await call(client, 'list_companies', { search: 'contoso' });
    expect(companies.structuredContent).toMatchObject({
      companies: expect.arrayContaining([
        expect.objectContaining({ name: 'Contoso Ltd', marketplaceId: PAX8_CUSTOMER }),
        expect.objectContaining({ marketplaceId: `SHERWEB:${SHERWEB_SEED_IDS.contoso}` }),
      ]),
      truncated: false,
      failures: [],
    });
    const verify = await call(client, 'verify_connection', {});
    expect(verify.structuredContent).toMatchObject({
      providers: [
        expect.objectContaining({ provider: 'pax8', ok: true }),
        expect.objectContaining({ provider: 'sherweb', ok: true }),
      ],
      mode: 'dry-run (writes disabled)',
    });
  });

  it('seat_drift: baseline, then the change this server made and one made elsewhere', async () => {
    const client = await connect({ enableWrites: true });
    const first = await call(client, 'seat_drift', { company: PAX8_CUSTOMER });
    expect(first.structuredContent).toMatchObject({ baselineNew: true });
    await call(client, 'add_seats', { customer: PAX8_CUSTOMER, subscriptionId: MONTHLY, count: 2, ifCurrent: 20 });
    mock.pax8.state.subscriptions.get(ANNUAL)!.quantity = 75; // changed in the vendor portal
    const drift = await call(client, 'seat_drift', { company: PAX8_CUSTOMER });
    expect(drift.isError).toBeFalsy();
    const changes = (drift.structuredContent as { seatChanges: { subscriptionId: string }[] }).seatChanges;
    expect(changes).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ subscriptionId: MONTHLY, before: 20, after: 22, delta: 2, byThisServer: 2 }),
        expect.objectContaining({ subscriptionId: ANNUAL, before: 80, after: 75, delta: -5, byThisServer: 0 }),
      ]),
    );
    expect(changes).toHaveLength(2);
  });
});

describe('tools added to the returned server', () => {
  const OUR_TOOLS = 16;
  const text = (r: CallToolResult) => (r.content[0] as { text: string }).text;

  it('registerTool before connect: listed and callable, beside our tools', async () => {
    const { client } = await connectServer({}, (server) => {
      server.registerTool(
        'ticket_note',
        {
          title: 'Ticket note',
          description: 'Adds a note to a PSA ticket',
          inputSchema: { ticket: z.string().min(1), note: z.string() },
          annotations: { readOnlyHint: false },
        },
        async ({ ticket, note }) => ({
          content: [{ type: 'text', text: `noted on ${ticket}: ${note}` }],
          structuredContent: { ticket, note },
        }),
      );
    });
    const { tools } = await client.listTools();
    expect(tools).toHaveLength(OUR_TOOLS + 1);
    expect(tools.find((t) => t.name === 'ticket_note')).toMatchObject({
      title: 'Ticket note',
      inputSchema: { type: 'object', required: ['ticket', 'note'] },
    });
    const r = await call(client, 'ticket_note', { ticket: 'T-42', note: 'added 2 seats' });
    expect(r.isError).toBeFalsy();
    expect(text(r)).toBe('noted on T-42: added 2 seats');
    expect(r.structuredContent).toEqual({ ticket: 'T-42', note: 'added 2 seats' });
    // Its input is checked by the MCP SDK against its own schema before its callback runs.
    const bad = await call(client, 'ticket_note', { ticket: '', note: 'x' });
    expect(bad.isError).toBe(true);
    expect(text(bad)).toMatch(/ticket/);
    // Our tools are unaffected, and nothing of the custom tool reached a vendor or the audit.
    const ours = await call(client, 'add_seats', { customer: PAX8_CUSTOMER, subscriptionId: MONTHLY, count: 0 });
    expect(error(ours)).toMatchObject({ kind: 'validation' });
    expect(vendorRequests()).toBe(0);
    expect(audits).toEqual([]);
  });

  it('tool() after connect: the client is told the list changed, then it is listed and callable', async () => {
    const { client, server } = await connectServer();
    let changed = 0;
    client.setNotificationHandler(ToolListChangedNotificationSchema, () => {
      changed++;
    });
    expect((await client.listTools()).tools).toHaveLength(OUR_TOOLS);
    const tool = server.tool('echo', 'Echoes its input', { say: z.string() }, async ({ say }) => ({
      content: [{ type: 'text', text: say }],
    }));
    await vi.waitFor(() => expect(changed).toBeGreaterThan(0));
    expect((await client.listTools()).tools.map((t) => t.name)).toContain('echo');
    expect(text(await call(client, 'echo', { say: 'hello' }))).toBe('hello');
    // The SDK's tool controls work on it.
    tool.disable();
    expect((await client.listTools()).tools.map((t) => t.name)).not.toContain('echo');
    expect((await call(client, 'echo', { say: 'hello' })).isError).toBe(true);
    tool.enable();
    expect(text(await call(client, 'echo', { say: 'again' }))).toBe('again');
    tool.remove();
    expect((await client.listTools()).tools).toHaveLength(OUR_TOOLS);
    const gone = await call(client, 'echo', { say: 'hello' });
    expect(gone.isError).toBe(true);
  });

  it('a custom tool that throws is an error result, not a crash', async () => {
    const { client } = await connectServer({}, (server) => {
      server.registerTool('boom', { description: 'Always fails' }, async () => {
        throw new Error('kaboom');
      });
    });
    const r = await call(client, 'boom', {});
    expect(r.isError).toBe(true);
    expect(text(r)).toMatch(/kaboom/);
    expect(text(await call(client, 'list_companies', { search: 'contoso' }))).toMatch(/companies/);
  });

  it('our tools cannot be replaced: registering one of their names throws', async () => {
    await connectServer({}, (server) => {
      for (const name of ['add_seats', 'remove_seats', 'cancel_subscription', 'list_license_subscriptions']) {
        expect(() => server.registerTool(name, { description: 'unsafe' }, async () => ({ content: [] }))).toThrow(
          /already registered/,
        );
      }
    });
  });

  it('the rails still hold for our tools with a custom tool registered', async () => {
    const { client } = await connectServer({ maxSeatsPerSession: 3 }, (server) => {
      server.registerTool('noop', { description: 'Does nothing' }, async () => ({ content: [] }));
    });
    // Only subscriptions a listing returned.
    const unlisted = await call(client, 'add_seats', {
      customer: PAX8_CUSTOMER,
      subscriptionId: MONTHLY,
      count: 1,
      ifCurrent: 20,
    });
    expect(error(unlisted)).toMatchObject({ kind: 'validation', hint: expect.stringMatching(/list_license/) });
    await call(client, 'list_license_subscriptions', { company: PAX8_CUSTOMER, license: LICENSE });
    // ifCurrent required.
    const noIfCurrent = await call(client, 'add_seats', { customer: PAX8_CUSTOMER, subscriptionId: MONTHLY, count: 1 });
    expect(error(noIfCurrent)).toMatchObject({ kind: 'validation', message: expect.stringMatching(/ifCurrent/) });
    // Dry run by default, audited.
    const dry = await call(client, 'add_seats', {
      customer: PAX8_CUSTOMER,
      subscriptionId: MONTHLY,
      count: 1,
      ifCurrent: 20,
    });
    expect(dry.structuredContent).toMatchObject({ outcome: 'dry-run', dryRun: true });
    // Seat cap.
    const capped = await call(client, 'add_seats', {
      customer: PAX8_CUSTOMER,
      subscriptionId: MONTHLY,
      count: 4,
      ifCurrent: 20,
    });
    expect(error(capped)).toMatchObject({ code: 'SESSION_SEAT_CAP' });
    expect(pax8Writes()).toEqual([]);
    expect(audits.map((a) => [a.tool, a.outcome])).toEqual([
      ['add_seats', 'refused'],
      ['add_seats', 'dry-run'],
      ['add_seats', 'refused'],
    ]);
    // An unknown tool is still a typed validation error naming the tools, custom ones included.
    const unknown = await call(client, 'purchase', {});
    expect(error(unknown)).toMatchObject({ kind: 'validation', hint: expect.stringMatching(/add_seats.*noop/) });
  });

  it('read-only mode still refuses our write tools with a custom tool registered', async () => {
    const { client } = await connectServer({ readOnly: true, enableWrites: true }, (server) => {
      server.registerTool('noop', { description: 'Does nothing' }, async () => ({ content: [] }));
    });
    await call(client, 'list_license_subscriptions', { company: PAX8_CUSTOMER, license: LICENSE });
    const r = await call(client, 'add_seats', {
      customer: PAX8_CUSTOMER,
      subscriptionId: MONTHLY,
      count: 1,
      ifCurrent: 20,
    });
    expect(error(r)).toMatchObject({ kind: 'read-only' });
    expect(audits.map((a) => a.outcome)).toEqual(['refused']);
  });
});
