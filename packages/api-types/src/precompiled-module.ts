import type { SchemaId } from './schema-registry';

/** Folder of the validators precompiled at build time, next to the built `validate.js`. */
export const PRECOMPILED_DIR = 'precompiled';

/** The precompiled module of one schema, relative to `validate.js`. */
export function precompiledModule(id: SchemaId): string {
  return `./${PRECOMPILED_DIR}/${id}.js`;
}
