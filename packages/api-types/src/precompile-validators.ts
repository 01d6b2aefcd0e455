import { writeFileSync } from 'node:fs';
import type * as AjvModule from 'ajv';
import type * as StandaloneModule from 'ajv/dist/standalone';
import { SCHEMAS, createAjv } from './schema-registry';
export { PRECOMPILED_MODULE } from './precompiled-module';

/**
 * Source of a CommonJS module exporting one ajv-generated validation function per schema
 * `$id`. The build writes it beside `validate.js`, so programs never load or run the ajv
 * compiler (tunasynctl must start about as fast as Node itself). `formatsModule` is how the
 * generated code requires the custom formats.
 */
export function precompiledValidatorsSource(formatsModule = './schema-registry'): string {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { _ } = require('ajv') as typeof AjvModule;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const standalone = (require('ajv/dist/standalone') as typeof StandaloneModule).default;
  const ajv = createAjv({
    code: { source: true, formats: _`require(${formatsModule}).schemaFormats` },
  });
  for (const schema of Object.values(SCHEMAS)) ajv.addSchema(schema);
  const exports = Object.fromEntries(Object.keys(SCHEMAS).map((id) => [id, id]));
  return standalone(ajv, exports);
}

/** Writes the precompiled module (run by the package's build). */
export function writePrecompiledValidators(path: string): void {
  writeFileSync(path, precompiledValidatorsSource());
}
