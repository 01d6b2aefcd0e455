import { KeyedBytes } from '../src/keyed-bytes';

describe('KeyedBytes', () => {
  const texts = new Map<string, [string, string]>([
    ['a', ['{"n":"a"}', 'x\n']],
    ['b', ['{"n":"b\u00e9\u4e2d"}', '']],
    ['c', ['{"n":"c"}', 'z\n']],
  ]);
  const render = (key: string) => texts.get(key) as [string, string];
  const expected = (keys: string[], column: number) =>
    column === 0
      ? `[${keys.map((k) => render(k)[0]).join(',')}]`
      : `[${keys.map((k) => render(k)[1]).join(',')}]`;

  it('joins the parts of each column in the order of the keys, as UTF-8', () => {
    const bytes = new KeyedBytes(2, ',', '[', ']');
    const columns = bytes.build(['a', 'b', 'c'], render);
    expect(columns.map((c) => c.toString('utf8'))).toEqual([
      expected(['a', 'b', 'c'], 0),
      expected(['a', 'b', 'c'], 1),
    ]);
    expect(new KeyedBytes(1, ',', '[', ']').build([], render)[0]?.toString()).toBe('[]');
  });

  it('renders again only new and invalidated keys, and copies the others', () => {
    const bytes = new KeyedBytes(2, ',', '[', ']');
    bytes.build(['a', 'b', 'c'], render);
    const rendered: string[] = [];
    const counting = (key: string) => {
      rendered.push(key);
      return render(key);
    };
    texts.set('b', ['{"n":"B"}', 'y\n']);
    bytes.invalidate('b');
    let columns = bytes.build(['c', 'b', 'a'], counting);
    expect(rendered).toEqual(['b']);
    expect(columns.map((c) => c.toString('utf8'))).toEqual([
      expected(['c', 'b', 'a'], 0),
      expected(['c', 'b', 'a'], 1),
    ]);
    texts.set('d', ['{"n":"d"}', 'w\n']);
    columns = bytes.build(['d', 'a'], counting);
    expect(rendered).toEqual(['b', 'd']);
    expect(columns[0]?.toString('utf8')).toBe(expected(['d', 'a'], 0));
    expect(columns[1]?.toString('utf8')).toBe(expected(['d', 'a'], 1));
  });

  it('leaves the bytes it returned before as they were', () => {
    const bytes = new KeyedBytes(1, ',', '[', ']');
    const first = bytes.build(['a', 'c'], (key) => [render(key)[0]])[0] as Buffer;
    const copy = Buffer.from(first);
    bytes.invalidate('a');
    bytes.build(['a', 'c'], () => ['{"n":"changed"}']);
    expect(first.equals(copy)).toBe(true);
  });
});
