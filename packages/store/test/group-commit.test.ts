import { GroupCommit } from '../src/group-commit';
import type { BatchOp } from '../src/group-commit';

/** A batch writer whose writes finish when the test says so. */
function heldWriter() {
  const writes: Array<{ ops: BatchOp[]; sync: boolean; finish: (err?: Error) => void }> = [];
  const write = (ops: BatchOp[], sync: boolean) =>
    new Promise<void>((resolve, reject) => {
      writes.push({ ops, sync, finish: (err) => (err ? reject(err) : resolve()) });
    });
  return { writes, write };
}

/** Deferred runs of the group commit's "next turn", run when the test says so. */
function manualTurns() {
  const queued: Array<() => void> = [];
  return {
    defer: (run: () => void) => queued.push(run),
    runAll: () => queued.splice(0).forEach((run) => run()),
    get count() {
      return queued.length;
    },
  };
}

const put = (key: string, value: string): BatchOp => ({ type: 'put', key, value });

async function settled(promises: Array<Promise<unknown>>): Promise<string[]> {
  const results = await Promise.allSettled(promises);
  return results.map((r) =>
    r.status === 'fulfilled' ? 'ok' : String((r.reason as Error).message),
  );
}

describe('GroupCommit', () => {
  test('writes asked in one turn go into one batch, in call order, synced when one asks', async () => {
    const { writes, write } = heldWriter();
    const turns = manualTurns();
    const group = new GroupCommit(write, turns.defer);
    const done = [
      group.commit([put('a', '1')], false),
      group.commit([put('b', '1'), put('a', '2')], true),
      group.commit([{ type: 'del', key: 'b' }], false),
    ];
    expect(writes).toHaveLength(0);
    expect(turns.count).toBe(1);
    turns.runAll();
    expect(writes).toHaveLength(1);
    expect(writes[0]?.ops).toEqual([
      put('a', '1'),
      put('b', '1'),
      put('a', '2'),
      { type: 'del', key: 'b' },
    ]);
    expect(writes[0]?.sync).toBe(true);
    writes[0]?.finish();
    expect(await settled(done)).toEqual(['ok', 'ok', 'ok']);
  });

  test('no write resolves before its batch is written', async () => {
    const { writes, write } = heldWriter();
    const turns = manualTurns();
    const group = new GroupCommit(write, turns.defer);
    let resolved = false;
    void group.commit([put('a', '1')], true).then(() => {
      resolved = true;
    });
    turns.runAll();
    await Promise.resolve();
    await Promise.resolve();
    expect(resolved).toBe(false);
    writes[0]?.finish();
    await new Promise((r) => setImmediate(r));
    expect(resolved).toBe(true);
  });

  test('writes asked while a batch is written wait for it, then go together into the next', async () => {
    const { writes, write } = heldWriter();
    const turns = manualTurns();
    const group = new GroupCommit(write, turns.defer);
    const first = group.commit([put('k', '1')], false);
    turns.runAll();
    const second = group.commit([put('k', '2')], false);
    const third = group.commit([put('k', '3')], true);
    expect(turns.count).toBe(0); // nothing new is scheduled while a batch is being written
    expect(writes).toHaveLength(1);
    writes[0]?.finish();
    await first;
    await new Promise((r) => setImmediate(r));
    expect(writes).toHaveLength(2);
    expect(writes[1]?.ops).toEqual([put('k', '2'), put('k', '3')]);
    expect(writes[1]?.sync).toBe(true);
    writes[1]?.finish();
    expect(await settled([second, third])).toEqual(['ok', 'ok']);
  });

  test('a failing batch fails every write gathered into it, and the next batch is written', async () => {
    const { writes, write } = heldWriter();
    const turns = manualTurns();
    const group = new GroupCommit(write, turns.defer);
    const failing = [group.commit([put('a', '1')], false), group.commit([put('b', '1')], true)];
    turns.runAll();
    const later = group.commit([put('c', '1')], false);
    writes[0]?.finish(new Error('disk full'));
    expect(await settled(failing)).toEqual(['disk full', 'disk full']);
    await new Promise((r) => setImmediate(r));
    expect(writes).toHaveLength(2);
    expect(writes[1]?.ops).toEqual([put('c', '1')]);
    expect(writes[1]?.sync).toBe(false);
    writes[1]?.finish();
    expect(await settled([later])).toEqual(['ok']);
  });
});
