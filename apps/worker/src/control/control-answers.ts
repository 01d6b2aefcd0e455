import { WORKER_ERRORS } from '../errors';

/** The exact answers of the control server (SPEC §4.1); the refusals are `WORKER_ERRORS.control…`. */
export const CONTROL_ANSWERS = {
  ok: 'OK',
  invalidRequest: WORKER_ERRORS.controlInvalidRequest.message(),
  invalidCommand: WORKER_ERRORS.controlInvalidCommand.message(),
  unauthorized: WORKER_ERRORS.controlUnauthorized.message(),
  tooLarge: WORKER_ERRORS.controlTooLarge.message(),
  notFound: WORKER_ERRORS.controlMirrorNotFound.message,
} as const;
