import { formatLogLine } from '../src';
import type { LogEntry } from '../src';

// Local time: the text line shows the wall clock of the host, as Go's programs do.
const entry: LogEntry = {
  time: new Date(2026, 11, 3, 14, 17, 2, 573),
  level: 'info',
  component: 'worker',
  message: 'sync done',
  fields: { worker: 'w1', mirror: 'debian', size: 42, gone: undefined },
};

describe('formatLogLine, the one line format of the manager and the worker', () => {
  it('writes Go text lines with the component, without time and component under systemd', () => {
    // The component where Go's debug line has its source file (`[time][LEVEL][file.go:12]`),
    // so a reader of Go's lines reads these too (issue #18: time, level, component, …).
    expect(formatLogLine(entry, { format: 'text', withSystemd: false })).toBe(
      '[26-12-03 14:17:02][INFO][worker] sync done worker="w1" mirror="debian" size=42',
    );
    expect(formatLogLine({ ...entry, level: 'warn' }, { format: 'text', withSystemd: true })).toBe(
      '[WARN] sync done worker="w1" mirror="debian" size=42',
    );
  });

  it('writes one JSON object with time, level, component, message and the fields', () => {
    const line = formatLogLine(entry, { format: 'json', withSystemd: false });
    expect(line).not.toContain('\n');
    expect(JSON.parse(line)).toEqual({
      time: entry.time.toISOString(),
      level: 'info',
      component: 'worker',
      message: 'sync done',
      worker: 'w1',
      mirror: 'debian',
      size: 42,
    });
    expect(Object.keys(JSON.parse(line) as object).slice(0, 4)).toEqual([
      'time',
      'level',
      'component',
      'message',
    ]);
  });

  it('keeps a field named like a core key, and drops the time under systemd', () => {
    const line = formatLogLine(
      { ...entry, message: 'multi\nline', fields: { message: 'x', level: 3 } },
      { format: 'json', withSystemd: true },
    );
    expect(line).not.toContain('\n');
    expect(JSON.parse(line)).toEqual({
      level: 'info',
      component: 'worker',
      message: 'multi\nline',
      'field.message': 'x',
      'field.level': 3,
    });
  });
});
