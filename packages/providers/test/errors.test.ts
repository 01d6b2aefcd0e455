import { readFileSync } from 'node:fs';
import path from 'node:path';
import { checkErrorCatalog } from '@tunasync/test-utils';
import { PROVIDER_ERRORS } from '../src';
import type { ProviderErrorCode } from '../src';

const readme = readFileSync(path.join(__dirname, '..', 'README.md'), 'utf8');

it('the error catalog, its exported code type and the README error table agree', () => {
  const codes: ProviderErrorCode[] = Object.values(PROVIDER_ERRORS).map((entry) => entry.code);
  expect(codes.length).toBeGreaterThan(0);
  expect(checkErrorCatalog(PROVIDER_ERRORS, readme)).toEqual([]);
});
