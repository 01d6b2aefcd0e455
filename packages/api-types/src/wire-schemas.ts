import { CMD_VERBS } from './cmd-verb';
import { SYNC_STATUSES } from './sync-status';
import { ZERO_TIME_RFC3339 } from './time';

/*
 * JSON Schemas of the wire bodies (SPEC §2, §3). Like Go's JSON decoding, a missing field
 * takes its zero value (filled in as a default) and an unknown field is ignored; a field of
 * the wrong type or an unknown status or verb is an error.
 */

const time = { type: 'string', format: 'rfc3339', default: ZERO_TIME_RFC3339 } as const;
const text = { type: 'string', default: '' } as const;
const stringList = { type: 'array', items: { type: 'string' }, default: [] } as const;

export const mirrorStatusSchema = {
  $id: 'MirrorStatus',
  type: 'object',
  properties: {
    name: text,
    worker: text,
    is_master: { type: 'boolean', default: false },
    status: { type: 'string', enum: SYNC_STATUSES, default: 'none' },
    last_update: time,
    last_started: time,
    last_ended: time,
    next_schedule: time,
    upstream: text,
    size: text,
    error_msg: text,
    // tunasync-ts workers only (no default: absent stays absent); see MirrorStatusReport.
    observed_ago_ms: {
      type: 'integer',
      minimum: 0,
      maximum: Number.MAX_SAFE_INTEGER,
    },
  },
} as const;

export const workerStatusSchema = {
  $id: 'WorkerStatus',
  type: 'object',
  properties: {
    id: text,
    url: text,
    token: text,
    last_online: time,
    last_register: time,
  },
} as const;

const cmdProperties = {
  cmd: { type: 'string', enum: CMD_VERBS },
  mirror_id: text,
  args: { ...stringList, nullable: true },
  options: {
    type: 'object',
    additionalProperties: { type: 'boolean' },
    default: {},
    nullable: true,
  },
} as const;

export const clientCmdSchema = {
  $id: 'ClientCmd',
  type: 'object',
  required: ['cmd'],
  properties: { ...cmdProperties, worker_id: text },
} as const;

export const workerCmdSchema = {
  $id: 'WorkerCmd',
  type: 'object',
  required: ['cmd'],
  properties: cmdProperties,
} as const;

export const mirrorSchedulesSchema = {
  $id: 'MirrorSchedules',
  type: 'object',
  required: ['schedules'],
  properties: {
    schedules: {
      type: 'array',
      items: {
        type: 'object',
        required: ['name'],
        properties: {
          name: { type: 'string' },
          next_schedule: time,
          interval_seconds: { type: 'integer', minimum: 0, maximum: Number.MAX_SAFE_INTEGER },
          timeout_seconds: { type: 'integer', minimum: 0, maximum: Number.MAX_SAFE_INTEGER },
        },
      },
    },
  },
} as const;

/** A count on the wire: a whole number from 0 to 2^53 − 1 (exact in JSON and JavaScript). */
const count = { type: 'integer', minimum: 0, maximum: Number.MAX_SAFE_INTEGER } as const;

export const mirrorProgressMessageSchema = {
  $id: 'MirrorProgressMessage',
  type: 'object',
  required: ['name', 'files', 'bytes'],
  properties: { name: { type: 'string' }, files: count, bytes: count },
} as const;

export const mirrorSizeMessageSchema = {
  $id: 'MirrorSizeMessage',
  type: 'object',
  required: ['size'],
  properties: { name: text, size: { type: 'string' } },
} as const;
