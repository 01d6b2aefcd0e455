/**
 * The token of an `Authorization: Bearer <token>` header (SPEC §7.1), the one parser of the
 * manager and the worker's control server: the scheme in any case, one or more spaces or
 * tabs, then the token with surrounding blanks removed (a token from a config file may hold
 * inner spaces). Undefined when the header is absent, of another scheme, or has no token.
 */
export function parseBearerToken(header: string | undefined): string | undefined {
  const match = /^bearer[ \t]+(.*)$/i.exec(header ?? '');
  const token = match?.[1]?.replace(/^[ \t]+|[ \t]+$/g, '');
  return token === undefined || token === '' ? undefined : token;
}
