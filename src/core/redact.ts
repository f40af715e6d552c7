/**
 * Secrets never leave the SDK in clear: credentials are held as {@link Secret} (which prints as
 * `[REDACTED]` through `String()`, `JSON.stringify` and `util.inspect`), and every text that leaves the SDK
 * passes through a {@link Redactor} that knows the client's secrets and tokens, in clear and in the encodings
 * they travel in (base64 and base64url for Basic auth and JWT-like blobs, URL and form encoding, JSON escaping).
 *
 * Every client owns one Redactor; each is also listed (weakly) in a process-wide registry so a last line of
 * defence ({@link scrubText}: CLI output, MCP results, vendor-value previews) can replace the secrets of every
 * live client. Bounded by construction: credentials stay while the client lives, obtained tokens are kept for
 * the last {@link MAX_TOKENS} only (they rotate), and a Redactor drops out of the registry when its client is
 * garbage-collected.
 */

const REDACTED = '[REDACTED]';
const inspectSymbol = Symbol.for('nodejs.util.inspect.custom');

/** How many obtained tokens (access, refresh, session) a Redactor remembers; older ones have rotated out. */
export const MAX_TOKENS = 32;

/** A secret value that cannot be printed by accident. Call `reveal()` only where it goes on the wire. */
export class Secret {
  readonly #value: string;
  constructor(value: string) {
    this.#value = value;
  }
  /** The clear value; use only to build a request. */
  reveal(): string {
    return this.#value;
  }
  /** Always the redaction marker, never the value. */
  toString(): string {
    return REDACTED;
  }
  /** Always the redaction marker, never the value. */
  toJSON(): string {
    return REDACTED;
  }
  /** What `console.log` and `util.inspect` show: no value. */
  [inspectSymbol](): string {
    return `Secret(${REDACTED})`;
  }
}

/**
 * The part of the base64 text of `value` that does not depend on what surrounds it, when `value` starts `shift`
 * bytes (0-2) into a longer base64-encoded blob (`user:password`, a JSON body, a token inside another token).
 */
function base64Core(value: Buffer, shift: number, url: boolean): string {
  const b64 = Buffer.concat([Buffer.alloc(shift), value]).toString(url ? 'base64url' : 'base64');
  const from = Math.ceil((8 * shift) / 6);
  const to = Math.floor((8 * (shift + value.length)) / 6);
  return b64.slice(from, to);
}

/** Every form a secret can take in text: clear, URL/form/JSON-encoded, base64 and base64url at any alignment. */
export function secretForms(value: string): string[] {
  const bytes = Buffer.from(value, 'utf8');
  const forms = new Set<string>([value]);
  const encoded = encodeURIComponent(value);
  forms.add(encoded);
  forms.add(encoded.replace(/%[0-9A-F]{2}/g, (m) => m.toLowerCase()));
  forms.add(new URLSearchParams({ v: value }).toString().slice(2));
  forms.add(JSON.stringify(value).slice(1, -1));
  const derived = new Set<string>([bytes.toString('base64'), bytes.toString('base64url')]);
  for (const shift of [0, 1, 2]) {
    derived.add(base64Core(bytes, shift, false));
    derived.add(base64Core(bytes, shift, true));
  }
  // Derived forms shorter than 6 characters would match ordinary text.
  for (const d of derived) if (d.length >= 6) forms.add(d);
  return [...forms].filter((f) => f.length >= 4);
}

/** Live Redactors of the process (weakly held: a client that is gone takes its Redactor with it). */
const registry = new Set<WeakRef<Redactor>>();
const finalizer = new FinalizationRegistry<WeakRef<Redactor>>((ref) => registry.delete(ref));

/** Replaces known secrets in text. One per client; tokens are added as they are issued. */
export class Redactor {
  /** Credentials: kept for the client's life. */
  readonly #pinned = new Set<string>();
  /** Obtained tokens, oldest first; capped at {@link MAX_TOKENS}. */
  readonly #tokens = new Set<string>();
  #patterns: string[] | undefined = [];
  /** The token last passed to {@link addToken}: already the most recent, so touching it again changes nothing. */
  #lastToken: string | undefined;

  constructor() {
    const ref = new WeakRef(this);
    registry.add(ref);
    finalizer.register(this, ref);
  }

  /** Registers a credential (shorter than 4 characters is ignored: it would redact ordinary words). */
  add(value: string | Secret | undefined): void {
    const clear = value instanceof Secret ? value.reveal() : value;
    if (!clear || clear.length < 4 || this.#pinned.has(clear)) return;
    this.#tokens.delete(clear);
    this.#pinned.add(clear);
    this.#patterns = undefined;
  }

  /**
   * Registers a token the client obtained (access, refresh or session token). Only the last
   * {@link MAX_TOKENS} are remembered: tokens rotate, and a long-running process must not grow forever.
   */
  addToken(value: string | Secret | undefined): void {
    const clear = value instanceof Secret ? value.reveal() : value;
    // Every call with a cached token passes here (issue 21): the common case costs one comparison.
    if (clear === this.#lastToken && clear !== undefined && this.#tokens.has(clear)) return;
    if (!clear || clear.length < 4 || this.#pinned.has(clear)) return;
    this.#lastToken = clear;
    if (this.#tokens.has(clear)) {
      // Most recently seen goes last, so a token in use is never the one evicted.
      this.#tokens.delete(clear);
      this.#tokens.add(clear);
      return;
    }
    this.#tokens.add(clear);
    while (this.#tokens.size > MAX_TOKENS) this.#tokens.delete(this.#tokens.values().next().value as string);
    this.#patterns = undefined;
  }

  /** Registers `username:password` too, so the Basic `Authorization` value (its base64) is redacted. */
  addBasic(username: string, password: string): void {
    this.add(`${username}:${password}`);
  }

  /** How many secrets are known (credentials and remembered tokens). */
  get size(): number {
    return this.#pinned.size + this.#tokens.size;
  }

  #compiled(): string[] {
    if (this.#patterns === undefined) {
      const all = new Set<string>();
      for (const v of [...this.#pinned, ...this.#tokens]) for (const f of secretForms(v)) all.add(f);
      // Longest first, so a secret that contains another is replaced whole.
      this.#patterns = [...all].sort((a, b) => b.length - a.length);
    }
    return this.#patterns;
  }

  /** The text with every known secret replaced by `[REDACTED]`. */
  redact(text: string): string {
    let out = text;
    for (const p of this.#compiled()) {
      if (out.includes(p)) out = out.split(p).join(REDACTED);
    }
    return out;
  }

  /**
   * Deep-copies a JSON-like value with secrets redacted in every string and the values of secret-named keys
   * (`password`, `access_token`, ...) replaced (for logs and events). Errors are scrubbed in place; cycles and
   * nesting deeper than 32 levels become `[...]`.
   */
  redactValue<T>(value: T, depth = 0): T {
    return scrubValueWith((s) => this.redact(s), value, depth, new WeakSet()) as T;
  }

  [inspectSymbol](): string {
    return `Redactor(${this.size} secrets)`;
  }
}

/**
 * The last line of defence: the text with the secrets of every live client of the process replaced. Used
 * where no single client is in scope (CLI output, MCP results, vendor-value previews).
 */
export function scrubText(text: string): string {
  let out = text;
  for (const ref of registry) {
    const r = ref.deref();
    if (r) out = r.redact(out);
    else registry.delete(ref);
  }
  return out;
}

/** Keys whose values are secrets whatever they contain. */
export const SENSITIVE_KEY =
  /^(authorization|proxy-authorization|authenticate|cookie|set-cookie|password|passwd|pwd|secret|client_?secret|access_?token|refresh_?token|id_?token|session_?token|sessiontoken|token|api[-_]?key|ocp-apim-subscription-key|x-subscription-key|subscription_?key)$/i;

/** Headers with secrets redacted, for `request` events and logs. */
export function redactHeaders(headers: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) out[k] = SENSITIVE_KEY.test(k) ? REDACTED : v;
  return out;
}

const MAX_DEPTH = 32;

/**
 * Deep copy of a value with `scrub` applied to every string, secret-named keys replaced, errors scrubbed in place
 * ({@link scrubErrorWith}). Used by {@link Redactor.redactValue} and the error scrubber.
 */
export function scrubValueWith(
  scrub: (text: string) => string,
  value: unknown,
  depth: number,
  seen: WeakSet<object>,
): unknown {
  if (typeof value === 'string') return scrub(value);
  if (value === null || typeof value !== 'object') return value;
  if (value instanceof Error) return scrubErrorWith(scrub, value, seen);
  if (seen.has(value) || depth > MAX_DEPTH) return '[...]';
  if (value instanceof Date || value instanceof RegExp) return value;
  seen.add(value);
  try {
    if (Array.isArray(value)) return value.map((v) => scrubValueWith(scrub, v, depth + 1, seen));
    if (value instanceof Map) {
      return new Map([...value].map(([k, v]) => [k, scrubValueWith(scrub, v, depth + 1, seen)]));
    }
    if (value instanceof Set) return new Set([...value].map((v) => scrubValueWith(scrub, v, depth + 1, seen)));
    if (value instanceof Secret) return value;
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      // Keys are scrubbed too: an echoed body can carry a secret as a property name.
      out[scrub(k)] =
        SENSITIVE_KEY.test(k) && v !== undefined && v !== null ? REDACTED : scrubValueWith(scrub, v, depth + 1, seen);
    }
    return out;
  } finally {
    seen.delete(value);
  }
}

/**
 * Scrubs an error in place (same object, class and identity): every own string property (`message`, `stack`,
 * `code`, `requestId`, `hint`, `field`, ...), every own object property (deep-copied with strings scrubbed:
 * `value`, `details`, `issues`, `before`, ...), and the whole `cause` chain (and `errors` of an AggregateError).
 * Properties that cannot be redefined are left as they are.
 */
export function scrubErrorWith<E extends Error>(
  scrub: (text: string) => string,
  error: E,
  seen = new WeakSet<object>(),
): E {
  if (seen.has(error)) return error;
  seen.add(error);
  // `stack` is computed from the message at construction: scrub it as text whatever the message becomes.
  const names = new Set([...Object.getOwnPropertyNames(error), 'message', 'stack']);
  for (const name of names) {
    let descriptor: PropertyDescriptor | undefined;
    let current: unknown;
    try {
      descriptor = Object.getOwnPropertyDescriptor(error, name);
      if (descriptor && !('value' in descriptor) && name !== 'stack') continue; // accessors are computed
      current = (error as unknown as Record<string, unknown>)[name];
    } catch {
      continue;
    }
    let next: unknown;
    if (typeof current === 'string') next = scrub(current);
    else if (current instanceof Error) next = scrubErrorWith(scrub, current, seen);
    else if (current !== null && typeof current === 'object') next = scrubValueWith(scrub, current, 0, seen);
    else continue;
    if (next === current) continue;
    try {
      Object.defineProperty(error, name, {
        value: next,
        writable: descriptor?.writable ?? true,
        enumerable: descriptor?.enumerable ?? false,
        configurable: true,
      });
    } catch {
      // A frozen or non-configurable property: nothing more can be done here.
    }
  }
  return error;
}

/**
 * An error scrubbed in place with the secrets of every live client of the process (each client's Redactor is in
 * the registry, so this covers the client that threw it). Anything that is not an Error is returned as it is.
 */
export function scrubError<E>(error: E): E {
  if (!(error instanceof Error)) return error;
  return scrubErrorWith(scrubText, error) as E;
}

/** A deep copy of a JSON-like value scrubbed with the secrets of every live client (see {@link scrubText}). */
export function scrubValue<T>(value: T): T {
  return scrubValueWith(scrubText, value, 0, new WeakSet()) as T;
}

/** Longest vendor-supplied `code` or `requestId` an error keeps (cut after scrubbing, never before). */
export const MAX_VENDOR_ID_CHARS = 200;

/**
 * What every provider's error mapper returns through: the error scrubbed in place ({@link scrubError}), then its
 * vendor-supplied `code` and `requestId` cut to {@link MAX_VENDOR_ID_CHARS}. Vendor bodies and headers are vendor
 * text: they may echo the credentials they received.
 */
export function scrubVendorError<E>(error: E): E {
  if (!(error instanceof Error)) return error;
  scrubError(error);
  for (const name of ['code', 'requestId']) {
    const v = (error as unknown as Record<string, unknown>)[name];
    if (typeof v === 'string' && v.length > MAX_VENDOR_ID_CHARS) {
      try {
        Object.defineProperty(error, name, { value: `${v.slice(0, MAX_VENDOR_ID_CHARS)}...` });
      } catch {
        // Not redefinable: left scrubbed but whole.
      }
    }
  }
  return error;
}
