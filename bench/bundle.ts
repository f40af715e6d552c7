/**
 * `pax8-only-bundle-gzip-kb`, `pax8-bundle-redis-only-packages` and `pax8-bundle-foreign-providers`: esbuild
 * bundles a file that imports only `createPax8Client` from dist/pax8.js (dependencies included, optional peers left
 * out, minified), and the gzip size is reported. The packages only `redis` needs (ioredis, redlock) are
 * loaded by a name bundlers do not follow (src/core/optional-import.ts): the bundle's inputs must not include them.
 * Proof that no other provider came along: (1) strings found only in other providers' code (headers they send,
 * their hosts) are searched in the bundle; the same search over a bundle of the root entry must find them, or
 * the proof proves nothing; (2) the same bundle built from src/providers/pax8/index.ts lists its input files
 * (esbuild metafile), and none may be under another provider's folder.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { type Figure, figure, round } from './lib.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const pkg = JSON.parse(readFileSync(`${root}package.json`, 'utf8')) as {
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
};
/**
 * Optional peer dependencies (ioredis, msw) are not installed with the package, so a consumer's bundle does not
 * contain them unless the consumer installs them (ioredis: only to use `redis`); they are left out here too.
 */
const OPTIONAL_PEERS = Object.entries(pkg.peerDependenciesMeta ?? {})
  .filter(([, meta]) => meta.optional)
  .map(([name]) => name);

/** Packages only the `redis` option needs: never in a bundle of a client that does not set it. */
const REDIS_ONLY = ['ioredis', '@sesamecare-oss/redlock'];

/** Strings that only another provider's code contains (checked against the root bundle below). */
const FOREIGN_MARKERS: Record<string, string[]> = {
  sherweb: ['Ocp-Apim-Subscription-Key', 'api.sherweb.com'],
  ingram: ['X-Subscription-Key', 'api.ingrammicro.com'],
  'partner-center': ['MS-RequestId', 'MS-CorrelationId', 'api.partnercenter.microsoft.com'],
  'td-synnex': ['CCPSessionId'],
  dandh: ['dandh.com'],
};

async function bundle(contents: string, resolveDir: string, metafile = false) {
  return build({
    stdin: { contents, resolveDir, sourcefile: 'entry.js', loader: 'js' },
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    write: false,
    metafile,
    // msw only: ioredis is left to be found (or not) like any package, to prove the SDK's import of it is opaque.
    external: OPTIONAL_PEERS.filter((name) => name !== 'ioredis'),
    logLevel: 'silent',
  });
}

export async function run(): Promise<Figure[]> {
  if (!existsSync(`${root}dist/pax8.js`)) execFileSync('npm', ['run', 'build'], { cwd: root, stdio: 'ignore' });
  const pax8 = await bundle("export { createPax8Client } from './dist/pax8.js';", root, true);
  const code = pax8.outputFiles[0]!.text;
  const redisOnly = Object.keys(pax8.metafile!.inputs).filter((f) =>
    REDIS_ONLY.some((name) => f.includes(`node_modules/${name}/`)),
  );
  const gzipKb = gzipSync(code, { level: 9 }).length / 1024;

  const everything = (await bundle("export * from './dist/index.js';", root)).outputFiles[0]!.text;
  const found: string[] = [];
  const controls: string[] = [];
  for (const [provider, markers] of Object.entries(FOREIGN_MARKERS)) {
    for (const m of markers) {
      if (code.includes(m)) found.push(`${provider}: ${m}`);
      if (everything.includes(m)) controls.push(m);
    }
  }
  const fromSrc = await bundle("export { createPax8Client } from './src/providers/pax8/index.ts';", root, true);
  const foreignFiles = Object.keys(fromSrc.metafile!.inputs).filter(
    (f) => f.startsWith('src/providers/') && !f.startsWith('src/providers/pax8/'),
  );
  const note = `${round(code.length / 1024, 1)} KB minified, ${round(gzipKb, 1)} KB gzipped; foreign markers found: ${found.join(', ') || 'none'} (the root bundle contains ${controls.length}: ${controls.join(', ') || 'none'}); other providers' source files in the src bundle: ${foreignFiles.length}`;
  const redisNote = `${note}; inputs from ${REDIS_ONLY.join(', ')}: ${redisOnly.length}`;
  return [
    figure('pax8-only-bundle-gzip-kb', round(gzipKb, 1), 'KB (min+gzip)', null, redisNote),
    figure('pax8-bundle-redis-only-packages', redisOnly.length, 'files', ['==', 0], redisNote),
    figure('pax8-bundle-foreign-providers', found.length + foreignFiles.length, 'findings', ['==', 0], note),
  ];
}
