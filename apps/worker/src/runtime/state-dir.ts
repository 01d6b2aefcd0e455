import path from 'node:path';
import type { WorkerConfig } from '../config/worker-config';

/**
 * The worker's state directory when `--state-dir` is not given: next to the logs, in
 * `<log base>/.tunasync-worker/<worker name>`, where the log base is `[global] log_dir`
 * up to its first template field (`/srv/log/{{.Name}}` → `/srv/log`). It holds the
 * outboxes of the managers, the job-state file and the records of running process groups.
 * Mirror names start with a letter or digit, so it never clashes with a mirror's log dir.
 */
export function defaultStateDir(config: Pick<WorkerConfig, 'global'>): string {
  const logDir = config.global.log_dir;
  const templateAt = logDir.indexOf('{{');
  let base = templateAt >= 0 ? logDir.slice(0, templateAt) : logDir;
  if (templateAt >= 0 && !base.endsWith('/')) base = path.dirname(base);
  return path.join(path.resolve(base || '.'), '.tunasync-worker', config.global.name);
}
