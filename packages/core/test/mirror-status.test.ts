import { buildMirrorStatus } from '../src/index';

describe('URL passwords', () => {
  it('a status report carries the upstream without its password', () => {
    const provider = { name: 'm', upstream: 'https://u:secret@h/x/', isMaster: true };
    expect(buildMirrorStatus('w1', provider, 'success', '1G', '').upstream).toBe('https://u@h/x/');
  });
});
