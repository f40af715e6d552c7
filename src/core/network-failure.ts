/**
 * What a failed connection tells: undici's `fetch failed` hides the reason in its `cause` chain (`ECONNREFUSED`,
 * `ENOTFOUND`, a certificate code, ...). This reads the code, sorts it into a family with a hint, and keeps a
 * copy of the chain whose messages passed the client's redactor.
 */

/** Families of connection failure a user tells apart (docs/errors.md). */
export type NetworkFailureFamily = 'dns' | 'refused' | 'unreachable' | 'tls' | 'reset' | 'other';

const DNS = new Set(['ENOTFOUND', 'EAI_AGAIN', 'EAI_FAIL', 'EAI_NODATA', 'EAI_NONAME']);
const REFUSED = new Set(['ECONNREFUSED']);
const UNREACHABLE = new Set([
  'UND_ERR_CONNECT_TIMEOUT',
  'ETIMEDOUT',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'ENETDOWN',
  'EHOSTDOWN',
]);
const RESET = new Set(['ECONNRESET', 'EPIPE', 'ECONNABORTED', 'UND_ERR_SOCKET', 'UND_ERR_CLOSED', 'UND_ERR_ABORTED']);

/** The family of an error code (`ECONNREFUSED` -> `refused`). */
export function networkFailureFamily(code: string | undefined): NetworkFailureFamily {
  if (!code) return 'other';
  if (DNS.has(code)) return 'dns';
  if (REFUSED.has(code)) return 'refused';
  if (UNREACHABLE.has(code)) return 'unreachable';
  if (RESET.has(code)) return 'reset';
  if (
    code.startsWith('CERT_') ||
    code.startsWith('UNABLE_TO_') ||
    code.startsWith('ERR_TLS_') ||
    code.startsWith('ERR_SSL_') ||
    code.includes('SELF_SIGNED') ||
    code === 'HOSTNAME_MISMATCH'
  ) {
    return 'tls';
  }
  return 'other';
}

/** What the user should check, per family. */
export function networkFailureHint(family: NetworkFailureFamily, host: string): string {
  switch (family) {
    case 'dns':
      return `The host name ${host} did not resolve: check the base URL or region, the machine's DNS, and whether this network only reaches the internet through a proxy.`;
    case 'refused':
      return `Nothing accepted the connection to ${host}: check the base URL and port, a firewall, or whether a proxy is required.`;
    case 'unreachable':
      return `No connection to ${host} could be made in time: a firewall dropping packets, no route, or a proxy that is required but not used.`;
    case 'tls':
      return `The TLS certificate presented for ${host} was not trusted: usually a TLS-inspecting proxy or antivirus. Add its CA with NODE_EXTRA_CA_CERTS; never turn verification off.`;
    case 'reset':
      return `The connection to ${host} was cut (by a proxy, a load balancer or the vendor); reads are retried.`;
    default:
      return `Check network access to ${host}; reads are retried.`;
  }
}

function ownCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.length <= 64 ? code : undefined;
}

function next(error: unknown): unknown {
  if (!(error instanceof Error)) return undefined;
  if (error.cause !== undefined) return error.cause;
  // Node's happy-eyeballs connect gives an AggregateError with one error per address.
  return error instanceof AggregateError ? error.errors[0] : undefined;
}

/** The most specific error code in `error`'s cause chain (the deepest one, `ECONNREFUSED` over `UND_ERR_...`). */
export function networkCauseCode(error: unknown): string | undefined {
  let found: string | undefined;
  let e: unknown = error;
  for (let depth = 0; e !== undefined && depth < 6; depth++) {
    found = ownCode(e) ?? found;
    e = next(e);
  }
  return found;
}

/**
 * A copy of `error`'s chain (name, redacted message, code; at most 5 deep) that holds nothing the redactor did
 * not see: safe to put as an SDK error's `cause`.
 */
export function redactedCauseChain(error: unknown, redact: (text: string) => string, depth = 0): Error | undefined {
  if (!(error instanceof Error) || depth > 4) return undefined;
  const copy = new Error(redact(error.message), { cause: redactedCauseChain(next(error), redact, depth + 1) });
  copy.name = error.name;
  const code = ownCode(error);
  if (code) Object.defineProperty(copy, 'code', { value: code, enumerable: true });
  copy.stack = `${copy.name}: ${copy.message}`;
  return copy;
}
