import { TunasyncError, defineErrors, errorCodes, isTunasyncError } from '../src';

class ProblemsError extends TunasyncError {
  constructor(readonly problems: readonly string[]) {
    super(CATALOG.problems.code, CATALOG.problems.message(problems));
  }
}

const CATALOG = defineErrors({
  notFound: {
    code: 'TUNASYNC_E_T_NOT_FOUND',
    status: 404,
    message: (name: string) => `no mirror ${name}`,
  },
  closed: { code: 'TUNASYNC_E_T_CLOSED', message: () => 'closed' },
  problems: {
    code: 'TUNASYNC_E_T_PROBLEMS',
    message: (problems: readonly string[]) => problems.join('; '),
    make: ([problems]: [readonly string[]]) => new ProblemsError(problems),
  },
});

describe('defineErrors', () => {
  it('an entry keeps its code, status and template, and builds its error when called', () => {
    expect(CATALOG.notFound.code).toBe('TUNASYNC_E_T_NOT_FOUND');
    expect(CATALOG.notFound.status).toBe(404);
    expect(CATALOG.notFound.message('debian')).toBe('no mirror debian');
    const err = CATALOG.notFound('debian');
    expect(err).toBeInstanceOf(TunasyncError);
    expect(err).toMatchObject({
      code: 'TUNASYNC_E_T_NOT_FOUND',
      status: 404,
      message: 'no mirror debian',
    });
    expect(err.cause).toBeUndefined();
    expect(CATALOG.closed().status).toBeUndefined();
    expect(isTunasyncError(CATALOG.closed(), 'TUNASYNC_E_T_CLOSED')).toBe(true);
    expect(isTunasyncError(CATALOG.closed(), 'TUNASYNC_E_T_NOT_FOUND')).toBe(false);
  });

  it('withCause keeps what caused it', () => {
    const cause = new Error('ENOENT');
    expect(CATALOG.notFound.withCause(cause, 'x')).toMatchObject({ message: 'no mirror x', cause });
  });

  it("an entry's own make builds the package's class", () => {
    const err = CATALOG.problems(['a', 'b']);
    expect(err).toBeInstanceOf(ProblemsError);
    expect(err.problems).toEqual(['a', 'b']);
    expect(err).toMatchObject({ code: 'TUNASYNC_E_T_PROBLEMS', message: 'a; b' });
  });

  it('a catalog-wide make builds every error of the catalog', () => {
    class PackageError extends TunasyncError {}
    const local = defineErrors(
      { one: { code: 'TUNASYNC_E_T_ONE', message: (n: number) => `n=${n}` } },
      (entry, message, _args, options) => new PackageError(entry.code, message, options),
    );
    const cause = new Error('low');
    const err = local.one.withCause(cause, 3);
    expect(err).toBeInstanceOf(PackageError);
    expect(err).toMatchObject({ code: 'TUNASYNC_E_T_ONE', message: 'n=3', cause });
  });

  it('errorCodes lists each code by name', () => {
    expect(errorCodes(CATALOG)).toEqual({
      notFound: 'TUNASYNC_E_T_NOT_FOUND',
      closed: 'TUNASYNC_E_T_CLOSED',
      problems: 'TUNASYNC_E_T_PROBLEMS',
    });
  });
});
