import { mkdir, open } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { ProviderId } from '../model/common.js';
import type { FleetRecord } from './records.js';

/** Which job a sink is opened for. */
export interface FleetJobRef {
  runId: string;
  account: string;
  provider: ProviderId;
  /** `runId~account~provider`: unique per job of a run. */
  key: string;
}

/** What a sink saved at its last commit (JSON-safe; kept with the job next to the sync checkpoint). */
export type SinkState = Record<string, string | number>;

/** A sink opened for one job: records go in with `write`, become durable with `commit`. */
export interface OpenSink {
  /** Takes one record (not yet durable: see `commit`). */
  write(record: FleetRecord): void | Promise<void>;
  /**
   * Makes every record written since the last commit durable and returns the state to resume from. Called with
   * each sync checkpoint, before the checkpoint is saved with the job.
   */
  commit(): Promise<SinkState>;
  /** Commits what is left and releases the sink (the job finished). */
  close(): Promise<void>;
}

/**
 * Where a fleet's results go. `open` gets the state of the job's last saved commit (undefined on its first
 * attempt): records delivered after that commit were never recorded with a checkpoint and will be delivered
 * again, so the sink drops or dedupes them (the JSON-lines sink truncates them; the callback sink repeats their
 * batch number).
 */
export interface FleetSink {
  /** Opens the sink for one job, resuming after `resume` (the state of its last saved commit), if any. */
  open(job: FleetJobRef, resume: SinkState | undefined): Promise<OpenSink>;
}

/** Characters kept in a file name; anything else becomes `_`. */
const safe = (s: string) => s.replace(/[^A-Za-z0-9_.-]/g, '_');

/**
 * A JSON-lines file per job: `<dir>/<runId>/<account>.<provider>.jsonl`, one {@link FleetRecord} a line. Each
 * commit appends the lines written since the last one and syncs the file; its state is the file's length. A
 * resumed job first cuts the file back to the length of its last saved commit, so a line written by a worker
 * that died before saving its checkpoint is not there twice: every item appears exactly once per run.
 */
export function jsonLinesSink(dir: string): FleetSink {
  return {
    async open(job, resume) {
      const path = join(dir, safe(job.runId), `${safe(job.account)}.${safe(job.provider)}.jsonl`);
      await mkdir(dirname(path), { recursive: true });
      const file = await open(path, 'a+');
      let bytes = typeof resume?.bytes === 'number' ? resume.bytes : 0;
      await file.truncate(bytes);
      let pending: string[] = [];
      const commit = async (): Promise<SinkState> => {
        if (pending.length > 0) {
          const text = Buffer.from(pending.join(''));
          pending = [];
          await file.write(text, 0, text.length, bytes);
          await file.sync();
          bytes += text.length;
        }
        return { bytes };
      };
      return {
        write(record) {
          pending.push(`${JSON.stringify(record)}\n`);
        },
        commit,
        async close() {
          await commit();
          await file.close();
        },
      };
    },
  };
}

/** A batch the callback sink delivers: the records between two checkpoints of one job. */
export interface FleetBatch {
  job: FleetJobRef;
  /** 1, 2, 3, ... per job and run. A batch may come twice (same `seq`, same records) after a worker died. */
  seq: number;
  records: FleetRecord[];
}

/**
 * Calls `deliver` with each checkpoint's records. A worker that dies after `deliver` returned but before the
 * checkpoint was saved makes the next worker deliver that batch again with the same `seq`: store `(job.key, seq)`
 * with the records (or the last `seq` per job) and skip a batch already stored, and each item is kept exactly
 * once. `deliver` must finish (durably) before it returns.
 */
export function callbackSink(deliver: (batch: FleetBatch) => void | Promise<void>): FleetSink {
  return {
    async open(job, resume) {
      let seq = typeof resume?.seq === 'number' ? resume.seq : 0;
      let pending: FleetRecord[] = [];
      const commit = async (): Promise<SinkState> => {
        if (pending.length > 0) {
          const records = pending;
          pending = [];
          await deliver({ job, seq: seq + 1, records });
          seq += 1;
        }
        return { seq };
      };
      return {
        write(record) {
          pending.push(record);
        },
        commit,
        async close() {
          await commit();
        },
      };
    },
  };
}
