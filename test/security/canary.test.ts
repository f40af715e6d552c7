/**
 * The canary test (issue 14): distinctive canary values in every credential field of all six providers and Graph;
 * vendor look-alikes (plain node:http, from the vendors' docs: ./lookalikes.ts) echo every credential they
 * receive and every token they issued back in error bodies (4xx/5xx, in code/message/details), request-id
 * headers, 2xx bodies that fail validation, non-JSON 2xx bodies (the secret in the first characters) and
 * cross-origin redirects. Every output is collected (thrown errors with stack, JSON, util.inspect at any depth and
 * causes; every event; every logger call; audit events; `util.inspect` of each client; the CLI's `verify` and a
 * failing command; MCP tool results) and checked for any canary in clear, base64, base64url or URL-encoded form.
 * The second test shows the detector's teeth on the same outputs.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type MarketplaceClientOptions, createMarketplaceClient } from '../../src/create-client.js';
import type { Logger, SdkEventName } from '../../src/core/events.js';
import type { MarketplaceClient } from '../../src/core/marketplace-client.js';
import { GraphClient } from '../../src/graph/client.js';
import { createMarketplaceMcpServer } from '../../src/mcp/index.js';
import { run } from '../cli/helpers.js';
import { SecretSentinel } from '../reliability/secret-sentinel.js';
import { type EchoKind, type LookAlike, type Scenario, VENDORS, startLookAlike, startTrap } from './lookalikes.js';

const SUFFIX = randomBytes(4).toString('hex');
const EVENTS: SdkEventName[] = ['request', 'response', 'retry', 'token', 'audit', 'warning'];
const KINDS: EchoKind[] = [
  'error-400',
  'error-401',
  'error-500',
  'ok-invalid-json',
  'ok-not-json',
  'redirect-other-origin',
];
const SCENARIOS: Scenario[] = (['token', 'api'] as const).flatMap((target) => KINDS.map((kind) => ({ target, kind })));
const COMMON = { rateLimit: false, retry: { retries: 1, baseDelayMs: 1, maxDelayMs: 2 }, timeoutMs: 3000 } as const;

/** Everything the SDK let out, checked at the end against every secret (tokens are issued as the run goes). */
const outputs: Array<[where: string, value: unknown]> = [];
/** Every canary put into a credential field. */
const canaries = new Set<string>();
const servers = new Map<string, LookAlike>();
let trap: Awaited<ReturnType<typeof startTrap>>;
let work: string;

function canary(vendor: string, field: string, run: string): string {
  const v = `CANARY-${vendor}-${field}-${run}-${SUFFIX}`;
  canaries.add(v);
  return v;
}

function logger(where: string): Logger {
  const log = (level: string) => (message: string, data?: Record<string, unknown>) =>
    outputs.push([
      `${where} logger.${level}`,
      `${message} ${JSON.stringify(data)} ${inspect(data, { depth: Infinity })}`,
    ]);
  return { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') };
}

function watch<C extends { on: MarketplaceClient['on'] }>(client: C, where: string): C {
  for (const name of EVENTS) client.on(name, (event: unknown) => outputs.push([`${where} ${name} event`, event]));
  return client;
}

/** A client of `vendor` with canaries in every credential field, pointed at its look-alike. */
function marketplaceClient(vendor: string, runId: string): MarketplaceClient {
  const url = servers.get(vendor)!.url;
  const c = (field: string) => canary(vendor, field, runId);
  const where = `${vendor}/${runId}`;
  const common = { ...COMMON, logger: logger(where) };
  const byVendor: Record<string, MarketplaceClientOptions> = {
    pax8: {
      provider: 'pax8',
      ...common,
      credentials: { clientId: c('clientId'), clientSecret: c('clientSecret') },
      baseUrl: `${url}/v1`,
      tokenUrl: `${url}/v1/token`,
    },
    dandh: {
      provider: 'dandh',
      ...common,
      credentials: { username: c('username'), password: c('password') },
      accountId: '4711',
      baseUrl: `${url}/SimpleAPI`,
    },
    ingram: {
      provider: 'ingram',
      ...common,
      credentials: { username: c('username'), password: c('password'), subscriptionKey: c('subscriptionKey') },
      marketplace: 'us',
      baseUrl: `${url}/marketplace/v1`,
    },
    sherweb: {
      provider: 'sherweb',
      ...common,
      credentials: { clientId: c('clientId'), clientSecret: c('clientSecret'), subscriptionKey: c('subscriptionKey') },
      baseUrl: `${url}/service-provider/v1`,
      tokenUrl: `${url}/auth/oidc/connect/token`,
    },
    'partner-center': {
      provider: 'partner-center',
      ...common,
      credentials: {
        tenantId: 'contoso-partner.onmicrosoft.com',
        clientId: c('clientId'),
        clientSecret: c('clientSecret'),
        refreshToken: c('refreshToken'),
      },
      baseUrl: `${url}/v1`,
      tokenUrl: `${url}/contoso-partner.onmicrosoft.com/oauth2/token`,
    },
    'td-synnex': {
      provider: 'td-synnex',
      ...common,
      credentials: { refreshToken: c('refreshToken') },
      accountId: '100123',
      baseUrl: url,
    },
  } as unknown as Record<string, MarketplaceClientOptions>;
  return watch(createMarketplaceClient(byVendor[vendor]!), where);
}

function graphClient(runId: string): GraphClient {
  const url = servers.get('graph')!.url;
  const where = `graph/${runId}`;
  return watch(
    new GraphClient({
      ...COMMON,
      logger: logger(where),
      credentials: {
        tenantId: 'contoso.onmicrosoft.com',
        clientId: canary('graph', 'clientId', runId),
        clientSecret: canary('graph', 'clientSecret', runId),
      },
      baseUrl: `${url}/v1.0`,
      authorityUrl: url,
    }),
    where,
  );
}

/** Runs `call`, recording what it throws (or, when it fails a listing, what the listing throws). */
async function attempt(where: string, call: () => Promise<unknown>): Promise<void> {
  const t0 = Date.now();
  try {
    const value = await call();
    outputs.push([`${where} result`, value]);
  } catch (error) {
    outputs.push([`${where} error`, error]);
  } finally {
    if (process.env.CANARY_TIMING && Date.now() - t0 > 200) console.log(`slow ${Date.now() - t0} ms: ${where}`);
  }
}

/** `verify` as users run it, its JSON and debug forms, and failing commands (stack traces with --debug). */
const CLI_COMMANDS = [
  ['verify'],
  ['verify', '--json'],
  ['verify', '--debug'],
  ['customers', 'list', '--debug'],
  ['subscriptions', 'list', '--json', '--customer', 'PAX8:cust-1'],
];

const MARKETPLACES = ['pax8', 'dandh', 'ingram', 'sherweb', 'partner-center', 'td-synnex'] as const;

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'msp-canary-'));
  trap = await startTrap();
  for (const name of Object.keys(VENDORS)) {
    const s = await startLookAlike(VENDORS[name]!, SUFFIX);
    s.redirectTo = trap.url;
    servers.set(name, s);
  }
});

afterAll(async () => {
  for (const s of servers.values()) await s.close();
  await trap?.close();
  rmSync(work, { recursive: true, force: true });
});

function setScenario(scenario: Scenario): void {
  for (const s of servers.values()) s.scenario = scenario;
}

function detector(): SecretSentinel {
  const sentinel = new SecretSentinel();
  sentinel.secret(...canaries);
  for (const s of servers.values()) sentinel.secret(...s.issued);
  return sentinel;
}

describe('no canary leaves the SDK (issue 14)', () => {
  it('across all six providers and Graph, every output, every echo', async () => {
    const started = Date.now();
    const lap = (what: string) => process.env.CANARY_TIMING && console.log(`${what} at ${Date.now() - started} ms`);
    let i = 0;
    for (const scenario of SCENARIOS) {
      setScenario(scenario);
      const runId = `r${i++}`;
      const tag = `${scenario.target}/${scenario.kind}`;
      for (const vendor of MARKETPLACES) {
        const client = marketplaceClient(vendor, runId);
        const where = `${vendor} ${tag}`;
        await attempt(`${where} verifyConnection`, () => client.verifyConnection());
        await attempt(`${where} listCustomers`, () => client.listCustomers().toArray({ limit: 3 }));
        await attempt(`${where} getSubscription`, () =>
          client.getSubscription({ customerId: 'cust-1', subscriptionId: 'sub-1' }),
        );
        await attempt(`${where} setSeats`, () => client.setSeats({ customerId: 'cust-1', subscriptionId: 'sub-1' }, 7));
        outputs.push([`${where} client`, inspect(client, { depth: Infinity, showHidden: true })]);
        outputs.push([`${where} client`, JSON.stringify(client)]);
      }
      const graph = graphClient(runId);
      await attempt(`graph ${tag} listSubscribedSkus`, () => graph.listSubscribedSkus());
      await attempt(`graph ${tag} listUsers`, () => graph.listUsers().toArray({ limit: 3 }));
      await attempt(`graph ${tag} getUser`, () => graph.getUser('user@contoso.com'));
      outputs.push([`graph ${tag} client`, inspect(graph, { depth: Infinity })]);
      outputs.push([`graph ${tag} client`, JSON.stringify(graph)]);
    }

    lap('clients');
    // The CLI, as users run it: plain `verify`, `verify --json`, and failing commands (with --debug for stacks).
    // (The CLI's clients use the default retry policy and rate limits: scenarios that retry with backoff, such as
    // a non-JSON 2xx, take seconds each and are covered above through the same errors.)
    const cliScenarios: Array<[Scenario, string[][]]> = [
      [{ target: 'api', kind: 'error-400' }, CLI_COMMANDS],
      [{ target: 'token', kind: 'ok-invalid-json' }, [CLI_COMMANDS[2]!, CLI_COMMANDS[4]!]],
      [{ target: 'token', kind: 'error-400' }, [CLI_COMMANDS[0]!]],
      [{ target: 'api', kind: 'error-401' }, [CLI_COMMANDS[0]!]],
    ];
    for (const [n, [scenario, commands]] of cliScenarios.entries()) {
      for (const [k, command] of commands.entries()) {
        // Each command is a new process with its own canaries (and so its own rate limiter and token store): the
        // look-alike echoes what this one sent and the tokens it issued it.
        setScenario(scenario);
        const runId = `cli${n}-${k}`;
        const c = (vendor: string, field: string) => canary(vendor, field, runId);
        const env = {
          HOME: work,
          XDG_CONFIG_HOME: join(work, `cfg-${runId}`),
          PAX8_CLIENT_ID: c('pax8', 'clientId'),
          PAX8_CLIENT_SECRET: c('pax8', 'clientSecret'),
          PAX8_BASE_URL: `${servers.get('pax8')!.url}/v1`,
          INGRAM_USERNAME: c('ingram', 'username'),
          INGRAM_PASSWORD: c('ingram', 'password'),
          INGRAM_SUBSCRIPTION_KEY: c('ingram', 'subscriptionKey'),
          INGRAM_MARKETPLACE: 'us',
          INGRAM_BASE_URL: `${servers.get('ingram')!.url}/marketplace/v1`,
          DANDH_USERNAME: c('dandh', 'username'),
          DANDH_PASSWORD: c('dandh', 'password'),
          DANDH_ACCOUNT_ID: '4711',
          DANDH_BASE_URL: `${servers.get('dandh')!.url}/SimpleAPI`,
          TD_SYNNEX_REFRESH_TOKEN: c('td-synnex', 'refreshToken'),
          TD_SYNNEX_ACCOUNT_ID: '100123',
          TD_SYNNEX_TOKEN_STORE: join(work, `ion-${runId}.json`),
          TD_SYNNEX_BASE_URL: servers.get('td-synnex')!.url,
        };
        const argv = [...command, '-p', 'pax8,ingram,dandh,td-synnex'];
        const t = Date.now();
        const r = await run(argv, { env, homedir: work });
        lap(`cli ${argv.join(' ')} ${scenario.target}/${scenario.kind} took ${Date.now() - t} ms`);
        const label = `cli ${argv.join(' ')} (${scenario.target}/${scenario.kind})`;
        expect(r.code, `${label} must fail: the look-alikes refuse everything`).not.toBe(0);
        outputs.push([`${label} stdout`, r.stdout]);
        outputs.push([`${label} stderr`, r.stderr]);
      }
    }

    // And from a config file (mode 600), as most users configure it, with a vendor that echoes in its errors.
    setScenario({ target: 'api', kind: 'error-400' });
    const file = join(work, 'config.json');
    const fromFile = {
      pax8: {
        clientId: canary('pax8', 'clientId', 'cli-file'),
        clientSecret: canary('pax8', 'clientSecret', 'cli-file'),
        baseUrl: `${servers.get('pax8')!.url}/v1`,
      },
      ingram: {
        username: canary('ingram', 'username', 'cli-file'),
        password: canary('ingram', 'password', 'cli-file'),
        subscriptionKey: canary('ingram', 'subscriptionKey', 'cli-file'),
        marketplace: 'us',
        baseUrl: `${servers.get('ingram')!.url}/marketplace/v1`,
      },
    };
    writeFileSync(file, JSON.stringify({ providers: fromFile }), { mode: 0o600 });
    for (const command of [['verify'], ['customers', 'list', '--debug', '--json']]) {
      const argv = [...command, '--config', file, '-p', 'pax8,ingram'];
      const r = await run(argv, { env: { HOME: work }, homedir: work });
      expect(r.code, `${argv.join(' ')} must fail`).not.toBe(0);
      outputs.push([`cli ${argv.join(' ')} (config file) stdout`, r.stdout]);
      outputs.push([`cli ${argv.join(' ')} (config file) stderr`, r.stderr]);
    }

    lap('cli');
    // MCP tool results, over the in-memory transport, for every marketplace at once.
    for (const [n, scenario] of [
      { target: 'api', kind: 'error-400' },
      { target: 'api', kind: 'ok-invalid-json' },
      { target: 'token', kind: 'error-401' },
    ].entries() as IterableIterator<[number, Scenario]>) {
      setScenario(scenario);
      const clients = MARKETPLACES.map((v) => marketplaceClient(v, `mcp${n}`));
      const server = createMarketplaceMcpServer({
        marketplaces: clients,
        audit: (e) => outputs.push(['mcp audit', e]),
      });
      const [a, b] = InMemoryTransport.createLinkedPair();
      await server.connect(b);
      const client = new Client({ name: 'canary', version: '1.0.0' });
      await client.connect(a);
      for (const [name, args] of [
        ['verify_connection', {}],
        ['list_companies', {}],
        [
          'list_license_subscriptions',
          { company: 'PAX8:cust-1;D_AND_H:cust-1;INGRAM_MICRO:cust-1;SHERWEB:cust-1', license: 'Microsoft 365' },
        ],
      ] as const) {
        try {
          outputs.push([
            `mcp ${name} (${scenario.target}/${scenario.kind})`,
            await client.callTool({ name, arguments: args }),
          ]);
        } catch (error) {
          outputs.push([`mcp ${name} (${scenario.target}/${scenario.kind}) error`, error]);
        }
      }
      await client.close();
    }

    lap('mcp');
    const t0 = Date.now();
    const sentinel = detector();
    for (const [where, value] of outputs) sentinel.observe(where, value);
    const leaks = sentinel.leaks();
    if (process.env.CANARY_TIMING) console.log(`detection ${Date.now() - t0} ms`);
    const errors = outputs.filter(([, v]) => v instanceof Error).length;
    console.log(
      `canary: ${sentinel.recorded} outputs checked (${errors} errors) against ${sentinel.secrets} secrets ` +
        `(${canaries.size} canaries, ${[...servers.values()].reduce((n, s) => n + s.issued.size, 0)} issued tokens); ` +
        `${leaks.length} leaks; look-alikes answered ${[...servers.values()].reduce((n, s) => n + s.requests, 0)} requests`,
    );
    expect(leaks).toEqual([]);
    // The look-alikes were reached and echoed: the run checked something.
    expect(errors).toBeGreaterThan(SCENARIOS.length * 6);
    // The echoes did reach the CLI's output and the MCP results (scrubbed there), not only the SDK's errors.
    const reached = (prefix: string) =>
      outputs.some(([w, v]) => w.startsWith(prefix) && JSON.stringify(v)?.includes('[REDACTED]'));
    expect(reached('cli ')).toBe(true);
    expect(reached('mcp ')).toBe(true);
    // No credential went to the other origin of a redirect.
    expect(trap.hits).toBe(0);
  }, 120_000);

  it('the control: the same detector finds a canary left unscrubbed in any field and any encoding', () => {
    const secret = [...canaries][0] ?? canary('pax8', 'clientSecret', 'control');
    const recorded = outputs.find(([, v]) => v instanceof Error)?.[1] as Error | undefined;
    expect(recorded).toBeInstanceOf(Error);
    const forms = [
      secret,
      Buffer.from(secret).toString('base64'),
      Buffer.from(secret).toString('base64url'),
      encodeURIComponent(`x ${secret}/`),
      Buffer.from(`user:${secret}`).toString('base64'),
    ];
    for (const [n, form] of forms.entries()) {
      // An unscrubbed copy of a recorded error: one field (code, then requestId, a cause...) holds the secret.
      const copy = Object.assign(Object.create(Object.getPrototypeOf(recorded)), recorded) as Error &
        Record<string, unknown>;
      const field = ['code', 'requestId', 'hint', 'value', 'cause'][n]!;
      copy[field] = field === 'cause' ? new Error(`inner ${form}`) : form;
      const sentinel = detector();
      sentinel.observe(`control ${field}`, copy);
      expect(sentinel.leaks().map((l) => l.where)).toContain(`control ${field}`);
    }
    // An event and a CLI line with the canary, too.
    const sentinel = detector();
    sentinel.observe('control event', { provider: 'pax8', vendorRequestId: secret });
    sentinel.observe('control cli', `error [validation] (pax8, request ${encodeURIComponent(secret)})`);
    expect(sentinel.leaks()).toHaveLength(2);
  });
});
