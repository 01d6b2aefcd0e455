import {
  hasUrlUserinfo,
  redactUrlUserinfo,
  urlPasswords,
  withoutUrlPassword,
} from '../src/url-userinfo';

describe('URL passwords', () => {
  it.each([
    ['https://user:pw@host/x/', 'https://user@host/x/'],
    ['rsync://u:p%40ss@host:873/mod/', 'rsync://u@host:873/mod/'],
    ['https://u:p@ss@host/x', 'https://u@host/x'],
    ['https://:pw@host/', 'https://@host/'],
    ['rsync://user@host/mod/', 'rsync://user@host/mod/'],
    ['https://host/path/a:b@c', 'https://host/path/a:b@c'],
    ['/srv/local/path', '/srv/local/path'],
    ['', ''],
  ])('%s is reported as %s', (url, shown) => {
    expect(withoutUrlPassword(url)).toBe(shown);
  });

  it('the passwords to keep out of logs, written and decoded', () => {
    expect(urlPasswords('https://u:p%40ss@host/')).toEqual(['p%40ss', 'p@ss']);
    expect(urlPasswords('https://u:pw@host/')).toEqual(['pw']);
    expect(urlPasswords('https://u:%E0@host/')).toEqual(['%E0']);
    expect(urlPasswords('https://u@host/')).toEqual([]);
    expect(urlPasswords('https://u:@host/')).toEqual([]);
  });

  it('redacts the whole userinfo for logs and answers', () => {
    expect(redactUrlUserinfo('http://u:pw@127.0.0.1:9/')).toBe('http://REDACTED@127.0.0.1:9/');
    expect(redactUrlUserinfo('not a url')).toBe('not a url');
    expect(hasUrlUserinfo('HTTP://u@h/')).toBe(true);
    expect(hasUrlUserinfo('http://h/a@b')).toBe(false);
  });
});
