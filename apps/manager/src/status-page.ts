import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

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

export interface StatusPageOptions {
  /** `[server] public_logs`: detail rows show the mirror's log tail. */
  publicLogs: boolean;
  /** Whether the run history is kept (`history_size` > 0): detail rows show it. */
  history: boolean;
}

/**
 * `GET /` (SPEC §7.4, issue #15): one self-contained HTML page — its own style and script
 * inline (allowed by hash in the CSP), the favicon from this origin — whose script renders
 * everything from `/jobs?with_worker=1`. The text is the same for every request, so it is
 * built once.
 */
export class StatusPage {
  private readonly text: string;
  /** The page's Content-Security-Policy: only its own inline style and script, by hash. */
  readonly csp: string;

  constructor(options: StatusPageOptions) {
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
    this.text = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<title>Mirror status</title>
<link rel="icon" href="favicon.svg" type="image/svg+xml">
<style>${style}</style>
</head>
<body data-refresh="${STATUS_PAGE_REFRESH_SECONDS}" data-public-logs="${flag(options.publicLogs)}" data-history="${flag(options.history)}">
<header class="top">
<div class="bar"><h1>Mirror status</h1><p id="updated" role="status">Loading\u2026</p></div>
<nav id="summary" aria-label="Filter by status"></nav>
<label class="vh" for="q">Search mirrors</label>
<input id="q" type="search" placeholder="Search name, upstream, worker, error" autocomplete="off">
</header>
<main>
<p id="count" aria-live="polite"></p>
<table id="mirrors">
<caption class="vh">Mirrors; the column buttons sort, a name opens its runs and log</caption>
<thead><tr></tr></thead>
<tbody></tbody>
</table>
<nav id="pager" aria-label="Pages"><button type="button" id="prev">Previous</button><span id="page"></span><button type="button" id="next">Next</button></nav>
<noscript><p>This page needs JavaScript; the same data is at <a href="jobs?with_worker=1">/jobs?with_worker=1</a>.</p></noscript>
</main>
<script>${script}</script>
</body>
</html>
`;
  }

  html(): string {
    return this.text;
  }
}
