import { parseBearerToken } from '../src/bearer-token';

describe('parseBearerToken', () => {
  it.each([
    ['Bearer abc', 'abc'],
    ['bearer abc', 'abc'],
    ['BEARER   abc  ', 'abc'],
    ['Bearer\tabc', 'abc'],
    ['Bearer a b c', 'a b c'],
    ['Bearer x-_.~+/=', 'x-_.~+/='],
  ])('%j gives %j', (header, token) => {
    expect(parseBearerToken(header)).toBe(token);
  });

  it.each([
    undefined,
    '',
    'Bearer',
    'Bearer ',
    'Bearer    ',
    'Basic abc',
    'Bearerabc',
    ' Bearer x',
  ])('%j gives no token', (header) => {
    expect(parseBearerToken(header)).toBeUndefined();
  });
});
