/** The CLI commands of the reconciliation workflows, in-process on the embedded fakes (`--mock`). */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { GRAPH_SEED_IDS, PAX8_SEED_IDS } from '../../src/testing/index.js';
import { run } from '../cli/helpers.js';

const COMPANY = `PAX8:${PAX8_SEED_IDS.contoso};MICROSOFT_PARTNER_CENTER:${GRAPH_SEED_IDS.contosoTenant}`;

describe('reconcile / renewals / invoices / import-companies commands', () => {
  it('reconcile --json --plan: the licenses, the plan with its dry runs; --csv writes one row per subscription', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'h7-reconcile-'));
    const r = await run(
      ['--mock', '-p', 'pax8', '--company', COMPANY, '--json', 'reconcile', '--plan', '--csv', 'out.csv'],
      { cwd: dir },
    );
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    const bp = out.reconciliation.licenses.find((l: { label: string }) => l.label === 'Microsoft 365 Business Premium');
    expect([bp.bought, bp.assigned, bp.unused, bp.releasableNow]).toEqual([100, 98, 2, 2]);
    expect(bp.subscriptions[0].subscription).toBeUndefined();
    expect(out.plan.changes).toHaveLength(1);
    expect(out.plan.changes[0].check).toMatchObject({ ok: true, checkedBy: 'sdk' });
    const csv = readFileSync(join(dir, 'out.csv'), 'utf8').trim().split('\n');
    expect(csv[0]).toMatch(/^license,graphSku,/);
    expect(csv).toHaveLength(1 + 4);
  });

  it('reconcile --execute without --yes is a usage error and changes nothing', async () => {
    const r = await run(['--mock', '-p', 'pax8', '--company', COMPANY, 'reconcile', '--execute']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--yes/);
  });

  it('reconcile needs --company', async () => {
    const r = await run(['--mock', '-p', 'pax8', 'reconcile']);
    expect(r.code).toBe(2);
  });

  it('renewals: a table sorted by term end', async () => {
    const r = await run(['--mock', '-p', 'pax8', '--company', COMPANY, '--quiet', 'renewals']);
    expect(r.code).toBe(0);
    const dates = r.stdout
      .split('\n')
      .slice(1)
      .map((l) => l.slice(0, 10))
      .filter((d) => /^\d{4}-/.test(d));
    expect(dates.length).toBeGreaterThan(2);
    expect(dates).toEqual([...dates].sort());
  });

  it('invoices names the providers without the read and lists the others', async () => {
    const r = await run(['--mock', '-p', 'pax8,sherweb', '--json', 'invoices', '--limit', '2']);
    expect([0, 4]).toContain(r.code);
    expect(Array.isArray(JSON.parse(r.stdout))).toBe(true);
  });

  it('import-companies: good rows as JSON, bad rows by line, exit 4', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'h7-import-'));
    writeFileSync(
      join(dir, 'companies.csv'),
      `name,marketplace_ids\nContoso,"PAX8:${PAX8_SEED_IDS.contoso};SHERWEB:abc"\n"=cmd|' /C calc'!A0",FOO:1\n`,
    );
    const r = await run(['import-companies', 'companies.csv', '-o', 'companies.json'], { cwd: dir });
    expect(r.code).toBe(4);
    expect(r.stdout).toMatch(/line 3: skipped: unknown marketplace prefix "FOO"/);
    const saved = JSON.parse(readFileSync(join(dir, 'companies.json'), 'utf8'));
    expect(saved).toEqual([{ name: 'Contoso', id: null, marketplaceIds: `PAX8:${PAX8_SEED_IDS.contoso};SHERWEB:abc` }]);
  });
});
