interface FieldRule {
  name: string;
  min: number;
  max: number;
  names?: readonly string[];
}

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const DAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];

const FIVE: readonly FieldRule[] = [
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day of month', min: 1, max: 31 },
  { name: 'month', min: 1, max: 12, names: MONTHS },
  { name: 'day of week', min: 0, max: 7, names: DAYS },
];
const SECONDS: FieldRule = { name: 'second', min: 0, max: 59 };

/**
 * Why a cron expression (`min hour dom month dow`, optionally with a leading seconds
 * field, as node-schedule reads it) is invalid, or `undefined` when it is valid.
 */
export function cronProblem(expression: string): string | undefined {
  const fields = expression.trim().split(/\s+/);
  if (fields.length !== 5 && fields.length !== 6) {
    return `must have 5 fields (minute hour day-of-month month day-of-week), found ${fields.length}`;
  }
  const rules = fields.length === 6 ? [SECONDS, ...FIVE] : FIVE;
  for (let i = 0; i < fields.length; i++) {
    const problem = fieldProblem(fields[i] as string, rules[i] as FieldRule);
    if (problem) return problem;
  }
  return undefined;
}

function fieldProblem(field: string, rule: FieldRule): string | undefined {
  for (const part of field.split(',')) {
    const [range, step, extra] = part.split('/');
    if (extra !== undefined || range === undefined || range === '') {
      return `bad ${rule.name} field ${JSON.stringify(field)}`;
    }
    if (step !== undefined && !/^[1-9]\d*$/.test(step)) {
      return `bad step in ${rule.name} field ${JSON.stringify(field)}`;
    }
    if (range === '*' || range === '?') continue;
    const bounds = range.split('-');
    if (bounds.length > 2) return `bad range in ${rule.name} field ${JSON.stringify(field)}`;
    const values = bounds.map((b) => fieldValue(b, rule));
    if (values.some((v) => v === undefined)) {
      return `${rule.name} field ${JSON.stringify(field)} must hold values ${rule.min}-${rule.max}`;
    }
    if (values.length === 2 && (values[0] as number) > (values[1] as number)) {
      return `bad range in ${rule.name} field ${JSON.stringify(field)}`;
    }
  }
  return undefined;
}

function fieldValue(text: string, rule: FieldRule): number | undefined {
  const named = rule.names?.indexOf(text.toLowerCase()) ?? -1;
  if (named >= 0) return named + (rule.min === 1 ? 1 : 0);
  if (!/^\d+$/.test(text)) return undefined;
  const n = Number(text);
  return n >= rule.min && n <= rule.max ? n : undefined;
}
