import { readFileSync } from 'node:fs';
import path from 'node:path';
import { checkErrorCatalog } from '@tunasync/test-utils';
import { CTL_ERRORS } from '../src/errors';
import type { CtlErrorCode } from '../src/errors';

const readme = readFileSync(path.join(__dirname, '..', 'README.md'), 'utf8');

it('the error catalog, its exported code type and the README error table agree', () => {
  const codes: CtlErrorCode[] = Object.values(CTL_ERRORS).map((entry) => entry.code);
  expect(codes.length).toBeGreaterThan(0);
  expect(checkErrorCatalog(CTL_ERRORS, readme)).toEqual([]);
});
