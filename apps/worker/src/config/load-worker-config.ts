import os from 'node:os';
import path from 'node:path';
import { readToml, type ConfigLocator } from '@tunasync/config';
import {
  validateWorkerConfig,
  WORKER_DEFAULTS,
  type ValidationResult,
  type WorkerConfigFile,
} from '@tunasync/api-types';
import { WorkerConfigError } from '../errors';
import { expandGlob } from './glob';
import { flattenMirrors, type MirrorLeaf } from './mirror-tree';
import { pathExists } from './path-exists';
import { Locators } from './locators';
import { checkMirrors, SchemaRefusals } from './mirror-checks';
import { SERVER_DEFAULTS, type MirrorConfig, type WorkerConfig } from './worker-config';

export interface LoadWorkerConfigOptions {
  /** Unknown keys (and other warnings) become errors. */
  strict?: boolean;
  /** Directory that relative paths (the include glob) are read from; `process.cwd()` by default, as in the Go worker. */
  cwd?: string;
  /** Host name used when `[server] hostname` is not set; `os.hostname()` by default. */
  defaultHostname?: string;
}

/** What `--check-config` prints: `file:line:key: reason` lines, and the config when usable. */
export interface WorkerConfigCheck {
  ok: boolean;
  config?: WorkerConfig;
  problems: string[];
  warnings: string[];
}

type Doc = Record<string, unknown>;

function isTable(value: unknown): value is Doc {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Adds the schema's findings (located); returns its problems as `file:path: reason`. */
function collect(
  locator: ConfigLocator,
  result: ValidationResult<unknown>,
  problems: string[],
  warnings: string[],
): string[] {
  const found = result.ok ? [] : result.problems;
  problems.push(...found.map((p) => locator.locate(p)));
  warnings.push(...result.warnings.map((w) => locator.locate(w)));
  return found.map((p) => `${locator.file}:${p}`);
}

/**
 * Reads, validates and resolves a worker.conf and the files of its `[include]` glob:
 * schema of api-types, nested mirror inheritance, the mirror checks. Never throws for a
 * bad file: every problem is listed (as `file:line:key: reason`), together with the warnings.
 */
export async function checkWorkerConfig(
  file: string,
  options: LoadWorkerConfigOptions = {},
): Promise<WorkerConfigCheck> {
  const cwd = options.cwd ?? process.cwd();
  const problems: string[] = [];
  const warnings: string[] = [];

  const locators = new Locators();
  const read = await readToml(file, path.resolve(cwd, file));
  if (!read.ok) return { ok: false, problems: [read.problem], warnings };
  const { doc } = read;
  locators.add(read.locator);
  const located = (at: string, text: string) => locators.of(at).locate(text);
  const schemaProblems = collect(read.locator, validateWorkerConfig(doc), problems, warnings);
  const g = isTable(doc.global) ? (doc.global as NonNullable<WorkerConfigFile['global']>) : {};

  // [include] include_mirrors
  const leaves: { leaf: MirrorLeaf; file: string }[] = flattenMirrors(doc.mirrors).map((leaf) => ({
    leaf,
    file,
  }));
  const includePattern =
    isTable(doc.include) && typeof doc.include.include_mirrors === 'string'
      ? doc.include.include_mirrors
      : '';
  let includeFiles: string[] = [];
  if (includePattern !== '') {
    try {
      includeFiles = await expandGlob(includePattern, cwd);
      if (includeFiles.length === 0) {
        warnings.push(
          located(
            file,
            `include.include_mirrors: no file matches ${JSON.stringify(includePattern)}`,
          ),
        );
      }
    } catch (err) {
      problems.push(located(file, `include.include_mirrors: ${(err as Error).message}`));
    }
    for (const included of includeFiles) {
      const incRead = await readToml(included);
      if (!incRead.ok) {
        problems.push(incRead.problem);
        continue;
      }
      const inc = incRead.doc;
      locators.add(incRead.locator);
      for (const key of Object.keys(inc)) {
        if (key !== 'mirrors')
          warnings.push(
            located(
              included,
              `${key}: unknown key (an included file holds only [[mirrors]] tables)`,
            ),
          );
      }
      const result = validateWorkerConfig({ mirrors: inc.mirrors ?? [] });
      schemaProblems.push(...collect(incRead.locator, result, problems, warnings));
      leaves.push(...flattenMirrors(inc.mirrors).map((leaf) => ({ leaf, file: included })));
    }
  }

  // [global], [manager], [server] and the other sections.
  // The schema checks the name rule of a name that is there; it must be there.
  if (g.name === undefined) problems.push(located(file, 'global.name: is required'));
  if (typeof g.concurrent === 'number' && g.concurrent < 0) {
    problems.push(located(file, 'global.concurrent: must be at least 1'));
  }

  const m = isTable(doc.manager) ? (doc.manager as NonNullable<WorkerConfigFile['manager']>) : {};
  const apiBases = (
    Array.isArray(m.api_base_list) && m.api_base_list.length > 0
      ? m.api_base_list
      : typeof m.api_base === 'string' && m.api_base !== ''
        ? [m.api_base]
        : []
  ).filter((b): b is string => typeof b === 'string');
  if (apiBases.length === 0) {
    problems.push(located(file, 'manager.api_base: is required (or manager.api_base_list)'));
  }
  const listKey =
    Array.isArray(m.api_base_list) && m.api_base_list.length > 0
      ? 'manager.api_base_list'
      : 'manager.api_base';
  apiBases.forEach((base, i) => {
    const key = listKey === 'manager.api_base' ? listKey : `${listKey}[${i}]`;
    const protocol = URL.canParse(base) ? new URL(base).protocol : undefined;
    if (protocol !== 'http:' && protocol !== 'https:') {
      problems.push(
        located(file, `${key}: must be an http:// or https:// URL (got ${JSON.stringify(base)})`),
      );
    }
  });

  const s = isTable(doc.server) ? (doc.server as NonNullable<WorkerConfigFile['server']>) : {};
  const sslCert = s.ssl_cert || undefined;
  const sslKey = s.ssl_key || undefined;
  if ((sslCert === undefined) !== (sslKey === undefined)) {
    problems.push(
      located(
        file,
        `server.${sslCert === undefined ? 'ssl_cert' : 'ssl_key'}: must be set together with server.${sslCert === undefined ? 'ssl_key' : 'ssl_cert'}`,
      ),
    );
  }
  const mustExist: [string, unknown][] = [
    ['manager.ca_cert', m.ca_cert],
    ['server.ssl_cert', sslCert],
    ['server.ssl_key', sslKey],
  ];
  for (const [key, value] of mustExist) {
    if (
      typeof value === 'string' &&
      value !== '' &&
      !(await pathExists(path.resolve(cwd, value)))
    ) {
      problems.push(located(file, `${key}: file ${JSON.stringify(value)} does not exist`));
    }
  }

  const zfs = isTable(doc.zfs) ? (doc.zfs as NonNullable<WorkerConfigFile['zfs']>) : {};
  const btrfs = isTable(doc.btrfs_snapshot)
    ? (doc.btrfs_snapshot as NonNullable<WorkerConfigFile['btrfs_snapshot']>)
    : {};

  // Mirror checks: one pass over the leaves (whole-file rules and each mirror through the providers).
  const mirrorFindings = await checkMirrors({
    leaves,
    doc,
    mainFile: file,
    refused: new SchemaRefusals(schemaProblems),
    place: locators.place,
    cwd,
  });
  problems.push(...mirrorFindings.problems);
  warnings.push(...mirrorFindings.warnings);

  const uniqueProblems = [...new Set(problems)];
  const uniqueWarnings = [...new Set(warnings)];
  if (options.strict && uniqueWarnings.length > 0) {
    return {
      ok: false,
      problems: [...uniqueProblems, ...uniqueWarnings.map((w) => `${w} (--strict)`)],
      warnings: [],
    };
  }
  if (uniqueProblems.length > 0)
    return { ok: false, problems: uniqueProblems, warnings: uniqueWarnings };

  const c = isTable(doc.cgroup) ? (doc.cgroup as NonNullable<WorkerConfigFile['cgroup']>) : {};
  const d = isTable(doc.docker) ? (doc.docker as NonNullable<WorkerConfigFile['docker']>) : {};
  const mirrors: MirrorConfig[] = [];
  const origins: Record<string, string> = {};
  for (const { leaf, file: from } of leaves) {
    const mirror = structuredClone(leaf.values) as MirrorConfig;
    mirrors.push(mirror);
    origins[mirror.name] = `${from}:${leaf.path}`;
  }
  const config: WorkerConfig = {
    file: path.resolve(cwd, file),
    global: {
      name: g.name as string,
      log_dir: g.log_dir ?? '',
      mirror_dir: g.mirror_dir ?? '',
      concurrent: g.concurrent || WORKER_DEFAULTS.concurrent,
      interval: g.interval || WORKER_DEFAULTS.interval,
      retry: g.retry || WORKER_DEFAULTS.retry,
      timeout: g.timeout ?? WORKER_DEFAULTS.timeout,
      rsync_options: g.rsync_options ?? [],
      exec_on_success: g.exec_on_success ?? [],
      exec_on_failure: g.exec_on_failure ?? [],
      // 0 turns progress off (not "unset"): the default applies only when the key is absent.
      progress_interval: g.progress_interval ?? WORKER_DEFAULTS.progress_interval,
      dangerous_global_success_exit_codes: g.dangerous_global_success_exit_codes ?? [],
      dangerous_global_rsync_success_exit_codes: g.dangerous_global_rsync_success_exit_codes ?? [],
    },
    manager: {
      api_base_list: apiBases.map((b) => b.replace(/\/+$/, '')),
      // 0 turns the heartbeat off (not "unset"), as progress_interval.
      heartbeat_interval: m.heartbeat_interval ?? WORKER_DEFAULTS.heartbeat_interval,
      ...(m.ca_cert ? { ca_cert: m.ca_cert } : {}),
      ...(m.token ? { token: m.token } : {}),
    },
    server: {
      hostname: s.hostname || options.defaultHostname || os.hostname(),
      listen_addr: s.listen_addr ?? SERVER_DEFAULTS.listen_addr,
      listen_port: s.listen_port ?? SERVER_DEFAULTS.listen_port,
      ...(sslCert ? { ssl_cert: sslCert, ssl_key: sslKey } : {}),
    },
    cgroup: {
      enable: c.enable ?? false,
      base_path: c.base_path || WORKER_DEFAULTS.cgroup_base_path,
      group: c.group || WORKER_DEFAULTS.cgroup_group,
      subsystem: c.subsystem || WORKER_DEFAULTS.cgroup_subsystem,
    },
    zfs: { enable: zfs.enable ?? false, zpool: zfs.zpool ?? '' },
    btrfs_snapshot: { enable: btrfs.enable ?? false, snapshot_path: btrfs.snapshot_path ?? '' },
    docker: { enable: d.enable ?? false, volumes: d.volumes ?? [], options: d.options ?? [] },
    include: { include_mirrors: includePattern, files: includeFiles },
    mirrors,
    origins,
  };
  return { ok: true, config, problems: [], warnings: uniqueWarnings };
}

/**
 * Loads a worker.conf for running: the resolved config, or a `WorkerConfigError` listing
 * every problem. Warnings are returned for the caller to log.
 */
export async function loadWorkerConfig(
  file: string,
  options: LoadWorkerConfigOptions = {},
): Promise<{ config: WorkerConfig; warnings: string[] }> {
  const result = await checkWorkerConfig(file, options);
  if (!result.ok || result.config === undefined)
    throw new WorkerConfigError(result.problems, result.warnings);
  return { config: result.config, warnings: result.warnings };
}
