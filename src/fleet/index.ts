/**
 * `msp-marketplace-sdk/fleet`: estate syncs as jobs on a BullMQ queue on Redis, one per (account, vendor),
 * resumed from their checkpoint when a worker dies, with results streamed exactly once to a sink you choose.
 * Needs the optional peers `bullmq` and `ioredis`. See docs/scaling.md.
 *
 * @module msp-marketplace-sdk/fleet
 */
export {
  createSyncFleet,
  fleetJobKey,
  type FleetJob,
  type FleetJobData,
  type FleetJobResult,
  type FleetWorker,
  type FleetWorkerOptions,
  type SyncFleet,
  type SyncFleetOptions,
} from './sync-fleet.js';
export {
  callbackSink,
  jsonLinesSink,
  type FleetBatch,
  type FleetJobRef,
  type FleetSink,
  type OpenSink,
  type SinkState,
} from './sinks.js';
export { toFleetRecord, type FleetRecord } from './records.js';
