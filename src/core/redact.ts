/**
 * Secrets never leave the SDK in clear: credentials are held as {@link Secret} (which prints as
 * `[REDACTED]` through `String()`, `JSON.stringify` and `util.inspect`), and every text built from a
 * vendor answer or a thrown error passes through a {@link Redactor} that knows the client's secrets and
 * tokens, in clear and in the encodings they travel in (base64 for Basic auth, URL encoding for forms).
 */

const REDACTED = '[REDACTED]';
const inspectSymbol = Symbol.for('nodejs.util.inspect.custom');

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

function encodings(value: string): string[] {
  const forms = new Set<string>([value]);
  forms.add(encodeURIComponent(value));
  forms.add(Buffer.from(value, 'utf8').toString('base64'));
  forms.add(Buffer.from(value, 'utf8').toString('base64url'));
  return [...forms].filter((f) => f.length >= 4);
}

/** Replaces known secrets in text. One per client; tokens are added as they are issued. */
export class Redactor {
  readonly #values = new Set<string>();
  #patterns: string[] = [];

  /** Registers a secret (shorter than 4 characters is ignored: it would redact ordinary words). */
  add(value: string | Secret | undefined): void {
    const clear = value instanceof Secret ? value.reveal() : value;
    if (!clear || clear.length < 4 || this.#values.has(clear)) return;
    this.#values.add(clear);
    // Longest first, so a secret that contains another is replaced whole.
    this.#patterns = [...this.#values].flatMap(encodings).sort((a, b) => b.length - a.length);
  }

  /** Adds the secrets to the text of `userPass` in Basic auth form too (`user:pass` in base64). */
  addBasic(username: string, password: string): void {
    this.add(`${username}:${password}`);
  }

  /** The text with every known secret replaced by `[REDACTED]`. */
  redact(text: string): string {
    let out = text;
    for (const p of this.#patterns) {
      if (out.includes(p)) out = out.split(p).join(REDACTED);
    }
    return out;
  }

  /** Deep-copies a JSON-like value with secrets redacted in every string (for logs and events). */
  redactValue<T>(value: T, depth = 0): T {
    if (typeof value === 'string') return this.redact(value) as T;
    if (depth > 8 || value === null || typeof value !== 'object') return value;
    if (Array.isArray(value)) return value.map((v) => this.redactValue(v, depth + 1)) as T;
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      out[k] = SENSITIVE_KEY.test(k) ? REDACTED : this.redactValue(v, depth + 1);
    }
    return out as T;
  }

  [inspectSymbol](): string {
    return `Redactor(${this.#values.size} secrets)`;
  }
}

/** Keys whose values are secrets whatever they contain. */
export const SENSITIVE_KEY =
  /^(authorization|authenticate|password|passwd|secret|client_?secret|access_?token|refresh_?token|token|api[-_]?key|ocp-apim-subscription-key|x-subscription-key|subscription_?key)$/i;

/** Headers with secrets redacted, for `request` events and logs. */
export function redactHeaders(headers: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) out[k] = SENSITIVE_KEY.test(k) ? REDACTED : v;
  return out;
}
