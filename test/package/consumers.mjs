#!/usr/bin/env node
/**
 * The package as users get it: `npm pack` of the built dist/, its contents checked, then the tarball installed
 * into two throwaway projects under the OS temp dir, one ESM (`"type": "module"`, `import`) and one CommonJS
 * (`require`), each calling the Pax8 client against the fake from `msp-marketplace-sdk/testing`, type-checked
 * with `moduleResolution: nodenext`, and running the `msp-marketplace` bin on the fakes.
 *
 * Needs `npm run build` first (`npm run check:package` does both). Network: the npm registry only, for the
 * tarball's dependencies (`--prefer-offline`: the local npm cache is used when it has them).
 * Runs under whichever `node` starts it (.ci/run starts it on Node 20; any 20+ works).
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const root = resolve(import.meta.dirname, '../..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const started = Date.now();
const failures = [];
const step = (msg) => console.log(`[package] ${((Date.now() - started) / 1000).toFixed(1)}s ${msg}`);
const check = (ok, msg) => {
  if (!ok) failures.push(msg);
  console.log(`  ${ok ? 'ok  ' : 'FAIL'} ${msg}`);
};

if (!existsSync(join(root, 'dist', 'index.js'))) {
  console.error('dist/ is missing: run `npm run build` first (or `npm run check:package`).');
  process.exit(2);
}

const work = mkdtempSync(join(tmpdir(), 'msp-package-'));
try {
  // ---- 1. pack and check the contents --------------------------------------------------------------------
  step('npm pack');
  const { stdout: packOut } = await run(npm, ['pack', '--json', '--pack-destination', work], {
    cwd: root,
    maxBuffer: 64 * 1024 * 1024,
  });
  const [packed] = JSON.parse(packOut);
  const files = packed.files.map((f) => f.path);
  const tarball = join(work, packed.filename);
  step(`${packed.filename}: ${files.length} files, ${(packed.size / 1024).toFixed(0)} kB packed`);

  const forbidden = [
    [/(^|\/)(test|tests|__tests__|fixtures?|__fixtures__|coverage|bench)\//, 'test, fixture, coverage or bench folder'],
    [/\.(test|spec)\.[cm]?[jt]sx?$/, 'test file'],
    [/\.map$/, 'source map'],
    [/^src\//, 'TypeScript source'],
    [/^docs\/api\//, 'generated API reference (docs/api)'],
    [/^(examples|specs|scripts|generated|\.ci|\.changeset)\//, 'repository-only folder'],
    [/(^|\/)\.env/, '.env file'],
    [/\.tgz$/, 'tarball'],
  ];
  for (const [pattern, what] of forbidden) {
    const hits = files.filter((f) => pattern.test(f));
    check(hits.length === 0, `no ${what} in the tarball${hits.length ? `: ${hits.slice(0, 5).join(', ')}` : ''}`);
  }
  const targets = new Set(['package.json', 'README.md', 'CHANGELOG.md', 'LICENSE']);
  for (const value of [pkg.main, pkg.module, pkg.types, ...Object.values(pkg.bin ?? {})]) targets.add(value);
  for (const entry of Object.values(pkg.exports)) {
    if (typeof entry === 'string') targets.add(entry);
    else for (const cond of Object.values(entry)) for (const file of Object.values(cond)) targets.add(file);
  }
  for (const target of targets) {
    const path = target.replace(/^\.\//, '');
    check(files.includes(path), `tarball has ${path}`);
  }

  // ---- 2. two consumer projects ----------------------------------------------------------------------------
  const mswVersion = JSON.parse(readFileSync(join(root, 'node_modules', 'msw', 'package.json'), 'utf8')).version;
  let company = '';

  // The same program for both module systems; only how it loads the package differs. It runs inside an async
  // function, which works under `require` (no top-level await) and under `import` alike.
  const program = `
async function main() {
  const mock = createMockMarketplace();
  mock.start();
  try {
    const pax8 = createPax8Client(mock.clientOptions('pax8'));
    const viaRoot = createMarketplaceClient({ provider: 'pax8', ...mock.clientOptions('pax8') });
    const report = await pax8.verifyConnection();
    const customer = await pax8.getCustomer(PAX8_SEED_IDS.contoso);
    const subs = await pax8.listSubscriptions({ customerId: customer.id, status: 'active' }).toArray({ limit: Infinity });
    const target = subs.find((s) => s.billingTerm === 'monthly');
    const change = await pax8.addSeats({ customerId: customer.id, subscriptionId: target.id }, 1, { ifCurrent: target.quantity });
    let errorKind = 'none';
    try {
      await viaRoot.getCustomer('00000000-0000-4000-8000-000000000000');
    } catch (e) {
      errorKind = e instanceof MarketplaceError ? e.kind : 'not a MarketplaceError: ' + String(e);
    }
    console.log(JSON.stringify({
      ok: report.ok ?? true,
      customer: customer.name,
      company: customer.id,
      subscriptions: subs.length,
      seats: [change.before, change.after],
      errorKind,
      selectSubscription: typeof selectSubscription,
    }));
  } finally {
    mock.stop();
  }
}
main().catch((e) => { console.error(e); process.exit(1); });
`;
  const esm = `
import { MarketplaceError, createMarketplaceClient } from 'msp-marketplace-sdk';
import { createPax8Client } from 'msp-marketplace-sdk/pax8';
import { PAX8_SEED_IDS, createMockMarketplace } from 'msp-marketplace-sdk/testing';
import { selectSubscription } from 'msp-marketplace-sdk/workflows';
${program}`;
  const cjs = `
const { MarketplaceError, createMarketplaceClient } = require('msp-marketplace-sdk');
const { createPax8Client } = require('msp-marketplace-sdk/pax8');
const { PAX8_SEED_IDS, createMockMarketplace } = require('msp-marketplace-sdk/testing');
const { selectSubscription } = require('msp-marketplace-sdk/workflows');
${program}`;
  // Type-checked as a consumer compiles it (nodenext: the "import" / "require" conditions and their .d.ts / .d.cts).
  const typed = (imp) => `
${imp}
const mock = createMockMarketplace();
const client: Pax8Client = createPax8Client(mock.clientOptions('pax8'));
const root = createMarketplaceClient({ provider: 'pax8', ...mock.clientOptions('pax8') });
export async function seats(): Promise<number> {
  const s = await client.getSubscription({ customerId: PAX8_SEED_IDS.contoso, subscriptionId: 'x' });
  const kind: ErrorKind = 'not-found';
  return s.quantity + kind.length + (root.capabilities.purchase ? 1 : 0);
}
`;
  const typedImports = `import { createMarketplaceClient, type ErrorKind } from 'msp-marketplace-sdk';
import { createPax8Client, type Pax8Client } from 'msp-marketplace-sdk/pax8';
import { PAX8_SEED_IDS, createMockMarketplace } from 'msp-marketplace-sdk/testing';`;
  const projects = [
    { name: 'esm', type: 'module', main: 'main.js', code: esm, typedFile: 'typed.mts' },
    { name: 'cjs', type: 'commonjs', main: 'main.js', code: cjs, typedFile: 'typed.cts' },
  ];
  for (const p of projects) {
    const dir = join(work, p.name);
    mkdirSync(dir);
    p.dir = dir;
    writeFileSync(
      join(dir, 'package.json'),
      JSON.stringify({ name: `consumer-${p.name}`, private: true, version: '0.0.0', type: p.type }, null, 2),
    );
    writeFileSync(join(dir, p.main), p.code);
    writeFileSync(join(dir, p.typedFile), typed(typedImports));
  }

  step(`npm install the tarball (+ msw@${mswVersion}) into ESM and CJS projects`);
  await Promise.all(
    projects.map((p) =>
      run(
        npm,
        [
          'install',
          '--prefer-offline',
          '--no-audit',
          '--no-fund',
          '--no-package-lock',
          '--loglevel=error',
          tarball,
          `msw@${mswVersion}`,
        ],
        { cwd: p.dir, maxBuffer: 64 * 1024 * 1024 },
      ),
    ),
  );

  // ---- 3. run them --------------------------------------------------------------------------------------
  for (const p of projects) {
    step(`${p.name}: node ${p.main} (${process.version})`);
    const { stdout } = await run(process.execPath, [p.main], { cwd: p.dir, timeout: 60_000 });
    const out = JSON.parse(stdout.trim().split('\n').pop());
    company = out.company;
    check(out.customer.length > 0, `${p.name}: getCustomer -> ${out.customer}`);
    check(out.subscriptions > 0, `${p.name}: listSubscriptions -> ${out.subscriptions} active`);
    check(out.seats[1] === out.seats[0] + 1, `${p.name}: addSeats ${out.seats[0]} -> ${out.seats[1]}`);
    check(out.errorKind === 'not-found', `${p.name}: unknown customer -> MarketplaceError '${out.errorKind}'`);
    check(out.selectSubscription === 'function', `${p.name}: msp-marketplace-sdk/workflows loads`);
  }

  // A consumer bundling for a serverless function without the optional peer ioredis: the build must not fail on
  // the SDK's `import('ioredis')`, and the bundle must run.
  step('esbuild bundle of the Pax8 client in the ESM consumer (no ioredis installed)');
  check(!existsSync(join(projects[0].dir, 'node_modules', 'ioredis')), 'esm: ioredis is not installed');
  try {
    const { build } = await import('esbuild');
    const out = join(projects[0].dir, 'bundle.mjs');
    await build({
      stdin: {
        // Without `redis` the client works; with it, the missing peer is a ConfigurationError with a hint.
        contents: `import { createPax8Client } from 'msp-marketplace-sdk/pax8';
const credentials = { clientId: 'bundle-client', clientSecret: 'bundle-secret' };
createPax8Client({ credentials });
const ref = { customerId: 'c', subscriptionId: 's' };
const withRedis = createPax8Client({ credentials, redis: 'redis://127.0.0.1:9', baseUrl: 'http://127.0.0.1:9/v1' });
await withRedis.getSubscription(ref).then(
  () => console.log('no error'),
  (e) => console.log(e.kind + ': ' + e.hint),
);`,
        resolveDir: projects[0].dir,
        loader: 'js',
      },
      absWorkingDir: projects[0].dir,
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      outfile: out,
      logLevel: 'silent',
    });
    const { stdout } = await run(process.execPath, [out], { cwd: projects[0].dir, timeout: 60_000 });
    check(
      stdout.trim() === 'configuration: npm install ioredis',
      `esm: the bundle builds and runs; with \`redis\` set -> ${stdout.trim()}`,
    );
  } catch (e) {
    check(false, `esm: bundling the Pax8 client failed: ${e?.message ?? e}`);
  }

  // Gate: a consumer's usual settings (`tsc --init` sets skipLibCheck), and the same with the package's own .d.ts
  // checked too (skipLibCheck off): it catches a .d.ts importing an optional peer's types (ioredis is not installed).
  step('type-check both consumers (tsc --module nodenext --strict)');
  const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
  const tscArgs = [
    '--noEmit',
    '--strict',
    '--module',
    'nodenext',
    '--moduleResolution',
    'nodenext',
    '--target',
    'es2022',
  ];
  tscArgs.push('--types', 'node', '--typeRoots', join(root, 'node_modules', '@types'));
  for (const p of projects) {
    const dts = p.name === 'esm' ? '.d.ts' : '.d.cts';
    try {
      await run(process.execPath, [tsc, ...tscArgs, '--skipLibCheck', p.typedFile], { cwd: p.dir });
      check(true, `${p.name}: ${p.typedFile} type-checks against the packed ${dts}`);
    } catch (e) {
      check(false, `${p.name}: ${p.typedFile} type-check failed:\n${e.stdout}${e.stderr}`);
    }
    try {
      await run(process.execPath, [tsc, ...tscArgs, p.typedFile], { cwd: p.dir });
      check(true, `${p.name}: the packed ${dts} files type-check too (skipLibCheck off, no ioredis installed)`);
    } catch (e) {
      const first = `${e.stdout}${e.stderr}`.trim().split('\n').slice(0, 5).join('\n       ');
      check(false, `${p.name}: with skipLibCheck off the packed ${dts} files do not type-check:\n       ${first}`);
    }
  }

  step('the msp-marketplace bin from the installed package');
  const bin = join(projects[0].dir, 'node_modules', '.bin', 'msp-marketplace');
  const env = { PATH: process.env.PATH ?? '', HOME: work };
  const version = await run(bin, ['--version'], { cwd: work, env });
  check(version.stdout.trim() === pkg.version, `msp-marketplace --version -> ${version.stdout.trim()}`);
  const list = await run(bin, ['--mock', 'subscriptions', 'list', '--customer', `PAX8:${company}`, '--json'], {
    cwd: work,
    env,
  });
  check(list.stdout.includes(company), `msp-marketplace --mock subscriptions list --json lists company ${company}`);
} catch (e) {
  failures.push(String(e?.stack ?? e));
  console.error(e);
} finally {
  rmSync(work, { recursive: true, force: true });
}

step(failures.length ? `${failures.length} failure(s)` : 'all good');
process.exit(failures.length ? 1 : 0);
