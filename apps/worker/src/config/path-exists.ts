import { access, lstat } from 'node:fs/promises';

export interface PathExistsOptions {
  /**
   * Whether a symbolic link stands for its target (true, the default: a dangling link does
   * not exist) or for itself (false: any link exists, like Go's `filepath.Glob`).
   */
  followLinks?: boolean;
}

/** Whether `file` exists; any error looking at it (missing, no permission) counts as no. */
export async function pathExists(file: string, options: PathExistsOptions = {}): Promise<boolean> {
  try {
    await (options.followLinks === false ? lstat(file) : access(file));
    return true;
  } catch {
    return false;
  }
}
