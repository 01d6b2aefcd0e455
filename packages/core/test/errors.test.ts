import { readFileSync } from 'node:fs';
import path from 'node:path';
import { checkErrorCatalog } from '@tunasync/test-utils';
import { CORE_ERRORS } from '../src';
import type { CoreErrorCode } from '../src';

const readme = readFileSync(path.join(__dirname, '..', 'README.md'), 'utf8');

it('the error catalog, its exported code type and the README error table agree', () => {
  const codes: CoreErrorCode[] = Object.values(CORE_ERRORS).map((entry) => entry.code);
  expect(new Set(codes).size).toBe(codes.length);
  expect(checkErrorCatalog(CORE_ERRORS, readme)).toEqual([]);
});
