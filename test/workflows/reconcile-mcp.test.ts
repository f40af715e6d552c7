/**
 * The reconciliation MCP tools through an MCP client (in-memory transport) on the embedded fakes: the reads, and
 * the Graph writes' rails (dry run by default, read-only refusal, the session's seat cap, one audit entry each).
 */
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createMarketplaceClient } from '../../src/create-client.js';
import { createGraphClient } from '../../src/graph/index.js';
import {
  type MarketplaceMcpServerOptions,
  type McpAuditEntry,
  createMarketplaceMcpServer,
} from '../../src/mcp/index.js';
import { GRAPH_SEED_IDS, type MockMarketplace, PAX8_SEED_IDS, createMockMarketplace } from '../../src/testing/index.js';

const COMPANY = `PAX8:${PAX8_SEED_IDS.contoso};MICROSOFT_PARTNER_CENTER:${GRAPH_SEED_IDS.contosoTenant}`;
const BP = GRAPH_SEED_IDS.skus.businessPremium;
const MEGAN = GRAPH_SEED_IDS.users.unlicensedWithUsageLocation;

let mock: MockMarketplace;
let audits: McpAuditEntry[];
let client: Client | undefined;

beforeEach(() => {
  mock = createMockMarketplace();
  mock.start();
  audits = [];
});
afterEach(async () => {
  await client?.close();
  client = undefined;
  mock.stop();
});

async function connect(options: Partial<MarketplaceMcpServerOptions> = {}): Promise<Client> {
  const common = { rateLimit: false as const };
  const server = createMarketplaceMcpServer({
    marketplaces: [createMarketplaceClient({ provider: 'pax8', ...common, ...mock.clientOptions('pax8') })],
    graph: createGraphClient({ ...common, ...mock.graphClientOptions() }),
    audit: (e) => audits.push(e),
    ...options,
  });
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  await server.connect(serverSide);
  client = new Client({ name: 'test-agent', version: '1.0.0' });
  await client.connect(clientSide);
  return client;
}

async function call(c: Client, name: string, args: Record<string, unknown>) {
  const r = (await c.callTool({ name, arguments: args })) as CallToolResult;
  // biome-ignore lint/suspicious/noExplicitAny: tool results are checked field by field
  return { r, s: r.structuredContent as Record<string, any> };
}

const megansLicenses = () =>
  mock.graph.state.tenants.get(GRAPH_SEED_IDS.contosoTenant)!.users.find((u) => u.id === MEGAN)!.assignedLicenses;

describe('reconciliation MCP tools', () => {
  it('reconcile_licenses and rightsizing_plan: read-only, the plan dry-run checked and pointing at remove_seats', async () => {
    const c = await connect();
    const { r, s } = await call(c, 'reconcile_licenses', { company: COMPANY, costPeriod: 'billing-period' });
    expect(r.isError).toBeFalsy();
    const bp = s.licenses.find((l: { graphSku: string }) => l.graphSku === 'SPB');
    expect([bp.bought, bp.assigned, bp.unused, bp.releasableNow]).toEqual([100, 98, 2, 2]);
    const plan = (await call(c, 'rightsizing_plan', { company: COMPANY })).s;
    expect(plan.changes).toHaveLength(1);
    expect(plan.changes[0].check).toMatchObject({ ok: true, checkedBy: 'sdk' });
    expect(plan.changes[0].next).toMatchObject({ tool: 'remove_seats', count: 2, ifCurrent: 20 });
    // The plan's next step goes through the seat tool's rails (a dry run here: writes are off).
    const { tool, ...next } = plan.changes[0].next;
    expect(tool).toBe('remove_seats');
    const rm = await call(c, 'remove_seats', next);
    expect(rm.r.isError, JSON.stringify(rm.r.content)).toBeFalsy();
    expect(rm.s.outcome).toBe('dry-run');
    const cal = (await call(c, 'renewal_calendar', { company: COMPANY })).s;
    expect(cal.entries.length).toBeGreaterThan(2);
  });

  it('assign_license is a dry run without --enable-writes: nothing assigned, one audit entry', async () => {
    const c = await connect();
    const { r, s } = await call(c, 'assign_license', { company: COMPANY, userId: MEGAN, skuId: BP });
    expect(r.isError).toBeFalsy();
    expect(s).toMatchObject({ outcome: 'dry-run', dryRun: true });
    expect(megansLicenses()).toEqual([]);
    expect(audits.map((a) => [a.tool, a.outcome, a.dryRun])).toEqual([['assign_license', 'dry-run', true]]);
  });

  it('with writes enabled it assigns, counts against the cap, and the cap refuses the next before any call', async () => {
    const c = await connect({ enableWrites: true, maxSeatsPerSession: 1 });
    const first = await call(c, 'assign_license', { company: COMPANY, userId: MEGAN, skuId: BP });
    expect(first.s.outcome).toBe('applied');
    expect(megansLicenses().map((l) => l.skuId)).toEqual([BP]);
    const second = await call(c, 'unassign_license', { company: COMPANY, userId: MEGAN, skuId: BP });
    expect(second.r.isError).toBe(true);
    expect(JSON.stringify(second.r.content)).toMatch(/cap/);
    expect(megansLicenses().map((l) => l.skuId)).toEqual([BP]);
  });

  it('read-only refuses the Graph writes and onboarding, dry runs included', async () => {
    const c = await connect({ readOnly: true });
    for (const [tool, extra] of [
      ['assign_license', {}],
      ['onboard_user', { license: 'Microsoft 365 Business Premium' }],
    ] as const) {
      const { r } = await call(c, tool, { company: COMPANY, userId: MEGAN, skuId: BP, dryRun: true, ...extra });
      expect(r.isError).toBe(true);
      expect(JSON.stringify(r.content)).toMatch(/read-only/);
    }
    expect(megansLicenses()).toEqual([]);
  });

  it('onboard_user dry run says what it would do and changes nothing', async () => {
    const c = await connect();
    const { s } = await call(c, 'onboard_user', {
      company: COMPANY,
      license: 'Microsoft 365 Business Premium',
      skuId: BP,
      userId: MEGAN,
    });
    expect(s).toMatchObject({ outcome: 'dry-run', plan: 'assign-free-seat', dryRun: true });
    expect(megansLicenses()).toEqual([]);
  });
});
