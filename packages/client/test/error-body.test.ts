import { errorBodyText } from '../src';

describe('errorBodyText', () => {
  it('reads error, then msg, then message', () => {
    expect(errorBodyText('{"error":"e","msg":"m","message":"x"}')).toBe('e');
    expect(errorBodyText('{"msg":"m","message":"x"}')).toBe('m');
    expect(errorBodyText('{"message":"x"}')).toBe('x');
    expect(errorBodyText('{"error":3,"msg":"m"}')).toBe('m');
  });

  it('falls back to the body on one line, cut with …', () => {
    expect(errorBodyText('<html>\n  <b>Bad Gateway</b>\n</html>')).toBe(
      '<html> <b>Bad Gateway</b> </html>',
    );
    expect(errorBodyText('["a"]')).toBe('["a"]');
    expect(errorBodyText('x'.repeat(10), 4)).toBe('xxxx…');
    expect(errorBodyText('  \n')).toBe('');
  });
});
