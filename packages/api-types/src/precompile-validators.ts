import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type * as AjvModule from 'ajv';
import type * as StandaloneModule from 'ajv/dist/standalone';
import { PRECOMPILED_DIR } from './precompiled-module';
import { SCHEMAS, createAjv, type SchemaId } from './schema-registry';

/**
 * Sources of one CommonJS module per schema `$id`, each exporting the ajv-generated
 * validation function. The build writes them beside `validate.js`, so programs never load
 * or run the ajv compiler, and load only the schemas they use (tunasynctl must start about
 * as fast as Node itself). `formatsModule` is how the generated code requires the formats.
 */
export function precompiledValidatorSources(
  formatsModule = '../schema-formats',
): Record<SchemaId, string> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { _ } = require('ajv') as typeof AjvModule;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const standalone = (require('ajv/dist/standalone') as typeof StandaloneModule).default;
  const ajv = createAjv({
    code: { source: true, formats: _`require(${formatsModule}).schemaFormats` },
  });
  for (const schema of Object.values(SCHEMAS)) ajv.addSchema(schema);
  const ids = Object.keys(SCHEMAS) as SchemaId[];
  return Object.fromEntries(ids.map((id) => [id, standalone(ajv, ajv.getSchema(id))])) as Record<
    SchemaId,
    string
  >;
}

/** Writes the precompiled modules into `<distDir>/precompiled/` (run by the build). */
export function writePrecompiledValidators(distDir: string): void {
  const dir = join(distDir, PRECOMPILED_DIR);
  mkdirSync(dir, { recursive: true });
  for (const [id, source] of Object.entries(precompiledValidatorSources())) {
    writeFileSync(join(dir, `${id}.js`), source);
  }
}
