import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

/*
 * The built package, as programs load it: every validator must run the module precompiled
 * for its own schema at build time, and ajv must never be loaded (its compiler costs
 * tunasynctl's start-up ~70 ms). Runs in a child process so that jest's module registry and
 * transforms play no part.
 */
const DIST = join(__dirname, '..', 'dist');

const INPUTS: Record<string, [validator: string, input: unknown]> = {
  MirrorStatus: ['validateMirrorStatus', { name: 'debian', status: 'success' }],
  WorkerStatus: ['validateWorkerStatus', { id: 'w1', url: 'http://127.0.0.1:6000/' }],
  ClientCmd: ['validateClientCmd', { cmd: 'start', mirror_id: 'm', worker_id: 'w' }],
  WorkerCmd: ['validateWorkerCmd', { cmd: 'stop', mirror_id: 'm' }],
  MirrorSchedules: ['validateMirrorSchedules', { schedules: [] }],
  MirrorSizeMessage: ['validateMirrorSizeMessage', { name: 'm', size: '1G' }],
  MirrorProgressMessage: ['validateMirrorProgressMessage', { name: 'm', files: 3, bytes: 42 }],
  ManagerConfig: ['validateManagerConfig', { server: { port: 14242 } }],
  WorkerConfig: ['validateWorkerConfig', { global: { name: 'w1' } }],
  CtlConfig: ['validateCtlConfig', { manager_port: 14242 }],
};

const PROBE = `
const api = require(${JSON.stringify(DIST)});
const inputs = JSON.parse(process.argv[1]);
const loaded = () => new Set(Object.keys(require.cache));
const out = {};
for (const [id, [validator, input]] of Object.entries(inputs)) {
  const before = loaded();
  const result = api[validator](input);
  out[id] = {
    ok: result.ok,
    problems: result.problems,
    added: [...loaded()].filter((f) => !before.has(f)).map((f) => f.slice(${JSON.stringify(DIST)}.length)),
  };
}
out.ajvLoaded = Object.keys(require.cache).some((f) => f.includes('/node_modules/ajv/'));
process.stdout.write(JSON.stringify(out));
`;

test('every validator of the built package uses its own precompiled module, never ajv', () => {
  const out = JSON.parse(
    execFileSync(process.execPath, ['-e', PROBE, JSON.stringify(INPUTS)], { encoding: 'utf8' }),
  ) as Record<string, { ok: boolean; problems?: string[]; added: string[] }> & {
    ajvLoaded: boolean;
  };
  for (const id of Object.keys(INPUTS)) {
    expect({ id, ...out[id] }).toEqual({
      id,
      ok: true,
      added: expect.arrayContaining([`/precompiled/${id}.js`]) as unknown,
    });
    // No other schema's module is loaded for it.
    expect(out[id]!.added.filter((f) => f.startsWith('/precompiled/'))).toEqual([
      `/precompiled/${id}.js`,
    ]);
  }
  expect(out.ajvLoaded).toBe(false);
});
