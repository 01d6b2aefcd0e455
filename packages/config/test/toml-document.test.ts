import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigLocator, parseToml, readToml } from '../src';
import { splitProblem } from '../src/config-locator';
import { TomlPositions } from '../src/toml-positions';

const WORKER = [
  '[global]', // 1
  'name = "w1"', // 2
  '', // 3
  '[manager]', // 4
  'api_base_list = [', // 5
  '  "http://a/",', // 6
  '  "http://b/", # second', // 7
  ']', // 8
  'description = """', // 9
  'x = 1', // 10
  '"""', // 11
  '[[mirrors]]', // 12
  'name = "debian"', // 13
  "upstream = 'rsync://x/debian/'", // 14
  'env = { A = "1", "b c" = "2" }', // 15
  '[[mirrors]]', // 16
  'provider = "command"', // 17
  '[[mirrors.mirrors]]', // 18
  'name = "leaf"', // 19
  'interval = 5', // 20
  '[[mirrors.mirrors]]', // 21
  'interval = 6', // 22
  '[server]', // 23
  'a.b = 1', // 24
  '"q.k" = 2', // 25
].join('\n');

describe('TomlPositions', () => {
  const positions = TomlPositions.scan(WORKER);

  it.each([
    ['global', 1],
    ['global.name', 2],
    ['manager.api_base_list', 5],
    ['manager.api_base_list[1]', 7],
    ['manager.description', 9],
    ['mirrors[0]', 12],
    ['mirrors[0].upstream', 14],
    ['mirrors[0].env.A', 15],
    ['mirrors[0].env."b c"', 15],
    ['mirrors[1]', 16],
    ['mirrors[1].provider', 17],
    ['mirrors[1].mirrors[0].interval', 20],
    ['mirrors[1].mirrors[1]', 21],
    ['mirrors[1].mirrors[1].interval', 22],
    ['server.a.b', 24],
    ['server."q.k"', 25],
  ])('%s is on line %d', (path, line) => {
    expect(positions.lineOf(path)).toBe(line);
  });

  it('a key that is not written is placed at its table, or nowhere', () => {
    expect(positions.lineOf('mirrors[1].mirrors[1].name')).toBe(21);
    expect(positions.lineOf('global.concurrent')).toBe(1);
    expect(positions.lineOf('zfs.zpool')).toBeUndefined();
  });

  it('a line of a multi-line string is no key', () => {
    expect(positions.lineOf('manager.x')).toBe(4);
  });
});

describe('ConfigLocator', () => {
  const parsed = parseToml(WORKER, 'worker.conf');
  if (!parsed.ok) throw new Error(parsed.problem);
  const locator = parsed.locator;

  it('names a mirror by its name and the line of the key', () => {
    expect(locator.place('mirrors[0].upstream')).toBe('worker.conf:14:mirrors[debian].upstream');
    expect(locator.locate('mirrors[1].mirrors[0].interval: must be >= 1')).toBe(
      'worker.conf:20:mirrors[1].mirrors[leaf].interval: must be >= 1',
    );
  });

  it('keeps the index of a table without a valid name', () => {
    expect(locator.place('mirrors[1].mirrors[1].interval')).toBe(
      'worker.conf:22:mirrors[1].mirrors[1].interval',
    );
  });

  it('places a key of no line at the file, and a line without a path', () => {
    expect(locator.place('zfs.zpool')).toBe('worker.conf:zfs.zpool');
    expect(locator.locate('holds more than 3 values')).toBe(
      'worker.conf: holds more than 3 values',
    );
    expect(new ConfigLocator('--port').place('')).toBe('--port');
  });

  it('splits a problem after its path, a quoted key holding ": " included', () => {
    expect(splitProblem('files."a: b": unknown key')).toEqual({
      path: 'files."a: b"',
      reason: 'unknown key',
    });
  });
});

describe('parseToml: syntax errors in words, at file:line:column', () => {
  it.each([
    ['name = debian', '1:8', 'a string value must be in quotes (`key = "value"`)'],
    ['ok = True', '1:6', 'true and false are written in lowercase'],
    ['[server\nport = 1', '1:8', 'missing closing ] of the table header'],
    ['[[mirrors]\nname = "a"', '1:11', 'missing closing ]] of the table header'],
    ['a = 1\na = 2', '2:1', 'duplicate key `a`'],
    ['[a]\n[a]', '2:1', 'duplicate key `a`'],
    ['a = "x\nb = 1', '1:7', 'missing closing `"` of a string'],
    ["a = 'x", '1:7', "missing closing `'` of a string"],
    ['a = """x', '1:9', 'a multi-line string is missing its closing `"""`'],
    ['a =\nb = 1', '1:4', 'a value is missing after `=`'],
    ['a = [1, 2', '1:10', 'missing closing ] of an array'],
    [
      'a = { b = 1',
      '1:12',
      'missing closing } of an inline table (an inline table stays on one line)',
    ],
    ['justword', '1:9', 'a key must be followed by `= value`'],
    ['two words = 1', '1:5', 'expected `=` after the key, found `w` (quote a key with spaces)'],
    ['a = 1 2', '1:7', '`2` after the value: one `key = value` per line'],
    ['= 1', '1:1', 'a key is missing before `=`'],
  ])('%j', (text, where, reason) => {
    const parsed = parseToml(text, 'x.conf');
    expect(parsed).toEqual({ ok: false, problem: `x.conf:${where}: TOML syntax error: ${reason}` });
  });
});

describe('readToml', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tunasync-config-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('reads a file, naming it as given', async () => {
    const file = join(dir, 'a.conf');
    await writeFile(file, '[server]\nport = 1\n');
    const read = await readToml('a.conf', file);
    expect(read.ok && read.doc).toEqual({ server: { port: 1 } });
    expect(read.ok && read.locator.place('server.port')).toBe('a.conf:2:server.port');
  });

  it('a file that cannot be read is one problem', async () => {
    const read = await readToml(join(dir, 'missing.conf'));
    expect(read.ok).toBe(false);
    expect(!read.ok && read.problem).toMatch(/missing\.conf: cannot read file: ENOENT/);
  });
});

describe('TomlPositions on text the parser refused', () => {
  it.each([
    ['a = [1,,2]', 1],
    ['a = [}', 1],
    ['a = { b = }', 1],
    ['[[', undefined],
    ['"unclosed = 1', undefined],
    ['a = """x', 1],
  ])('ends, without a throw: %j', (text, line) => {
    expect(TomlPositions.scan(text).lineOf('a')).toBe(line);
  });
});
