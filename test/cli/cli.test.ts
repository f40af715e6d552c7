import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PAX8_SEED_IDS, SHERWEB_SEED_IDS, createMockMarketplace } from '../../src/testing/index.js';
import { renderTable } from '../../src/cli/output.js';
import { CLI_PROVIDERS } from '../../src/cli/providers.js';
import { run } from './helpers.js';

const COMPANY = `PAX8:${PAX8_SEED_IDS.contoso}`;
const MONTHLY = PAX8_SEED_IDS.subscriptions.contosoBusinessPremiumMonthly;
const ANNUAL = PAX8_SEED_IDS.subscriptions.contosoBusinessPremiumAnnual;

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'msp-cli-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('read commands on the fakes', () => {
  it('verify shows every provider and exits 0', async () => {
    const r = await run(['--mock', 'verify']);
    expect(r.code).toBe(0);
    for (const p of ['pax8', 'ingram', 'sherweb']) expect(r.stdout).toMatch(new RegExp(`^${p}\\s+ok\\s+mock`, 'm'));
  });

  it('customers list --json is an array without vendor payloads (kept with --raw)', async () => {
    const r = await run(['customers', 'list', '--mock', '--json', '--provider', 'pax8']);
    expect(r.code).toBe(0);
    const rows = JSON.parse(r.stdout) as Record<string, unknown>[];
    expect(rows.length).toBeGreaterThan(10);
    expect(rows.every((c) => c.provider === 'pax8' && !('raw' in c))).toBe(true);
    const raw = JSON.parse((await run(['customers', 'list', '--mock', '--json', '-p', 'pax8', '--raw'])).stdout);
    expect(raw[0]).toHaveProperty('raw');
  });

  it('subscriptions list filters by customer, license and status', async () => {
    const r = await run([
      '--mock',
      '--json',
      'subscriptions',
      'list',
      '--customer',
      COMPANY,
      '--license',
      'business premium',
      '--status',
      'active',
    ]);
    expect(r.code).toBe(0);
    const subs = JSON.parse(r.stdout) as { id: string; name: string; status: string; customerId: string }[];
    expect(subs.map((s) => s.id).sort()).toEqual([ANNUAL, MONTHLY].sort());
    expect(subs.every((s) => s.customerId === PAX8_SEED_IDS.contoso && s.status === 'active')).toBe(true);
  });

  it('subscriptions list as a table, and a plain customer id with --provider', async () => {
    const r = await run(['--mock', '-p', 'pax8', 'subscriptions', 'list', '--customer', PAX8_SEED_IDS.contoso]);
    expect(r.code).toBe(0);
    expect(r.stdout.split('\n')[0]).toMatch(/^PROVIDER\s+CUSTOMER\s+SUBSCRIPTION\s+NAME/);
    expect(r.stdout).toContain(MONTHLY);
  });

  it('products list skips per-customer catalogs without a customer, and lists them with one', async () => {
    const all = await run(['--mock', 'products', 'list', '--search', 'basic']);
    expect(all.code).toBe(0);
    expect(all.stderr).toContain('sherweb: skipped');
    const sw = await run(['--mock', '--json', 'products', 'list', '--company', `SHERWEB:${SHERWEB_SEED_IDS.contoso}`]);
    expect(sw.code).toBe(0);
    expect((JSON.parse(sw.stdout) as { provider: string }[]).every((p) => p.provider === 'sherweb')).toBe(true);
  });
});

describe('usage errors exit 2', () => {
  it.each([
    [['--mock', 'subscriptions', 'list', '--status', 'bogus']],
    [['--mock', '--provider', 'nope', 'verify']],
    [['frobnicate']],
    [['--mock', 'subscriptions', 'list', '--customer', PAX8_SEED_IDS.contoso]],
    [['--mock', 'seats', 'add', MONTHLY, 'two', '--company', COMPANY, '--yes']],
    [['--mock', 'seats', 'add', MONTHLY, '1']],
    [['--mock', 'subscriptions', 'list', '--customer', 'PAX8:not-a-uuid']],
    [['verify']],
  ])('%j', async (argv) => {
    const r = await run(argv);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/error/);
  });

  it('help and version exit 0', async () => {
    const help = await run(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('PAX8_CLIENT_SECRET');
    expect((await run(['--version'])).code).toBe(0);
  });

  it('names the missing variable of a partly configured provider', async () => {
    const r = await run(['verify'], { env: { PAX8_CLIENT_ID: 'x' } });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('missing PAX8_CLIENT_SECRET');
  });
});

describe('writes', () => {
  it('refuses to prompt when stdin is not a terminal and --yes is absent', async () => {
    const r = await run(['--mock', 'seats', 'add', MONTHLY, '2', '--company', COMPANY]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('stdin is not a terminal');
    expect(r.stderr).toContain('--yes');
    expect(r.stdout).toBe('');
  });

  it('asks on a terminal: yes applies, no changes nothing', async () => {
    const yes = await run(['--mock', 'seats', 'add', MONTHLY, '2', '--company', COMPANY], { answer: 'y\n' });
    expect(yes.code).toBe(0);
    expect(yes.stderr).toMatch(/from 20 to 22 seats\? \[y\/N\]/);
    expect(yes.stdout).toMatch(/outcome:\s+applied/);
    expect(yes.stdout).toMatch(/after:\s+22/);
    const no = await run(['--mock', 'seats', 'set', MONTHLY, '5', '--company', COMPANY], { answer: 'n\n' });
    expect(no.code).toBe(0);
    expect(no.stderr).toContain('nothing was changed');
    expect(no.stdout).toBe('');
  });

  it('--dry-run needs no confirmation and changes nothing', async () => {
    const r = await run(['--mock', '--json', 'seats', 'set', MONTHLY, '25', '--company', COMPANY, '--dry-run']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ outcome: 'dry-run', before: 20, requested: 25 });
  });

  it('--if-current mismatch is a conflict (exit 3) with kind, message and hint', async () => {
    const r = await run(['--mock', 'seats', 'set', MONTHLY, '3', '--if-current', '4', '--company', COMPANY, '--yes']);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/^error \[conflict\] \(pax8, setSeats\): The subscription has 20 seats, not 4/);
    expect(r.stderr).toContain('hint:');
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('a vendor refusal exits 3, stack only with --debug', async () => {
    const args = ['--mock', 'seats', 'remove', ANNUAL, '5', '--company', COMPANY, '--yes'];
    const r = await run(args);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/error \[business-rule\]/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    const d = await run([...args, '--debug']);
    expect(d.stderr).toMatch(/\n\s+at /);
  });

  it('--json errors are one JSON line on stderr', async () => {
    const r = await run(['--mock', '--json', 'seats', 'remove', ANNUAL, '5', '--company', COMPANY, '--yes']);
    expect(r.code).toBe(3);
    expect(JSON.parse(r.stderr)).toMatchObject({ error: { kind: 'business-rule', provider: 'pax8' } });
  });

  it('purchase --dry-run and cancel --dry-run', async () => {
    const p = await run([
      '--mock',
      '--json',
      'purchase',
      '--company',
      COMPANY,
      '--product',
      PAX8_SEED_IDS.products.businessBasic,
      '--quantity',
      '5',
      '--billing-term',
      'monthly',
      '--dry-run',
    ]);
    expect(p.code).toBe(0);
    expect(JSON.parse(p.stdout)).toMatchObject({ outcome: 'dry-run', provider: 'pax8' });
    const c = await run(['--mock', 'cancel', MONTHLY, '--company', COMPANY, '--dry-run']);
    expect(c.code).toBe(0);
    expect(c.stdout).toMatch(/outcome:\s+dry-run/);
  });

  it('purchase without --yes off a terminal is refused', async () => {
    const p = await run([
      '--mock',
      'purchase',
      '--company',
      COMPANY,
      '--product',
      PAX8_SEED_IDS.products.businessBasic,
      '--quantity',
      '5',
      '--billing-term',
      'monthly',
    ]);
    expect(p.code).toBe(2);
  });
});

describe('credentials from the environment and the config file (against fakes in this process)', () => {
  const mock = createMockMarketplace();
  beforeAll(() => mock.start());
  afterAll(() => mock.stop());
  const pax8 = mock.clientOptions('pax8');
  const sherweb = mock.clientOptions('sherweb');
  const pax8Env = {
    PAX8_CLIENT_ID: pax8.credentials.clientId,
    PAX8_CLIENT_SECRET: pax8.credentials.clientSecret,
    PAX8_BASE_URL: pax8.baseUrl,
  };
  const badSherweb = {
    SHERWEB_CLIENT_ID: sherweb.credentials.clientId,
    SHERWEB_CLIENT_SECRET: 'wrong-secret-do-not-print-4711',
    SHERWEB_SUBSCRIPTION_KEY: sherweb.credentials.subscriptionKey,
  };

  it('uses environment variables', async () => {
    const r = await run(['verify'], { env: pax8Env });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^pax8\s+ok\s+env/m);
    expect(r.stdout).not.toContain(pax8.credentials.clientSecret);
  });

  it('verify with one provider refused exits 4 (partial), with a hint and no secret', async () => {
    const r = await run(['verify'], { env: { ...pax8Env, ...badSherweb } });
    expect(r.code).toBe(4);
    expect(r.stdout).toMatch(/^sherweb\s+FAILED \(authentication\)/m);
    expect(r.stderr).toMatch(/sherweb: error \[authentication\]/);
    expect(r.stderr).toContain('hint:');
    expect(r.stdout + r.stderr).not.toContain('wrong-secret-do-not-print-4711');
  });

  it('sync with a failed provider exits 4 and records the failure', async () => {
    const out = join(dir, 'partial.jsonl');
    const r = await run(['sync', '-o', out, '--quiet'], { env: { ...pax8Env, ...badSherweb } });
    expect(r.code).toBe(4);
    const lines = readFileSync(out, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines.find((l) => l.type === 'error')).toMatchObject({
      provider: 'sherweb',
      scope: 'provider',
      kind: 'authentication',
    });
    expect(lines.at(-1)).toMatchObject({
      type: 'sync-finished',
      providers: { pax8: { status: 'done' }, sherweb: { status: 'failed' } },
    });
    expect(readFileSync(out, 'utf8')).not.toContain('wrong-secret-do-not-print-4711');
  });

  it('reads a config file with mode 600 (env wins per field) and refuses one readable by others', async () => {
    const file = join(dir, 'config.json');
    writeFileSync(
      file,
      JSON.stringify({
        providers: {
          pax8: {
            clientId: pax8.credentials.clientId,
            clientSecret: pax8.credentials.clientSecret,
            baseUrl: pax8.baseUrl,
          },
        },
      }),
    );
    chmodSync(file, 0o644);
    const refused = await run(['--config', file, 'verify']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('accessible by group or others (mode 644)');
    expect(refused.stderr).toContain(`chmod 600 ${file}`);
    expect(refused.stderr).not.toContain(pax8.credentials.clientSecret);
    chmodSync(file, 0o600);
    const ok = await run(['--config', file, 'verify']);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/^pax8\s+ok\s+config/m);
    const mixed = await run(['--config', file, 'verify'], { env: { PAX8_CLIENT_SECRET: 'wrong' } });
    expect(mixed.code).toBe(3);
    expect(mixed.stdout).toMatch(/^pax8\s+FAILED \(authentication\)\s+env\+config/m);
  });

  it('finds the default config file under XDG_CONFIG_HOME, and rejects bad content without echoing it', async () => {
    const xdg = join(dir, 'xdg');
    const { mkdirSync } = await import('node:fs');
    mkdirSync(join(xdg, 'msp-marketplace'), { recursive: true });
    const file = join(xdg, 'msp-marketplace', 'config.json');
    writeFileSync(file, JSON.stringify({ providers: { pax8: { clientSecret: 'sekrit-value-1', nope: 'x' } } }), {
      mode: 0o600,
    });
    const r = await run(['verify'], { env: { XDG_CONFIG_HOME: xdg } });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('unknown setting "providers.pax8.nope"');
    expect(r.stderr).not.toContain('sekrit-value-1');
  });
});

describe('sync and drift', () => {
  it('sync shows plain progress lines off a terminal and a bar on one', async () => {
    const plain = await run(['--mock', '-p', 'pax8', 'sync', '-o', join(dir, 'a.jsonl')]);
    expect(plain.code).toBe(0);
    expect(plain.stderr).toContain('sync: pax8 started');
    expect(plain.stderr).toMatch(/sync: pax8 done \(61 customers/);
    const tty = await run(['--mock', '-p', 'pax8', 'sync', '-o', join(dir, 'b.jsonl')], { stderrTTY: true });
    expect(tty.code).toBe(0);
    expect(tty.stderr).toMatch(/sync \[.*\] 1\/1 providers \| pax8: 61 customers/);
    expect(tty.stderr).not.toContain('sync: pax8 started');
  });

  it('sync to stdout writes a header, records and a trailer', async () => {
    const r = await run(['--mock', '-p', 'ingram', 'sync', '-q']);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    const lines = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines[0]).toMatchObject({ type: 'sync-started', version: 1, providers: ['ingram'] });
    expect(lines.at(-1)).toMatchObject({ type: 'sync-finished', providers: { ingram: { status: 'done' } } });
    expect(lines.filter((l) => l.type === 'subscription').length).toBeGreaterThan(50);
  });

  it('drift reports seat changes, additions and removals between two sync files', async () => {
    const before = join(dir, 'before.jsonl');
    expect((await run(['--mock', '-p', 'pax8', 'sync', '-o', before, '-q'])).code).toBe(0);
    const lines = readFileSync(before, 'utf8').trim().split('\n');
    const edited = lines.flatMap((text) => {
      const l = JSON.parse(text);
      if (l.type !== 'subscription') return [text];
      if (l.subscription.id === MONTHLY) {
        l.subscription.quantity = 25;
        return [JSON.stringify(l)];
      }
      if (l.subscription.id === ANNUAL) return [];
      return [text];
    });
    const after = join(dir, 'after.jsonl');
    writeFileSync(after, `${edited.join('\n')}\n`);
    const r = await run(['--json', 'drift', before, after]);
    expect(r.code).toBe(0);
    const diff = JSON.parse(r.stdout);
    expect(diff.summary).toMatchObject({ added: 0, removed: 1, seatsAdded: 5 });
    expect(diff.removed[0].subscriptionId).toBe(ANNUAL);
    const table = await run(['drift', before, after]);
    expect(table.stdout).toMatch(/Seat changes\n/);
    expect(table.stdout).toMatch(/\+5/);
    // An interrupted sync (no trailer) reports no removals.
    const cut = join(dir, 'cut.jsonl');
    writeFileSync(cut, `${edited.slice(0, -1).join('\n')}\n`);
    const partial = await run(['--json', 'drift', before, cut]);
    expect(JSON.parse(partial.stdout).summary.removed).toBe(0);
    const human = await run(['drift', before, cut]);
    expect(human.stderr).toContain('has no sync-finished line');
  });

  it('drift refuses files that are not sync files', async () => {
    const bad = join(dir, 'bad.jsonl');
    writeFileSync(bad, '{"hello":1}\n');
    const r = await run(['drift', bad, bad]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('not a sync file');
  });
});

describe('building blocks', () => {
  it('renders tables with aligned columns and strips control characters', () => {
    const t = renderTable(
      [{ a: 'x\ny', n: 5 }],
      [
        { header: 'a', value: (r) => r.a },
        { header: 'num', value: (r) => r.n, align: 'right' },
      ],
    );
    expect(t).toBe('A    NUM\nx y    5\n');
  });

  it('every provider entry has a required field, unique env names and a factory', () => {
    const envs = CLI_PROVIDERS.flatMap((p) => p.fields.map((f) => f.env));
    expect(new Set(envs).size).toBe(envs.length);
    for (const p of CLI_PROVIDERS) {
      expect(p.fields.some((f) => f.required && f.secret)).toBe(true);
      expect(typeof p.create).toBe('function');
    }
  });
});
