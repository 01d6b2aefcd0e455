import {
  buildFieldMap,
  checkTemplateFields,
  goFieldName,
  parseTemplate,
  renderTemplate,
  TemplateError,
} from '../src/go-template';
import { GO_FIELDS } from '../src/object-template';

const job = {
  name: 'debian',
  is_master: true,
  status: 'success',
  last_update: '2026-01-02 15:04:05 +0800',
  last_update_ts: 1767337445,
  next_schedule: '2026-01-02 17:04:05 +0800',
  next_schedule_ts: 1767344645,
  upstream: 'rsync://example.org/debian/',
  size: '1.5T',
  progress: { bytes: 1024, files: 3 },
};

function render(source: string, item: Record<string, unknown> = job): string {
  const template = parseTemplate(source);
  const fields = buildFieldMap(GO_FIELDS.webMirrorStatus, [item]);
  checkTemplateFields(template, fields);
  return renderTemplate(template, item, fields);
}

function parseError(source: string): string {
  try {
    parseTemplate(source);
  } catch (err) {
    expect(err).toBeInstanceOf(TemplateError);
    return (err as Error).message;
  }
  throw new Error(`expected ${source} to be rejected`);
}

describe('Go template subset', () => {
  it('prints fields by their Go names between literal text', () => {
    expect(render('{{.Name}} {{.Status}} {{.LastUpdate}}')).toBe(
      'debian success 2026-01-02 15:04:05 +0800',
    );
    expect(render('[{{ .IsMaster }}] ts={{.LastUpdateTs}} size={{.Size}}')).toBe(
      '[true] ts=1767337445 size=1.5T',
    );
  });

  it('maps Scheduled and NextSchedule to next_schedule', () => {
    expect(render('{{.Scheduled}}|{{.NextScheduleTs}}|{{.ScheduledTs}}')).toBe(
      '2026-01-02 17:04:05 +0800|1767344645|1767344645',
    );
  });

  it('reaches extra fields and their members by Go-style names', () => {
    expect(render('{{.Progress.Bytes}}/{{.Progress.files}}')).toBe('1024/3');
    expect(render('{{.Progress}}')).toBe('{"bytes":1024,"files":3}');
  });

  it('prints the whole object as JSON for {{.}} and <no value> for null', () => {
    expect(render('{{.}}', { name: 'a' })).toBe('{"name":"a"}');
    expect(render('{{.Size}}', { name: 'a', size: null })).toBe('<no value>');
  });

  it('supports printf, print and println, called or piped', () => {
    expect(render('{{.Name | printf "%-10s"}}|')).toBe('debian    |');
    expect(render('{{printf "%s=%d %t" .Name .LastUpdateTs .IsMaster}}')).toBe(
      'debian=1767337445 true',
    );
    expect(render('{{print .LastUpdateTs .NextScheduleTs}}')).toBe('1767337445 1767344645');
    expect(render('{{print .Name .Status}}')).toBe('debiansuccess');
    expect(render('{{println .Name .Size}}')).toBe('debian 1.5T\n');
    expect(render('{{"x" | printf "%s-%s" .Name}}')).toBe('debian-x');
    expect(render('{{printf `%q` .Name}} {{3}} {{true}} {{"a\\tb"}}')).toBe('"debian" 3 true a\tb');
    expect(render('{{"\\x41\\u00e9\\U0001F600\\n\\\\"}}')).toBe('Aé😀\n\\');
  });

  it('drops comments and trims around - markers', () => {
    expect(render('a {{/* hidden */}}b')).toBe('a b');
    expect(render('a  {{- .Name -}}  b')).toBe('adebianb');
    expect(render('x{{- /* c */ -}}\n y')).toBe('xy');
    expect(render('{{.Name}}\n{{- "" }}')).toBe('debian');
  });

  it('reports where a malformed template goes wrong', () => {
    expect(parseError('{{.Name')).toBe('1:1: unclosed action');
    expect(parseError('ok\n  {{.Name | upper}}')).toBe(
      '2:13: function "upper" not defined (supported: printf, print, println)',
    );
    expect(parseError('{{if .Name}}x{{end}}')).toMatch(/^1:3: \{\{if\}\} is not supported/);
    expect(parseError('{{}}')).toBe('1:1: missing value for command');
    expect(parseError('{{$x := .Name}}')).toBe('1:3: variables ($) are not supported');
    expect(parseError('{{(.Name)}}')).toBe('1:3: parenthesised pipelines are not supported');
    expect(parseError('{{.Name .Size}}')).toBe("1:9: can't give argument to non-function");
    expect(parseError('{{.Name | .Size}}')).toBe(
      '1:11: non executable command in pipeline stage 2',
    );
    expect(parseError('{{| .Name}}')).toBe('1:3: missing command before "|"');
    expect(parseError('{{.Name |}}')).toBe('1:9: missing command after "|"');
    expect(parseError('{{printf .Name}}')).toBe('1:3: printf needs a quoted format first');
    expect(parseError('{{printf "%z" .Name}}')).toMatch(/^1:10: printf verb %z is not supported/);
    expect(parseError('{{"abc}}')).toBe('1:3: unterminated quoted string');
    expect(parseError('{{`abc}}')).toBe('1:3: unterminated raw quoted string');
    expect(parseError('{{"\\q"}}')).toBe('1:4: unknown escape sequence \\q');
    expect(parseError('{{/* x }}')).toBe('1:1: unclosed comment');
    expect(parseError('{{/* x */ .Name}}')).toBe('1:10: comment ends without closing delimiter');
    expect(parseError('{{.Name ; }}')).toBe('1:9: unexpected ";" in action');
    expect(parseError('{{.9}}')).toBe('1:3: bad field name');
    expect(parseError('{{printf "%s" print}}')).toBe(
      '1:15: function "print" cannot be an argument',
    );
  });

  it('rejects a field the objects do not have, naming the fields they have', () => {
    const template = parseTemplate('{{.ID}} {{.Bogus}}');
    const fields = buildFieldMap(GO_FIELDS.workerStatus, []);
    expect(() => checkTemplateFields(template, fields)).toThrow(
      "1:11: can't evaluate field Bogus (fields: ID, URL, Token, LastOnline, LastRegister)",
    );
    expect(() =>
      checkTemplateFields(parseTemplate('{{.name}}'), buildFieldMap(GO_FIELDS.mirrorStatus, [])),
    ).toThrow("can't evaluate field name");
  });

  it('rejects a member of something that is not an object, or is missing', () => {
    expect(() => render('{{.Name.First}}')).toThrow(
      "1:3: can't evaluate field First of Name: not an object",
    );
    expect(() => render('{{.Progress.Speed}}')).toThrow(
      "1:3: can't evaluate field Speed of Progress",
    );
  });

  it('names wire keys the Go way', () => {
    expect(goFieldName('last_update_ts')).toBe('LastUpdateTs');
    expect(goFieldName('id')).toBe('ID');
    expect(goFieldName('worker_url')).toBe('WorkerURL');
    expect(goFieldName('error_msg')).toBe('ErrorMsg');
  });
});
