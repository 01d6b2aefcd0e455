import { buildMirrorStatus } from '../src/runtime/mirror-status';
import { urlPasswords, withoutUrlPassword } from '../src/url-credentials';

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

  it('a status report carries the upstream without its password', () => {
    const provider = { name: 'm', upstream: 'https://u:secret@h/x/', isMaster: true };
    expect(buildMirrorStatus('w1', provider, 'success', '1G', '').upstream).toBe('https://u@h/x/');
  });
});
