import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import fc from 'fast-check';
import { TempDirs, badConfigLines, mutatedConfig } from '@tunasync/test-utils';
import { checkWorkerConfig } from '../../src/config/load-worker-config';

/**
 * 1,000 mutations of examples/worker.conf (issue #11): each loads, or gives only one-line
 * problems naming the file — never a throw. The seed is fixed (printed) so a failure replays.
 */
const SEED = 1103;
const RUNS = 1000;
const EXAMPLE = readFileSync(path.join(__dirname, '../../../../examples/worker.conf'), 'utf8');

const dirs = new TempDirs();
afterAll(() => dirs.cleanup());

test(`${RUNS} mutated worker.conf files load or give one-line problems naming the file (seed ${SEED})`, async () => {
  const dir = await dirs.make('tunasync-worker-conf-');
  let n = 0;
  let loaded = 0;
  await fc.assert(
    fc.asyncProperty(mutatedConfig(EXAMPLE), async ({ bytes }) => {
      n += 1;
      const file = path.join(dir, `worker-${n}.conf`);
      await writeFile(file, bytes);
      for (const strict of [false, true]) {
        const check = await checkWorkerConfig(file, { strict, cwd: dir, defaultHostname: 'h' });
        expect(badConfigLines([...check.problems, ...check.warnings], file)).toEqual([]);
        expect(check.ok).toBe(check.problems.length === 0);
        expect(check.config === undefined).toBe(!check.ok);
        if (!strict && check.ok) loaded += 1;
      }
    }),
    { seed: SEED, numRuns: RUNS },
  );
  console.log(
    `worker.conf mutations (seed ${SEED}): ${RUNS} files, ${loaded} loaded, ${RUNS - loaded} refused`,
  );
  // Both outcomes happen, or the mutations are not testing much.
  expect(loaded).toBeGreaterThan(RUNS / 20);
  expect(RUNS - loaded).toBeGreaterThan(RUNS / 20);
});
