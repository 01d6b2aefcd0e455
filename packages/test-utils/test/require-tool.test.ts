import { findExecutable, MissingToolError, requireTool } from '../src/require-tool';

describe('requireTool', () => {
  it('finds a tool on PATH', () => {
    expect(requireTool('sh', 'apt-get install -y dash')).toMatch(/\/sh$/);
    expect(findExecutable('/bin/sh')).toBe('/bin/sh');
  });

  it('throws a clear error naming the install command when missing', () => {
    expect(() => requireTool('no-such-tool-tunasync', 'apt-get install -y nothing')).toThrow(
      MissingToolError,
    );
    expect(() => requireTool('no-such-tool-tunasync', 'apt-get install -y nothing')).toThrow(
      /"no-such-tool-tunasync" is required.*apt-get install -y nothing/,
    );
    expect(findExecutable('sh', '')).toBeUndefined();
  });
});
