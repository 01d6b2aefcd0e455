import { spawn } from 'node:child_process';
import { listProcesses, listProcessGroup, parseProcStat } from '../src/process-group';

describe('process groups', () => {
  it('parses /proc stat lines, even with spaces and parens in the name', () => {
    expect(parseProcStat('42 (a (b) c) S 1 40 40 0 -1')).toEqual({
      pid: 42,
      ppid: 1,
      pgid: 40,
      state: 'S',
      command: 'a (b) c',
    });
    expect(parseProcStat('garbage')).toBeUndefined();
    expect(parseProcStat('1 (x)')).toBeUndefined();
  });

  it('lists this process', () => {
    expect(listProcesses().some((p) => p.pid === process.pid)).toBe(true);
  });

  it('lists every process of a group, grandchildren included, and none after a kill', async () => {
    const child = spawn('sh', ['-c', 'sleep 300 & sleep 300'], { detached: true, stdio: 'ignore' });
    const pgid = child.pid as number;
    const exited = new Promise((r) => child.once('exit', r));
    // wait until both sleeps run
    while (listProcessGroup(pgid).filter((p) => p.command === 'sleep').length < 2) {
      await new Promise((r) => setTimeout(r, 10));
    }
    const members = listProcessGroup(pgid);
    expect(members.map((p) => p.command).sort()).toEqual(['sh', 'sleep', 'sleep']);
    expect(members.every((p) => p.pgid === pgid)).toBe(true);
    process.kill(-pgid, 'SIGKILL');
    await exited;
    while (listProcessGroup(pgid).length > 0) await new Promise((r) => setTimeout(r, 10));
    expect(listProcessGroup(pgid, { includeZombies: true }).filter((p) => p.state !== 'Z')).toEqual(
      [],
    );
  });
});
