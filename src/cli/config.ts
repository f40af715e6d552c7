import { readFileSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import { type KnownKeys, describeUnknownKey, knownKeys, unknownKeys } from '../core/options/strict-keys.js';
import type { ProviderId } from '../model/common.js';
import { CliUsageError } from './errors.js';
import type { CliIo } from './io.js';
import { CLI_PROVIDERS, type CliProvider } from './providers.js';

/** The config file: settings per provider, with the same keys as the fields in docs/cli.md. */
export interface CliConfigFile {
  /** Recorded as the actor of every write's audit event (default `msp-marketplace-cli`). */
  actor?: string | undefined;
  /** Settings per provider id (`pax8`, `sherweb`, `ingram`, ...). */
  providers?: Partial<Record<ProviderId, Record<string, string>>> | undefined;
}

/** A loaded config file and where it came from. */
export interface LoadedConfig {
  /** The file read, or undefined when none was used. */
  path: string | undefined;
  config: CliConfigFile;
}

/** The default config file: `$XDG_CONFIG_HOME/msp-marketplace/config.json`, else `~/.config/msp-marketplace/config.json`. */
export function defaultConfigPath(io: Pick<CliIo, 'env' | 'homedir'>): string {
  const base = io.env.XDG_CONFIG_HOME || join(io.homedir ?? homedir(), '.config');
  return join(base, 'msp-marketplace', 'config.json');
}

/**
 * Reads the config file given with `--config` (must exist) or the default one (optional). Refuses a file that
 * group or others can read or write, since it holds secrets. Never echoes the file's content.
 */
export function loadConfig(explicit: string | undefined, io: CliIo): LoadedConfig {
  const cwd = io.cwd ?? process.cwd();
  const path = explicit ? (isAbsolute(explicit) ? explicit : resolve(cwd, explicit)) : defaultConfigPath(io);
  let mode: number;
  try {
    const st = statSync(path);
    if (!st.isFile()) throw new CliUsageError(`Config file ${path} is not a file`);
    mode = st.mode;
  } catch (error) {
    if (error instanceof CliUsageError) throw error;
    if (!explicit && (error as NodeJS.ErrnoException).code === 'ENOENT') return { path: undefined, config: {} };
    throw new CliUsageError(
      `Cannot read config file ${path}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`,
      'Check the path given with --config.',
    );
  }
  if ((io.platform ?? process.platform) !== 'win32' && (mode & 0o077) !== 0) {
    throw new CliUsageError(
      `Config file ${path} is accessible by group or others (mode ${(mode & 0o777).toString(8).padStart(3, '0')}); it holds secrets, so it is not read`,
      `Run: chmod 600 ${path}`,
    );
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    // The parser's message may quote the file's content (secrets): only say where it failed.
    const at = error instanceof SyntaxError ? (/position \d+/.exec(error.message)?.[0] ?? '') : '';
    throw new CliUsageError(
      `Config file ${path} is not valid JSON${at ? ` (at ${at})` : ''}`,
      'See docs/cli.md for the format.',
    );
  }
  return { path, config: checkConfig(parsed, path) };
}

/** Every key of the config file's top level. */
const CONFIG_FILE_KEYS = knownKeys<CliConfigFile>('config file keys', { actor: true, providers: true });

/** Refuses unknown keys, naming each and the closest known one (`acter` -> `actor`); never echoes a value. */
function rejectUnknownKeys(
  value: unknown,
  known: KnownKeys,
  bad: (what: string) => CliUsageError,
  path?: string,
  noun = 'key',
): void {
  const keys = unknownKeys(value, known);
  if (keys.length === 0) return;
  const named = keys.map((k) => describeUnknownKey(k, known.keys, path)).join(', ');
  throw bad(`unknown ${noun}${keys.length === 1 ? '' : 's'} ${named} (known: ${known.keys.join(', ')})`);
}

function checkConfig(value: unknown, path: string): CliConfigFile {
  const bad = (what: string) =>
    new CliUsageError(`Config file ${path}: ${what}`, 'See docs/cli.md for the format of the config file.');
  if (!value || typeof value !== 'object' || Array.isArray(value)) throw bad('must be a JSON object');
  rejectUnknownKeys(value, CONFIG_FILE_KEYS, bad);
  const { actor, providers } = value as Record<string, unknown>;
  if (actor !== undefined && typeof actor !== 'string') throw bad('"actor" must be a string');
  if (providers === undefined) return { actor };
  if (!providers || typeof providers !== 'object' || Array.isArray(providers))
    throw bad('"providers" must be an object');
  const out: Partial<Record<ProviderId, Record<string, string>>> = {};
  for (const [id, settings] of Object.entries(providers as Record<string, unknown>)) {
    const entry = CLI_PROVIDERS.find((p) => p.id === id);
    if (!entry) {
      const ids = CLI_PROVIDERS.map((p) => p.id);
      throw bad(`unknown provider ${describeUnknownKey(id, ids, 'providers')} (known: ${ids.join(', ')})`);
    }
    if (!settings || typeof settings !== 'object' || Array.isArray(settings)) {
      throw bad(`"providers.${id}" must be an object`);
    }
    rejectUnknownKeys(
      settings,
      { what: `${id} settings`, keys: entry.fields.map((f) => f.key) },
      bad,
      `providers.${id}`,
      'setting',
    );
    const values: Record<string, string> = {};
    for (const [key, v] of Object.entries(settings as Record<string, unknown>)) {
      // Never echo the value: it may be a secret.
      if (typeof v !== 'string') throw bad(`"providers.${id}.${key}" must be a string`);
      values[key] = v;
    }
    out[id as ProviderId] = values;
  }
  return { actor, providers: out };
}

/** Where a provider's settings came from. */
export type CredentialSource = 'env' | 'config' | 'env+config' | 'mock';

/** A provider's resolved settings. */
export interface ResolvedProvider {
  provider: CliProvider;
  /** `configured`: every required field is set; `partial`: some are; `absent`: none. */
  state: 'configured' | 'partial' | 'absent';
  values: Record<string, string>;
  /** Environment variables of the required fields that are missing. */
  missing: string[];
  source: CredentialSource | undefined;
}

/** Resolves one provider's settings: environment variables win over the config file, field by field. */
export function resolveProvider(provider: CliProvider, io: CliIo, config: CliConfigFile): ResolvedProvider {
  const fromFile = config.providers?.[provider.id] ?? {};
  const values: Record<string, string> = {};
  let env = false;
  let file = false;
  for (const f of provider.fields) {
    const e = io.env[f.env];
    if (e !== undefined && e !== '') {
      values[f.key] = e;
      env = true;
    } else if (fromFile[f.key] !== undefined && fromFile[f.key] !== '') {
      values[f.key] = fromFile[f.key]!;
      file = true;
    }
  }
  const required = provider.fields.filter((f) => f.required);
  const missing = required.filter((f) => values[f.key] === undefined).map((f) => f.env);
  const anyRequired = required.some((f) => values[f.key] !== undefined);
  const state = missing.length === 0 ? 'configured' : anyRequired ? 'partial' : 'absent';
  const source = env && file ? 'env+config' : env ? 'env' : file ? 'config' : undefined;
  return { provider, state, values, missing, source };
}
