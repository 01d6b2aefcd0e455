import { CommandLanes } from '../../src/runtime/command-lanes';

/** A section that runs until the test lets it go, recording its start and end. */
function gated(log: string[], name: string) {
  let release: () => void = () => undefined;
  const done = new Promise<void>((resolve) => (release = resolve));
  return {
    section: async () => {
      log.push(`${name} start`);
      await done;
      log.push(`${name} end`);
    },
    release: () => release(),
  };
}

const settle = () => new Promise((r) => setImmediate(r));

test('sections of one key run in order; another key runs beside them', async () => {
  const lanes = new CommandLanes();
  const log: string[] = [];
  const a1 = gated(log, 'a1');
  const a2 = gated(log, 'a2');
  const b1 = gated(log, 'b1');
  const runs = [lanes.run('a', a1.section), lanes.run('a', a2.section), lanes.run('b', b1.section)];
  await settle();
  expect(log).toEqual(['a1 start', 'b1 start']);
  b1.release();
  await settle();
  expect(log).toEqual(['a1 start', 'b1 start', 'b1 end']);
  a1.release();
  await settle();
  expect(log).toEqual(['a1 start', 'b1 start', 'b1 end', 'a1 end', 'a2 start']);
  a2.release();
  await Promise.all(runs);
  expect(lanes.busyLanes).toBe(0);
});

test('an exclusive section waits for every earlier one, and every later one waits for it', async () => {
  const lanes = new CommandLanes();
  const log: string[] = [];
  const a = gated(log, 'a');
  const x = gated(log, 'x');
  const b = gated(log, 'b');
  const runs = [
    lanes.run('a', a.section),
    lanes.runExclusive(x.section),
    lanes.run('b', b.section),
  ];
  await settle();
  expect(log).toEqual(['a start']);
  a.release();
  await settle();
  expect(log).toEqual(['a start', 'a end', 'x start']);
  x.release();
  await settle();
  expect(log).toEqual(['a start', 'a end', 'x start', 'x end', 'b start']);
  b.release();
  await Promise.all(runs);
});

test('a failing section rejects its own promise and blocks nothing behind it', async () => {
  const lanes = new CommandLanes();
  const failing = lanes.run('a', () => Promise.reject(new Error('boom')));
  const exclusive = lanes.runExclusive(() => {
    throw new Error('bang');
  });
  await expect(failing).rejects.toThrow('boom');
  await expect(exclusive).rejects.toThrow('bang');
  await expect(lanes.run('a', () => 'next')).resolves.toBe('next');
  await expect(lanes.runExclusive(() => 'after')).resolves.toBe('after');
});
