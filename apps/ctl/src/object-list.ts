import { CTL_ERRORS } from './errors';
import type * as objectTemplateModule from './object-template';

/** The manager's answer as a list of JSON objects (`null` counts as empty, as in Go). */
export function asObjectList(body: unknown, what: string): Record<string, unknown>[] {
  if (body === null) return [];
  if (
    !Array.isArray(body) ||
    body.some((item) => typeof item !== 'object' || item === null || Array.isArray(item))
  ) {
    throw CTL_ERRORS.badAnswer(what, "the manager's answer is not a list of objects");
  }
  return body as Record<string, unknown>[];
}

/** The `--format` engine, loaded only when a template is given (start-up time, SPEC §8). */
export function loadObjectTemplate(): typeof objectTemplateModule {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require('./object-template') as typeof objectTemplateModule;
}
