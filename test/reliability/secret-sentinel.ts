import { inspect } from 'node:util';
import type { Logger, SdkEventName } from '../../src/core/events.js';
import type { MarketplaceClient } from '../../src/core/marketplace-client.js';

const EVENTS: SdkEventName[] = ['request', 'response', 'retry', 'token', 'audit', 'warning'];
/** Request headers whose values are credentials. */
const SECRET_HEADERS = /^(authorization|authenticate|ocp-apim-subscription-key|x-subscription-key|x-api-key)$/i;
/** Form and JSON fields whose values are credentials. */
const SECRET_FIELDS =
  /^(client_?secret|password|refresh_?token|access_?token|token|id_?token|session_?token|sessiontoken|accesstoken|refreshtoken|subscription_?key)$/i;

/** A form a secret can leak in. */
export type SecretForm = 'clear' | 'base64' | 'url-encoded';

/** The forms a secret travels or could leak in: clear, base64, base64url, URL-encoded (percent and form). */
export function secretLeakForms(secret: string): Array<{ text: string; form: SecretForm }> {
  const b = Buffer.from(secret, 'utf8');
  const out = new Map<string, SecretForm>([[secret, 'clear']]);
  for (const t of [b.toString('base64'), b.toString('base64url'), b.toString('base64').replace(/=+$/, '')]) {
    if (!out.has(t)) out.set(t, 'base64');
  }
  // Inside a longer base64 text (`user:password` in a Basic header, a token in a JSON blob): the characters that
  // depend only on the secret, for each of the three byte alignments.
  for (const shift of [0, 1, 2]) {
    for (const enc of ['base64', 'base64url'] as const) {
      const t = Buffer.concat([Buffer.alloc(shift), b]).toString(enc);
      const core = t.slice(Math.ceil((8 * shift) / 6), Math.floor((8 * (shift + b.length)) / 6));
      if (core.length >= 8 && !out.has(core)) out.set(core, 'base64');
    }
  }
  const pct = encodeURIComponent(secret);
  for (const t of [
    pct,
    pct.replace(/%[0-9A-F]{2}/g, (m) => m.toLowerCase()),
    new URLSearchParams({ v: secret }).toString().slice(2),
  ]) {
    if (!out.has(t)) out.set(t, 'url-encoded');
  }
  return [...out].map(([text, form]) => ({ text, form }));
}

/** One secret found in recorded output. */
export interface SecretLeak {
  secret: string;
  form: SecretForm;
  where: string;
  excerpt: string;
}

/**
 * Records everything the SDK lets out (error messages and fields, JSON and `util.inspect` of errors and
 * clients, logger lines, events) and fails when a configured secret, password, subscription key, access or
 * refresh token appears in it, in clear or base64. Secrets are registered up front (credentials) and learnt
 * from the wire as the run goes (tokens the fakes issue, via {@link SecretSentinel.fetch}).
 */
export class SecretSentinel {
  readonly #secrets = new Set<string>();
  readonly #kept = new Map<string, string>();
  readonly #found = new Map<string, SecretLeak>();
  #patterns: Array<{ secret: string; text: string; form: SecretForm }> | undefined;
  /** How many things were recorded (errors, events, log lines, inspections). */
  recorded = 0;

  /** Registers secrets (values shorter than 6 characters are ignored: they would match ordinary words). */
  secret(...values: Array<string | undefined | null>): void {
    for (const v of values) {
      if (typeof v !== 'string' || v.length < 6 || this.#secrets.has(v)) continue;
      this.#secrets.add(v);
      this.#patterns = undefined;
    }
  }

  /** Registers every string of a credentials object, and `user:password` (Basic auth) when both are there. */
  credentials(credentials: Record<string, unknown>, publicKeys: string[] = ['clientId', 'username', 'tenantId']): void {
    for (const [k, v] of Object.entries(credentials))
      if (!publicKeys.includes(k) && typeof v === 'string') this.secret(v);
    const user = credentials.username ?? credentials.clientId;
    const pass = credentials.password ?? credentials.clientSecret;
    if (typeof user === 'string' && typeof pass === 'string') this.secret(`${user}:${pass}`);
  }

  get secrets(): number {
    return this.#secrets.size;
  }

  /** Records one value as the SDK exposes it: text, error (message, fields, JSON, inspect) or object. */
  observe(where: string, value: unknown): void {
    this.recorded += 1;
    const parts: string[] = [];
    if (typeof value === 'string') parts.push(value);
    else if (value instanceof Error) {
      parts.push(String(value), value.message, value.stack ?? '', inspect(value, { depth: Infinity }), safeJson(value));
      for (const [k, v] of Object.entries(value)) parts.push(`${k}=${typeof v === 'string' ? v : safeJson(v)}`);
      // The whole cause chain: each cause's message, stack, own fields and JSON.
      let cause: unknown = value.cause;
      for (let i = 0; cause !== undefined && i < 20; i++) {
        parts.push(inspect(cause, { depth: Infinity }), safeJson(cause));
        if (!(cause instanceof Error)) break;
        parts.push(cause.message, cause.stack ?? '');
        for (const [k, v] of Object.entries(cause)) parts.push(`${k}=${typeof v === 'string' ? v : safeJson(v)}`);
        cause = cause.cause;
      }
    } else {
      // Events are plain data: their JSON holds every string they carry.
      parts.push(safeJson(value));
    }
    const text = parts.join('\n');
    this.#check(text, where);
    // Errors are kept and checked again at the end, against secrets learnt later in the run.
    if (value instanceof Error && this.#kept.size < 50_000) this.#kept.set(text, where);
  }

  #check(text: string, where: string): void {
    if (this.#patterns === undefined) {
      this.#patterns = [...this.#secrets].flatMap((s) =>
        secretLeakForms(s).map((f) => ({ secret: s, text: f.text, form: f.form })),
      );
    }
    for (const p of this.#patterns) {
      const at = text.indexOf(p.text);
      if (at < 0) continue;
      const key = `${p.secret}\u0000${where}`;
      if (this.#found.has(key)) continue;
      this.#found.set(key, {
        secret: mask(p.secret),
        form: p.form,
        where,
        excerpt: text.slice(Math.max(0, at - 60), at + 20),
      });
    }
  }

  /** A logger that records every line and its data. */
  logger(where = 'logger'): Logger {
    const log = (level: string) => (message: string, data?: Record<string, unknown>) =>
      this.observe(`${where}.${level}`, `${message} ${safeJson(data)} ${inspect(data, { depth: 6 })}`);
    return { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') };
  }

  /** Subscribes to every event of a client and records `util.inspect` and JSON of the client itself. */
  watch(client: MarketplaceClient, where = client.provider): MarketplaceClient {
    for (const name of EVENTS) client.on(name, (event: unknown) => this.observe(`${where} ${name} event`, event));
    this.observe(`${where} client`, inspect(client, { depth: 6 }));
    this.observe(`${where} client`, safeJson(client));
    this.observe(`${where} client`, String(client));
    return client;
  }

  /** Wraps a fetch so credentials and tokens seen on the wire become secrets the sentinel looks for. */
  fetch(inner: typeof fetch): typeof fetch {
    return async (input, init) => {
      const headers = new Headers(init?.headers);
      headers.forEach((v, k) => {
        if (!SECRET_HEADERS.test(k)) return;
        const value = v.replace(/^(Bearer|Basic|CCPSessionId)\s+/i, '');
        this.secret(value);
        if (/^Basic /i.test(v)) this.secret(Buffer.from(value, 'base64').toString('utf8'));
      });
      const body = init?.body;
      if (typeof body === 'string' || body instanceof URLSearchParams) this.#learnFromBody(String(body));
      const response = await inner(input, init);
      const type = response.headers.get('content-type') ?? '';
      if (type.includes('json')) {
        const text = await response.clone().text();
        this.#learnFromBody(text);
      }
      return response;
    };
  }

  #learnFromBody(text: string): void {
    if (!/token|secret|password|key/i.test(text)) return;
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      for (const [k, v] of new URLSearchParams(text)) if (SECRET_FIELDS.test(k)) this.secret(v);
      return;
    }
    const visit = (v: unknown, depth: number): void => {
      if (depth > 6 || v === null || typeof v !== 'object') return;
      for (const [k, x] of Object.entries(v)) {
        if (typeof x === 'string' && SECRET_FIELDS.test(k)) this.secret(x);
        else visit(x, depth + 1);
      }
    };
    visit(parsed, 0);
  }

  /** Every secret found in what was recorded (errors are checked again against every secret known now). */
  leaks(): SecretLeak[] {
    for (const [text, where] of this.#kept) this.#check(text, where);
    return [...this.#found.values()];
  }
}

function mask(secret: string): string {
  return `${secret.slice(0, 3)}…(${secret.length} chars)`;
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value) ?? 'undefined';
  } catch {
    return '[unserializable]';
  }
}
