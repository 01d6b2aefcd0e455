import { randomBytes } from 'node:crypto';
import { open, rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';

export interface DurableWriteOptions {
  /** The file's mode when it is created (default `0o666` less the umask). */
  mode?: number;
}

async function syncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * Replaces `file` with `text` so that a reader, or a crash at any moment, finds the old
 * content or the new, never a part: written to a temporary name beside it
 * (`<file>.new-<random>`, so two writers never share one), flushed (fsync), renamed over
 * `file`, and the directory flushed too, so the rename itself survives a power loss. A
 * failure removes the temporary file and rejects.
 */
export async function writeFileDurably(
  file: string,
  text: string,
  options: DurableWriteOptions = {},
): Promise<void> {
  const temp = `${file}.new-${randomBytes(4).toString('hex')}`;
  try {
    const handle = await open(temp, 'w', options.mode);
    try {
      await handle.writeFile(text);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, file);
  } catch (err) {
    await rm(temp, { force: true });
    throw err;
  }
  await syncDirectory(dirname(file));
}
