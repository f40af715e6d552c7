/**
 * The CLI where users trip (issue #19): --json argument errors, several marketplace ids in --company, the purchase
 * prompt's details, config show masking, the msw hint, and, against the built bin as a plain subprocess (no
 * terminal): a closed stdout (EPIPE), SIGINT/SIGTERM during a sync (exit codes, the old -o file intact) and
 * `sync --resume`.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mswHint } from '../../src/cli/context.js';
import { PAX8_SEED_IDS, SHERWEB_SEED_IDS } from '../../src/testing/index.js';
import { type BuiltCli, buildCli } from './build-cli.js';
import { run } from './helpers.js';
import { startPax8LookAlike } from './pax8-lookalike.js';

const PAX8 = `PAX8:${PAX8_SEED_IDS.contoso}`;
const SHERWEB = `SHERWEB:${SHERWEB_SEED_IDS.contoso}`;
const MONTHLY = PAX8_SEED_IDS.subscriptions.contosoBusinessPremiumMonthly;

let dir: string;
let cli: BuiltCli;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'msp-cli-robust-'));
  cli = buildCli();
}, 60_000);
afterAll(() => {
  cli?.remove();
  rmSync(dir, { recursive: true, force: true });
});

describe('--json covers argument errors', () => {
  it.each([
    [['--json', 'customers', 'lst'], 'commander.unknownCommand'],
    [['--json', '--bogus', 'verify'], 'commander.unknownOption'],
    [['seats', 'add', '--json'], 'commander.missingArgument'],
    [['--json', 'purchase', '--mock'], 'commander.missingMandatoryOptionValue'],
    [['--json', 'seats'], 'commander.help'],
  ])('%j: one JSON error line on stderr, exit 2', async (argv, code) => {
    const r = await run(argv);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    const parsed = JSON.parse(lines[0]!) as { error: { kind: string; message: string; code: string; hint: string } };
    expect(parsed.error).toMatchObject({ kind: 'usage', code });
    expect(parsed.error.message.length).toBeGreaterThan(5);
  });

  it('without --json the error stays text with the usage hint, and `-- --json` is not the flag', async () => {
    const r = await run(['customers', 'lst']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error: unknown command 'lst'/);
    expect(r.stderr).toContain('run with --help');
    const after = await run(['drift', '--', '--json']);
    expect(after.stderr).not.toMatch(/^\{/);
  });
});

describe('--company with several marketplace ids', () => {
  it('read commands show every configured marketplace of the company', async () => {
    const r = await run(['--mock', '--json', 'subscriptions', 'list', '--company', `${PAX8};${SHERWEB}`]);
    expect(r.code).toBe(0);
    const subs = JSON.parse(r.stdout) as { provider: string; customerId: string }[];
    expect(new Set(subs.map((s) => s.provider))).toEqual(new Set(['pax8', 'sherweb']));
  });

  it('a write refuses (exit 2, nothing sent) and names both ids; --provider narrows it to one', async () => {
    const r = await run(['--mock', 'seats', 'add', MONTHLY, '1', '--company', `${PAX8};${SHERWEB}`, '--yes']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--company names 2 configured marketplaces');
    expect(r.stderr).toContain(PAX8);
    expect(r.stderr).toContain(SHERWEB);
    const one = await run([
      '--mock',
      '--provider',
      'pax8',
      '--json',
      'seats',
      'set',
      MONTHLY,
      '6',
      '--company',
      `${PAX8};${SHERWEB}`,
      '--dry-run',
    ]);
    expect(one.code).toBe(0);
  });
});

describe('the purchase prompt', () => {
  it('shows the product name, the terms and the price and cost from the listing', async () => {
    const r = await run(
      [
        '--mock',
        'purchase',
        '--company',
        PAX8,
        '--product',
        PAX8_SEED_IDS.products.businessPremium,
        '--quantity',
        '5',
        '--billing-term',
        'monthly',
        '--commitment-term',
        'P1Y',
      ],
      { answer: 'n\n' },
    );
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('Buy 5 x "Microsoft 365 Business Premium"');
    expect(r.stderr).toContain('billing monthly, commitment P1Y');
    expect(r.stderr).toMatch(/price \d+\.\d\d .* per seat, cost \d+\.\d\d .* per seat/);
    expect(r.stderr).toContain('Cancelled: nothing was changed.');
  });

  it('says so when the product or its price is unknown', async () => {
    const r = await run(
      [
        '--mock',
        'purchase',
        '--company',
        PAX8,
        '--product',
        '00000000-0000-4000-8000-000000000000',
        '--quantity',
        '1',
        '--billing-term',
        'monthly',
      ],
      { answer: 'n\n' },
    );
    expect(r.stderr).toContain('(name unknown: not found in the catalog)');
    expect(r.stderr).toContain('price: unknown');
  });
});

describe('config show', () => {
  it('masks secrets from the file and the environment (text and --json) and says where each came from', async () => {
    const file = join(dir, 'show.json');
    const secret = 'file-secret-value-do-not-print-1234';
    const envSecret = 'env-subscription-key-do-not-print-5678';
    writeFileSync(
      file,
      JSON.stringify({
        providers: { pax8: { clientId: 'pax8-client-id-abcdefgh', clientSecret: secret, baseUrl: 'https://x.test' } },
      }),
      { mode: 0o600 },
    );
    const env = {
      SHERWEB_CLIENT_ID: 'sherweb-client-id-1234',
      SHERWEB_CLIENT_SECRET: 'sherweb-secret-do-not-print-9999',
      SHERWEB_SUBSCRIPTION_KEY: envSecret,
    };
    for (const json of [false, true]) {
      const r = await run(['--config', file, ...(json ? ['--json'] : []), 'config', 'show'], { env });
      expect(r.code).toBe(0);
      const all = r.stdout + r.stderr;
      for (const s of [secret, envSecret, env.SHERWEB_CLIENT_SECRET, 'pax8-client-id-abcdefgh']) {
        expect(all).not.toContain(s);
      }
      expect(all).toContain('[REDACTED]');
      expect(all).toContain('https://x.test');
      if (!json) {
        expect(r.stdout).toMatch(/clientSecret\s+\[REDACTED\]\s+\(config: PAX8_CLIENT_SECRET\)/);
        expect(r.stdout).toMatch(/subscriptionKey\s+\[REDACTED\]\s+\(env: SHERWEB_SUBSCRIPTION_KEY\)/);
      }
    }
  });

  it('config init refuses without a terminal (exit 2) and writes nothing', async () => {
    const file = join(dir, 'init-none.json');
    const r = await run(['--config', file, 'config', 'init']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('stdin is not a terminal');
    expect(existsSync(file)).toBe(false);
  });
});

describe('--mock without msw', () => {
  it('the hint fits how the CLI was started (npx or a project install)', () => {
    expect(mswHint({ env: { npm_command: 'exec' } })).toContain(
      'npx -p msp-marketplace-sdk -p msw msp-marketplace --mock',
    );
    expect(mswHint({ env: {} })).toContain('npm install --save-dev msw');
  });

  it('--help says --mock needs msw', async () => {
    expect((await run(['--help'])).stdout).toContain('needs the optional msw package');
  });
});

interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

function start(args: string[], env: Record<string, string> = {}): { child: ChildProcess; done: Promise<Exit> } {
  const child = spawn(process.execPath, [cli.bin, ...args], {
    cwd: dir,
    env: { PATH: process.env.PATH ?? '', HOME: dir, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (c) => {
    stdout += c;
  });
  child.stdout?.on('error', () => {});
  child.stderr?.on('data', (c) => {
    stderr += c;
  });
  const done = new Promise<Exit>((resolve) =>
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })),
  );
  return { child, done };
}

/** Waits (bounded) until `n` customer lines are in a partial sync file: the records may trail the requests. */
async function customersWritten(partial: string, n: number): Promise<void> {
  for (let i = 0; i < 500; i += 1) {
    const text = existsSync(partial) ? readFileSync(partial, 'utf8') : '';
    if ((text.match(/"type":"customer"/g) ?? []).length >= n) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`${partial} never had ${n} customers`);
}

describe('the built bin as a subprocess (no terminal)', () => {
  it('a closed stdout (`| head -1`) ends quietly with exit 0', async () => {
    const { child, done } = start(['sync', '--mock', '-p', 'pax8']);
    // The reader is gone before the first line: every write hits EPIPE.
    child.stdout!.destroy();
    const r = await done;
    expect(r.stderr).not.toMatch(/EPIPE|Error:|\n\s+at /);
    expect(r.code).toBe(0);
  }, 30_000);

  it.each([
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const)(
    '%s during sync -o: exit %i, last week’s file intact, resume instructions',
    async (signal, code) => {
      const lookalike = await startPax8LookAlike({ companies: 4, hangSubscriptions: true });
      try {
        const out = join(dir, `week-${signal}.jsonl`);
        writeFileSync(out, 'last week\n');
        const { child, done } = start(['sync', '-o', out, '--provider', 'pax8'], {
          PAX8_CLIENT_ID: 'lookalike-client-id',
          PAX8_CLIENT_SECRET: 'lookalike-secret-do-not-print',
          PAX8_BASE_URL: lookalike.baseUrl,
        });
        await lookalike.hanging;
        await customersWritten(`${out}.partial`, 4);
        child.kill(signal);
        const r = await done;
        expect(r.code).toBe(code);
        expect(readFileSync(out, 'utf8')).toBe('last week\n');
        expect(r.stderr).toContain(`sync interrupted after 4 customers, 0 subscriptions: ${out} was not changed.`);
        expect(r.stderr).toContain(`continue with: msp-marketplace sync -o ${out} --resume --provider pax8`);
        expect(r.stderr).not.toContain('lookalike-secret-do-not-print');
        expect(readFileSync(`${out}.partial`, 'utf8').split('\n')[0]).toContain('"sync-started"');
      } finally {
        await lookalike.close();
      }
    },
    30_000,
  );

  it('sync --resume continues from the checkpoint and replaces the file only at the end', async () => {
    const out = join(dir, 'resume.jsonl');
    writeFileSync(out, 'last week\n');
    const env = { PAX8_CLIENT_ID: 'lookalike-client-id', PAX8_CLIENT_SECRET: 'lookalike-secret-do-not-print' };
    const hanging = await startPax8LookAlike({ companies: 4, hangSubscriptions: true });
    try {
      const first = start(['sync', '-o', out, '-p', 'pax8'], { ...env, PAX8_BASE_URL: hanging.baseUrl });
      await hanging.hanging;
      await customersWritten(`${out}.partial`, 4);
      first.child.kill('SIGINT');
      expect((await first.done).code).toBe(130);
    } finally {
      await hanging.close();
    }
    const header = JSON.parse(readFileSync(`${out}.partial`, 'utf8').split('\n')[0]!) as { startedAt: string };
    const answering = await startPax8LookAlike({ companies: 4 });
    try {
      const second = start(['sync', '-o', out, '-p', 'pax8', '--resume'], {
        ...env,
        PAX8_BASE_URL: answering.baseUrl,
      });
      const r = await second.done;
      expect(r.stderr).toContain('sync resumed and finished');
      expect(r.code).toBe(0);
    } finally {
      await answering.close();
    }
    const lines = readFileSync(out, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { type: string; startedAt?: string; customer?: { id: string } });
    expect(lines[0]).toMatchObject({ type: 'sync-started', startedAt: header.startedAt });
    expect(lines.at(-1)!.type).toBe('sync-finished');
    // Customers read before the interruption are kept, and not repeated.
    const ids = lines.filter((l) => l.type === 'customer').map((l) => l.customer!.id);
    expect(ids).toHaveLength(4);
    expect(new Set(ids).size).toBe(4);
    expect(existsSync(`${out}.partial`)).toBe(false);
    expect(existsSync(`${out}.checkpoint.json`)).toBe(false);
    // Nothing to resume any more: a usage error naming what to do.
    const again = start(['sync', '-o', out, '-p', 'pax8', '--resume'], { ...env, PAX8_BASE_URL: 'http://127.0.0.1:9' });
    const a = await again.done;
    expect(a.code).toBe(2);
    expect(a.stderr).toContain('Nothing to resume');
    expect(statSync(out).size).toBeGreaterThan(0);
  }, 30_000);
});
