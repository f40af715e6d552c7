/**
 * `msp-marketplace mcp --mock` as an agent runs it: a subprocess (the CLI source under tsx) spoken to over stdio
 * by the SDK's MCP client. The two-step flow on the embedded fakes, with writes off (the default) and on.
 */
import { resolve } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { describe, expect, it } from 'vitest';
import { GRAPH_SEED_IDS, PAX8_SEED_IDS } from '../../src/testing/index.js';

const root = resolve(import.meta.dirname, '../..');
const CUSTOMER = `PAX8:${PAX8_SEED_IDS.contoso}`;
const MONTHLY = PAX8_SEED_IDS.subscriptions.contosoBusinessPremiumMonthly;

async function start(args: string[]): Promise<{ client: Client; stderr: () => string }> {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: ['--import', 'tsx', 'src/cli/index.ts', 'mcp', '--mock', ...args],
    cwd: root,
    // No credentials: the default environment of the SDK keeps only PATH, HOME and the like.
    stderr: 'pipe',
  });
  let stderr = '';
  transport.stderr?.on('data', (d: Buffer) => {
    stderr += d.toString('utf8');
  });
  const client = new Client({ name: 'stdio-test', version: '1.0.0' });
  await client.connect(transport);
  return { client, stderr: () => stderr };
}

const call = async (client: Client, name: string, args: Record<string, unknown>) =>
  (await client.callTool({ name, arguments: args })) as CallToolResult;

describe('msp-marketplace mcp --mock over stdio', () => {
  it('reconciles against Graph: the command hands the server a Graph client per tenant (the embedded fake)', async () => {
    const s = await start(['-p', 'pax8']);
    try {
      const r = await call(s.client, 'reconcile_licenses', { company: CUSTOMER, tenant: GRAPH_SEED_IDS.contosoTenant });
      expect(r.isError).not.toBe(true);
      const licenses = (r.structuredContent as { licenses: { license: string; assigned: number | null }[] }).licenses;
      const bp = licenses.find((l) => l.license === 'Microsoft 365 Business Premium');
      // Known only when Graph answered: without a Graph client the assigned count is null.
      expect(bp?.assigned).toEqual(expect.any(Number));
    } finally {
      await s.client.close();
    }
  });

  it('lists, then adds seats to the monthly subscription: a dry run by default, applied with --enable-writes', async () => {
    const dry = await start([]);
    try {
      const listed = await call(dry.client, 'list_license_subscriptions', {
        company: CUSTOMER,
        license: 'Microsoft 365 Business Premium',
      });
      const subs = (
        listed.structuredContent as { subscriptions: { subscriptionId: string; billingTerm: string; seats: number }[] }
      ).subscriptions;
      const monthly = subs.find((s) => s.billingTerm === 'monthly')!;
      expect(monthly).toMatchObject({ subscriptionId: MONTHLY, seats: 20 });
      const r = await call(dry.client, 'add_seats', {
        customer: CUSTOMER,
        subscriptionId: monthly.subscriptionId,
        count: 2,
        ifCurrent: monthly.seats,
      });
      expect(r.structuredContent).toMatchObject({ outcome: 'dry-run', dryRun: true, before: 20, requested: 22 });
      const bad = await call(dry.client, 'add_seats', { customer: CUSTOMER, subscriptionId: MONTHLY, count: -1 });
      expect(bad.isError).toBe(true);
      expect(bad.structuredContent).toMatchObject({ error: { kind: 'validation' } });
    } finally {
      await dry.client.close();
    }
    expect(dry.stderr()).toMatch(
      /serving on stdio; providers pax8, dandh, ingram, sherweb, partner-center, td-synnex \(embedded fakes\); dry-run/,
    );
    const auditLines = dry
      .stderr()
      .split('\n')
      .filter((l) => l.startsWith('audit '));
    // One line per write that passed input validation (bad input never becomes a write).
    expect(auditLines.map((l) => JSON.parse(l.slice(6)))).toEqual([
      expect.objectContaining({ tool: 'add_seats', outcome: 'dry-run', before: 20, client: 'stdio-test/1.0.0' }),
    ]);

    const live = await start(['--enable-writes', '--max-seats-per-session', '5']);
    try {
      await call(live.client, 'list_license_subscriptions', {
        company: CUSTOMER,
        license: 'microsoft 365 business premium',
      });
      const r = await call(live.client, 'add_seats', {
        customer: CUSTOMER,
        subscriptionId: MONTHLY,
        count: 2,
        ifCurrent: 20,
      });
      expect(r.structuredContent).toMatchObject({
        outcome: 'applied',
        before: 20,
        after: 22,
        session: { seatsChanged: 2, maxSeatsPerSession: 5 },
      });
    } finally {
      await live.client.close();
    }
    expect(live.stderr()).toMatch(/WRITES ENABLED/);
    expect(live.stderr()).toMatch(/^audit .*"outcome":"applied".*"before":20,"after":22/m);
  }, 60_000);
});
