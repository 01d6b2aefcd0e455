import type * as AjvModule from 'ajv';
import type { default as Ajv, Options } from 'ajv';
import { ctlConfigSchema, managerConfigSchema, workerConfigSchema } from './config-schemas';
import { schemaFormats } from './schema-formats';
import {
  clientCmdSchema,
  mirrorSchedulesSchema,
  mirrorProgressMessageSchema,
  mirrorSizeMessageSchema,
  mirrorStatusSchema,
  workerCmdSchema,
  workerStatusSchema,
} from './wire-schemas';

/** Every schema by its `$id`. */
export const SCHEMAS = {
  MirrorStatus: mirrorStatusSchema,
  WorkerStatus: workerStatusSchema,
  ClientCmd: clientCmdSchema,
  WorkerCmd: workerCmdSchema,
  MirrorSchedules: mirrorSchedulesSchema,
  MirrorSizeMessage: mirrorSizeMessageSchema,
  MirrorProgressMessage: mirrorProgressMessageSchema,
  ManagerConfig: managerConfigSchema,
  WorkerConfig: workerConfigSchema,
  CtlConfig: ctlConfigSchema,
} as const;

export type SchemaId = keyof typeof SCHEMAS;

/** An ajv instance configured for the schemas (ajv is loaded here, on first use only). */
export function createAjv(extra: Options = {}): Ajv {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { default: AjvClass } = require('ajv') as typeof AjvModule;
  const ajv = new AjvClass({
    allErrors: true,
    useDefaults: true,
    strict: true,
    allowUnionTypes: true,
    verbose: true,
    ...extra,
  });
  for (const [name, format] of Object.entries(schemaFormats)) ajv.addFormat(name, format);
  return ajv;
}
