import { readFile } from 'node:fs/promises';

const FS_REASONS: Record<string, string> = {
  ENOENT: 'no such file',
  EACCES: 'permission denied',
  EISDIR: 'is a directory',
  ENOTDIR: 'a part of the path is not a directory',
  ELOOP: 'too many symbolic links',
  ENAMETOOLONG: 'the name is too long',
};

/** A path as a config problem shows it: quoted when it holds anything but plain characters. */
export function quotePath(path: string): string {
  return /^[\x21-\x7e]+$/.test(path) ? path : JSON.stringify(path);
}

/**
 * Reads a file that a configuration file names (a certificate, a token file; `where` is the
 * key or flag, as problems show it): a failure is one problem line, never a throw: the
 * reason in words, the path quoted when it holds spaces or control characters.
 */
export async function readConfigText(
  path: string,
  where: string,
  problems: string[],
): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? '';
    const reason = FS_REASONS[code] ?? String((err as Error).message).replace(/\s+/g, ' ');
    problems.push(`${where}: cannot read ${quotePath(path)}: ${reason}`);
    return undefined;
  }
}
