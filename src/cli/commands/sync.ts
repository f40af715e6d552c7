import { once } from 'node:events';
import {
  closeSync,
  createReadStream,
  fsyncSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  truncateSync,
  writeSync,
} from 'node:fs';
import { basename, isAbsolute, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import cliProgress from 'cli-progress';
import writeFileAtomic from 'write-file-atomic';
import { MarketplaceError } from '../../core/errors.js';
import { scrubText } from '../../core/redact.js';
import type { ProviderId } from '../../model/common.js';
import { type Snapshot, type SnapshotDiff, createSnapshot, diffSnapshots } from '../../workflows/drift.js';
import {
  type ProviderCheckpoint,
  type SyncCheckpoint,
  type SyncProgress,
  type SyncRecord,
  syncAll,
} from '../../workflows/sync.js';
import { CliUsageError, EXIT, type ExitCode } from '../errors.js';
import { onInterrupt } from '../interrupt.js';
import type { CliIo, CliWritable } from '../io.js';
import { renderTable, withoutRaw, writeJson } from '../output.js';
import { type CommandEnv, note } from './shared.js';

/** First line of a sync file. */
export interface SyncStartedLine {
  type: 'sync-started';
  version: 1;
  startedAt: string;
  providers: ProviderId[];
}

/** Last line of a complete sync file: how each provider ended. */
export interface SyncFinishedLine {
  type: 'sync-finished';
  finishedAt: string;
  providers: Partial<Record<ProviderId, Omit<ProviderCheckpoint, 'pageCursor' | 'doneInPage'>>>;
}

/** A record line of a sync file: a {@link SyncRecord} whose `error` is reduced to JSON-safe fields. */
export type SyncFileRecord =
  | Exclude<SyncRecord, { type: 'error' }>
  | (Omit<Extract<SyncRecord, { type: 'error' }>, 'error'> & { hint?: string | undefined });

/** A sync line as written: header, record or trailer. */
export type SyncLine = SyncStartedLine | SyncFileRecord | SyncFinishedLine;

function toLine(record: SyncRecord, keepRaw: boolean | undefined): SyncFileRecord {
  switch (record.type) {
    case 'customer':
      return { ...record, customer: withoutRaw(record.customer, keepRaw) as typeof record.customer };
    case 'subscription':
      return { ...record, subscription: withoutRaw(record.subscription, keepRaw) as typeof record.subscription };
    default: {
      const { error, ...rest } = record;
      const hint = error instanceof MarketplaceError ? error.hint : undefined;
      return { ...rest, ...(hint ? { hint } : {}) };
    }
  }
}

/** Shows sync progress: a bar on a terminal, plain lines otherwise. */
interface ProgressView {
  update(event: SyncProgress): void;
  stop(): void;
}

function progressView(env: CommandEnv, providers: number): ProgressView {
  const stderr = env.io.stderr;
  if (env.global.quiet) return { update() {}, stop() {} };
  if (stderr.isTTY) {
    const bar = new cliProgress.SingleBar(
      {
        stream: stderr as NodeJS.WritableStream,
        format:
          'sync [{bar}] {value}/{total} providers | {provider}: {customers} customers, {subscriptions} subscriptions',
        hideCursor: true,
        clearOnComplete: false,
      },
      cliProgress.Presets.shades_classic,
    );
    let finished = 0;
    let stopped = false;
    bar.start(providers, 0, { provider: '-', customers: 0, subscriptions: 0 });
    return {
      update(e) {
        if (e.type === 'provider-done' || e.type === 'provider-failed' || e.type === 'provider-skipped') finished += 1;
        bar.update(finished, { provider: e.provider, customers: e.customers, subscriptions: e.subscriptions });
      },
      // Idempotent: called by the interrupt handler and again on the way out.
      stop() {
        if (stopped) return;
        stopped = true;
        bar.stop();
      },
    };
  }
  const line = (s: string) => stderr.write(`sync: ${s}\n`);
  return {
    update(e) {
      const counts = `${e.customers} customers, ${e.subscriptions} subscriptions, ${e.errors} errors`;
      if (e.type === 'provider-started') line(`${e.provider} started`);
      else if (e.type === 'provider-done') line(`${e.provider} done (${counts})`);
      else if (e.type === 'provider-failed') line(`${e.provider} FAILED after ${counts}: ${e.message ?? ''}`);
      else if (e.type === 'provider-skipped') line(`${e.provider} skipped (${e.message ?? ''})`);
      else if (e.customers % 25 === 0) line(`${e.provider}: ${counts}`);
    },
    stop() {},
  };
}

async function writeLine(out: CliWritable, text: string): Promise<void> {
  const stream = out as CliWritable & { once?: unknown };
  if (out.write(text) === false && typeof stream.once === 'function') {
    await once(out as NodeJS.WritableStream, 'drain');
  }
}

function resolvePath(io: CliIo, path: string): string {
  return isAbsolute(path) ? path : resolve(io.cwd ?? process.cwd(), path);
}

/** Options of `sync`. */
export interface SyncCommandOptions {
  output?: string | undefined;
  /** Continue the interrupted sync of `output` from its checkpoint. */
  resume?: boolean | undefined;
}

/** What `sync -o <file>` keeps beside the file while it runs: `<file>.checkpoint.json`. */
export interface SyncResumeFile {
  version: 1;
  /** The header line of the interrupted run (kept, so the finished file says when the sync started). */
  header: SyncStartedLine;
  /** Bytes of `<file>.partial` covered by the checkpoint; later bytes are cut and read again on resume. */
  bytes: number;
  checkpoint: SyncCheckpoint;
}

/** The temporary file a sync writes before renaming it over `path`. */
export const partialPathOf = (path: string): string => `${path}.partial`;
/** The checkpoint a sync keeps beside `path` until it finishes. */
export const checkpointPathOf = (path: string): string => `${path}.checkpoint.json`;

/**
 * A sync file being written: `<file>.partial`, renamed over `<file>` only when the sync finished, so an
 * interrupted run leaves last week's file intact. Written with synchronous writes: whatever was written is in the
 * file even when the process ends at once (Ctrl-C), so the checkpoint's byte count can be trusted on resume.
 */
class SyncFileWriter {
  bytes = 0;
  readonly partial: string;
  readonly checkpointPath: string;
  #fd: number | undefined;
  constructor(
    readonly target: string,
    resumeFrom?: number,
  ) {
    this.partial = partialPathOf(target);
    this.checkpointPath = checkpointPathOf(target);
    if (resumeFrom === undefined) {
      this.#fd = openSync(this.partial, 'w');
    } else {
      // Records after the checkpoint are delivered again: cut them (and any half-written line).
      truncateSync(this.partial, resumeFrom);
      this.#fd = openSync(this.partial, 'a');
      this.bytes = resumeFrom;
    }
  }
  write(text: string): void {
    const buffer = Buffer.from(text, 'utf8');
    let offset = 0;
    while (offset < buffer.length) offset += writeSync(this.#fd!, buffer, offset);
    this.bytes += buffer.length;
  }
  saveCheckpoint(header: SyncStartedLine, checkpoint: SyncCheckpoint): void {
    const file: SyncResumeFile = { version: 1, header, bytes: this.bytes, checkpoint };
    writeFileAtomic.sync(this.checkpointPath, `${JSON.stringify(file)}\n`, { fsync: false });
  }
  /** Closes the partial file, keeping it and the checkpoint for `--resume`. */
  close(): void {
    if (this.#fd === undefined) return;
    closeSync(this.#fd);
    this.#fd = undefined;
  }
  /** Flushes, closes and renames the finished file over the target; drops the checkpoint. */
  commit(): void {
    fsyncSync(this.#fd!);
    this.close();
    renameSync(this.partial, this.target);
    rmSync(this.checkpointPath, { force: true });
  }
}

function readResumeFile(env: CommandEnv, output: string, target: string): SyncResumeFile {
  const path = checkpointPathOf(target);
  let file: SyncResumeFile;
  try {
    file = JSON.parse(readFileSync(path, 'utf8')) as SyncResumeFile;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new CliUsageError(
      code === 'ENOENT'
        ? `Nothing to resume: ${output} has no interrupted sync (no ${basename(path)})`
        : `Cannot read ${basename(path)}: ${code ?? 'not valid JSON'}`,
      `Run without --resume to start a new sync to ${output}.`,
    );
  }
  if (file?.version !== 1 || file.header?.type !== 'sync-started' || typeof file.bytes !== 'number') {
    throw new CliUsageError(`${basename(path)} is not a sync checkpoint`, 'Run without --resume to start over.');
  }
  let size: number;
  try {
    size = statSync(partialPathOf(target)).size;
  } catch {
    size = -1;
  }
  if (size < file.bytes) {
    throw new CliUsageError(
      `Cannot resume: ${basename(partialPathOf(target))} is missing or shorter than its checkpoint`,
      'Run without --resume to start over.',
    );
  }
  const now = env.ctx.marketplaces.providers;
  const before = file.header.providers;
  if (now.length !== before.length || now.some((p) => !before.includes(p))) {
    throw new CliUsageError(
      `The interrupted sync read ${before.join(', ')}, this run would read ${now.join(', ')}`,
      `Resume with the same providers (--provider ${before.join(',')}), or run without --resume to start over.`,
    );
  }
  return file;
}

/**
 * `sync`: every customer and subscription of every configured provider, as JSON lines (a `sync-started` header,
 * the records, a `sync-finished` trailer) to a file or stdout. Exit 4 when a provider or a customer failed.
 * A file is written as `<file>.partial` and renamed over `<file>` at the end; `<file>.checkpoint.json` lets
 * `--resume` continue an interrupted run.
 */
export async function syncCommand(env: CommandEnv, options: SyncCommandOptions): Promise<ExitCode> {
  const providers = env.ctx.marketplaces.providers;
  const toFile = options.output !== undefined && options.output !== '-';
  if (options.resume && !toFile) {
    throw new CliUsageError('--resume needs the file of the interrupted sync', 'Example: sync -o week.jsonl --resume');
  }
  const target = toFile ? resolvePath(env.io, options.output!) : undefined;
  const resumed = target && options.resume ? readResumeFile(env, options.output!, target) : undefined;
  let file: SyncFileWriter | undefined;
  if (target) {
    try {
      file = new SyncFileWriter(target, resumed?.bytes);
    } catch (error) {
      throw new CliUsageError(`Cannot write ${options.output}: ${(error as NodeJS.ErrnoException).code ?? error}`);
    }
  }
  // A sync file is CLI output too: scrubbed like stdout (core/redact.ts).
  const emit = async (text: string) => {
    const clean = scrubText(text);
    if (file) file.write(clean);
    else await writeLine(env.io.stdout, clean);
  };
  const view = progressView(env, providers.length);
  let run: ReturnType<typeof syncAll> | undefined;
  let providerFailures = 0;
  let customerFailures = 0;
  // What this run wrote, for the interruption message.
  const counts = { customers: 0, subs: 0 };
  const stopInterruptHandling = onInterrupt(() => {
    view.stop();
    if (!file) {
      return `sync interrupted after ${counts.customers} customers, ${counts.subs} subscriptions: the output is incomplete (no sync-finished line).`;
    }
    file.close();
    const again = ['msp-marketplace', 'sync', '-o', options.output!, '--resume'];
    if (env.global.provider?.length) again.push('--provider', providers.join(','));
    if (env.global.mock) again.push('--mock');
    return [
      `sync interrupted after ${counts.customers} customers, ${counts.subs} subscriptions${resumed ? ' more' : ''}: ${options.output} was not changed.`,
      `  the part read so far is in ${basename(file.partial)}; continue with: ${again.join(' ')}`,
    ].join('\n');
  });
  try {
    const header: SyncStartedLine = resumed?.header ?? {
      type: 'sync-started',
      version: 1,
      startedAt: new Date().toISOString(),
      providers,
    };
    if (!resumed) await emit(`${JSON.stringify(header)}\n`);
    run = syncAll(env.ctx.marketplaces, {
      onProgress: (e) => view.update(e),
      ...(resumed ? { checkpoint: resumed.checkpoint } : {}),
      ...(file ? { onCheckpoint: (c: SyncCheckpoint) => file!.saveCheckpoint(header, c) } : {}),
    });
    if (file) file.saveCheckpoint(header, run.checkpoint());
    for await (const record of run) {
      if (record.type === 'error') {
        if (record.scope === 'provider') providerFailures += 1;
        else customerFailures += 1;
      } else if (record.type === 'customer') counts.customers += 1;
      else counts.subs += 1;
      await emit(`${JSON.stringify(toLine(record, env.global.raw))}\n`);
    }
    const trailer: SyncFinishedLine = {
      type: 'sync-finished',
      finishedAt: new Date().toISOString(),
      providers: Object.fromEntries(
        Object.entries(run.checkpoint().providers).map(([p, c]) => [
          p,
          {
            status: c.status,
            customers: c.customers,
            subscriptions: c.subscriptions,
            errors: c.errors,
            lastError: c.lastError,
          },
        ]),
      ),
    };
    await emit(`${JSON.stringify(trailer)}\n`);
    if (file) {
      try {
        file.commit();
      } catch (error) {
        throw new CliUsageError(`Cannot write ${options.output}: ${(error as NodeJS.ErrnoException).code ?? error}`);
      }
    }
  } catch (error) {
    file?.close();
    if (file && !(error instanceof CliUsageError)) {
      note(env, `sync stopped: ${options.output} was not changed; continue with --resume (see the error below)`);
    }
    if (file && (error as NodeJS.ErrnoException).syscall) {
      throw new CliUsageError(`Cannot write ${options.output}: ${(error as NodeJS.ErrnoException).code ?? error}`);
    }
    throw error;
  } finally {
    stopInterruptHandling();
    view.stop();
  }
  // Failures counted from records only cover this run: a resumed run also counts what the checkpoint holds.
  const cp = run.checkpoint().providers;
  if (resumed) {
    providerFailures = providers.filter((p) => cp[p]?.status === 'failed').length;
    customerFailures = providers.reduce((n, p) => n + (cp[p]?.status === 'failed' ? 0 : (cp[p]?.errors ?? 0)), 0);
  }
  const summary = providers.map((p) => {
    const c = cp[p]!;
    return `${p}: ${c.status}, ${c.customers} customers, ${c.subscriptions} subscriptions, ${c.errors} errors`;
  });
  note(
    env,
    `sync ${resumed ? 'resumed and ' : ''}finished${file ? ` -> ${options.output}` : ''}\n  ${summary.join('\n  ')}`,
  );
  if (providerFailures === providers.length && providers.length > 0) return EXIT.vendor;
  return providerFailures + customerFailures > 0 ? EXIT.partial : EXIT.ok;
}

/** A sync file read back: its snapshot and whether it was complete. */
export interface LoadedSync {
  snapshot: Snapshot;
  /** False when the file has no `sync-finished` trailer (the sync was interrupted). */
  finished: boolean;
}

/**
 * Reads a sync file into a snapshot. Providers count as complete only when the trailer says `done`; a file
 * without a trailer has no complete provider, so nothing missing from it is reported as removed.
 */
export async function readSyncFile(io: CliIo, path: string): Promise<LoadedSync> {
  const full = resolvePath(io, path);
  try {
    if (!statSync(full).isFile()) throw new CliUsageError(`${path} is not a file`);
  } catch (error) {
    if (error instanceof CliUsageError) throw error;
    throw new CliUsageError(`Cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
  const input = createReadStream(full, { encoding: 'utf8' });
  const lines = createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY });
  let header: SyncStartedLine | undefined;
  let trailer: SyncFinishedLine | undefined;
  const records: SyncRecord[] = [];
  let n = 0;
  try {
    for await (const text of lines) {
      n += 1;
      if (text.trim() === '') continue;
      let line: SyncLine;
      try {
        line = JSON.parse(text) as SyncLine;
      } catch {
        throw new CliUsageError(`${path}:${n} is not a JSON line`, 'Pass files written by `msp-marketplace sync`.');
      }
      if (n === 1) {
        if (line?.type !== 'sync-started') {
          throw new CliUsageError(
            `${path} is not a sync file (no sync-started header)`,
            'Pass files written by `msp-marketplace sync`.',
          );
        }
        header = line;
      } else if (line?.type === 'sync-finished') {
        trailer = line;
      } else if (line?.type === 'customer' || line?.type === 'subscription' || line?.type === 'error') {
        records.push((line.type === 'error' ? { ...line, error: undefined } : line) as SyncRecord);
      }
    }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).syscall) {
      throw new CliUsageError(`Cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? error}`);
    }
    throw error;
  }
  if (!header) throw new CliUsageError(`${path} is empty`, 'Pass files written by `msp-marketplace sync`.');
  const snapshot = await createSnapshot(records, { takenAt: header.startedAt });
  const done = new Set(
    Object.entries(trailer?.providers ?? {})
      .filter(([, c]) => c?.status === 'done')
      .map(([p]) => p as ProviderId),
  );
  snapshot.completeProviders = header.providers.filter((p) => done.has(p)).sort();
  snapshot.failedProviders = header.providers.filter((p) => !done.has(p)).sort();
  return { snapshot, finished: trailer !== undefined };
}

/** `drift <from> <to>`: what changed between two sync files. */
export async function driftCommand(
  env: Pick<CommandEnv, 'io' | 'global'>,
  from: string,
  to: string,
): Promise<ExitCode> {
  const before = await readSyncFile(env.io, from);
  const after = await readSyncFile(env.io, to);
  for (const [path, s] of [
    [from, before],
    [to, after],
  ] as const) {
    if (!s.finished) note(env, `warning: ${path} has no sync-finished line (interrupted?): removals are not reported`);
  }
  const diff: SnapshotDiff = diffSnapshots(before.snapshot, after.snapshot);
  if (env.global.json) {
    writeJson(env.io.stdout, diff);
    return EXIT.ok;
  }
  const out = env.io.stdout;
  const s = diff.summary;
  out.write(
    `drift ${diff.from} -> ${diff.to}: ${s.added} added, ${s.removed} removed, +${s.seatsAdded}/-${s.seatsRemoved} seats, ${s.statusChanges} status changes\n`,
  );
  const entryCols = [
    { header: 'provider', value: (e: SnapshotDiff['added'][number]) => e.provider },
    { header: 'customer', value: (e: SnapshotDiff['added'][number]) => e.customerId },
    { header: 'subscription', value: (e: SnapshotDiff['added'][number]) => e.subscriptionId },
    { header: 'name', value: (e: SnapshotDiff['added'][number]) => e.name },
    { header: 'seats', value: (e: SnapshotDiff['added'][number]) => e.quantity, align: 'right' as const },
  ];
  if (diff.added.length) out.write(`\nAdded\n${renderTable(diff.added, entryCols)}`);
  if (diff.removed.length) out.write(`\nRemoved\n${renderTable(diff.removed, entryCols)}`);
  if (diff.seatChanges.length) {
    out.write(
      `\nSeat changes\n${renderTable(diff.seatChanges, [
        { header: 'provider', value: (c) => c.entry.provider },
        { header: 'customer', value: (c) => c.entry.customerId },
        { header: 'subscription', value: (c) => c.entry.subscriptionId },
        { header: 'name', value: (c) => c.entry.name },
        { header: 'before', value: (c) => c.before, align: 'right' },
        { header: 'after', value: (c) => c.after, align: 'right' },
        { header: 'delta', value: (c) => (c.delta > 0 ? `+${c.delta}` : c.delta), align: 'right' },
      ])}`,
    );
  }
  if (diff.statusChanges.length) {
    out.write(
      `\nStatus changes\n${renderTable(diff.statusChanges, [
        { header: 'provider', value: (c) => c.entry.provider },
        { header: 'customer', value: (c) => c.entry.customerId },
        { header: 'subscription', value: (c) => c.entry.subscriptionId },
        { header: 'name', value: (c) => c.entry.name },
        { header: 'before', value: (c) => c.before },
        { header: 'after', value: (c) => c.after },
      ])}`,
    );
  }
  if (diff.incompleteProviders.length) {
    out.write(`\nIncomplete in one of the files (removals not reported): ${diff.incompleteProviders.join(', ')}\n`);
  }
  return EXIT.ok;
}
