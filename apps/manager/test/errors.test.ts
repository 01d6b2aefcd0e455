import { readFileSync } from 'node:fs';
import path from 'node:path';
import { checkErrorCatalog } from '@tunasync/test-utils';
import { MANAGER_ERRORS } from '../src/errors';
import type { ManagerErrorCode } from '../src/errors';

const readme = readFileSync(path.join(__dirname, '..', 'README.md'), 'utf8');

it('the error catalog, its exported code type and the README error table agree', () => {
  const codes: ManagerErrorCode[] = Object.values(MANAGER_ERRORS).map((entry) => entry.code);
  expect(new Set(codes).size).toBe(codes.length);
  expect(checkErrorCatalog(MANAGER_ERRORS, readme)).toEqual([]);
});
