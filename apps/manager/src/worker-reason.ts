/*
 * The worker's own reason for not carrying out a command, in a few words for the one-line
 * `/cmd` error. The worker (ours and Go's) answers `{"msg":…}` in Go's words (SPEC §4.1);
 * those are said plainly, anything else is passed on as the worker wrote it.
 */

const PLAIN: ReadonlyArray<[number, RegExp, string]> = [
  [404, /^Mirror ``.*'' not found$/, 'no such mirror'],
  [406, /^Invalid Command$/, 'not a command it knows'],
  [400, /^Invalid request$/, 'not a valid command'],
];

/** `said`: the worker's `msg` (or body text); a 4xx is a refusal, anything else a failure. */
export function workerReason(status: number, said: string): string {
  const plain = PLAIN.find(([code, pattern]) => code === status && pattern.test(said));
  if (plain !== undefined) return plain[2];
  if (status >= 400 && status < 500 && said !== '') return said;
  return `HTTP ${status}${said === '' ? '' : `: ${said}`}`;
}
