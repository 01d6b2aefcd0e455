import {
  validateClientCmd,
  validateMirrorProgressMessage,
  validateMirrorSchedules,
  validateMirrorSizeMessage,
  validateMirrorStatus,
  validateWorkerStatus,
} from '@tunasync/api-types';
import type {
  ClientCmd,
  HistoryRecord,
  MessageBody,
  MirrorProgressMessage,
  MirrorSchedules,
  MirrorSizeMessage,
  MirrorStatus,
  MirrorStatusReport,
  MirrorzDocument,
  WebMirrorStatus,
  WorkerStatus,
} from '@tunasync/api-types';
import { route } from './route';

/** The answer of `POST /workers/:id/jobs/:job/progress`: the message and when it was taken. */
export interface MirrorProgressAnswer extends MirrorProgressMessage {
  updated: string;
}

/** One alert as `GET /alerts` lists it (the manager's `AlertView` of `@tunasync/alerts`). */
export interface AlertItem {
  id: string;
  rule: string;
  event: string;
  summary: string;
  created: string;
  /** `pending`, `sent`, `failed` or `held`. */
  state: string;
  attempts: number;
  last_error: string;
  next_attempt: string;
  settled: string;
}

/** One log file of a mirror, as `GET /workers/:id/jobs/:job/logs` lists it (§7.14). */
export interface MirrorLogFileItem {
  /** The file's name in the worker's log directory. */
  name: string;
  size: number;
  /** Last modification, RFC 3339. */
  modified: string;
  /** The file `latest` points at (the current or last run's). */
  latest: boolean;
}

/** The answer of `GET /alerts`: the configured rules and the most recent alerts. */
export interface AlertListing {
  rules: string[];
  alerts: AlertItem[];
}

/**
 * The manager's HTTP API (SPEC §3, §7), one entry per route: the manager mounts its
 * handlers and answers 405 from it, the clients build their calls from it. To add a route,
 * add one entry here (README "Adding a route").
 */
export const MANAGER_ROUTES = {
  statusPage: route<undefined, string>()({
    method: 'GET',
    path: '/',
    answer: 'text',
    summary: 'the HTML status page (§7.4)',
  }),
  faviconSvg: route<undefined, string>()({
    method: 'GET',
    path: '/favicon.svg',
    answer: 'text',
    summary: "the status page's icon",
  }),
  faviconIco: route<undefined, string>()({
    method: 'GET',
    path: '/favicon.ico',
    answer: 'text',
    summary: "the status page's icon where browsers ask for it by themselves (SVG)",
  }),
  ping: route<undefined, MessageBody>()({ method: 'GET', path: '/ping', summary: 'liveness' }),
  metrics: route<undefined, string>()({
    method: 'GET',
    path: '/metrics',
    answer: 'text',
    summary: 'the Prometheus exposition (§7.5)',
  }),
  mirrorz: route<undefined, MirrorzDocument>()({
    method: 'GET',
    path: '/mirrorz.json',
    summary: 'the mirrorz document (§7.6)',
  }),
  listJobs: route<undefined, WebMirrorStatus[]>()({
    method: 'GET',
    path: '/jobs',
    query: ['with_worker'],
    summary: 'the jobs of every worker',
  }),
  flushDisabled: route<undefined, MessageBody>()({
    method: 'DELETE',
    path: '/jobs/disabled',
    summary: 'remove the disabled and nameless jobs',
  }),
  listWorkers: route<undefined, WorkerStatus[]>()({
    method: 'GET',
    path: '/workers',
    summary: 'the registered workers (tokens redacted)',
  }),
  registerWorker: route<Partial<WorkerStatus> & Pick<WorkerStatus, 'id' | 'url'>, WorkerStatus>()({
    method: 'POST',
    path: '/workers',
    body: validateWorkerStatus,
    summary: 'register (or re-register) a worker',
  }),
  deleteWorker: route<undefined, MessageBody>()({
    method: 'DELETE',
    path: '/workers/:id',
    query: ['purge'],
    summary: 'remove a worker (`purge=1`: its mirror statuses too)',
  }),
  heartbeat: route<Record<string, never>, MessageBody>()({
    method: 'POST',
    path: '/workers/:id/heartbeat',
    summary: "refresh a worker's last_online (tunasync-ts managers)",
  }),
  listWorkerJobs: route<undefined, MirrorStatus[]>()({
    method: 'GET',
    path: '/workers/:id/jobs',
    summary: 'the mirror statuses of one worker',
  }),
  reportStatus: route<MirrorStatusReport, MirrorStatus>()({
    method: 'POST',
    path: '/workers/:id/jobs/:job',
    body: validateMirrorStatus,
    summary: "a worker's status report of one mirror",
  }),
  setSize: route<MirrorSizeMessage, MirrorStatus>()({
    method: 'POST',
    path: '/workers/:id/jobs/:job/size',
    body: validateMirrorSizeMessage,
    summary: "set a mirror's size",
  }),
  history: route<undefined, HistoryRecord[]>()({
    method: 'GET',
    path: '/workers/:id/jobs/:job/history',
    query: ['limit'],
    summary: "a mirror's last finished runs, newest first (§7.8)",
  }),
  reportProgress: route<MirrorProgressMessage, MirrorProgressAnswer>()({
    method: 'POST',
    path: '/workers/:id/jobs/:job/progress',
    body: validateMirrorProgressMessage,
    summary: 'the live progress of a syncing mirror (§7.9)',
  }),
  workerLog: route<undefined, string>()({
    method: 'GET',
    path: '/workers/:id/jobs/:job/log',
    query: ['tail', 'file', 'follow'],
    answer: 'text',
    summary: "the tail of a mirror's log, read from its worker; ?follow=1 streams it (§7.14)",
  }),
  workerLogs: route<undefined, { files: MirrorLogFileItem[] }>()({
    method: 'GET',
    path: '/workers/:id/jobs/:job/logs',
    summary: "a mirror's log files on its worker (§7.14)",
  }),
  reportSchedules: route<MirrorSchedules, Record<string, never>>()({
    method: 'POST',
    path: '/workers/:id/schedules',
    body: validateMirrorSchedules,
    summary: "a worker's next schedule of each mirror",
  }),
  sendCommand: route<ClientCmd, MessageBody>()({
    method: 'POST',
    path: '/cmd',
    body: validateClientCmd,
    summary: 'a command for a worker, forwarded by the manager',
  }),
  listAlerts: route<undefined, AlertListing>()({
    method: 'GET',
    path: '/alerts',
    query: ['limit'],
    summary: 'recent alerts and their delivery state (issue #17)',
  }),
  testAlert: route<{ rule: string }, AlertItem>()({
    method: 'POST',
    path: '/alerts/test',
    summary: 'a test event through one [[alerts]] rule',
  }),
} as const;

export type ManagerRoutes = typeof MANAGER_ROUTES;
export type ManagerRouteName = keyof ManagerRoutes;
