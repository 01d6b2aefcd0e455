import type { default as Ajv, ErrorObject, ValidateFunction } from 'ajv';
import { suggestKey } from './key-suggestion';
import { nameProblem } from './name-rule';
import { MAX_NESTING_DEPTH, MAX_WIRE_VALUES, valueLimitProblem } from './value-limits';
import type { ValueLimitProblem } from './value-limits';
import { precompiledModule } from './precompiled-module';
import type * as SchemaRegistry from './schema-registry';
import type { SchemaId } from './schema-registry';
import type { CtlConfigFile } from './ctl-config';
import type { ManagerConfigFile } from './manager-config';
import type { WorkerConfigFile } from './worker-config';
import type {
  ClientCmd,
  MirrorProgressMessage,
  MirrorSchedules,
  MirrorSizeMessage,
  MirrorStatusReport,
  WorkerCmd,
  WorkerStatus,
} from './wire-types';

/**
 * The outcome of a validation: the typed value (with Go-style zero values filled in for
 * missing wire fields), or every problem as `path: reason` (`mirrors[3].rsync_timeout: must
 * be an integer`). `warnings` lists unknown keys (`server.colour: unknown key`); in a
 * configuration file, an unknown key one typo away from a known key of its table is a
 * problem instead (`mirrors[0].upstrem: unknown key, did you mean \`upstream\`?`): every key
 * of those tables has a default (SPEC §5), which the typo would silently leave in place.
 */
export type ValidationResult<T> =
  | { ok: true; value: T; warnings: string[] }
  | { ok: false; problems: string[]; warnings: string[] };

export type Validator<T> = (input: unknown) => ValidationResult<T>;

/** Finds the compiled validation function of a schema. */
export type ValidateFunctionLookup = (id: SchemaId) => ValidateFunction;

let ajv: Ajv | undefined;

/*
 * One literal `require` per schema rather than a computed path, so that a bundler sees the
 * precompiled modules and includes them (tunasynctl ships as one bundled file). The paths
 * are `precompiledModule(id)`; a test of the built package checks that every validator
 * loads its precompiled module and never ajv.
 */
/* eslint-disable @typescript-eslint/no-require-imports */
const PRECOMPILED: Record<SchemaId, () => unknown> = {
  MirrorStatus: () => require('./precompiled/MirrorStatus.js'),
  WorkerStatus: () => require('./precompiled/WorkerStatus.js'),
  ClientCmd: () => require('./precompiled/ClientCmd.js'),
  WorkerCmd: () => require('./precompiled/WorkerCmd.js'),
  MirrorSchedules: () => require('./precompiled/MirrorSchedules.js'),
  MirrorSizeMessage: () => require('./precompiled/MirrorSizeMessage.js'),
  MirrorProgressMessage: () => require('./precompiled/MirrorProgressMessage.js'),
  ManagerConfig: () => require('./precompiled/ManagerConfig.js'),
  WorkerConfig: () => require('./precompiled/WorkerConfig.js'),
  CtlConfig: () => require('./precompiled/CtlConfig.js'),
};
/* eslint-enable @typescript-eslint/no-require-imports */

function loadPrecompiled(id: SchemaId): ValidateFunction | undefined {
  const file = precompiledModule(id);
  try {
    return PRECOMPILED[id]() as ValidateFunction;
  } catch (err) {
    const missing = (err as { code?: string }).code === 'MODULE_NOT_FOUND';
    if (missing && String((err as Error).message).includes(file.slice(2))) return undefined;
    throw err;
  }
}

/**
 * The built package uses the validators precompiled at build time; running from sources
 * (tests of this package) compiles them with ajv on first use.
 */
const defaultLookup: ValidateFunctionLookup = (id) => {
  const precompiled = loadPrecompiled(id);
  if (precompiled) return precompiled;
  // Only sources get here: the schemas and ajv are loaded on this path alone.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { SCHEMAS, createAjv } = require('./schema-registry') as typeof SchemaRegistry;
  ajv ??= createAjv();
  return ajv.getSchema(id) ?? ajv.compile(SCHEMAS[id]);
};

const ARTICLES: Record<string, string> = {
  integer: 'an integer',
  number: 'a number',
  string: 'a string',
  boolean: 'a boolean',
  array: 'an array',
  object: 'an object',
  null: 'null',
};

/**
 * `/mirrors/3/rsync_timeout` → `mirrors[3].rsync_timeout`. A key that is not a bare TOML key
 * (`A-Za-z0-9_-`) is quoted as TOML writes it (`files."a\nb"`, `mirrorz.mirrors."a.b"`), so
 * a path is always one line and says which key it is.
 */
export function formatJsonPointer(pointer: string, child?: string): string {
  const segments = pointer
    .split('/')
    .slice(1)
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
  if (child !== undefined) segments.push(child);
  let out = '';
  for (const segment of segments) {
    if (/^\d+$/.test(segment)) {
      out += `[${segment}]`;
      continue;
    }
    const key = /^[A-Za-z0-9_-]+$/.test(segment)
      ? segment
      : JSON.stringify(segment).replace(
          /[\u2028\u2029]/g,
          (c) => `\\u${c.charCodeAt(0).toString(16)}`,
        );
    out += out === '' ? key : `.${key}`;
  }
  return out;
}

function reason(error: ErrorObject): string {
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'type': {
      const types = ([] as string[]).concat(params.type as string | string[]);
      return `must be ${types.map((t) => ARTICLES[t] ?? t).join(' or ')}`;
    }
    case 'enum':
      return `must be one of ${(params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')} (got ${JSON.stringify(error.data)})`;
    case 'format':
      if (params.format === 'rfc3339') return 'must be an RFC 3339 time';
      if (params.format === 'tunasync-name') return `name ${nameProblem(error.data)}`;
      return `must be of format ${String(params.format)}`;
    case 'minimum':
    case 'maximum':
      return `must be ${params.comparison as string} ${String(params.limit)}`;
    default:
      return error.message ?? `fails ${error.keyword}`;
  }
}

function locate(path: string, text: string): string {
  return path === '' ? text : `${path}: ${text}`;
}

function limitText(problem: ValueLimitProblem): string {
  return problem.kind === 'too-many'
    ? `holds more than ${MAX_WIRE_VALUES} values`
    : locate(problem.at, `nests deeper than ${MAX_NESTING_DEPTH} levels of arrays and objects`);
}

const CONFIG_SCHEMAS: ReadonlySet<SchemaId> = new Set([
  'ManagerConfig',
  'WorkerConfig',
  'CtlConfig',
]);

/** Problems shown at most (the rest counted): an answer or an error line stays readable. */
const MAX_PROBLEMS = 20;

function capped(list: string[]): string[] {
  if (list.length <= MAX_PROBLEMS) return list;
  return [...list.slice(0, MAX_PROBLEMS), `… and ${list.length - MAX_PROBLEMS} more`];
}

/** The keys of the table an `additionalProperties` error is about (ajv's `verbose` schema). */
function knownKeys(error: ErrorObject): string[] {
  const properties = (error.parentSchema as { properties?: Record<string, unknown> } | undefined)
    ?.properties;
  return Object.keys(properties ?? {});
}

function makeValidator<T>(id: SchemaId, lookup: ValidateFunctionLookup): Validator<T> {
  let compiled: ValidateFunction | undefined;
  const isConfig = CONFIG_SCHEMAS.has(id);
  const maxValues = isConfig ? Infinity : MAX_WIRE_VALUES;
  return (input: unknown) => {
    // Before anything recursive or costly sees the input (structuredClone, the schema check).
    const limit = valueLimitProblem(input, MAX_NESTING_DEPTH, maxValues);
    if (limit !== undefined) return { ok: false, problems: [limitText(limit)], warnings: [] };
    compiled ??= lookup(id);
    const value: unknown = structuredClone(input);
    compiled(value);
    const problems: string[] = [];
    const warnings: string[] = [];
    const failedPaths = new Set<string>();
    for (const error of compiled.errors ?? []) {
      const params = error.params as Record<string, string>;
      if (error.keyword === 'additionalProperties') {
        const key = params.additionalProperty as string;
        const path = formatJsonPointer(error.instancePath, key);
        const near = isConfig ? suggestKey(key, knownKeys(error)) : undefined;
        // A near miss of a known key leaves that key at its default: an error, not a warning.
        if (near === undefined) warnings.push(`${path}: unknown key`);
        else problems.push(`${path}: unknown key, did you mean \`${near}\`?`);
      } else if (error.keyword === 'required') {
        problems.push(
          `${formatJsonPointer(error.instancePath, params.missingProperty)}: is required`,
        );
      } else if (!failedPaths.has(error.instancePath)) {
        // One problem per field: a wrong type also fails `enum`, `format`, …
        failedPaths.add(error.instancePath);
        problems.push(locate(formatJsonPointer(error.instancePath), reason(error)));
      }
    }
    const unique = (list: string[]) => capped([...new Set(list)]);
    if (problems.length > 0)
      return { ok: false, problems: unique(problems), warnings: unique(warnings) };
    return { ok: true, value: value as T, warnings: unique(warnings) };
  };
}

/** Go sends `null` for an empty slice or map; treat it as empty. */
function withCmdDefaults<T extends { args: string[]; options: Record<string, boolean> }>(
  validator: Validator<T>,
): Validator<T> {
  return (input) => {
    const result = validator(input);
    if (result.ok) {
      result.value.args ??= [];
      result.value.options ??= {};
    }
    return result;
  };
}

export interface Validators {
  validateMirrorStatus: Validator<MirrorStatusReport>;
  validateWorkerStatus: Validator<WorkerStatus>;
  validateClientCmd: Validator<ClientCmd>;
  validateWorkerCmd: Validator<WorkerCmd>;
  validateMirrorSchedules: Validator<MirrorSchedules>;
  validateMirrorSizeMessage: Validator<MirrorSizeMessage>;
  validateMirrorProgressMessage: Validator<MirrorProgressMessage>;
  validateManagerConfig: Validator<ManagerConfigFile>;
  validateWorkerConfig: Validator<WorkerConfigFile>;
  validateCtlConfig: Validator<CtlConfigFile>;
}

/** Every validator, over the given compiled functions. */
export function createValidators(lookup: ValidateFunctionLookup): Validators {
  return {
    validateMirrorStatus: makeValidator('MirrorStatus', lookup),
    validateWorkerStatus: makeValidator('WorkerStatus', lookup),
    validateClientCmd: withCmdDefaults(makeValidator('ClientCmd', lookup)),
    validateWorkerCmd: withCmdDefaults(makeValidator('WorkerCmd', lookup)),
    validateMirrorSchedules: makeValidator('MirrorSchedules', lookup),
    validateMirrorSizeMessage: makeValidator('MirrorSizeMessage', lookup),
    validateMirrorProgressMessage: makeValidator('MirrorProgressMessage', lookup),
    validateManagerConfig: makeValidator('ManagerConfig', lookup),
    validateWorkerConfig: makeValidator('WorkerConfig', lookup),
    validateCtlConfig: makeValidator('CtlConfig', lookup),
  };
}

export const {
  validateMirrorStatus,
  validateWorkerStatus,
  validateClientCmd,
  validateWorkerCmd,
  validateMirrorSchedules,
  validateMirrorSizeMessage,
  validateMirrorProgressMessage,
  validateManagerConfig,
  validateWorkerConfig,
  validateCtlConfig,
} = createValidators(defaultLookup);
