import type { MirrorConfigFile } from '@tunasync/api-types';
import { PROVIDER_ERRORS } from './errors';

/**
 * The Go field names a `log_dir` template may use (`{{.Name}}`), mapped to the mirror's
 * keys, as in the Go program's `mirrorConfig`. Secrets (`Password`) and tables are left out.
 */
export const LOG_DIR_TEMPLATE_FIELDS: Readonly<Record<string, keyof MirrorConfigFile>> =
  Object.freeze({
    Name: 'name',
    Provider: 'provider',
    Upstream: 'upstream',
    Interval: 'interval',
    Retry: 'retry',
    Timeout: 'timeout',
    MirrorDir: 'mirror_dir',
    MirrorSubDir: 'mirror_subdir',
    LogDir: 'log_dir',
    Role: 'role',
    Command: 'command',
    ExcludeFile: 'exclude_file',
    Username: 'username',
    Stage1Profile: 'stage1_profile',
    MemoryLimit: 'memory_limit',
    DockerImage: 'docker_image',
    SnapshotPath: 'snapshot_path',
  });

const NUMERIC = new Set(['Interval', 'Retry', 'Timeout']);
const TEMPLATE_ACTION = /\{\{(.*?)\}\}/g;

/** The Go field name of one template action, or the reason it cannot be expanded. */
function templateField(action: string, inner: string): { field: string } | { problem: string } {
  const field = /^\s*\.([A-Za-z0-9_]+)\s*$/.exec(inner)?.[1];
  if (field === undefined) {
    return { problem: `unsupported template ${action}: only {{.Field}} is supported` };
  }
  if (!Object.hasOwn(LOG_DIR_TEMPLATE_FIELDS, field)) {
    return {
      problem: `unknown template field {{.${field}}} (known: ${Object.keys(LOG_DIR_TEMPLATE_FIELDS).join(', ')})`,
    };
  }
  return { field };
}

/**
 * Why a `log_dir` template cannot be expanded (the first bad action), or undefined. The
 * same rule `expandLogDirTemplate` applies, without a mirror.
 */
export function logDirTemplateProblem(template: string): string | undefined {
  for (const m of template.matchAll(TEMPLATE_ACTION)) {
    const found = templateField(m[0], m[1] as string);
    if ('problem' in found) return found.problem;
  }
  return undefined;
}

/**
 * Expand `{{.Field}}` (spaces allowed inside the braces) with the mirror's value, printed
 * the way Go's template prints it (`''` for an unset text, `0` for an unset number).
 *
 * @throws `TUNASYNC_E_LOG_DIR_TEMPLATE` for any other action or an unknown field.
 */
export function expandLogDirTemplate(template: string, mirror: MirrorConfigFile): string {
  return template.replace(TEMPLATE_ACTION, (action: string, inner: string) => {
    const found = templateField(action, inner);
    if ('problem' in found) throw PROVIDER_ERRORS.logDirTemplate(found.problem);
    const value = mirror[LOG_DIR_TEMPLATE_FIELDS[found.field] as keyof MirrorConfigFile];
    if (value === undefined || value === null) return NUMERIC.has(found.field) ? '0' : '';
    return String(value);
  });
}
