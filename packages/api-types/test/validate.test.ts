import {
  clientCmdSchema,
  ctlConfigSchema,
  formatJsonPointer,
  HISTORY_SIZE_MAX,
  MAX_NESTING_DEPTH,
  MAX_WIRE_VALUES,
  MANAGER_DEFAULTS,
  managerConfigSchema,
  mirrorProgressMessageSchema,
  mirrorSchedulesSchema,
  mirrorSizeMessageSchema,
  mirrorStatusSchema,
  workerCmdSchema,
  workerConfigSchema,
  workerStatusSchema,
  type Validator,
} from '../src';
import * as runtime from '../src';
import { precompiledValidatorSources } from '../src/precompile-validators';
import { editDistance, suggestKey } from '../src/key-suggestion';
import { createValidators, type Validators } from '../src/validate';
import type { ValidateFunction } from 'ajv';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// The same tests run against the validators compiled by ajv at run time (how the sources
// run) and against the module the build precompiles (how the published package runs).
const generatedDir = mkdtempSync(join(tmpdir(), 'tunasync-validators-'));
afterAll(() => rmSync(generatedDir, { recursive: true, force: true }));

function precompiledValidators(): Validators {
  const sources = precompiledValidatorSources(join(__dirname, '../src/schema-formats'));
  return createValidators((id) => {
    const file = join(generatedDir, `${id}.js`);
    writeFileSync(file, sources[id]);
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require(file) as ValidateFunction;
  });
}

type Json = Record<string, unknown>;
interface SchemaNode {
  type?: string | readonly string[];
  properties?: Record<string, SchemaNode>;
  items?: SchemaNode;
  additionalProperties?: boolean | SchemaNode;
  $ref?: string;
  definitions?: Record<string, SchemaNode>;
}

/** A value of the wrong type for every JSON type a field may declare. */
function wrongValue(type: string | readonly string[]): unknown {
  const types = ([] as string[]).concat(type as string | string[]);
  if (types.includes('string')) return types.includes('integer') ? true : 42;
  if (types.includes('integer')) return 1.5;
  if (types.includes('boolean')) return 'yes';
  if (types.includes('array')) return 'not a list';
  if (types.includes('object')) return 'not a table';
  throw new Error(`no wrong value for ${types.join()}`);
}

/**
 * Every typed field reachable in `schema`, as [path segments, type]; arrays contribute [0],
 * tables of free keys (`env`, `mirrorz.mirrors`) a key named `any-key`.
 */
function typedFields(
  root: SchemaNode,
): Array<[Array<string | number>, string | readonly string[]]> {
  const out: Array<[Array<string | number>, string | readonly string[]]> = [];
  const visit = (node: SchemaNode, path: Array<string | number>, depth: number) => {
    if (node.$ref) node = root.definitions![node.$ref.split('/').pop()!]!;
    if (path.length > 0 && node.type) out.push([path, node.type]);
    if (depth > 4) return;
    for (const [key, child] of Object.entries(node.properties ?? {})) {
      visit(child, [...path, key], depth + 1);
    }
    if (node.items) visit(node.items, [...path, 0], depth + 1);
    if (typeof node.additionalProperties === 'object') {
      visit(node.additionalProperties, [...path, 'any-key'], depth + 1);
    }
  };
  visit(root, [], 0);
  return out;
}

function setPath(target: Json, path: Array<string | number>, value: unknown): Json {
  let cursor: Json | unknown[] = target;
  path.forEach((segment, i) => {
    const last = i === path.length - 1;
    const container = cursor as Record<string | number, unknown>;
    if (last) container[segment] = value;
    else {
      container[segment] ??= typeof path[i + 1] === 'number' ? [] : {};
      cursor = container[segment] as Json;
    }
  });
  return target;
}

function display(path: Array<string | number>): string {
  return formatJsonPointer('/' + path.join('/'));
}

function escape(text: string): string {
  return text.replace(/[.[\]]/g, '\\$&');
}

const implementations: Array<[string, () => Validators]> = [
  ['ajv at run time', () => runtime],
  ['precompiled', precompiledValidators],
];

describe.each(implementations)('validators (%s)', (_impl, load) => {
  const {
    validateClientCmd,
    validateCtlConfig,
    validateManagerConfig,
    validateMirrorSchedules,
    validateMirrorProgressMessage,
    validateMirrorSizeMessage,
    validateMirrorStatus,
    validateWorkerCmd,
    validateWorkerConfig,
    validateWorkerStatus,
  } = load();

  const cases: Array<[string, SchemaNode, Validator<unknown>, Json]> = [
    ['MirrorStatus', mirrorStatusSchema, validateMirrorStatus, { name: 'm' }],
    ['WorkerStatus', workerStatusSchema, validateWorkerStatus, { id: 'w' }],
    ['ClientCmd', clientCmdSchema, validateClientCmd, { cmd: 'start' }],
    ['WorkerCmd', workerCmdSchema, validateWorkerCmd, { cmd: 'start' }],
    ['MirrorSchedules', mirrorSchedulesSchema, validateMirrorSchedules, { schedules: [] }],
    ['MirrorSizeMessage', mirrorSizeMessageSchema, validateMirrorSizeMessage, { size: '1G' }],
    [
      'MirrorProgressMessage',
      mirrorProgressMessageSchema,
      validateMirrorProgressMessage,
      { name: 'm', files: 0, bytes: 0 },
    ],
    ['manager.conf', managerConfigSchema, validateManagerConfig, {}],
    ['worker.conf', workerConfigSchema, validateWorkerConfig, {}],
    ['ctl.conf', ctlConfigSchema, validateCtlConfig, {}],
  ];

  describe.each(cases)('%s schema', (_name, schema, validate, minimal) => {
    it('accepts the minimal valid value', () => {
      expect(validate(minimal)).toMatchObject({ ok: true, warnings: [] });
    });

    it('rejects a body that is not an object', () => {
      for (const input of [null, 'text', 3, [], true]) {
        expect(validate(input)).toEqual({
          ok: false,
          problems: ['must be an object'],
          warnings: [],
        });
      }
    });

    it('refuses a value nested deeper than MAX_NESTING_DEPTH before cloning it', () => {
      // 10,000 levels overflow structuredClone's recursion; the check walks with a stack.
      let deep: unknown = [];
      for (let i = 0; i < 10_000; i++) deep = [deep];
      const cut = { ...(minimal as Json), extra: deep };
      expect(validate(cut)).toEqual({
        ok: false,
        problems: [`extra[0]: nests deeper than ${MAX_NESTING_DEPTH} levels of arrays and objects`],
        warnings: [],
      });
      let deepObject: unknown = {};
      for (let i = 0; i < 10_000; i++) deepObject = { a: deepObject };
      expect(validate(deepObject)).toMatchObject({
        ok: false,
        problems: [`a.a: nests deeper than ${MAX_NESTING_DEPTH} levels of arrays and objects`],
      });
    });

    it('takes unknown values nested up to the limit', () => {
      let deep: unknown = 1;
      // The body itself is level 1, so `extra` may hold MAX_NESTING_DEPTH - 1 levels.
      for (let i = 0; i < MAX_NESTING_DEPTH - 1; i++) deep = [deep];
      expect(validate({ ...(minimal as Json), extra: deep }).ok).toBe(true);
      expect(validate({ ...(minimal as Json), extra: [deep] })).toMatchObject({ ok: false });
    });

    it('refuses a wire body of more than MAX_WIRE_VALUES values, not a config file', () => {
      const many = { ...(minimal as Json), extra: new Array(MAX_WIRE_VALUES).fill(1) };
      const result = validate(many);
      if (_name.endsWith('.conf')) {
        expect(result.ok).toBe(true);
      } else {
        expect(result).toEqual({
          ok: false,
          problems: [`holds more than ${MAX_WIRE_VALUES} values`],
          warnings: [],
        });
      }
    });

    const fields = typedFields(schema);
    it('has typed fields to check', () => {
      expect(fields.length).toBeGreaterThan(0);
    });

    it.each(fields.map(([path, type]) => [display(path), path, type] as const))(
      'rejects a wrong-typed %s naming the field',
      (shown, path, type) => {
        const input = setPath(structuredClone(minimal), path, wrongValue(type));
        if (path[0] === 'schedules' && path.length > 2 && path[2] !== 'name')
          setPath(input, ['schedules', 0, 'name'], 'm');
        const result = validate(input);
        expect(result.ok).toBe(false);
        if (!result.ok)
          expect(result.problems).toContainEqual(
            expect.stringMatching(`^${escape(shown)}: must be`),
          );
      },
    );
  });

  describe('wire bodies', () => {
    it('fills Go zero values for missing MirrorStatus fields and never mutates the input', () => {
      const input = { name: 'debian', status: 'syncing', unknown_extra: 1 };
      const result = validateMirrorStatus(input);
      expect(result).toEqual({
        ok: true,
        warnings: [],
        value: {
          name: 'debian',
          status: 'syncing',
          unknown_extra: 1,
          worker: '',
          is_master: false,
          last_update: '0001-01-01T00:00:00Z',
          last_started: '0001-01-01T00:00:00Z',
          last_ended: '0001-01-01T00:00:00Z',
          next_schedule: '0001-01-01T00:00:00Z',
          upstream: '',
          size: '',
          error_msg: '',
        },
      });
      expect(input).toEqual({ name: 'debian', status: 'syncing', unknown_extra: 1 });
    });

    it('keeps observed_ago_ms (tunasync-ts workers) when given, a whole number of ms from 0', () => {
      const given = validateMirrorStatus({ name: 'm', observed_ago_ms: 42_000 });
      expect(given.ok && given.value.observed_ago_ms).toBe(42_000);
      const absent = validateMirrorStatus({ name: 'm' });
      expect(absent.ok && 'observed_ago_ms' in absent.value).toBe(false);
      for (const bad of [-1, 0.5, Number.MAX_SAFE_INTEGER + 2]) {
        expect(validateMirrorStatus({ name: 'm', observed_ago_ms: bad }).ok).toBe(false);
      }
    });

    it('accepts any RFC 3339 time and rejects other time text', () => {
      expect(validateMirrorStatus({ last_update: '2026-01-02T15:04:05.123456789+08:00' }).ok).toBe(
        true,
      );
      expect(validateMirrorStatus({ last_update: '2026-01-02 15:04:05 +0800' })).toEqual({
        ok: false,
        problems: ['last_update: must be an RFC 3339 time'],
        warnings: [],
      });
    });

    it('treats Go null slices and maps in commands as empty', () => {
      const result = validateClientCmd({
        cmd: 'start',
        worker_id: 'w',
        mirror_id: 'm',
        args: null,
        options: null,
      });
      expect(result).toMatchObject({ ok: true, value: { args: [], options: {} } });
    });

    it('requires the command verb and option values to be booleans', () => {
      expect(validateWorkerCmd({ mirror_id: 'm' })).toMatchObject({
        ok: false,
        problems: ['cmd: is required'],
      });
      expect(validateClientCmd({ cmd: 'start', options: { force: 'yes' } })).toMatchObject({
        ok: false,
        problems: ['options.force: must be a boolean'],
      });
    });

    it('takes progress as whole, non-negative, exact numbers with a name, all required', () => {
      expect(validateMirrorProgressMessage({ name: 'm', files: 12, bytes: 2 ** 40 })).toEqual({
        ok: true,
        value: { name: 'm', files: 12, bytes: 2 ** 40 },
        warnings: [],
      });
      expect(validateMirrorProgressMessage({ files: -1, bytes: 2 ** 53 })).toEqual({
        ok: false,
        problems: [
          'name: is required',
          'files: must be >= 0',
          `bytes: must be <= ${Number.MAX_SAFE_INTEGER}`,
        ],
        warnings: [],
      });
      expect(validateMirrorProgressMessage({ name: 'm', files: '3' })).toMatchObject({
        ok: false,
        problems: ['bytes: is required', 'files: must be an integer'],
      });
    });

    it('requires a name for every schedule entry', () => {
      expect(
        validateMirrorSchedules({ schedules: [{ next_schedule: '2026-01-02T15:04:05Z' }] }),
      ).toMatchObject({
        ok: false,
        problems: ['schedules[0].name: is required'],
      });
    });

    it('lists at most 20 problems and counts the rest', () => {
      const result = validateMirrorSchedules({ schedules: new Array(100).fill({}) });
      expect(result.ok).toBe(false);
      if (!result.ok) {
        expect(result.problems).toHaveLength(21);
        expect(result.problems[0]).toBe('schedules[0].name: is required');
        expect(result.problems[20]).toBe('… and 80 more');
      }
    });
  });

  describe('config files', () => {
    it('reports unknown keys as warnings with their path', () => {
      const result = validateWorkerConfig({
        global: { name: 'w1', colour: 'blue' },
        mirrors: [{ name: 'a', mirrors: [{ name: 'b', frobnicate: true }] }],
        extra_section: {},
      });
      expect(result).toMatchObject({ ok: true });
      expect(result.warnings.sort()).toEqual(
        [
          'extra_section: unknown key',
          'global.colour: unknown key',
          'mirrors[0].mirrors[0].frobnicate: unknown key',
        ].sort(),
      );
    });

    it('an unknown key one typo from a known key of its table is an error: did you mean', () => {
      const worker = validateWorkerConfig({
        global: { name: 'w1', colour: 'blue' },
        server: { listen_prot: 6000 },
        mirrors: [
          { name: 'a', upstrem: 'rsync://x/a/', mirrors: [{ name: 'b', Provider: 'rsync' }] },
        ],
      });
      expect(worker).toMatchObject({ ok: false });
      if (!worker.ok) {
        expect(worker.problems.sort()).toEqual([
          'mirrors[0].mirrors[0].Provider: unknown key, did you mean `provider`?',
          'mirrors[0].upstrem: unknown key, did you mean `upstream`?',
          'server.listen_prot: unknown key, did you mean `listen_port`?',
        ]);
      }
      expect(worker.warnings).toEqual(['global.colour: unknown key']);
      const manager = validateManagerConfig({ server: { prot: 14243, adr: '::1', colour: 'x' } });
      expect(manager).toEqual({
        ok: false,
        problems: [
          'server.prot: unknown key, did you mean `port`?',
          'server.adr: unknown key, did you mean `addr`?',
        ],
        warnings: ['server.colour: unknown key'],
      });
      // Keys of another table are not neighbours; wire bodies never get suggestions.
      expect(validateCtlConfig({ manager_adr: 'x', upstrem: 'y' })).toEqual({
        ok: false,
        problems: ['manager_adr: unknown key, did you mean `manager_addr`?'],
        warnings: ['upstrem: unknown key'],
      });
    });

    it('suggests within 1 edit for short keys, 2 for longer ones, swaps counting 1', () => {
      expect(editDistance('prot', 'port')).toBe(1);
      expect(editDistance('upstrem', 'upstream')).toBe(1);
      expect(editDistance('kitten', 'sitting')).toBe(3);
      expect(suggestKey('prot', ['addr', 'port'])).toBe('port');
      expect(suggestKey('pt', ['addr', 'port'])).toBeUndefined();
      expect(suggestKey('intervl', ['interval', 'retry'])).toBe('interval');
      expect(suggestKey('intrvl', ['interval'])).toBe('interval');
      expect(suggestKey('intvl', ['interval'])).toBeUndefined();
    });

    it('checks nested mirror values against the name rule and enums', () => {
      const result = validateWorkerConfig({
        mirrors: [
          { name: 'ok', provider: 'ftp' },
          { name: 'bad/name', stage1_profile: 'ubuntu' },
        ],
      });
      expect(result.ok).toBe(false);
      if (!result.ok) {
        expect(result.problems).toEqual([
          expect.stringMatching(
            /^mirrors\[0\]\.provider: must be one of "rsync", "two-stage-rsync", "command" \(got "ftp"\)$/,
          ),
          expect.stringMatching(/^mirrors\[1\]\.name: name must start with a letter or digit/),
          expect.stringMatching(
            /^mirrors\[1\]\.stage1_profile: must be one of "debian", "debian-oldstyle"/,
          ),
        ]);
      }
    });

    it('accepts a full worker.conf using every key', () => {
      const mirror = {
        name: 'debian',
        provider: 'two-stage-rsync',
        upstream: 'rsync://example.org/debian/',
        interval: 60,
        retry: 3,
        timeout: 3600,
        mirror_dir: '/srv/debian',
        mirror_subdir: 'sub',
        log_dir: '/var/log/tunasync/{{.Name}}',
        env: { HTTP_PROXY: 'http://127.0.0.1:3128' },
        role: 'slave',
        exec_on_success: ['echo ok'],
        exec_on_failure: ['echo fail'],
        exec_on_success_extra: ['echo extra'],
        exec_on_failure_extra: ['echo extra'],
        success_exit_codes: [25],
        rsync_success_exit_codes: [23, 24],
        command: 'true',
        fail_on_match: 'ERROR',
        size_pattern: 'size: (\\S+)',
        use_ipv6: false,
        use_ipv4: true,
        exclude_file: '/etc/excludes',
        username: 'u',
        password: 'p',
        rsync_no_timeout: false,
        rsync_timeout: 300,
        rsync_options: ['--bwlimit=1000'],
        rsync_override: ['-av'],
        rsync_override_only: false,
        stage1_profile: 'debian',
        memory_limit: '256M',
        docker_image: 'alpine:3',
        docker_volumes: ['/a:/b'],
        docker_options: ['--cpus=1'],
        snapshot_path: '/snap',
      };
      const result = validateWorkerConfig({
        global: {
          name: 'w1',
          log_dir: '/var/log',
          mirror_dir: '/srv',
          concurrent: 10,
          interval: 120,
          retry: 2,
          timeout: 0,
          rsync_options: ['-v'],
          exec_on_success: [],
          exec_on_failure: [],
          progress_interval: 15,
          dangerous_global_success_exit_codes: [],
          dangerous_global_rsync_success_exit_codes: [24],
        },
        manager: { api_base: 'http://127.0.0.1:14242', api_base_list: [], ca_cert: '', token: 't' },
        server: {
          hostname: 'localhost',
          listen_addr: '127.0.0.1',
          listen_port: 6000,
          ssl_cert: '',
          ssl_key: '',
        },
        cgroup: { enable: false, base_path: '/sys/fs/cgroup', group: 'tunasync', subsystem: 'cpu' },
        zfs: { enable: false, zpool: 'tank' },
        btrfs_snapshot: { enable: false, snapshot_path: '/snap' },
        docker: { enable: false, volumes: [], options: [] },
        include: { include_mirrors: '/etc/tunasync/mirrors/*.conf' },
        mirrors: [
          mirror,
          {
            name: 'tpl',
            mirrors: [{ ...mirror, name: 'child', cron: '0 */6 * * *', memory_limit: 1024 }],
          },
        ],
      });
      expect(result).toMatchObject({ ok: true, warnings: [] });
    });

    it('accepts full manager.conf and ctl.conf', () => {
      expect(
        validateManagerConfig({
          debug: true,
          server: {
            addr: '0.0.0.0',
            port: 14242,
            ssl_cert: 'c',
            ssl_key: 'k',
            token: 't',
            token_file: 'f',
            worker_offline_after: 600,
            history_size: 50,
          },
          files: {
            db_type: 'leveldb',
            db_file: '/var/lib/tunasync',
            status_file: 's',
            ca_cert: 'ca',
          },
          mirrorz: {
            enable: true,
            mirror_url_prefix: '/mirrors',
            site: {
              url: 'https://mirrors.example.org',
              logo: 'https://mirrors.example.org/logo.svg',
              logo_darkmode: 'https://mirrors.example.org/logo-dark.svg',
              abbr: 'EXAMPLE',
              name: 'Example mirrors',
              homepage: 'https://example.org',
              issue: 'https://example.org/issues',
              request: 'https://example.org/requests',
              email: 'mirrors@example.org',
              group: 'Matrix: #mirrors:example.org',
              disk: '10T / 20T',
              note: '100 Mbit/s per connection',
              big: '/speedtest/1000mb.bin',
              disable: false,
            },
            mirrors: {
              debian: {
                cname: 'debian',
                desc: 'Debian GNU/Linux',
                url: '/debian',
                help: '/help/debian/',
                upstream: 'rsync://ftp.debian.org/debian/',
                hidden: false,
                disable: false,
                new: true,
              },
            },
          },
        }),
      ).toMatchObject({ ok: true, warnings: [] });
      expect(
        validateCtlConfig({ manager_addr: 'h', manager_port: 1, ca_cert: 'c', token: 't' }),
      ).toMatchObject({
        ok: true,
        warnings: [],
      });
    });

    it('checks the [mirrorz] tables of manager.conf and warns of unknown keys in them', () => {
      const result = validateManagerConfig({
        mirrorz: {
          enable: 'yes',
          site: { abbr: 3, colour: 'blue' },
          mirrors: { debian: { hidden: 'no', colour: 'red' }, arch: 'hidden' },
          frobnicate: 1,
        },
      });
      expect(result.ok).toBe(false);
      expect(result).toMatchObject({
        problems: expect.arrayContaining([
          'mirrorz.enable: must be a boolean',
          'mirrorz.site.abbr: must be a string',
          'mirrorz.mirrors.debian.hidden: must be a boolean',
          'mirrorz.mirrors.arch: must be an object',
        ]),
      });
      if (!result.ok) expect(result.problems).toHaveLength(4);
      expect(result.warnings.sort()).toEqual([
        'mirrorz.frobnicate: unknown key',
        'mirrorz.mirrors.debian.colour: unknown key',
        'mirrorz.site.colour: unknown key',
      ]);
    });

    it('accepts history_size from 0 to 10000 and rejects anything else, naming the key', () => {
      for (const size of [0, 1, 50, HISTORY_SIZE_MAX]) {
        expect(validateManagerConfig({ server: { history_size: size } })).toMatchObject({
          ok: true,
          value: { server: { history_size: size } },
          warnings: [],
        });
      }
      expect(HISTORY_SIZE_MAX).toBe(10000);
      expect(MANAGER_DEFAULTS.history_size).toBe(50);
      const problems = (history_size: unknown) => {
        const result = validateManagerConfig({ server: { history_size } });
        return result.ok ? [] : result.problems;
      };
      expect(problems(-1)).toEqual(['server.history_size: must be >= 0']);
      expect(problems(10001)).toEqual(['server.history_size: must be <= 10000']);
      expect(problems(2.5)).toEqual(['server.history_size: must be an integer']);
      expect(problems('50')).toEqual(['server.history_size: must be an integer']);
      expect(problems(true)).toEqual(['server.history_size: must be an integer']);
    });

    it('rejects out-of-range ports', () => {
      expect(validateManagerConfig({ server: { port: 70000 } })).toMatchObject({
        ok: false,
        problems: ['server.port: must be <= 65535'],
      });
      expect(validateWorkerConfig({ global: { concurrent: -1 } })).toMatchObject({
        ok: false,
        problems: ['global.concurrent: must be >= 0'],
      });
    });

    it('takes progress_interval as whole seconds from 0 (off) to 3600', () => {
      for (const ok of [0, 1, 15, 3600]) {
        expect(validateWorkerConfig({ global: { progress_interval: ok } })).toMatchObject({
          ok: true,
          warnings: [],
        });
      }
      const problems = (value: unknown) => {
        const result = validateWorkerConfig({ global: { progress_interval: value } });
        return result.ok ? [] : result.problems;
      };
      expect(problems(3601)).toEqual(['global.progress_interval: must be <= 3600']);
      expect(problems(-1)).toEqual(['global.progress_interval: must be >= 0']);
      expect(problems(1.5)).toEqual(['global.progress_interval: must be an integer']);
      expect(problems('15')).toEqual(['global.progress_interval: must be an integer']);
    });
  });
});

describe('formatJsonPointer', () => {
  it('renders paths the way config users write them', () => {
    expect(formatJsonPointer('/mirrors/3/rsync_timeout')).toBe('mirrors[3].rsync_timeout');
    expect(formatJsonPointer('', 'name')).toBe('name');
    expect(formatJsonPointer('/env', 'A/B')).toBe('env."A/B"');
    expect(formatJsonPointer('/a~1b/c~0d')).toBe('"a/b"."c~d"');
  });

  it('quotes keys that are not bare TOML keys, so a path is one line (regression, #11)', () => {
    expect(formatJsonPointer('/files', 'a\nb')).toBe('files."a\\nb"');
    expect(formatJsonPointer('/mirrorz/mirrors/crates.io-index/url')).toBe(
      'mirrorz.mirrors."crates.io-index".url',
    );
    expect(formatJsonPointer('/server', '')).toBe('server.""');
    expect(formatJsonPointer('', '\u2028')).toBe('"\\u2028"');
    expect(formatJsonPointer('/server', 'port')).toBe('server.port');
  });
});
