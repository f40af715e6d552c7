/**
 * Issue 16, targeting through the MCP tool and the CLI: both expose the commitment requirement, and their
 * descriptions tell an agent how to say "always the monthly subscription" (commitment P1M, not billed monthly).
 */
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMarketplaceClient } from '../../src/create-client.js';
import { createMarketplaceMcpServer } from '../../src/mcp/index.js';
import { DANDH_SEED_IDS, PAX8_SEED_IDS, createMockMarketplace } from '../../src/testing/index.js';
import { run } from '../cli/helpers.js';

const DANDH = `D_AND_H:${DANDH_SEED_IDS.contoso}`;
const PAX8 = `PAX8:${PAX8_SEED_IDS.contoso}`;
const BP = 'Microsoft 365 Business Premium';

describe('select_subscription (MCP)', () => {
  const mock = createMockMarketplace();
  let client: Client;
  beforeAll(async () => {
    mock.start();
    const server = createMarketplaceMcpServer({
      marketplaces: [
        createMarketplaceClient({ provider: 'dandh', ...mock.clientOptions('dandh'), rateLimit: false }),
        createMarketplaceClient({ provider: 'pax8', ...mock.clientOptions('pax8'), rateLimit: false }),
      ],
    });
    const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
    await server.connect(serverSide);
    client = new Client({ name: 'targeting-test', version: '1.0.0' });
    await client.connect(clientSide);
  });
  afterAll(async () => {
    await client.close();
    mock.stop();
  });
  const call = async (args: Record<string, unknown>) =>
    (await client.callTool({ name: 'select_subscription', arguments: args })) as CallToolResult;

  it('its description says how to write "always the monthly subscription"', async () => {
    const { tools } = await client.listTools();
    const tool = tools.find((t) => t.name === 'select_subscription')!;
    expect(tool.description).toMatch(/"always the monthly subscription" pass require: \{ commitmentTerm: "P1M" \}/);
    expect(tool.description).toMatch(/Do NOT use billingTerm "monthly"/);
    const schema = JSON.stringify(tool.inputSchema);
    expect(schema).toContain('commitmentTerm');
    expect(schema).not.toMatch(/"monthly","annual","shortest-commitment"/); // the ambiguous names are gone
  });

  it('require commitment P1M picks the P1M one on D&H although the P1Y one is billed monthly', async () => {
    const r = await call({ company: DANDH, license: BP, purpose: 'add', require: { commitmentTerm: 'P1M' } });
    expect(r.isError).toBeFalsy();
    expect(r.structuredContent).toMatchObject({
      choice: { subscriptionId: String(DANDH_SEED_IDS.contosoBusinessPremiumMonthly), commitmentTerm: 'P1M' },
      warnings: [],
      next: { tool: 'add_seats' },
    });
  });

  it('only an annual Exchange subscription: a conflict naming it; without the requirement a warning', async () => {
    const license = 'Exchange Online (Plan 1)';
    const r = await call({ company: PAX8, license, purpose: 'add', require: { commitmentTerm: 'P1M' } });
    expect(r.isError).toBe(true);
    const error = (r.structuredContent as { error: Record<string, unknown> }).error;
    expect(error.kind).toBe('conflict');
    expect(String(error.message)).toMatch(
      /what exists: Exchange Online \(Plan 1\) \(pax8 .*commitment P1Y, 15 seats\)/,
    );
    const warned = await call({ company: PAX8, license, purpose: 'add' });
    const w = (warned.structuredContent as { warnings: Record<string, unknown>[] }).warnings;
    expect(w).toEqual([expect.objectContaining({ code: 'long-commitment', commitmentTerm: 'P1Y' })]);
    expect(w[0]!.nextRemovableAt).toMatch(/^\d{4}-\d{2}-\d{2}T/);
    const text = (warned.content as { type: string; text: string }[])[0]!.text;
    expect(text).toMatch(/WARNING: Seats added to Exchange Online \(Plan 1\).* committed for P1Y/);
  });

  it('refuses the ambiguous preference name "monthly" and unknown requirement keys', async () => {
    const a = await call({ company: PAX8, license: BP, purpose: 'add', prefer: ['monthly'] });
    expect(a.isError).toBe(true);
    const b = await call({ company: PAX8, license: BP, purpose: 'add', require: { commitment: 'P1M' } });
    expect(b.isError).toBe(true);
  });
});

describe('msp-marketplace subscriptions select (CLI)', () => {
  it('--require-commitment P1M picks the monthly commitment; a conflict exits 3 naming what exists', async () => {
    const ok = await run([
      '--mock',
      '-c',
      DANDH,
      '--json',
      'subscriptions',
      'select',
      '--license',
      BP,
      '--require-commitment',
      'P1M',
    ]);
    expect(ok.code).toBe(0);
    const out = JSON.parse(ok.stdout) as { subscription: { id: string; commitment: { term: string } }; warnings: [] };
    expect(out.subscription.id).toBe(String(DANDH_SEED_IDS.contosoBusinessPremiumMonthly));
    expect(out.warnings).toEqual([]);
    const conflict = await run([
      '--mock',
      '-c',
      PAX8,
      'subscriptions',
      'select',
      '--license',
      'Exchange Online (Plan 1)',
      '--require-commitment',
      'P1M',
    ]);
    expect(conflict.code).toBe(3);
    expect(conflict.stderr).toMatch(/conflict.*what exists: Exchange Online \(Plan 1\)/);
    const warned = await run([
      '--mock',
      '-q',
      '-c',
      PAX8,
      'subscriptions',
      'select',
      '--license',
      'Exchange Online (Plan 1)',
    ]);
    expect(warned.code).toBe(0);
    expect(warned.stderr).toMatch(/^WARNING: Seats added to Exchange Online \(Plan 1\).*not before \d{4}-\d{2}-\d{2}/m);
  });

  it('explains the monthly rule in its help and refuses "monthly" as a preference name', async () => {
    const help = await run(['subscriptions', 'select', '--help']);
    expect(help.stdout).toContain('--require-commitment P1M');
    const bad = await run(['--mock', '-c', PAX8, 'subscriptions', 'select', '--license', BP, '--prefer', 'monthly']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/ambiguous/);
  });
});
