import { ConfigurationError } from './errors.js';

/** Checks that a required credential field is a non-empty string; never echoes its value. */
export function requireCredential(provider: string, credentials: unknown, field: string, where: string): string {
  const value =
    credentials && typeof credentials === 'object' ? (credentials as Record<string, unknown>)[field] : undefined;
  if (typeof value !== 'string' || value.trim() === '') {
    throw new ConfigurationError(`${provider}: credentials.${field} is missing or empty`, {
      provider,
      operation: 'configure',
      hint: `Pass credentials.${field}: ${where}.`,
    });
  }
  return value.trim();
}

/** Checks a base/token URL (https, or http only for loopback hosts used in tests). */
export function requireUrl(provider: string, name: string, value: unknown): string {
  let url: URL | undefined;
  try {
    url = typeof value === 'string' ? new URL(value) : undefined;
  } catch {
    url = undefined;
  }
  const loopback = url && /^(localhost|127\.\d+\.\d+\.\d+|\[::1\])$/.test(url.hostname);
  if (!url || !(url.protocol === 'https:' || (url.protocol === 'http:' && loopback))) {
    throw new ConfigurationError(`${provider}: ${name} must be an https URL (got ${JSON.stringify(String(value))})`, {
      provider,
      operation: 'configure',
      hint: `Leave ${name} unset to use the default, or pass a full https:// URL.`,
    });
  }
  return url.toString().replace(/\/+$/, '');
}
