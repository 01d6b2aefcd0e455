/** Debian's chromium (apt-get install chromium), which the browser tests drive. */
export const CHROMIUM_PATH = '/usr/bin/chromium';

/**
 * The flags of a headless chromium in tests and benchmarks: no sandbox (root in CI), no GPU,
 * and nothing that talks to the network by itself. Give it a fresh profile directory.
 */
export const CHROMIUM_ARGS: readonly string[] = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-quic',
  '--no-first-run',
];
