import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ZERO_TIME_UNIX, formatWebTime, isSyncStatus } from '@tunasync/api-types';
import type { MirrorStatus, SyncStatus } from '@tunasync/api-types';
import type { JobsSnapshot, WebMirrorStatusWithWorker } from './jobs-snapshot';
import { RenderCache } from './render-cache';

/** Seconds between two refreshes of the page's data by its script. */
export const STATUS_PAGE_REFRESH_SECONDS = 30;

/**
 * Where the page's browser code lives: `apps/manager/page/` (shipped in the package), read
 * once at start-up from `src/` (tests) or `dist/` alike. Real files, linted with the
 * browser's globals and tested in a real browser; no build step.
 */
const PAGE_DIR = join(__dirname, '..', 'page');

function pageFile(name: string): string {
  return readFileSync(join(PAGE_DIR, name), 'utf8');
}

function sha256(text: string): string {
  return `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;
}

/** The favicon (`/favicon.svg`, `/favicon.ico`): a small mirror-sync mark, no file needed. */
export const FAVICON_SVG =
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32">' +
  '<rect width="32" height="32" rx="7" fill="#0969da"/>' +
  '<path d="M9 12h11l-3-3M23 20H12l3 3" fill="none" stroke="#fff" stroke-width="3" ' +
  'stroke-linecap="round" stroke-linejoin="round"/></svg>';

const HTML_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Text safe inside an element or a quoted attribute value. */
export function escapeHtml(value: unknown): string {
  return String(value).replace(/[&<>"']/g, (c) => HTML_ESCAPES[c] ?? c);
}

/** The order the page starts in: what needs attention first, then by name. */
const STATUS_RANK: Record<SyncStatus, number> = {
  failed: 0,
  syncing: 1,
  'pre-syncing': 2,
  paused: 3,
  disabled: 4,
  none: 5,
  success: 6,
};

/** The table's columns, as the page's script builds them too. */
const COLUMNS = [
  'Name',
  'Status',
  'Last attempt',
  'Last success',
  'Next run',
  'Size',
  'Upstream',
  'Worker',
];

/** Rows the page shows at a time (as the script's PAGE_SIZE). */
export const STATUS_PAGE_ROWS = 100;

function unixTime(ts: number): string {
  return ts === ZERO_TIME_UNIX ? '' : formatWebTime(new Date(ts * 1000));
}

/**
 * The first page of rows as plain cells, in the script's first order (status, then name):
 * the page's content before its script has loaded the data (and without JavaScript); the
 * script replaces them with its own rows.
 */
function rankOf(status: string, stale: boolean): number {
  return STATUS_RANK[isSyncStatus(status) ? status : 'none'] * 2 + (stale ? 0 : 1);
}

/**
 * The statuses that can be among the first page of rows: at most `STATUS_PAGE_ROWS` of each
 * rank, in the snapshot's order (by name, then worker), so that only these (not every
 * mirror) are made into `/jobs?with_worker=1` items and sorted.
 */
function firstRowCandidates(snapshot: JobsSnapshot, now: Date): MirrorStatus[] {
  const ranks: MirrorStatus[][] = [];
  for (const s of snapshot.ordered()) {
    const rank = rankOf(s.status, snapshot.isStale(s, now));
    const bucket = (ranks[rank] ??= []);
    if (bucket.length < STATUS_PAGE_ROWS) bucket.push(s);
  }
  return ranks.flatMap((bucket) => bucket ?? []);
}

export function renderInitialRows(jobs: readonly WebMirrorStatusWithWorker[]): string {
  const rank = (j: WebMirrorStatusWithWorker) => rankOf(j.status, j.stale);
  const first = [...jobs]
    .sort((a, b) => rank(a) - rank(b) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .slice(0, STATUS_PAGE_ROWS);
  return first
    .map((j) => {
      const attempt = Math.max(j.last_ended_ts, j.last_started_ts);
      const cells = [
        j.name,
        j.status + (j.stale ? ' (stale)' : ''),
        unixTime(attempt) || 'never',
        unixTime(j.last_update_ts) || 'never',
        unixTime(j.next_schedule_ts) || '\u2014',
        j.size,
        j.upstream,
        j.worker + (j.worker_online ? '' : ' (offline)'),
      ];
      return `<tr>${cells.map((c) => `<td>${escapeHtml(c)}</td>`).join('')}</tr>`;
    })
    .join('\n');
}

export interface StatusPageOptions {
  snapshot: JobsSnapshot;
  /** The manager's clock (the online and stale rules). */
  clock: () => Date;
  /** As `worker_offline_after`, in milliseconds (0: never offline). */
  offlineAfterMs: number;
  /** `[server] public_logs`: detail rows show the mirror's log tail. */
  publicLogs: boolean;
  /** `history_size`: detail rows show up to 30 of the kept runs (0: none kept). */
  historySize: number;
}

/**
 * `GET /` (SPEC §7.4, issue #15): one self-contained HTML page — its own style and script
 * inline (allowed by hash in the CSP), the favicon from this origin — whose script renders
 * everything from `/jobs?with_worker=1`. The HTML carries the first page of rows as plain
 * cells (rendered once per change of the snapshot or of the online workers), for the moment
 * before the script has the data and for browsers without JavaScript.
 */
export class StatusPage {
  private readonly head: string;
  private readonly tail: string;
  private readonly rows = new RenderCache();
  /** The page's Content-Security-Policy: only its own inline style and script, by hash. */
  readonly csp: string;

  constructor(private readonly options: StatusPageOptions) {
    const style = pageFile('status-page.css');
    const script = pageFile('status-page.js');
    this.csp = [
      "default-src 'none'",
      `script-src ${sha256(script)}`,
      `style-src ${sha256(style)}`,
      "connect-src 'self'",
      "img-src 'self'",
      "base-uri 'none'",
      "form-action 'none'",
      "frame-ancestors 'none'",
    ].join('; ');
    const flag = (on: boolean) => (on ? '1' : '0');
    this.head = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<title>Mirror status</title>
<link rel="icon" href="favicon.svg" type="image/svg+xml">
<style>${style}</style>
</head>
<body data-rank="${escapeHtml(JSON.stringify(STATUS_RANK))}" data-refresh="${STATUS_PAGE_REFRESH_SECONDS}" data-public-logs="${flag(options.publicLogs)}" data-history="${options.historySize}">
<header class="top">
<div class="bar"><h1>Mirror status</h1><p id="updated" role="status">Loading\u2026</p></div>
<nav id="summary" aria-label="Filter by status"></nav>
<label class="vh" for="q">Search mirrors</label>
<input id="q" type="search" placeholder="Search name, upstream, worker, error" autocomplete="off">
</header>
<main>
<p id="count" aria-live="polite"></p>
<p id="sorted" class="vh" aria-live="polite"></p>
<table id="mirrors">
<caption class="vh">Mirrors; the column buttons sort, a name opens its runs and log</caption>
<thead><tr>${COLUMNS.map((c) => `<th scope="col">${c}</th>`).join('')}</tr></thead>
<tbody>
`;
    this.tail = `
</tbody>
</table>
<nav id="pager" aria-label="Pages"><button type="button" id="prev">Previous</button><span id="page"></span><button type="button" id="next">Next</button></nav>
<noscript><p>This page needs JavaScript; the same data is at <a href="jobs?with_worker=1">/jobs?with_worker=1</a>.</p></noscript>
</main>
<script>${script}</script>
</body>
</html>
`;
  }

  /** How many times the rows were rendered (not answered from the cache). */
  get renders(): number {
    return this.rows.renders;
  }

  html(): string {
    const { snapshot, clock, offlineAfterMs } = this.options;
    const now = clock();
    const key = `${snapshot.etag()}|${snapshot.onlineKey(now, offlineAfterMs)}`;
    const rows = this.rows.get(key, () =>
      renderInitialRows(
        firstRowCandidates(snapshot, now).map((s) =>
          snapshot.jobWithWorker(s, now, offlineAfterMs),
        ),
      ),
    );
    return `${this.head}${rows}${this.tail}`;
  }
}
