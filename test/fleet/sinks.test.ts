/**
 * The fleet's sinks without Redis: what a resumed job sees. The JSON-lines sink cuts back what was written after
 * the last commit; the callback sink repeats an unrecorded batch with the same `seq`.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type FleetBatch, type FleetRecord, callbackSink, jsonLinesSink } from '../../src/fleet/index.js';

const dir = mkdtempSync(join(tmpdir(), 'msp-sinks-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const job = { runId: 'r1', account: 'acct/1', provider: 'pax8' as const, key: 'r1~acct/1~pax8' };
const record = (id: string): FleetRecord => ({
  account: 'acct/1',
  type: 'error',
  provider: 'pax8',
  scope: 'customer',
  customerId: id,
  kind: 'permission',
  message: `no access to ${id}`,
});

describe('fleet sinks', () => {
  it('JSON lines: a resumed job cuts the file back to its last saved commit', async () => {
    const first = await jsonLinesSink(dir).open(job, undefined);
    await first.write(record('a'));
    const saved = await first.commit();
    await first.write(record('b'));
    await first.commit(); // written, but the worker dies before saving this state with the checkpoint
    await first.write(record('c')); // never committed
    const resumed = await jsonLinesSink(dir).open(job, saved);
    await resumed.write(record('b'));
    await resumed.write(record('c'));
    await resumed.close();
    const path = join(dir, 'r1', 'acct_1.pax8.jsonl');
    const ids = readFileSync(path, 'utf8')
      .trim()
      .split('\n')
      .map((l) => (JSON.parse(l) as { customerId: string }).customerId);
    expect(ids).toEqual(['a', 'b', 'c']);
  });

  it('callback: batches numbered per job; an unrecorded batch comes again with the same seq', async () => {
    const got: FleetBatch[] = [];
    const sink = callbackSink((b) => {
      got.push(b);
    });
    const first = await sink.open(job, undefined);
    await first.write(record('a'));
    const saved = await first.commit();
    expect(await first.commit()).toEqual(saved); // nothing new: no empty batch
    await first.write(record('b'));
    await first.commit(); // delivered, state not saved
    const resumed = await sink.open(job, saved);
    await resumed.write(record('b'));
    await resumed.close();
    expect(got.map((b) => [b.seq, b.records.map((r) => (r.type === 'error' ? r.customerId : ''))])).toEqual([
      [1, ['a']],
      [2, ['b']],
      [2, ['b']],
    ]);
  });
});
