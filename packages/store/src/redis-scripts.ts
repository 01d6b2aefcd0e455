/**
 * The Lua scripts of the Redis store. Each runs atomically on the server: a write, its run
 * history and the change message to the other managers happen together or not at all.
 */

/**
 * A compare-and-set of one hash field, with the history of that status and the change
 * message in the same step.
 *
 * KEYS: hash, history list, history index set.
 * ARGV: field, expect (`any` | `absent` | `equal`), expected value, op (`set` | `del`), new
 * value, history (`none` | `push` | `clear`), record, keep, index member, channel, message.
 * Returns 1 when written, 0 when the field was not as expected (nothing written).
 */
export const WRITE_FIELD_LUA = `
local current = redis.call('HGET', KEYS[1], ARGV[1])
if ARGV[2] == 'absent' then
  if current then return 0 end
elseif ARGV[2] == 'equal' then
  if current ~= ARGV[3] then return 0 end
end
if ARGV[4] == 'set' then
  redis.call('HSET', KEYS[1], ARGV[1], ARGV[5])
else
  redis.call('HDEL', KEYS[1], ARGV[1])
end
if ARGV[6] == 'push' then
  redis.call('LPUSH', KEYS[2], ARGV[7])
  redis.call('LTRIM', KEYS[2], 0, tonumber(ARGV[8]) - 1)
  redis.call('SADD', KEYS[3], ARGV[9])
elseif ARGV[6] == 'clear' then
  redis.call('DEL', KEYS[2])
  redis.call('SREM', KEYS[3], ARGV[9])
end
redis.call('PUBLISH', ARGV[10], ARGV[11])
return 1
`;

/**
 * Deletes a worker and every history list of its mirrors.
 *
 * KEYS: workers hash, the worker's history index set.
 * ARGV: worker id, history list prefix of the worker, channel, message.
 * Returns 1 when the worker was registered, else 0 (its history is deleted either way).
 */
export const DELETE_WORKER_LUA = `
local existed = redis.call('HDEL', KEYS[1], ARGV[1])
for _, member in ipairs(redis.call('SMEMBERS', KEYS[2])) do
  redis.call('DEL', ARGV[2] .. member)
end
redis.call('DEL', KEYS[2])
if existed == 1 then redis.call('PUBLISH', ARGV[3], ARGV[4]) end
return existed
`;
