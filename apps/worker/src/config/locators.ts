import { ConfigLocator } from '@tunasync/config';

/** The locators of the files read, each by the name its problems show. */
export class Locators {
  private readonly byFile = new Map<string, ConfigLocator>();

  add(locator: ConfigLocator): void {
    this.byFile.set(locator.file, locator);
  }

  of(file: string): ConfigLocator {
    return this.byFile.get(file) ?? new ConfigLocator(file);
  }

  /** `file:line:path` of a key of one of the files. */
  readonly place = (file: string, path: string): string => this.of(file).place(path);
}
