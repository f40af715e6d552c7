#!/usr/bin/env node
/**
 * The package as users get it: `npm pack` of the built dist/, its contents checked, then the tarball installed
 * into two throwaway projects under the OS temp dir, one ESM (`"type": "module"`, `import`) and one CommonJS
 * (`require`), each calling the Pax8 client against the fake from `msp-marketplace-sdk/testing`, type-checked
 * with `moduleResolution: nodenext`, and running the `msp-marketplace` bin on the fakes. The CommonJS project also
 * runs the same program with tsx from a `.cts` file and, when the registry is reachable, as a Jest 30 test (Jest is
 * installed into the throwaway project only); every package the CommonJS build `require`s must ship CommonJS.
 * An esbuild bundle of the Pax8 client alone must not contain the packages only `redis` needs (ioredis,
 * redlock); its minified gzip size is printed. The relative links of the packed Markdown must resolve to
 * packed files (test/docs/check-links.mjs). Without the optional peer @modelcontextprotocol/sdk (npm does not
 * install it) the bin's `--help` and commands run, `mcp` exits 2 with the install hint, and importing
 * `msp-marketplace-sdk/mcp` fails naming the package.
 *
 * Needs `npm run build` first (`npm run check:package` does both). Network: the npm registry only, for the
 * tarball's dependencies (`--prefer-offline`: the local npm cache is used when it has them).
 * Runs under whichever `node` starts it (.ci/run starts it on Node 20; any 20+ works).
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { gzipSync } from 'node:zlib';
import { dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { brokenLinks } from '../docs/check-links.mjs';

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
  // Every relative link of the shipped Markdown resolves to a packed file (test/docs/links.test.ts checks the same
  // against package.json "files" in `npm test`; this is the real list).
  const packedSet = new Set(files);
  const broken = brokenLinks(root, {
    has: (path) => packedSet.has(path) || [...packedSet].some((f) => f.startsWith(`${path}/`)),
    markdown: files.filter((f) => f.endsWith('.md')),
  });
  check(
    broken.length === 0,
    `relative links of the packed Markdown resolve inside the tarball${broken.length ? `:\n       ${broken.join('\n       ')}` : ''}`,
  );

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

  // ---- 3b. CommonJS with the tools people use: tsx on a .cts file, Jest 30 ------------------------------------
  const cjsDir = projects[1].dir;
  const sdkDir = join(cjsDir, 'node_modules', 'msp-marketplace-sdk');
  step('cjs: every package the CommonJS build requires ships CommonJS');
  const required = new Set();
  for (const f of readdirSync(join(sdkDir, 'dist')).filter((f) => f.endsWith('.cjs'))) {
    const code = readFileSync(join(sdkDir, 'dist', f), 'utf8');
    for (const m of code.matchAll(/(?<![\w$.#])require\((['"])([^'"./][^'"]*)\1\)/g)) required.add(m[2]);
  }
  const packageOf = (spec) =>
    spec
      .split('/')
      .slice(0, spec.startsWith('@') ? 2 : 1)
      .join('/');
  const builtin = new Set((await import('node:module')).builtinModules);
  // Loaded through core/optional-import.ts (a name bundlers do not follow): `require`d by the CommonJS build too.
  for (const name of ['ioredis', '@sesamecare-oss/redlock', 'proper-lockfile']) required.add(name);
  for (const name of [...new Set([...required].map(packageOf))].sort()) {
    if (builtin.has(name) || name.startsWith('node:')) continue;
    const file = join(cjsDir, 'node_modules', name, 'package.json');
    if (!existsSync(file)) {
      // Optional peers (msw) may be absent; they are loaded only by the features that need them.
      check(Object.hasOwn(pkg.peerDependencies ?? {}, name), `cjs: ${name} is required but not installed`);
      continue;
    }
    const dep = JSON.parse(readFileSync(file, 'utf8'));
    const ships =
      dep.type !== 'module' || JSON.stringify(dep.exports ?? {}).includes('"require"') || /\.cjs$/.test(dep.main ?? '');
    check(ships, `cjs: require('${name}') loads CommonJS (${dep.name}@${dep.version}, type ${dep.type ?? 'commonjs'})`);
  }

  // tsx and Jest load the package through their own module hooks. The program talks to a Pax8 look-alike on
  // node:http (not msw: msw's own ES-module dependencies are not the package's to fix): a 503 then the answer
  // (p-retry, an ES module inlined into the CommonJS build, retries), then a 404 (a typed MarketplaceError).
  const lookAlikeProgram = `
const http = require('node:http');
const { MarketplaceError } = require('msp-marketplace-sdk');
const { createPax8Client } = require('msp-marketplace-sdk/pax8');
const KNOWN = '0c0c0c0c-0000-4000-8000-000000000001';
async function run() {
  let busy = 1;
  const server = http.createServer((req, res) => {
    const json = (status, body) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    req.resume();
    req.on('end', () => {
      if (req.method === 'POST' && req.url === '/v1/token') return json(200, { access_token: 't', expires_in: 3600, token_type: 'Bearer' });
      if (req.url === '/v1/companies/' + KNOWN) return busy-- > 0 ? json(503, { message: 'busy' }) : json(200, { id: KNOWN, name: 'CJS Co', status: 'Active' });
      json(404, { message: 'not found' });
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const baseUrl = 'http://127.0.0.1:' + server.address().port + '/v1';
    const pax8 = createPax8Client({
      credentials: { clientId: 'cjs-client', clientSecret: 'cjs-secret' },
      baseUrl,
      tokenUrl: baseUrl + '/token',
      retry: { retries: 2, baseDelayMs: 1, maxDelayMs: 1 },
    });
    const customer = await pax8.getCustomer(KNOWN);
    let errorKind = 'none';
    try {
      await pax8.getCustomer('0c0c0c0c-0000-4000-8000-000000000002');
    } catch (e) {
      errorKind = e instanceof MarketplaceError ? e.kind : 'not a MarketplaceError: ' + String(e);
    }
    return { customer: customer.name, errorKind };
  } finally {
    server.close();
  }
}
`;
  const expected = JSON.stringify({ customer: 'CJS Co', errorKind: 'not-found' });

  step(`cjs: tsx main.cts (${process.version})`);
  writeFileSync(
    join(cjsDir, 'main.cts'),
    `${lookAlikeProgram}\nconst print = (out: { customer: string; errorKind: string }): void => console.log(JSON.stringify(out));\nrun().then(print, (e: unknown) => { console.error(e); process.exit(1); });\n`,
  );
  try {
    const tsx = join(root, 'node_modules', 'tsx', 'dist', 'cli.mjs');
    const { stdout } = await run(process.execPath, [tsx, 'main.cts'], { cwd: cjsDir, timeout: 60_000 });
    const got = stdout.trim().split('\n').pop();
    check(got === expected, `cjs: tsx main.cts -> ${got}`);
  } catch (e) {
    const out = `${e.stderr || e.message || e}`.trim().split('\n').slice(0, 8).join('\n       ');
    check(false, `cjs: tsx main.cts failed:\n       ${out}`);
  }

  // Jest 30 (CommonJS, its own module loader: no require of an ES module). Installed into the throwaway project
  // only, when the registry answers; skipped with a message otherwise.
  const jestStarted = Date.now();
  step('cjs: npm install jest@30 (throwaway project only)');
  let jest = false;
  try {
    await run(
      npm,
      ['install', '--prefer-offline', '--no-audit', '--no-fund', '--no-package-lock', '--loglevel=error', 'jest@30'],
      { cwd: cjsDir, maxBuffer: 64 * 1024 * 1024, timeout: 300_000 },
    );
    jest = true;
  } catch (e) {
    const why = `${e.stderr || e.message || e}`.trim().split('\n')[0];
    console.log(`  SKIP cjs: Jest not installed (is the npm registry reachable?): ${why}`);
  }
  if (jest) {
    writeFileSync(
      join(cjsDir, 'sdk.test.js'),
      `${lookAlikeProgram}\ntest('the Pax8 client from CommonJS under Jest', async () => {\n  expect(JSON.stringify(await run())).toBe(${JSON.stringify(expected)});\n});\n`,
    );
    try {
      const { stdout, stderr } = await run(
        process.execPath,
        [join(cjsDir, 'node_modules', 'jest', 'bin', 'jest.js'), '--ci', '--colors=false', 'sdk.test.js'],
        { cwd: cjsDir, timeout: 120_000 },
      );
      const summary = `${stdout}${stderr}`.match(/Tests:.*$/m)?.[0] ?? 'no summary';
      check(/1 passed/.test(summary), `cjs: Jest 30 runs the package from the tarball (${summary.trim()})`);
    } catch (e) {
      const out = `${e.stdout ?? ''}${e.stderr ?? ''}`.trim().split('\n').slice(0, 12).join('\n       ');
      check(false, `cjs: Jest 30 failed:\n       ${out}`);
    }
    console.log(`  Jest check: ${((Date.now() - jestStarted) / 1000).toFixed(1)} s (install and run)`);
  }

  // What a consumer bundles for the Pax8 client alone (minified, as for a serverless function): the packages that
  // only \`redis\` needs are loaded by a name bundlers do not follow, so they are not in it.
  step('esbuild: the Pax8-only bundle');
  try {
    const { build } = await import('esbuild');
    const result = await build({
      stdin: {
        contents: "export { createPax8Client } from 'msp-marketplace-sdk/pax8';",
        resolveDir: projects[0].dir,
        loader: 'js',
      },
      absWorkingDir: projects[0].dir,
      bundle: true,
      minify: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      write: false,
      metafile: true,
      logLevel: 'silent',
    });
    const inputs = Object.keys(result.metafile.inputs);
    for (const name of ['ioredis', '@sesamecare-oss/redlock']) {
      const hits = inputs.filter((f) => f.includes(`node_modules/${name}/`));
      check(hits.length === 0, `pax8-only bundle: no ${name} inside${hits.length ? ` (${hits.length} files)` : ''}`);
    }
    const code = result.outputFiles[0].contents;
    const gzipKb = gzipSync(code, { level: 9 }).length / 1024;
    check(true, `pax8-only bundle: ${(code.length / 1024).toFixed(1)} KB minified, ${gzipKb.toFixed(1)} KB gzip`);
  } catch (e) {
    check(false, `pax8-only bundle failed: ${e?.message ?? e}`);
  }

  // A consumer bundling for a serverless function without the optional peer ioredis: the build must not fail on
  // the SDK's `import('ioredis')`, and the bundle must run.
  step('esbuild bundle of the Pax8 client in the ESM consumer (no ioredis installed)');
  const ioredisBy = existsSync(join(projects[0].dir, 'node_modules', 'ioredis'))
    ? readdirSync(join(projects[0].dir, 'node_modules'), { recursive: true })
        .filter((f) => String(f).endsWith('package.json') && !String(f).includes('ioredis/'))
        .filter((f) => {
          const dep = JSON.parse(readFileSync(join(projects[0].dir, 'node_modules', String(f)), 'utf8'));
          const optional = dep.peerDependenciesMeta?.ioredis?.optional === true;
          return (
            Object.hasOwn(dep.dependencies ?? {}, 'ioredis') ||
            (!optional && Object.hasOwn(dep.peerDependencies ?? {}, 'ioredis'))
          );
        })
    : [];
  check(
    !existsSync(join(projects[0].dir, 'node_modules', 'ioredis')),
    `esm: ioredis is not installed${ioredisBy.length ? ` (brought in by ${ioredisBy.map((f) => dirname(String(f))).join(', ')}: npm installs non-optional peers)` : ''}`,
  );
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

  // @modelcontextprotocol/sdk is an optional peer: npm does not install it, the CLI and every other entry run
  // without it, and `mcp` says how to install it (src/mcp/load-sdk.ts).
  step('without the optional peer @modelcontextprotocol/sdk');
  const mcpSdk = join(projects[0].dir, 'node_modules', '@modelcontextprotocol', 'sdk');
  check(!existsSync(mcpSdk), 'esm: @modelcontextprotocol/sdk is not installed with the package');
  const help = await run(bin, ['--help'], { cwd: work, env });
  check(/Usage: msp-marketplace/.test(help.stdout), 'msp-marketplace --help runs without the MCP SDK');
  const mcp = await run(bin, ['--mock', 'mcp'], { cwd: work, env }).then(
    (r) => ({ code: 0, stderr: r.stderr }),
    (e) => ({ code: e.code, stderr: String(e.stderr ?? '') }),
  );
  check(
    mcp.code === 2 && mcp.stderr.includes('npm install @modelcontextprotocol/sdk') && !/\n\s+at /.test(mcp.stderr),
    `msp-marketplace mcp without the MCP SDK -> exit ${mcp.code}, ${mcp.stderr.trim().split('\n')[0]}`,
  );
  for (const p of projects) {
    const load =
      p.name === 'esm'
        ? "import('msp-marketplace-sdk/mcp').then(() => console.log('loaded'), (e) => console.log(e.code + ' ' + e.message.split('\\n')[0]))"
        : "try { require('msp-marketplace-sdk/mcp'); console.log('loaded'); } catch (e) { console.log(e.code + ' ' + e.message.split('\\n')[0]); }";
    const { stdout } = await run(process.execPath, ['-e', load], { cwd: p.dir, timeout: 60_000 });
    check(
      /NOT_FOUND .*@modelcontextprotocol\/sdk/.test(stdout),
      `${p.name}: msp-marketplace-sdk/mcp without the MCP SDK names the missing package: ${stdout.trim()}`,
    );
  }
  const { stdout: installed } = await run(npm, ['query', '*'], { cwd: projects[0].dir, maxBuffer: 64 * 1024 * 1024 });
  console.log(`  esm consumer: ${JSON.parse(installed).length} packages installed (the SDK, its dependencies, msw)`);
} catch (e) {
  failures.push(String(e?.stack ?? e));
  console.error(e);
} finally {
  rmSync(work, { recursive: true, force: true });
}

step(failures.length ? `${failures.length} failure(s)` : 'all good');
process.exit(failures.length ? 1 : 0);
