/**
 * The BullMQ queue's inbox in Redis, as three Lua scripts: accept (the webhook's one
 * round trip), claim (a worker takes what is due) and take out (once added to BullMQ).
 */
import type { Redis } from "ioredis";

/**
 * Delivery ids are remembered this long to recognise redeliveries and replays: a key per
 * id holding the time it was accepted (and whether its job ended), never the job. Jobs
 * themselves, with their payloads, are removed from Redis as they end.
 */
export const KEEP_DELIVERY_MS = 14 * 24 * 3600_000;
/** Dedupe and supersede markers outlive any job, then clean themselves up. */
export const MARKER_TTL_MS = 24 * 3600_000;
/**
 * Workers add accepted jobs to BullMQ as they come, in milliseconds. One claimed by a
 * worker and still in the inbox this long after was left by a worker that stopped before
 * its add; the next sweep of any worker (every half of it) adds it.
 */
export const INBOX_SWEEP_AFTER_MS = 10_000;
/** Inbox entries one sweep adds at most. */
export const INBOX_SWEEP_BATCH = 100;

/**
 * Accepts a batch of jobs in one step, the only round trip a webhook waits for.
 * KEYS[1], KEYS[2]: the inbox (hash id → job JSON) and its scores (sorted set, see CLAIM_SCRIPT);
 * then four a job: the BullMQ job hash (exists → a redelivery: 1), the work marker
 * (held by this id → a redelivery still in the inbox or in the same batch: 1; by
 * another → the same work is live: 2; else taken: 0), the PR's latest-head marker,
 * set when taken and the job supersedes, and the delivery marker (exists → a redelivery:
 * 1; set to the time when taken). ARGV[1]: marker TTL in ms; ARGV[2]: the channel
 * that wakes the workers; ARGV[3]: the delivery marker's TTL in ms; ARGV[4]: now; then
 * three a job: id, "1"/"0" (supersedes), job JSON. A taken job goes into the inbox with
 * score 0 (due for the workers at once) and the workers are told how many came.
 */
const ACCEPT_SCRIPT = `
local results = {}
local taken = 0
for i = 0, (#KEYS - 2) / 4 - 1 do
  local job, work, latest, delivery = KEYS[i * 4 + 3], KEYS[i * 4 + 4], KEYS[i * 4 + 5], KEYS[i * 4 + 6]
  local id, supersedes, data = ARGV[i * 3 + 5], ARGV[i * 3 + 6], ARGV[i * 3 + 7]
  local result = 0
  if redis.call("EXISTS", job) == 1 or redis.call("EXISTS", delivery) == 1 then
    result = 1
  elseif not redis.call("SET", work, id, "PX", ARGV[1], "NX") then
    result = redis.call("GET", work) == id and 1 or 2
  else
    if supersedes == "1" then
      redis.call("SET", latest, id, "PX", ARGV[1])
    end
    redis.call("SET", delivery, ARGV[4], "PX", ARGV[3])
    redis.call("HSET", KEYS[1], id, data)
    redis.call("ZADD", KEYS[2], 0, id)
    taken = taken + 1
  end
  results[#results + 1] = result
end
if taken > 0 then
  redis.call("PUBLISH", ARGV[2], taken)
end
return results
`;

/**
 * Claims the inbox entries due for an add: score at most ARGV[1] (0: accepted and not
 * claimed yet; a time: claimed then, by a sweep that has not taken it out since), at most
 * ARGV[3] of them. Each is scored ARGV[2] (now) as it is claimed, so no other sweep
 * takes it meanwhile and it is due again only should this one stop before its add.
 * KEYS: the inbox and its scores. Returns id, score, job JSON ("" if gone) each.
 */
const CLAIM_SCRIPT = `
local due = redis.call("ZRANGEBYSCORE", KEYS[2], "-inf", ARGV[1], "WITHSCORES", "LIMIT", 0, ARGV[3])
local out = {}
for i = 1, #due, 2 do
  redis.call("ZADD", KEYS[2], ARGV[2], due[i])
  out[#out + 1] = due[i]
  out[#out + 1] = due[i + 1]
  out[#out + 1] = redis.call("HGET", KEYS[1], due[i]) or ""
end
return out
`;

/** Takes added jobs out of the inbox. KEYS: the inbox and its scores; ARGV: job ids. */
const TAKE_OUT_SCRIPT = `
redis.call("HDEL", KEYS[1], unpack(ARGV))
redis.call("ZREM", KEYS[2], unpack(ARGV))
`;

/** A Redis connection that knows our scripts (each sent once, then run by its hash). */
export type InboxRedis = Redis & {
  acceptJobs(...keysAndArgs: Array<string | number>): Promise<number[]>;
  claimDueJobs(inbox: string, since: string, dueBefore: number, now: number, limit: number): Promise<string[]>;
  takeOutJobs(inbox: string, since: string, ...ids: string[]): Promise<null>;
};

/** `redis` with the inbox scripts defined (each sent once, then run by its hash). */
export function withInboxScripts(redis: Redis): InboxRedis {
  redis.defineCommand("acceptJobs", { lua: ACCEPT_SCRIPT });
  redis.defineCommand("claimDueJobs", { lua: CLAIM_SCRIPT, numberOfKeys: 2 });
  redis.defineCommand("takeOutJobs", { lua: TAKE_OUT_SCRIPT, numberOfKeys: 2 });
  return redis as InboxRedis;
}
