/**
 * The contract harness: records every request an SDK client sends (through its `fetch` option), validates each
 * against the vendor's published OpenAPI with openapi-backend, compares our specs/<vendor>.yaml with the vendor's
 * spec, parses the vendor's response examples (or, where the spec has none, responses generated from its schemas)
 * through our mappers, checks the fakes' answers against the vendor's response schemas, and checks every problem found against the vendor's accepted-divergence list
 * (specs/divergences/<vendor>.yaml): a problem not on the list fails, and so does an entry nothing matches.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import OpenAPIBackend, { type Operation } from 'openapi-backend';
// @ts-expect-error swagger2openapi ships no types
import swagger2openapi from 'swagger2openapi';
import { parse as parseYaml } from 'yaml';

/** Where the vendors' published specs are (`.ci/run` sets it); without it the contract suite is skipped. */
export const SPECS_DIR = process.env.VENDOR_SPECS_DIR;
if (!SPECS_DIR) console.warn('test/contract: VENDOR_SPECS_DIR is not set, skipping the contract suite (see .ci/run)');

const ROOT = new URL('../../', import.meta.url).pathname;

/** One request as the SDK sent it. */
export interface RecordedRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  body: string | undefined;
  /** The SDK operation the test was driving when it was sent. */
  sdkOperation: string;
  /** The answer (from the msw fakes), for checking the fakes against the vendor's response schemas. */
  response?: { status: number; contentType: string; body: string };
}

/** A difference between what the SDK (or our spec) does and what the vendor's published contract says. */
export interface Problem {
  kind:
    | 'not-in-spec'
    | 'request'
    | 'unknown-query'
    | 'security'
    | 'body-media'
    | 'our-spec'
    | 'example'
    | 'example-media'
    | 'no-example'
    | 'fake-response';
  /** `METHOD /spec/path` (the vendor's template), or the request's own path with ids as `{id}`. */
  operation: string;
  message: string;
}

/** One accepted divergence (specs/divergences/<vendor>.yaml). */
export interface Divergence {
  id: string;
  kind: Problem['kind'];
  /** The problem's operation exactly, or a regular expression when it starts with `^`. */
  operation: string;
  /** A regular expression the problem's message must match (default: any message). */
  match?: string;
  what: string;
  evidence: string;
  why: string;
}

/** A vendor spec and the URL prefix its paths hang from. */
export interface SpecSource {
  file: string;
  /** Requests whose URL starts with this are validated against `file`'s paths (the rest of the URL). */
  prefix: string;
}

/** A fetch that records each request, then lets `globalThis.fetch` (msw in tests) answer it. */
export function recordingFetch(log: RecordedRequest[], current: () => string): typeof fetch {
  return (async (input: string | URL | Request, init?: RequestInit) => {
    const request = new Request(input, init);
    const headers: Record<string, string> = {};
    request.headers.forEach((value, key) => {
      headers[key] = value;
    });
    const body = request.body ? await request.clone().text() : undefined;
    const entry: RecordedRequest = { method: request.method, url: request.url, headers, body, sdkOperation: current() };
    log.push(entry);
    const response = await globalThis.fetch(input, init);
    try {
      const text = await response.clone().text();
      entry.response = { status: response.status, contentType: response.headers.get('content-type') ?? '', body: text };
    } catch {
      // A dropped connection or cut body (fault injection): nothing to check.
    }
    return response;
  }) as typeof fetch;
}

/**
 * A fetch that answers the listed vendor operations from the vendor's own response example (or, where the spec has
 * none, one generated from its response schema) instead of our fakes; everything else (tokens, operations with no
 * usable example) goes to `globalThis.fetch`. `answered` counts, per spec operation, the answers given and where
 * they came from.
 */
export function exampleFetch(
  vendor: VendorContract,
  operations: { method: string; path: string }[],
  answered: Map<string, { source: SpecExample['source']; count: number }>,
): typeof fetch {
  return (async (input: string | URL | Request, init?: RequestInit) => {
    const request = new Request(input, init);
    const found = vendor.match(request.method, request.url);
    const listed =
      found && operations.some((o) => o.method === found.op.method.toUpperCase() && o.path === found.op.path);
    if (found && listed) {
      const { examples } = examplesOf(vendor, request.method, found.op.path);
      const example = examples.find((e) => e.source === 'vendor') ?? examples[0];
      if (example) {
        const name = `${request.method} ${found.op.path}`;
        const seen = answered.get(name);
        answered.set(name, { source: example.source, count: (seen?.count ?? 0) + 1 });
        return new Response(JSON.stringify(example.value), {
          status: 200,
          headers: { 'content-type': 'application/json' },
        });
      }
    }
    return globalThis.fetch(input, init);
  }) as typeof fetch;
}

function readDocument(path: string): Record<string, unknown> {
  const text = readFileSync(path, 'utf8');
  return (path.endsWith('.json') ? JSON.parse(text) : parseYaml(text)) as Record<string, unknown>;
}

const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'] as const;
type Doc = {
  paths: Record<string, Record<string, Record<string, unknown>>>;
  security?: unknown[];
  components?: { securitySchemes?: Record<string, Record<string, string>> };
};

/** Loads a spec (Swagger 2.0 converted in memory) into openapi-backend, giving every operation an id. */
export async function loadSpec(path: string): Promise<{ api: OpenAPIBackend; doc: Doc }> {
  let doc = readDocument(path) as unknown as Doc & { swagger?: string };
  if (doc.swagger) doc = (await swagger2openapi.convertObj(doc, { patch: true, warnOnly: true })).openapi as Doc;
  for (const [p, item] of Object.entries(doc.paths ?? {})) {
    for (const m of METHODS) {
      const op = item[m];
      if (op && typeof op.operationId !== 'string') op.operationId = `${m.toUpperCase()} ${p}`;
    }
  }
  withFormatExamples(doc);
  const api = new OpenAPIBackend({
    definition: doc as never,
    quick: true,
    validate: true,
    coerceTypes: true,
    ajvOpts: { logger: false },
  });
  await api.init();
  closeRequestBodies(api);
  return { api, doc };
}

/**
 * openapi-backend leaves object schemas open (JSON Schema's default), so a body property the vendor never declared
 * would pass. Every operation's request body schema is replaced, in memory and for requests only (responses keep
 * the vendor's open schemas), by a copy in which each object schema that declares `properties` and says nothing
 * about `additionalProperties` gets `additionalProperties: false`. `allOf` members that are plain object schemas
 * are merged first (closing each member separately would refuse the other members' properties); `oneOf`/`anyOf`
 * subtrees are left as the vendor wrote them (closing their branches would change which branch matches).
 * Validators compile lazily (quick mode), so this runs before any request is validated.
 */
function closeRequestBodies(api: OpenAPIBackend): void {
  const copies = new Map<object, Record<string, unknown>>();
  for (const op of api.getOperations()) {
    const content = (op.requestBody as { content?: Record<string, { schema?: unknown }> } | undefined)?.content;
    for (const media of Object.values(content ?? {}))
      if (media.schema && typeof media.schema === 'object') media.schema = closedCopy(media.schema, copies);
  }
}

function closedCopy(schema: unknown, copies: Map<object, Record<string, unknown>>): unknown {
  if (!schema || typeof schema !== 'object') return schema;
  if (Array.isArray(schema)) return schema.map((s) => closedCopy(s, copies));
  const known = copies.get(schema);
  if (known) return known; // recursive schemas stay recursive
  const source = schema as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  copies.set(schema, out);
  if (source.oneOf || source.anyOf) {
    Object.assign(out, source);
    return out;
  }
  const members = Array.isArray(source.allOf) ? (source.allOf as Record<string, unknown>[]) : [];
  const mergeable =
    members.length > 0 &&
    members.every(
      (m) => m && typeof m === 'object' && !m.oneOf && !m.anyOf && !m.allOf && m.additionalProperties === undefined,
    );
  const parts = mergeable ? [...members, source] : [source];
  for (const part of parts) {
    for (const [key, value] of Object.entries(part)) {
      if (mergeable && key === 'allOf') continue;
      if (key === 'properties' && value && typeof value === 'object') {
        const props = (out.properties ?? {}) as Record<string, unknown>;
        for (const [name, p] of Object.entries(value)) props[name] = closedCopy(p, copies);
        out.properties = props;
      } else if (key === 'required' && Array.isArray(value)) {
        out.required = [...new Set([...((out.required as string[]) ?? []), ...value])];
      } else if (key === 'items' || key === 'additionalProperties' || key === 'allOf' || key === 'not') {
        out[key] = closedCopy(value, copies);
      } else if (!(key in out)) {
        out[key] = value;
      }
    }
  }
  if (out.properties && out.additionalProperties === undefined && !out.allOf) out.additionalProperties = false;
  return out;
}

/**
 * Schema-generated responses (openapi-backend's mock-json-schema) ignore `format`: a string of format int64 comes
 * out as "string". Where the vendor gives no example, a value of the declared format is added in memory.
 */
const FORMAT_EXAMPLES: Record<string, string> = {
  int32: '1',
  int64: '1',
  'date-time': '2024-01-01T00:00:00Z',
  date: '2024-01-01',
  uuid: '3f2a8c1e-6b4d-4e7a-9c10-5d2e8f4a1b01',
};
function withFormatExamples(node: unknown, seen = new Set<unknown>()): void {
  if (!node || typeof node !== 'object' || seen.has(node)) return;
  seen.add(node);
  const o = node as Record<string, unknown>;
  if (o.type === 'string' && typeof o.format === 'string' && o.example === undefined && FORMAT_EXAMPLES[o.format])
    o.example = FORMAT_EXAMPLES[o.format];
  for (const v of Object.values(o)) withFormatExamples(v, seen);
}

/** An Ajv error's message, naming the property an `additionalProperties: false` refused. */
function describe(e: { message?: string; params?: unknown }): string {
  const extra = (e.params as { additionalProperty?: string } | undefined)?.additionalProperty;
  return extra === undefined ? `${e.message}` : `${e.message} (${extra})`;
}

/** A path with its id-like segments as `{id}`, for requests no spec operation matches. */
export function templateOf(path: string): string {
  return path
    .split('/')
    .map((s) => (/^[0-9a-f-]{32,36}$/i.test(s) || /^\d+$/.test(s) || /^[A-Z0-9_-]{10,}$/.test(s) ? '{id}' : s))
    .join('/');
}

function securityProblem(op: Operation, doc: Doc, headers: Record<string, string>, query: URLSearchParams) {
  const requirements = (op.security ?? doc.security ?? []) as Record<string, unknown>[];
  if (requirements.length === 0) return undefined;
  const schemes = doc.components?.securitySchemes ?? {};
  const satisfied = (name: string) => {
    const s = schemes[name];
    if (!s) return true;
    if (s.type === 'apiKey')
      return s.in === 'header' ? headers[s.name!.toLowerCase()] !== undefined : query.has(s.name!);
    const auth = headers.authorization ?? '';
    if (s.type === 'http') return auth.toLowerCase().startsWith(`${(s.scheme ?? '').toLowerCase()} `);
    return auth.toLowerCase().startsWith('bearer ');
  };
  if (requirements.some((r) => Object.keys(r).every(satisfied))) return undefined;
  return `none of the declared security requirements is met: ${requirements.map((r) => Object.keys(r).join('+') || '(none)').join(' | ')}`;
}

/** The result of checking one vendor's recorded requests. */
export interface ContractReport {
  problems: Problem[];
  validated: number;
  /** Vendor spec operations the requests hit. */
  operations: Set<string>;
}

/** A vendor's published specs, loaded once. */
export class VendorContract {
  readonly specs: { source: SpecSource; api: OpenAPIBackend; doc: Doc }[] = [];

  private constructor() {}

  static async load(sources: SpecSource[]): Promise<VendorContract> {
    const c = new VendorContract();
    for (const source of sources) c.specs.push({ source, ...(await loadSpec(join(SPECS_DIR!, source.file))) });
    return c;
  }

  /** Finds the spec operation for a method and a URL. */
  match(method: string, url: string) {
    const u = new URL(url);
    const full = `${u.origin}${u.pathname}`;
    for (const spec of this.specs) {
      if (!full.startsWith(spec.source.prefix)) continue;
      const path = full.slice(spec.source.prefix.length) || '/';
      const op = spec.api.router.matchOperation({ method, path, headers: {} });
      if (op) return { spec, op, path, query: u.searchParams };
    }
    return undefined;
  }

  /** Validates each request: operation exists, parameters, query names, security, body media type and schema. */
  check(requests: RecordedRequest[]): ContractReport {
    const problems: Problem[] = [];
    const operations = new Set<string>();
    let validated = 0;
    for (const r of requests) {
      const found = this.match(r.method, r.url);
      if (!found) {
        const u = new URL(r.url);
        const known = this.specs.some((s) => `${u.origin}${u.pathname}`.startsWith(s.source.prefix));
        problems.push({
          kind: 'not-in-spec',
          operation: known ? `${r.method} ${templateOf(u.pathname)}` : `${r.method} ${u.origin}`,
          message: `${r.sdkOperation}: no operation in the vendor's spec`,
        });
        continue;
      }
      validated++;
      const { spec, op, path, query } = found;
      const name = `${op.method.toUpperCase()} ${op.path}`;
      operations.add(name);
      const add = (kind: Problem['kind'], message: string) =>
        problems.push({ kind, operation: name, message: `${r.sdkOperation}: ${message}` });
      // A form body is validated field by field (openapi-backend only parses JSON bodies).
      const form = /application\/x-www-form-urlencoded/i.test(r.headers['content-type'] ?? '') && r.body;
      const result = spec.api.validator.validateRequest(
        {
          method: r.method,
          path: `${path}${query.size ? `?${query}` : ''}`,
          headers: r.headers,
          body: form ? Object.fromEntries(new URLSearchParams(r.body)) : r.body,
        },
        op,
      );
      for (const e of result.errors ?? []) add('request', `${e.instancePath || '(request)'} ${describe(e)}`);
      const declared = new Set(
        ((op.parameters ?? []) as { in: string; name: string }[]).filter((p) => p.in === 'query').map((p) => p.name),
      );
      for (const key of new Set(query.keys()))
        if (!declared.has(key)) add('unknown-query', `query parameter ${key} is not declared`);
      const security = securityProblem(op, spec.doc, r.headers, query);
      if (security) add('security', security);
      if (r.response && r.response.status < 300 && /json/.test(r.response.contentType) && r.response.body) {
        let parsed: unknown;
        try {
          parsed = JSON.parse(r.response.body);
        } catch {
          parsed = undefined;
        }
        if (parsed !== undefined) {
          const answer = spec.api.validator.validateResponse(parsed, op, r.response.status);
          for (const e of answer.errors ?? [])
            add('fake-response', `our fake answered ${r.response.status}: ${e.instancePath || '(body)'} ${e.message}`);
        }
      }
      const content = (op.requestBody as { content?: Record<string, unknown> } | undefined)?.content;
      if (r.body !== undefined && r.body !== '') {
        const media = (r.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
        if (!content) add('body-media', `sends a body (${media || 'no content type'}) the operation does not take`);
        else if (!Object.keys(content).some((k) => k === '*/*' || k.split(';')[0]!.trim().toLowerCase() === media))
          add(
            'body-media',
            `sends ${media || 'no content type'}; the operation takes ${Object.keys(content).join(', ')}`,
          );
      }
    }
    return { problems, validated, operations };
  }
}

/** Our specs/<vendor>.yaml against the vendor's: every operation of ours must exist there, with our parameter names. */
export async function compareOurSpec(
  ourFile: string,
  vendor: VendorContract,
  prefixOfOurs: string,
): Promise<Problem[]> {
  const ours = readDocument(join(ROOT, 'specs', ourFile)) as unknown as Doc;
  const problems: Problem[] = [];
  for (const [p, item] of Object.entries(ours.paths ?? {})) {
    for (const m of METHODS) {
      const op = item[m];
      if (!op) continue;
      const url = `${prefixOfOurs}${p.replace(/\{[^}]+\}/g, 'x1')}`;
      const found = vendor.match(m.toUpperCase(), url);
      const operation = `${m.toUpperCase()} ${p}`;
      if (!found) {
        problems.push({ kind: 'our-spec', operation, message: 'not in the vendor spec' });
        continue;
      }
      const params = [
        ...((item.parameters as { in: string; name: string; $ref?: string }[] | undefined) ?? []),
        ...((op.parameters as { in: string; name: string; $ref?: string }[] | undefined) ?? []),
      ];
      const theirs = (found.op.parameters ?? []) as { in: string; name: string }[];
      for (const param of params) {
        if (param.$ref || param.in === 'path' || param.in === 'header') continue;
        if (!theirs.some((t) => t.in === param.in && t.name === param.name))
          problems.push({
            kind: 'our-spec',
            operation,
            message: `${param.in} parameter ${param.name} is not in the vendor spec`,
          });
      }
    }
  }
  return problems;
}

/** A response example of a vendor operation: the spec's own, or one generated from its schema. */
export interface SpecExample {
  operation: string;
  source: 'vendor' | 'generated';
  value: unknown;
}

/** The success-response examples of an operation; problems when there are none or only under a non-JSON type. */
export function examplesOf(
  vendor: VendorContract,
  method: string,
  path: string,
): { examples: SpecExample[]; problems: Problem[] } {
  const operation = `${method} ${path}`;
  for (const spec of vendor.specs) {
    const op = spec.api.getOperations().find((o) => o.method.toUpperCase() === method && o.path === path);
    if (!op) continue;
    const examples: SpecExample[] = [];
    const problems: Problem[] = [];
    for (const [code, response] of Object.entries(
      (op.responses ?? {}) as Record<
        string,
        { content?: Record<string, { example?: unknown; examples?: Record<string, { value?: unknown }> }> }
      >,
    )) {
      if (!/^2|default/.test(code)) continue;
      const media = Object.keys(response.content ?? {});
      if (media.length > 0 && !media.some((m) => /json/.test(m)))
        problems.push({
          kind: 'example-media',
          operation,
          message: `response ${code} is declared only as ${media.join(', ')}`,
        });
      for (const c of Object.values(response.content ?? {})) {
        const own = [
          ...(c.example !== undefined ? [c.example] : []),
          ...Object.values(c.examples ?? {}).map((e) => e.value),
        ];
        for (const value of own) examples.push({ operation, source: 'vendor', value });
      }
    }
    if (examples.length === 0) {
      try {
        const mock = spec.api.mockResponseForOperation(op.operationId!);
        problems.push({
          kind: 'no-example',
          operation,
          message: 'no response example; parsed one generated from the schema',
        });
        if (mock.mock !== undefined) examples.push({ operation, source: 'generated', value: mock.mock });
      } catch (error) {
        problems.push({
          kind: 'no-example',
          operation,
          message: `no response example, and none can be generated from the schema (${(error as Error).message})`,
        });
      }
    }
    return { examples, problems };
  }
  return {
    examples: [],
    problems: [{ kind: 'not-in-spec', operation, message: 'example source operation not in the vendor spec' }],
  };
}

/** Reads specs/divergences/<vendor>.yaml. */
export function loadDivergences(vendor: string): Divergence[] {
  const doc = readDocument(join(ROOT, 'specs', 'divergences', `${vendor}.yaml`)) as { divergences?: Divergence[] };
  const list = doc.divergences ?? [];
  for (const d of list) {
    for (const key of ['id', 'kind', 'operation', 'what', 'evidence', 'why'] as const) {
      if (typeof d[key] !== 'string' || d[key].trim() === '')
        throw new Error(`divergence ${d.id ?? '?'} of ${vendor}: ${key} is required`);
    }
  }
  return list;
}

/** Problems not on the list, and list entries no problem matches. */
export function reconcile(
  problems: Problem[],
  divergences: Divergence[],
): { unexpected: Problem[]; stale: Divergence[] } {
  const used = new Set<string>();
  const unexpected: Problem[] = [];
  for (const p of problems) {
    const hits = divergences.filter(
      (d) =>
        d.kind === p.kind &&
        (d.operation.startsWith('^') ? new RegExp(d.operation).test(p.operation) : d.operation === p.operation) &&
        (d.match === undefined || new RegExp(d.match).test(p.message)),
    );
    if (hits.length === 0) unexpected.push(p);
    for (const h of hits) used.add(h.id);
  }
  return { unexpected, stale: divergences.filter((d) => !used.has(d.id)) };
}

/** Formats problems for a failure message. */
export function formatProblems(problems: Problem[]): string {
  const grouped = new Map<string, string[]>();
  for (const p of problems) {
    const [sdk, ...rest] = p.message.split(': ');
    const key = `  - kind: ${p.kind}\n    operation: ${p.operation}\n    message: ${rest.length ? rest.join(': ') : sdk}`;
    grouped.set(key, [...(grouped.get(key) ?? []), rest.length ? sdk! : '']);
  }
  return [...grouped].map(([k, sdk]) => `${k}\n    from: ${[...new Set(sdk)].join(', ')}`).join('\n');
}
