import { existsSync } from 'node:fs';
import { resolve } from 'node:path';

/**
 * The folder of databases written by the Go manager, with its answers over them:
 * `TUNASYNC_GO_FIXTURES`, else the repository's own copy `fixtures/go-manager-db/` (so a
 * clone anywhere has them), else the project's `shared/fixtures/go-manager-db/` beside it. Read-only: copy what a test opens. Throws, saying where it looked,
 * when the folder is missing.
 */
export function goManagerFixtures(): string {
  const inRepo = resolve(__dirname, '..', '..', '..', 'fixtures', 'go-manager-db');
  const dir =
    process.env.TUNASYNC_GO_FIXTURES ??
    (existsSync(resolve(inRepo, 'README.md'))
      ? inRepo
      : resolve(__dirname, '..', '..', '..', '..', 'shared', 'fixtures', 'go-manager-db'));
  if (!existsSync(resolve(dir, 'README.md'))) {
    throw new Error(
      `the Go manager's database fixtures are not at ${dir}: put the project's shared/ folder beside the repository, or set TUNASYNC_GO_FIXTURES to the go-manager-db folder`,
    );
  }
  return dir;
}
