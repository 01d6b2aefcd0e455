export { MANAGER_ROUTES } from './manager-routes';
export type {
  AlertItem,
  AlertListing,
  ManagerRouteName,
  ManagerRoutes,
  MirrorLogFileItem,
  MirrorProgressAnswer,
} from './manager-routes';
export { allowedMethods, route, routePath } from './route';
export type { HttpMethod, PathParams, Route } from './route';
export { ManagerClient } from './manager-client';
export type {
  CallArgs,
  CallInput,
  ManagerClientOptions,
  RouteRequest,
  RouteResponse,
} from './manager-client';
export { createWorkerClient } from './worker-client';
export type { WorkerClient, WorkerClientOptions, WorkerReply } from './worker-client';
export { createWorkerLogClient } from './worker-log-client';
export type { WorkerLogClient, WorkerLogReply } from './worker-log-client';
export { describeWorkerCallFailure } from './worker-call-failure';
export type { WorkerCallFailure } from './worker-call-failure';
export { errorBodyText } from './error-body';
export { TransportTimeoutError, isTimeout } from './transport';
export type { Transport, TransportAnswer, TransportRequest } from './transport';
export { createUndiciTransport } from './undici-transport';
export type { UndiciTransportOptions } from './undici-transport';
export { createNodeHttpTransport } from './node-http-transport';
export type { NodeHttpTransportOptions } from './node-http-transport';
export {
  CLIENT_ERRORS,
  CLIENT_ERROR_CODES,
  ManagerBadAnswerError,
  ManagerHttpError,
  ManagerUnreachableError,
  WorkerCallError,
  isClientError,
} from './errors';
export type { ClientErrorCode } from './errors';
