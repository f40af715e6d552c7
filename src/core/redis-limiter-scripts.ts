/**
 * The fleet limiter's two Lua scripts (core/redis-limiter.ts): one before a task starts (take a slot), one after
 * it ends (give it back). Each is atomic in Redis, so processes never see half a decision.
 *
 * Keys of one limiter (provider + credential hash, in one hash tag so a cluster keeps them on one node):
 * - `slots` (sorted set): slot id -> the time its hold ends. A slot of a process that died is freed at that time.
 * - `state` (hash): `next`, the earliest start on the even grid; `waiting`, set while a start was refused.
 * - `starts` (list) and `finished` (hash): the last `requests` starts, id -> `r:<start>` while running,
 *   `f:<finish>` after (the rolling-window guard, see spaced-limiter.ts for why spacing alone is not enough).
 * Every key expires `ttl` after the last start; times are the callers' `Date.now()`.
 */
import type { Redis } from 'ioredis';

/**
 * KEYS: slots, state, starts, finished. ARGV: now, slot id, maxConcurrent, minTime, tolerance, hold, requests,
 * perMs, unfinishedAfter, ttl.
 *
 * Returns `w >= 0`: the slot is taken, start in `w` ms. Returns `-w < 0`: no start now (every slot taken, or the
 * window's oldest start still running); `waiting` is set, so the release that changes this publishes a wake-up,
 * and nothing frees a start sooner than `w` ms without such a release (a dead slot's expiry, an unfinished start
 * given up).
 */
const ACQUIRE_LUA = `
local now = tonumber(ARGV[1])
redis.call('zremrangebyscore', KEYS[1], '-inf', now)
if redis.call('zcard', KEYS[1]) >= tonumber(ARGV[3]) then
  redis.call('hset', KEYS[2], 'waiting', '1')
  local first = redis.call('zrange', KEYS[1], 0, 0, 'WITHSCORES')
  return -math.max(1, math.ceil(tonumber(first[2]) - now))
end
local n = tonumber(ARGV[7])
local at = now
if redis.call('llen', KEYS[3]) >= n then
  local t = redis.call('hget', KEYS[4], redis.call('lindex', KEYS[3], 0))
  if t then
    local when = tonumber(string.sub(t, 3))
    if string.sub(t, 1, 1) == 'f' then
      at = math.max(at, when + tonumber(ARGV[8]))
    elseif when + tonumber(ARGV[9]) > now then
      redis.call('hset', KEYS[2], 'waiting', '1')
      return -math.max(1, math.ceil(when + tonumber(ARGV[9]) - now))
    end
  end
end
local grid = tonumber(redis.call('hget', KEYS[2], 'next') or '0')
at = math.max(at, grid - tonumber(ARGV[5]))
redis.call('hset', KEYS[2], 'next', tostring(math.max(grid, at) + tonumber(ARGV[4])))
redis.call('zadd', KEYS[1], at + tonumber(ARGV[6]), ARGV[2])
redis.call('rpush', KEYS[3], ARGV[2])
redis.call('hset', KEYS[4], ARGV[2], 'r:' .. tostring(at))
while redis.call('llen', KEYS[3]) > n do redis.call('hdel', KEYS[4], redis.call('lpop', KEYS[3])) end
for i = 1, 4 do redis.call('pexpire', KEYS[i], ARGV[10]) end
return math.ceil(at - now)
`;

/**
 * KEYS: slots, state, finished. ARGV: slot id, now, wake-up channel. Frees the slot, marks its start finished,
 * and publishes a wake-up only when a start was refused since the last one (most releases publish nothing).
 */
const RELEASE_LUA = `
redis.call('zrem', KEYS[1], ARGV[1])
if redis.call('hexists', KEYS[3], ARGV[1]) == 1 then redis.call('hset', KEYS[3], ARGV[1], 'f:' .. ARGV[2]) end
if redis.call('hget', KEYS[2], 'waiting') then
  redis.call('hdel', KEYS[2], 'waiting')
  redis.call('publish', ARGV[3], '1')
end
return 0
`;

/** A command client with the scripts defined: sent by SHA (`EVALSHA`; the text once per connection and after `NOSCRIPT`). */
export type LimiterScripts = Redis & {
  mspLimiterAcquire(...keysAndArgs: (string | number)[]): Promise<number>;
  mspLimiterRelease(...keysAndArgs: (string | number)[]): Promise<unknown>;
};

/** Defines the limiter's scripts on `client` (once). */
export function withLimiterScripts(client: Redis): LimiterScripts {
  const c = client as LimiterScripts;
  if (typeof c.mspLimiterAcquire !== 'function') {
    c.defineCommand('mspLimiterAcquire', { numberOfKeys: 4, lua: ACQUIRE_LUA });
    c.defineCommand('mspLimiterRelease', { numberOfKeys: 3, lua: RELEASE_LUA });
  }
  return c;
}

/** The Redis keys and wake-up channel of the limiter `id` (`msp:<provider>:<credential-hash>`). */
export function limiterKeys(id: string): {
  slots: string;
  state: string;
  starts: string;
  finished: string;
  channel: string;
} {
  // `msp:pax8:<hash>` -> `msp:pax8:{<hash>}:...`: the hash tag keeps a limiter's keys in one cluster slot.
  const cut = id.lastIndexOf(':');
  const stem = `${id.slice(0, cut + 1)}{${id.slice(cut + 1)}}`;
  return {
    slots: `${stem}:slots`,
    state: `${stem}:state`,
    starts: `${stem}:starts`,
    finished: `${stem}:finished`,
    channel: `${stem}:free`,
  };
}
