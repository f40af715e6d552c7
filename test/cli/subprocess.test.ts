/**
 * The built CLI as users run it: bundled with tsup (as `npm run build` would), started with `node` as a
 * subprocess, against the embedded fakes (`--mock`: no credentials, no network).
 */
import { execFile } from 'node:child_process';
import { accessSync, constants, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PAX8_SEED_IDS } from '../../src/testing/index.js';
import { buildCli } from './build-cli.js';

// Built inside the repository (node_modules/.cache) so the bundle resolves its dependencies from node_modules.
let bin = '';
const COMPANY = `PAX8:${PAX8_SEED_IDS.contoso}`;
let work: string;

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the built CLI with an environment holding no credentials; stdin is not a terminal. */
function cli(args: string[], env: Record<string, string> = {}): Promise<Result> {
  return new Promise((done) => {
    const child = execFile(
      process.execPath,
      [bin, ...args],
      { cwd: work, env: { PATH: process.env.PATH ?? '', HOME: work, ...env }, timeout: 30_000 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
        done({ code, stdout, stderr });
      },
    );
    child.stdin?.end();
  });
}

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'msp-cli-sub-'));
  bin = buildCli().bin;
}, 60_000);

afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

describe('the built msp-marketplace binary', () => {
  it('starts with a node shebang and is executable', () => {
    expect(readFileSync(bin, 'utf8').split('\n')[0]).toBe('#!/usr/bin/env node');
    expect(() => accessSync(bin, constants.X_OK)).not.toThrow();
  });

  it('--version and --help exit 0', async () => {
    expect((await cli(['--version'])).stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
    const help = await cli(['--help']);
    expect(help.code).toBe(0);
    for (const cmd of [
      'verify',
      'customers',
      'products',
      'subscriptions',
      'seats',
      'cancel',
      'purchase',
      'sync',
      'drift',
    ]) {
      expect(help.stdout).toContain(cmd);
    }
  });

  it('verify --mock exits 0', async () => {
    const r = await cli(['verify', '--mock']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^pax8\s+ok/m);
  });

  it('subscriptions list --json on the fakes', async () => {
    const r = await cli([
      'subscriptions',
      'list',
      '--mock',
      '--json',
      '--customer',
      COMPANY,
      '--license',
      'business premium',
    ]);
    expect(r.code).toBe(0);
    expect((JSON.parse(r.stdout) as unknown[]).length).toBe(2);
  });

  it('no credentials: usage error 2 with a hint', async () => {
    const r = await cli(['customers', 'list']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error \[usage\]: No provider is configured\n {2}hint: /);
  });

  it('a write without --yes and without a terminal exits 2; with --yes a refusal exits 3', async () => {
    const sub = PAX8_SEED_IDS.subscriptions.contosoBusinessPremiumAnnual;
    const refused = await cli(['seats', 'remove', sub, '5', '--mock', '--company', COMPANY]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('stdin is not a terminal');
    const vendor = await cli(['seats', 'remove', sub, '5', '--mock', '--company', COMPANY, '--yes']);
    expect(vendor.code).toBe(3);
    expect(vendor.stderr).toMatch(/error \[business-rule\]/);
    expect(vendor.stderr).toContain('hint:');
    expect(vendor.stderr).not.toMatch(/\n\s+at /);
  });

  it('sync to a file, then drift of the file with itself', async () => {
    const r = await cli(['sync', '--mock', '-o', 'week1.jsonl']);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('sync: sherweb done');
    const lines = readFileSync(join(work, 'week1.jsonl'), 'utf8').trim().split('\n');
    expect(JSON.parse(lines[0]!).type).toBe('sync-started');
    expect(JSON.parse(lines.at(-1)!).type).toBe('sync-finished');
    const d = await cli(['drift', 'week1.jsonl', 'week1.jsonl', '--json']);
    expect(d.code).toBe(0);
    // toMatchObject: the SDK's SnapshotDiff summary may gain fields (drift.ts); these must stay zero.
    expect(JSON.parse(d.stdout).summary).toMatchObject({
      added: 0,
      removed: 0,
      seatsAdded: 0,
      seatsRemoved: 0,
      statusChanges: 0,
    });
  });
});
