import { NAME_PATTERN } from './name-rule';
import { parseRfc3339 } from './time';

/** The custom string formats the schemas use (required by the precompiled validators too). */
export const schemaFormats = {
  rfc3339: (text: string): boolean => parseRfc3339(text) !== undefined,
  'tunasync-name': NAME_PATTERN,
};
