import { recordingLogger } from '../src';

describe('recordingLogger', () => {
  it('keeps `level: message` lines with the call fields, children included', () => {
    const shared: string[] = [];
    const logger = recordingLogger(shared);
    logger.warn('late', { mirror: 'debian' });
    logger.child({ worker: 'w1' }).info('done', {});
    logger.error('failed');
    expect(logger.lines).toBe(shared);
    expect(shared).toEqual(['warn: late {"mirror":"debian"}', 'info: done', 'error: failed']);
  });
});
