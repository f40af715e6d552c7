/**
 * `config init` (interactive: one provider at a time, connection verified, file written atomically with mode 0600)
 * and `config show` (settings and where each came from, secrets masked).
 */
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import writeFileAtomic from 'write-file-atomic';
import { MarketplaceError } from '../../core/errors.js';
import { Secret } from '../../core/redact.js';
import type { ProviderId } from '../../model/common.js';
import { type CliConfigFile, defaultConfigPath, loadConfig, resolveProvider } from '../config.js';
import { DEFAULT_ACTOR, type GlobalOptions } from '../context.js';
import { CliUsageError, EXIT, type ExitCode, formatError } from '../errors.js';
import { onInterrupt } from '../interrupt.js';
import type { CliIo, ScrubbedCliIo } from '../io.js';
import { writeJson } from '../output.js';
import { CLI_PROVIDERS, type CliProvider, type CliProviderField } from '../providers.js';

/** What the config commands get (no clients: they work before any provider is configured). */
export interface ConfigCommandEnv {
  io: CliIo;
  global: GlobalOptions;
}

function configPath(env: ConfigCommandEnv): string {
  const explicit = env.global.config;
  if (!explicit) return defaultConfigPath(env.io);
  return isAbsolute(explicit) ? explicit : resolve(env.io.cwd ?? process.cwd(), explicit);
}

/** Identifiers that are not secrets but that the CLI keeps out of its output elsewhere: shown by their start. */
const PARTLY_SHOWN = new Set(['clientId', 'username']);

/** A setting as `config show` prints it: secrets as the SDK's redaction marker, ids by their first characters. */
export function maskedValue(field: CliProviderField, value: string): string {
  if (field.secret) return String(new Secret(value));
  if (PARTLY_SHOWN.has(field.key)) return value.length > 8 ? `${value.slice(0, 4)}…` : '…';
  return value;
}

/** `config show`: the config file and environment, per provider and setting, secrets masked. */
export async function configShowCommand(env: ConfigCommandEnv): Promise<ExitCode> {
  const { path, config } = loadConfig(env.global.config, env.io);
  const providers = CLI_PROVIDERS.map((entry) => {
    const r = resolveProvider(entry, env.io, config);
    const fromFile = config.providers?.[entry.id] ?? {};
    const settings = entry.fields
      .filter((f) => r.values[f.key] !== undefined)
      .map((f) => {
        const fromEnv = env.io.env[f.env] !== undefined && env.io.env[f.env] !== '';
        return {
          key: f.key,
          env: f.env,
          value: maskedValue(f, r.values[f.key]!),
          source: fromEnv ? (fromFile[f.key] ? 'env (overrides config)' : 'env') : 'config',
        };
      });
    return { provider: entry.id, label: entry.label, state: r.state, missing: r.missing, settings };
  });
  const file = path ?? `${defaultConfigPath(env.io)} (does not exist)`;
  if (env.global.json) {
    writeJson(env.io.stdout, {
      file: path ?? null,
      actor: config.actor ?? DEFAULT_ACTOR,
      providers: providers.map(({ label: _label, ...p }) => p),
    });
    return EXIT.ok;
  }
  const out: string[] = [`config file: ${file}`, `actor: ${config.actor ?? `${DEFAULT_ACTOR} (default)`}`];
  for (const p of providers) {
    if (p.state === 'absent') continue;
    out.push(
      '',
      `${p.label} (${p.provider}): ${p.state}${p.missing.length ? `, missing ${p.missing.join(', ')}` : ''}`,
    );
    const width = Math.max(...p.settings.map((s) => s.key.length));
    for (const s of p.settings) out.push(`  ${s.key.padEnd(width)}  ${s.value}  (${s.source}: ${s.env})`);
  }
  const none = providers.every((p) => p.state === 'absent');
  if (none) out.push('', 'No provider is configured. Run: msp-marketplace config init');
  env.io.stdout.write(`${out.join('\n')}\n`);
  return EXIT.ok;
}

type Prompts = typeof import('@inquirer/prompts');

/** A prompt abandoned with Ctrl-C or Ctrl-D (inquirer's `ExitPromptError`). */
function abandoned(error: unknown): boolean {
  return error instanceof Error && (error.name === 'ExitPromptError' || error.name === 'AbortPromptError');
}

/**
 * Asks one provider's settings: secrets with a password prompt (nothing echoed, no mask toggle), the others
 * with their current value as the default. An empty answer keeps the current value.
 */
async function askSettings(
  prompts: Prompts,
  context: { input: NodeJS.ReadableStream; output: NodeJS.WritableStream },
  entry: CliProvider,
  current: Record<string, string>,
): Promise<Record<string, string>> {
  const values: Record<string, string> = {};
  for (const f of entry.fields) {
    const had = current[f.key];
    const suffix = f.required ? '' : ' (optional, Enter to skip)';
    let answer: string;
    if (f.secret) {
      const keep = had ? ' (Enter to keep the current one)' : '';
      answer = await prompts.password(
        {
          message: `${f.description}${keep || suffix}:`,
          validate: (v) => v !== '' || !f.required || had !== undefined || `${f.key} is required`,
        },
        context,
      );
    } else {
      answer = await prompts.input(
        {
          message: `${f.description}${suffix}:`,
          ...(had ? { default: had } : {}),
          validate: (v) => v.trim() !== '' || !f.required || had !== undefined || `${f.key} is required`,
        },
        context,
      );
      answer = answer.trim();
    }
    const value = answer === '' ? had : answer;
    if (value !== undefined && value !== '') values[f.key] = value;
  }
  return values;
}

/** Writes the config file atomically (temp file + rename) with mode 0600, its folder 0700 when created. */
export async function writeConfigFile(path: string, config: CliConfigFile): Promise<void> {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  await writeFileAtomic(path, `${JSON.stringify(config, null, 2)}\n`, { mode: 0o600 });
}

/**
 * `config init`: asks for one provider at a time, verifies each connection (`verifyConnection`), and writes the
 * config file (mode 0600, atomically). An existing file is changed only after the user agrees, and keeps the
 * providers not re-entered. Needs a terminal.
 */
export async function configInitCommand(env: ConfigCommandEnv): Promise<ExitCode> {
  const stdin = env.io.stdin;
  if (!stdin?.isTTY) {
    throw new CliUsageError(
      'config init asks questions: stdin is not a terminal',
      'Run it in a terminal, or write the config file by hand (docs/cli.md, "Config file") or use environment variables.',
    );
  }
  const path = configPath(env);
  // Prompts draw on the terminal itself (they need its size and raw mode); they echo only what the user types.
  const context = { input: stdin, output: (env.io.stderr.unscrubbed ?? env.io.stderr) as NodeJS.WritableStream };
  const prompts = await import('@inquirer/prompts');
  const secrets = (env.io as Partial<ScrubbedCliIo>).secrets;
  // Ctrl-C between questions (while a connection is checked) is a signal, not a prompt's keypress.
  const stopInterruptHandling = onInterrupt(() => 'config init interrupted: nothing was written.');
  try {
    let config: CliConfigFile = {};
    if (existsSync(path)) {
      // Read (and checked: mode, keys) before asking anything, so a broken file is reported, not overwritten.
      config = loadConfig(path, env.io).config;
      const update = await prompts.confirm(
        { message: `${path} exists. Add or change providers in it (the others are kept)?`, default: false },
        context,
      );
      if (!update) {
        env.io.stderr.write('Nothing was written.\n');
        return EXIT.ok;
      }
    }
    const providers: Partial<Record<ProviderId, Record<string, string>>> = { ...(config.providers ?? {}) };
    let changed = 0;
    for (;;) {
      const choice = await prompts.select<ProviderId | 'done'>(
        {
          message: changed === 0 ? 'Which provider do you want to configure?' : 'Configure another provider?',
          choices: [
            ...(changed > 0 ? [{ name: 'No, save and finish', value: 'done' as const }] : []),
            ...CLI_PROVIDERS.map((p) => ({
              name: `${p.label}${providers[p.id] ? ' (configured)' : ''}`,
              value: p.id,
            })),
            ...(changed === 0 ? [{ name: 'None: quit without writing', value: 'done' as const }] : []),
          ],
        },
        context,
      );
      if (choice === 'done') break;
      const entry = CLI_PROVIDERS.find((p) => p.id === choice)!;
      let values = providers[entry.id] ?? {};
      for (;;) {
        values = await askSettings(prompts, context, entry, values);
        for (const f of entry.fields) if (f.secret || PARTLY_SHOWN.has(f.key)) secrets?.add(values[f.key]);
        env.io.stderr.write(`Checking the connection to ${entry.label}...\n`);
        let problem: unknown;
        try {
          const client = entry.create(values, { actor: config.actor ?? DEFAULT_ACTOR });
          const report = await client.verifyConnection();
          env.io.stderr.write(
            `${entry.label}: ok (${report.customers ?? '?'} customers${report.baseUrl ? `, ${report.baseUrl}` : ''})\n`,
          );
        } catch (error) {
          if (!(error instanceof MarketplaceError)) throw error;
          problem = error;
          env.io.stderr.write(formatError(error, { prefix: `${entry.id}: error` }));
        }
        if (problem === undefined) break;
        const next = await prompts.select<'retry' | 'save' | 'skip'>(
          {
            message: `The connection to ${entry.label} failed. What now?`,
            choices: [
              { name: 'Enter the settings again', value: 'retry' },
              { name: 'Save them anyway', value: 'save' },
              { name: `Skip ${entry.label}`, value: 'skip' },
            ],
          },
          context,
        );
        if (next === 'save') break;
        if (next === 'skip') {
          values = {};
          break;
        }
      }
      if (Object.keys(values).length > 0) {
        providers[entry.id] = values;
        changed += 1;
      }
    }
    if (changed === 0) {
      env.io.stderr.write('Nothing was written.\n');
      return EXIT.ok;
    }
    await writeConfigFile(path, { ...(config.actor ? { actor: config.actor } : {}), providers });
    env.io.stderr.write(`Wrote ${path} (mode 600). Check it with: msp-marketplace verify\n`);
    return EXIT.ok;
  } catch (error) {
    if (abandoned(error)) {
      env.io.stderr.write('\nCancelled: nothing was written.\n');
      return EXIT.interrupted;
    }
    throw error;
  } finally {
    stopInterruptHandling();
  }
}
