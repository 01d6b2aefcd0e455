import { createHash } from 'node:crypto';
import { ZERO_TIME_UNIX, formatWebTime, isSyncStatus } from '@tunasync/api-types';
import type { MirrorStatus, SyncStatus } from '@tunasync/api-types';
import type { JobsSnapshot, WebMirrorStatusWithWorker } from './jobs-snapshot';
import { sizeBytes } from './human-size';
import type { MirrorProgress } from './mirror-progress';
import { RenderCache } from './render-cache';

/** Sort order of the status column: what needs attention first. */
const STATUS_RANK: Record<SyncStatus, number> = {
  failed: 0,
  syncing: 1,
  'pre-syncing': 2,
  paused: 3,
  disabled: 4,
  none: 5,
  success: 6,
};

/** Seconds between two refreshes of the table by the page's script. */
export const STATUS_PAGE_REFRESH_SECONDS = 30;

const STYLE = `
:root{color-scheme:light dark;--fg:#1f2328;--bg:#fff;--mute:#59636e;--line:#d1d9e0;--head:#f6f8fa}
@media (prefers-color-scheme:dark){:root{--fg:#e6edf3;--bg:#0d1117;--mute:#9198a1;--line:#3d444d;--head:#151b23}}
body{margin:0 auto;padding:1rem;max-width:80rem;font:14px/1.45 system-ui,sans-serif;color:var(--fg);background:var(--bg)}
h1{font-size:1.4rem;margin:0 0 .25rem}
#updated{color:var(--mute);margin:0 0 1rem}
#updated.stale{color:#cf222e}
.wrap{overflow-x:auto}
table{border-collapse:collapse;width:100%}
th,td{padding:.35rem .6rem;border-bottom:1px solid var(--line);text-align:left;white-space:nowrap}
td.up{white-space:normal;word-break:break-all}
th{background:var(--head);position:sticky;top:0}
th button{all:inherit;cursor:pointer;padding:0}
th[aria-sort=ascending] button::after{content:" \\25B2"}
th[aria-sort=descending] button::after{content:" \\25BC"}
.prog{color:var(--mute)}
.badge{display:inline-block;padding:0 .5rem;border-radius:1rem;border:1px solid var(--line);font-weight:600}
.st-success{background:#1a7f37;border-color:#1a7f37;color:#fff}
.st-failed{background:#cf222e;border-color:#cf222e;color:#fff}
.st-syncing,.st-pre-syncing{background:#0969da;border-color:#0969da;color:#fff}
.st-paused,.st-disabled{background:#818b98;border-color:#818b98;color:#fff}
.st-none{background:transparent;color:var(--fg)}
.off{color:#cf222e}
.on{color:var(--mute)}
.empty td{text-align:center;color:var(--mute);padding:2rem}
`;

/*
 * The page's only script: sortable headers and a refresh of the rows from
 * `/jobs?with_worker=1`. Every value reaches the DOM through textContent (never as HTML).
 */
const SCRIPT = `
(function () {
  'use strict';
  var ZERO = ${ZERO_TIME_UNIX};
  var RANK = ${JSON.stringify(STATUS_RANK)};
  var table = document.getElementById('mirrors');
  var tbody = table.tBodies[0];
  var updated = document.getElementById('updated');
  var heads = table.tHead.rows[0].cells;
  var sortCol = -1;
  var sortDir = 1;
  var lastOk = null;
  function pad(n) { return (n < 10 ? '0' : '') + n; }
  function stamp(d) {
    return d.getFullYear() + '-' + pad(d.getMonth() + 1) + '-' + pad(d.getDate()) + ' ' +
      pad(d.getHours()) + ':' + pad(d.getMinutes()) + ':' + pad(d.getSeconds());
  }
  function digits(n) { return String(Math.round(n)).replace(/\\B(?=(\\d{3})+(?!\\d))/g, ','); }
  function human(n) {
    var units = ['B', 'K', 'M', 'G', 'T', 'P', 'E'];
    var i = 0;
    while (n >= 1000 && i < units.length - 1) { n = n / 1000; i++; }
    return (i === 0 ? String(n) : n < 10 ? n.toFixed(1) : String(Math.round(n))) + units[i];
  }
  function progress(files, bytes) {
    return ' \\u00b7 ' + digits(files) + (files === 1 ? ' file, ' : ' files, ') + human(bytes);
  }
  function bytes(size) {
    var m = /^\\s*([0-9]+(?:\\.[0-9]+)?)\\s*([KMGTPE]?)(i?)B?\\s*$/i.exec(size || '');
    if (!m) return -1;
    var base = m[3] ? 1024 : 1000;
    return Math.round(parseFloat(m[1]) * Math.pow(base, ' KMGTPE'.indexOf((m[2] || ' ').toUpperCase())));
  }
  function cell(tr, text, key, cls) {
    var td = document.createElement('td');
    td.textContent = text;
    td.setAttribute('data-v', String(key));
    if (cls) td.className = cls;
    tr.appendChild(td);
    return td;
  }
  function row(j) {
    var tr = document.createElement('tr');
    var status = Object.prototype.hasOwnProperty.call(RANK, j.status) ? j.status : 'none';
    cell(tr, j.name, j.name);
    var st = cell(tr, '', RANK[status]);
    var badge = document.createElement('span');
    badge.className = 'badge st-' + status;
    badge.textContent = String(j.status);
    st.appendChild(badge);
    if (typeof j.progress_files === 'number' && typeof j.progress_bytes === 'number') {
      var prog = document.createElement('span');
      prog.className = 'prog';
      prog.textContent = progress(j.progress_files, j.progress_bytes);
      st.appendChild(prog);
    }
    cell(tr, j.last_update_ts === ZERO ? 'never' : j.last_update, j.last_update_ts);
    cell(tr, j.next_schedule_ts === ZERO ? '\\u2014' : j.next_schedule, j.next_schedule_ts);
    cell(tr, j.size, bytes(j.size));
    cell(tr, j.upstream, j.upstream, 'up');
    if (typeof j.worker === 'string') {
      cell(tr, j.worker + (j.worker_online ? ' (online)' : ' (offline)'), j.worker,
        j.worker_online ? 'on' : 'off');
    } else {
      cell(tr, '', '');
    }
    return tr;
  }
  function empty() {
    var tr = document.createElement('tr');
    tr.className = 'empty';
    var td = cell(tr, 'No mirror has reported yet.', '');
    td.colSpan = heads.length;
    return tr;
  }
  function key(tr) {
    var td = tr.cells[sortCol];
    var v = td ? td.getAttribute('data-v') : '';
    return heads[sortCol].getAttribute('data-type') === 'num' ? Number(v) : v;
  }
  function sort() {
    if (sortCol < 0) return;
    var rows = Array.prototype.slice.call(tbody.rows);
    if (rows.length < 2) return;
    rows.sort(function (a, b) {
      var x = key(a), y = key(b);
      var c = typeof x === 'number' ? x - y : String(x).localeCompare(String(y));
      if (c === 0) c = a.cells[0].textContent.localeCompare(b.cells[0].textContent);
      return c * sortDir;
    });
    rows.forEach(function (r) { tbody.appendChild(r); });
  }
  Array.prototype.forEach.call(heads, function (th, i) {
    var b = document.createElement('button');
    b.type = 'button';
    b.textContent = th.textContent;
    th.textContent = '';
    th.appendChild(b);
    b.addEventListener('click', function () {
      sortDir = sortCol === i ? -sortDir : 1;
      sortCol = i;
      Array.prototype.forEach.call(heads, function (h) { h.removeAttribute('aria-sort'); });
      th.setAttribute('aria-sort', sortDir > 0 ? 'ascending' : 'descending');
      sort();
    });
  });
  function refresh() {
    if (document.hidden) return;
    fetch('jobs?with_worker=1', { cache: 'no-store', headers: { Accept: 'application/json' } })
      .then(function (r) {
        if (!r.ok) throw new Error('HTTP ' + r.status);
        return r.json();
      })
      .then(function (jobs) {
        var fresh = document.createElement('tbody');
        if (jobs.length === 0) fresh.appendChild(empty());
        jobs.forEach(function (j) { fresh.appendChild(row(j)); });
        table.replaceChild(fresh, tbody);
        tbody = fresh;
        sort();
        lastOk = stamp(new Date());
        updated.className = '';
        updated.textContent = 'Updated at ' + lastOk;
      })
      .catch(function (e) {
        updated.className = 'stale';
        updated.textContent = 'Refresh failed at ' + stamp(new Date()) + ' (' + e.message +
          '); showing data from ' + (lastOk || 'the page load') + '.';
      });
  }
  setInterval(refresh, ${STATUS_PAGE_REFRESH_SECONDS * 1000});
  document.addEventListener('visibilitychange', function () { if (!document.hidden) refresh(); });
})();
`;

function sha256(text: string): string {
  return `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;
}

/**
 * The page's Content-Security-Policy: nothing but its own inline style and script (allowed
 * by hash, so the cached HTML needs no per-response nonce) and fetches to this origin.
 */
export const STATUS_PAGE_CSP = [
  "default-src 'none'",
  `script-src ${sha256(SCRIPT)}`,
  `style-src ${sha256(STYLE)}`,
  "connect-src 'self'",
  "img-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

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

/**
 * What the status column adds to a syncing mirror with live progress (§7.9):
 * ` · 1,234 files, 6.0G` (sizes in powers of 1000 as rsync's `-h` prints them, one decimal
 * below 10). The page's script
 * renders the same text from `/jobs?with_worker=1`.
 */
export function progressText(files: number, bytes: number): string {
  const grouped = String(Math.round(files)).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  const units = ['B', 'K', 'M', 'G', 'T', 'P', 'E'];
  let n = bytes;
  let i = 0;
  while (n >= 1000 && i < units.length - 1) {
    n /= 1000;
    i += 1;
  }
  const size = i === 0 ? String(n) : n < 10 ? n.toFixed(1) : String(Math.round(n));
  return ` \u00b7 ${grouped} ${files === 1 ? 'file' : 'files'}, ${size}${units[i] as string}`;
}

function td(text: string, key: string | number, cls?: string): string {
  const attr = cls === undefined ? '' : ` class="${cls}"`;
  return `<td data-v="${escapeHtml(key)}"${attr}>${escapeHtml(text)}</td>`;
}

/** The status as its CSS class suffix; anything unexpected shows as `none`. */
function statusClass(status: string): SyncStatus {
  return isSyncStatus(status) ? status : 'none';
}

const COLUMNS: Array<[label: string, numeric: boolean]> = [
  ['Name', false],
  ['Status', true],
  ['Last success', true],
  ['Next run', true],
  ['Size', true],
  ['Upstream', false],
  ['Worker', false],
];

function progressSpan(j: WebMirrorStatusWithWorker): string {
  if (j.progress_files === undefined || j.progress_bytes === undefined) return '';
  return `<span class="prog">${escapeHtml(progressText(j.progress_files, j.progress_bytes))}</span>`;
}

const EMPTY_ROW = `<tr class="empty"><td colspan="${COLUMNS.length}">No mirror has reported yet.</td></tr>`;

/** The `<tr>` row of one mirror of one worker. */
function renderStatusRow(j: WebMirrorStatusWithWorker): string {
  const status = statusClass(j.status);
  const online = j.worker_online ? 'online' : 'offline';
  return [
    '<tr>',
    td(j.name, j.name),
    `<td data-v="${STATUS_RANK[status]}"><span class="badge st-${status}">${escapeHtml(j.status)}</span>${progressSpan(j)}</td>`,
    td(j.last_update_ts === ZERO_TIME_UNIX ? 'never' : j.last_update, j.last_update_ts),
    td(j.next_schedule_ts === ZERO_TIME_UNIX ? '\u2014' : j.next_schedule, j.next_schedule_ts),
    td(j.size, sizeBytes(j.size)),
    td(j.upstream, j.upstream, 'up'),
    td(`${j.worker} (${online})`, j.worker, j.worker_online ? 'on' : 'off'),
    '</tr>',
  ].join('');
}

/** The `<tr>` rows of the table (one per mirror and worker), or the empty-state row. */
export function renderStatusRows(jobs: readonly WebMirrorStatusWithWorker[]): string {
  if (jobs.length === 0) return EMPTY_ROW;
  return jobs.map(renderStatusRow).join('\n');
}

/** A rendered row and what it was rendered from. */
interface CachedRow {
  progress: MirrorProgress | undefined;
  online: boolean;
  row: string;
}

const HEAD = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Mirror status</title>
<noscript><meta http-equiv="refresh" content="${STATUS_PAGE_REFRESH_SECONDS * 2}"></noscript>
<style>${STYLE}</style>
</head>
<body>
<h1>Mirror status</h1>
<p id="updated">Updated at `;

const TABLE_START = `</p>
<div class="wrap">
<table id="mirrors">
<thead><tr>${COLUMNS.map(
  ([label, numeric]) => `<th scope="col"${numeric ? ' data-type="num"' : ''}>${label}</th>`,
).join('')}</tr></thead>
<tbody>
`;

const TAIL = `
</tbody>
</table>
</div>
<script>${SCRIPT}</script>
</body>
</html>
`;

export interface StatusPageOptions {
  snapshot: JobsSnapshot;
  /** The manager's clock (the "updated at" time and the offline rule). */
  clock: () => Date;
  /** As `worker_offline_after`, in milliseconds (0: never offline). */
  offlineAfterMs: number;
}

/**
 * `GET /` (SPEC §7.4): the HTML status page. The table rows are rendered from the same
 * snapshot as `/jobs?with_worker=1` and kept until a status changes or a worker goes
 * on- or offline; each answer only adds the "updated at" time around them.
 */
export class StatusPage {
  private readonly rows = new RenderCache();
  /**
   * Each mirror's row, kept with the status object it shows (a stored change replaces the
   * object, so a row goes with it): a change renders its own row again, not 100,000 others.
   */
  private readonly rowOf = new WeakMap<MirrorStatus, CachedRow>();

  constructor(private readonly options: StatusPageOptions) {}

  /** How many times the rows were rendered (not answered from the cache). */
  get renders(): number {
    return this.rows.renders;
  }

  html(): string {
    const { snapshot, clock, offlineAfterMs } = this.options;
    const now = clock();
    const key = `${snapshot.etag()}|${snapshot.onlineKey(now, offlineAfterMs)}`;
    const rows = this.rows.get(key, () => this.renderRows(now));
    return `${HEAD}${escapeHtml(formatWebTime(now))}${TABLE_START}${rows}${TAIL}`;
  }

  /** `renderStatusRows(snapshot.jobsWithWorkers(now, …))`, from the rows kept rendered. */
  private renderRows(now: Date): string {
    const { snapshot, offlineAfterMs } = this.options;
    const statuses = snapshot.ordered();
    if (statuses.length === 0) return EMPTY_ROW;
    const online = new Map<string, boolean>();
    const rows: string[] = [];
    for (const s of statuses) {
      let isOnline = online.get(s.worker);
      if (isOnline === undefined) {
        isOnline = snapshot.isOnline(s.worker, now, offlineAfterMs);
        online.set(s.worker, isOnline);
      }
      const progress = snapshot.progressOf(s);
      let cached = this.rowOf.get(s);
      if (cached === undefined || cached.progress !== progress || cached.online !== isOnline) {
        const row = renderStatusRow(snapshot.withWorker(s, isOnline));
        cached = { progress, online: isOnline, row };
        this.rowOf.set(s, cached);
      }
      rows.push(cached.row);
    }
    return rows.join('\n');
  }
}
