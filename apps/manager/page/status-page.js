/*
 * The status page's script (SPEC §7.4, issue #15), inlined into `GET /` by the manager at
 * start-up (`src/status-page.ts`). It reads `jobs?with_worker=1` and renders the summary,
 * the filtered, sorted, paginated table and the per-mirror detail rows (run history, a
 * chart, the log tail). Every value reaches the DOM as text (textContent, attributes),
 * never as HTML.
 */
(function () {
  'use strict';

  var ZERO = -62135596800;
  var PAGE_SIZE = 100;
  var body = document.body;
  var REFRESH_MS = Number(body.getAttribute('data-refresh')) * 1000 || 30000;
  var PUBLIC_LOGS = body.getAttribute('data-public-logs') === '1';
  /** Runs the manager keeps per mirror (`history_size`); the detail row shows up to 30. */
  var HISTORY = Number(body.getAttribute('data-history')) || 0;
  var SVG = 'http://www.w3.org/2000/svg';
  /** How much of a followed log the page keeps (characters). */
  var LOG_KEEP_CHARS = 256 * 1024;

  /** Status order, what needs attention first: the server's (`data-rank`). */
  var RANK = JSON.parse(body.getAttribute('data-rank'));
  /** The summary's filters, failing and stale first. */
  var FILTERS = [
    ['all', 'all'],
    ['failed', 'failing'],
    ['stale', 'stale'],
    ['offline', 'worker offline'],
    ['syncing', 'syncing'],
    ['pre-syncing', 'pre-syncing'],
    ['paused', 'paused'],
    ['disabled', 'disabled'],
    ['none', 'never synced'],
    ['success', 'success'],
  ];
  var COLUMNS = [
    { key: 'name', label: 'Name' },
    { key: 'status', label: 'Status' },
    { key: 'attempt', label: 'Last attempt' },
    { key: 'success', label: 'Last success' },
    { key: 'next', label: 'Next run' },
    { key: 'size', label: 'Size' },
    { key: 'upstream', label: 'Upstream' },
    { key: 'worker', label: 'Worker' },
  ];

  var table = document.getElementById('mirrors');
  var tbody = table.tBodies[0];
  var headRow = table.tHead.rows[0];
  var updated = document.getElementById('updated');
  var summary = document.getElementById('summary');
  var search = document.getElementById('q');
  var count = document.getElementById('count');
  var sorted = document.getElementById('sorted');
  var prev = document.getElementById('prev');
  var next = document.getElementById('next');
  var pageText = document.getElementById('page');

  var jobs = [];
  var filter = 'all';
  var query = '';
  var sortKey = 'status';
  var sortDir = 1;
  var page = 0;
  /** Server time minus browser time, from the answer's Date header. */
  var skewMs = 0;
  var lastOk = null;
  /** Open detail rows by mirror key, kept across refreshes (their log follow too). */
  var details = new Map();

  // ---- formatting ----

  function pad(n) {
    return (n < 10 ? '0' : '') + n;
  }
  /** `2006-01-02 15:04:05 +0800`: the local time with its zone, as the manager writes times. */
  function stamp(d) {
    var off = -d.getTimezoneOffset();
    var sign = off < 0 ? '-' : '+';
    off = Math.abs(off);
    return (
      d.getFullYear() +
      '-' +
      pad(d.getMonth() + 1) +
      '-' +
      pad(d.getDate()) +
      ' ' +
      pad(d.getHours()) +
      ':' +
      pad(d.getMinutes()) +
      ':' +
      pad(d.getSeconds()) +
      ' ' +
      sign +
      pad(Math.floor(off / 60)) +
      pad(off % 60)
    );
  }
  function now() {
    return Date.now() + skewMs;
  }
  /** `3 h`, `5 min`, `2 d`: a duration in its largest unit. */
  function span(ms) {
    var s = Math.abs(ms) / 1000;
    if (s < 60) return Math.round(s) + ' s';
    if (s < 3600) return Math.round(s / 60) + ' min';
    if (s < 86400 * 2) return Math.round(s / 3600) + ' h';
    return Math.round(s / 86400) + ' d';
  }
  function digits(n) {
    return String(Math.round(n)).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  }
  function human(n) {
    var units = ['B', 'K', 'M', 'G', 'T', 'P', 'E'];
    var i = 0;
    while (n >= 1000 && i < units.length - 1) {
      n = n / 1000;
      i++;
    }
    return (i === 0 ? String(n) : n < 10 ? n.toFixed(1) : String(Math.round(n))) + units[i];
  }
  /** Bytes of a size text (`1.5G`, `800MiB`); -1 when it is none. */
  function bytes(size) {
    var m = /^\s*([0-9]+(?:\.[0-9]+)?)\s*([KMGTPE]?)(i?)B?\s*$/i.exec(size || '');
    if (!m) return -1;
    var base = m[3] ? 1024 : 1000;
    var power = ' KMGTPE'.indexOf((m[2] || ' ').toUpperCase());
    return Math.round(parseFloat(m[1]) * Math.pow(base, power));
  }
  function seconds(ts) {
    return typeof ts === 'number' && ts > ZERO ? ts : 0;
  }

  // ---- DOM helpers ----

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  }
  function svg(tag, attrs) {
    var e = document.createElementNS(SVG, tag);
    Object.keys(attrs || {}).forEach(function (k) {
      e.setAttribute(k, String(attrs[k]));
    });
    return e;
  }
  /** A `<time>` saying `3 h ago` / `in 2 h`, the exact time on hover; `never` for none. */
  function when(ts, never, future) {
    if (!seconds(ts)) return el('span', 'mute', never);
    var d = new Date(ts * 1000);
    var diff = d.getTime() - now();
    var t = el('time', '', diff > 0 ? 'in ' + span(diff) : span(diff) + ' ago');
    if (future && diff <= 0) t.textContent = 'due ' + span(diff) + ' ago';
    t.setAttribute('datetime', d.toISOString());
    t.title = stamp(d);
    return t;
  }
  function tag(cls, text, title) {
    var t = el('span', 'tag ' + cls, text);
    if (title) t.title = title;
    return t;
  }

  // ---- the model ----

  function keyOf(j) {
    return j.worker + '/' + j.name;
  }
  function statusOf(j) {
    return Object.prototype.hasOwnProperty.call(RANK, j.status) ? j.status : 'none';
  }
  /** The last attempt: the end of the last run, or its start while one runs. */
  function attemptOf(j) {
    return Math.max(seconds(j.last_ended_ts), seconds(j.last_started_ts));
  }
  /** A next run in the past of a mirror the worker schedules: it should have started. */
  function isOverdue(j) {
    var n = seconds(j.next_schedule_ts);
    var s = statusOf(j);
    if (!n || s === 'syncing' || s === 'pre-syncing' || s === 'paused' || s === 'disabled') {
      return false;
    }
    return n * 1000 < now() - 60000;
  }
  function matches(j, f) {
    if (f === 'all') return true;
    if (f === 'stale') return j.stale === true;
    if (f === 'offline') return j.worker_online === false;
    return statusOf(j) === f;
  }
  function searchText(j) {
    return [j.name, j.status, j.upstream, j.worker, j.error_msg, j.size].join('\n').toLowerCase();
  }
  var SORTS = {
    name: function (j) {
      return j.name;
    },
    status: function (j) {
      return RANK[statusOf(j)] * 2 + (j.stale ? 0 : 1);
    },
    attempt: attemptOf,
    success: function (j) {
      return seconds(j.last_update_ts);
    },
    next: function (j) {
      return seconds(j.next_schedule_ts);
    },
    size: function (j) {
      return bytes(j.size);
    },
    upstream: function (j) {
      return j.upstream;
    },
    worker: function (j) {
      return j.worker;
    },
  };
  function compare(a, b) {
    var f = SORTS[sortKey];
    var x = f(a);
    var y = f(b);
    var c = typeof x === 'number' ? x - y : String(x).localeCompare(String(y));
    if (c === 0) c = a.name.localeCompare(b.name) || a.worker.localeCompare(b.worker);
    return c * sortDir;
  }
  function visible() {
    var q = query.trim().toLowerCase();
    return jobs
      .filter(function (j) {
        return matches(j, filter) && (q === '' || searchText(j).indexOf(q) >= 0);
      })
      .sort(compare);
  }

  // ---- rendering ----

  function renderSummary() {
    var counts = {};
    FILTERS.forEach(function (f) {
      counts[f[0]] = 0;
    });
    jobs.forEach(function (j) {
      FILTERS.forEach(function (f) {
        if (matches(j, f[0])) counts[f[0]] += 1;
      });
    });
    summary.textContent = '';
    FILTERS.forEach(function (f) {
      var n = counts[f[0]];
      if (n === 0 && f[0] !== 'all' && f[0] !== filter) return;
      var b = el(
        'button',
        f[0] === 'failed' || f[0] === 'stale' || f[0] === 'offline' ? 'hot' : '',
      );
      b.type = 'button';
      b.setAttribute('data-filter', f[0]);
      b.setAttribute('aria-pressed', String(filter === f[0]));
      b.appendChild(el('span', 'n', String(n)));
      b.appendChild(document.createTextNode(' ' + f[1]));
      b.addEventListener('click', function () {
        filter = filter === f[0] ? 'all' : f[0];
        page = 0;
        render();
        // The buttons are made again: keep the keyboard's place.
        var again = summary.querySelector('[data-filter="' + f[0] + '"]');
        if (again) again.focus();
      });
      summary.appendChild(b);
    });
  }

  function statusCell(j) {
    var td = el('td', 'st');
    var s = statusOf(j);
    td.appendChild(el('span', 'badge st-' + s, String(j.status)));
    if (j.stale) td.appendChild(tag('stale', 'stale', 'last success older than stale_after'));
    if (typeof j.progress_files === 'number' && typeof j.progress_bytes === 'number') {
      var total = bytes(j.size);
      var bar = el('progress');
      bar.max = 1;
      if (total > 0) bar.value = Math.min(1, j.progress_bytes / total);
      bar.setAttribute('aria-label', 'transferred so far');
      var p = el('span', 'prog');
      p.appendChild(bar);
      var files = j.progress_files === 1 ? ' file, ' : ' files, ';
      p.appendChild(
        document.createTextNode(' ' + digits(j.progress_files) + files + human(j.progress_bytes)),
      );
      td.appendChild(p);
    }
    if (s === 'failed' && j.error_msg) td.appendChild(errorText(j.error_msg));
    return td;
  }
  /** The error, shortened to its first line of 80 characters; the full text on demand. */
  function errorText(msg) {
    var first = msg.split('\n')[0];
    if (first.length <= 80 && first === msg) return el('div', 'err', msg);
    var d = el('details', 'err');
    d.appendChild(el('summary', '', first.length > 80 ? first.slice(0, 79) + '\u2026' : first));
    d.appendChild(el('pre', '', msg));
    return d;
  }
  function cell(label, cls, content) {
    var td = el('td', cls);
    td.setAttribute('data-label', label);
    if (typeof content === 'string') td.textContent = content;
    else td.appendChild(content);
    return td;
  }
  function row(j) {
    var tr = el('tr');
    tr.setAttribute('data-key', keyOf(j));
    var name = el('td', 'nm');
    var b = el('button', 'name', j.name);
    b.type = 'button';
    var id = 'd-' + encodeURIComponent(keyOf(j)).replace(/[^A-Za-z0-9_-]/g, '_');
    b.setAttribute('aria-expanded', String(details.has(keyOf(j))));
    b.setAttribute('aria-controls', id);
    b.addEventListener('click', function () {
      toggleDetail(j, id);
    });
    name.appendChild(b);
    if (j.is_master === false) name.appendChild(tag('slave', 'slave', 'a slave of another mirror'));
    tr.appendChild(name);
    tr.appendChild(statusCell(j));
    tr.appendChild(cell('Last attempt', 't', when(attemptOf(j), 'never')));
    tr.appendChild(cell('Last success', 't', when(j.last_update_ts, 'never')));
    var n = cell('Next run', 't', when(j.next_schedule_ts, '\u2014', true));
    if (isOverdue(j)) {
      n.classList.add('overdue');
      n.appendChild(tag('overdue', 'overdue'));
    }
    tr.appendChild(n);
    tr.appendChild(cell('Size', 'sz', j.size));
    var up = cell('Upstream', 'up', j.upstream);
    up.title = j.upstream;
    tr.appendChild(up);
    var w = cell('Worker', '', j.worker);
    if (j.worker_online === false)
      w.appendChild(tag('offline', 'offline', 'worker not heard from'));
    tr.appendChild(w);
    return tr;
  }

  function render() {
    renderSummary();
    var list = visible();
    var pages = Math.max(1, Math.ceil(list.length / PAGE_SIZE));
    if (page >= pages) page = pages - 1;
    var fresh = document.createElement('tbody');
    var shown = list.slice(page * PAGE_SIZE, (page + 1) * PAGE_SIZE);
    if (jobs.length === 0) {
      var tr = el('tr');
      var td = el('td', 'empty', lastOk === null ? 'Loading\u2026' : 'No mirror has reported yet.');
      td.colSpan = COLUMNS.length;
      tr.appendChild(td);
      fresh.appendChild(tr);
    }
    shown.forEach(function (j) {
      fresh.appendChild(row(j));
      var open = details.get(keyOf(j));
      if (open) {
        open.job = j;
        fresh.appendChild(open.row);
      }
    });
    table.replaceChild(fresh, tbody);
    tbody = fresh;
    count.textContent =
      list.length === jobs.length
        ? jobs.length + ' mirrors'
        : list.length + ' of ' + jobs.length + ' mirrors';
    pageText.textContent = 'page ' + (page + 1) + ' of ' + pages;
    prev.disabled = page === 0;
    next.disabled = page >= pages - 1;
  }

  // ---- the detail row: history, chart, log ----

  function path(j, tail) {
    return 'workers/' + encodeURIComponent(j.worker) + '/jobs/' + encodeURIComponent(j.name) + tail;
  }

  function toggleDetail(j, id) {
    var key = keyOf(j);
    var open = details.get(key);
    if (open) {
      if (open.abort) open.abort.abort();
      details.delete(key);
    } else {
      open = { job: j, row: el('tr', 'detail'), abort: null };
      open.row.id = id;
      var td = el('td');
      td.colSpan = COLUMNS.length;
      open.row.appendChild(td);
      details.set(key, open);
      fillDetail(open, td);
    }
    render();
    var button = tbody.querySelector('tr[data-key="' + CSS.escape(key) + '"] .name');
    if (button) button.focus();
  }

  function fillDetail(open, td) {
    var j = open.job;
    td.appendChild(el('h2', '', j.name + ' on ' + j.worker));
    if (j.error_msg) {
      td.appendChild(el('h2', '', 'Last error'));
      td.appendChild(el('pre', 'log err', j.error_msg));
    }
    var hist = el('div', 'hist');
    td.appendChild(hist);
    if (HISTORY > 0) loadHistory(j, hist);
    if (PUBLIC_LOGS) {
      // Read from the worker on demand only: one request per mirror the operator looks at.
      td.appendChild(el('h2', '', 'Log'));
      var show = el('button', 'show-log', 'Show the log (follows it)');
      show.type = 'button';
      show.addEventListener('click', function () {
        var pre = el('pre', 'log', 'Loading\u2026');
        pre.tabIndex = 0;
        show.replaceWith(pre);
        followLog(open, pre);
        pre.focus();
      });
      td.appendChild(show);
    }
  }

  function loadHistory(j, box) {
    box.textContent = 'Loading the run history\u2026';
    fetch(path(j, '/history?limit=' + Math.min(30, HISTORY)), { cache: 'no-store' })
      .then(function (r) {
        if (!r.ok) throw new Error('HTTP ' + r.status);
        return r.json();
      })
      .then(function (runs) {
        box.textContent = '';
        box.appendChild(el('h2', '', 'Last runs'));
        if (runs.length === 0) {
          box.appendChild(el('p', 'mute', 'No finished run yet.'));
          return;
        }
        box.appendChild(chart(runs));
        box.appendChild(historyTable(runs));
      })
      .catch(function (e) {
        box.textContent = 'The run history could not be read (' + e.message + ').';
      });
  }

  function historyTable(runs) {
    var t = el('table', 'hist');
    var cap = el('caption', 'vh', 'Run history, newest first');
    t.appendChild(cap);
    var head = el('tr');
    ['Start', 'End', 'Duration', 'Result', 'Size', 'Error'].forEach(function (h) {
      var th = el('th', '', h);
      th.scope = 'col';
      head.appendChild(th);
    });
    t.appendChild(el('thead')).appendChild(head);
    var b = el('tbody');
    runs.forEach(function (run) {
      var tr = el('tr');
      [
        seconds(run.started_ts) ? stamp(new Date(run.started_ts * 1000)) : '\u2014',
        stamp(new Date(run.ended_ts * 1000)),
        span(run.duration * 1000),
        run.result,
        run.size,
        run.error_msg,
      ].forEach(function (v, i) {
        var td = el('td', i === 3 ? 'r-' + run.result : '', v);
        if (i === 5) td.className = 'err';
        tr.appendChild(td);
      });
      b.appendChild(tr);
    });
    t.appendChild(b);
    return t;
  }

  /** Bars: the duration of each run (coloured by result); a line: the size after it. */
  function chart(runs) {
    var list = runs.slice().reverse();
    var W = 360;
    var H = 120;
    var pad0 = 14;
    var maxD = Math.max.apply(
      null,
      list
        .map(function (r) {
          return r.duration;
        })
        .concat([1]),
    );
    var sizes = list.map(function (r) {
      return bytes(r.size);
    });
    var known = sizes.filter(function (s) {
      return s >= 0;
    });
    var maxS = Math.max.apply(null, known.concat([1]));
    var minS = Math.min.apply(null, known.concat([maxS]));
    var s = svg('svg', { viewBox: '0 0 ' + W + ' ' + H, class: 'chart', role: 'img' });
    var title = svg('title');
    title.textContent =
      'Duration (bars) and size (line) of the last ' + list.length + ' runs, oldest first';
    s.appendChild(title);
    var step = (W - 2 * pad0) / list.length;
    var points = [];
    list.forEach(function (r, i) {
      var h = Math.max(1, (r.duration / maxD) * (H - 2 * pad0));
      var x = pad0 + i * step;
      var bar = svg('rect', {
        x: (x + step * 0.15).toFixed(1),
        y: (H - pad0 - h).toFixed(1),
        width: Math.max(1, step * 0.7).toFixed(1),
        height: h.toFixed(1),
        class: 'bar-' + r.result,
      });
      var tip = svg('title');
      tip.textContent = r.result + ', ' + span(r.duration * 1000) + ', ' + r.size;
      bar.appendChild(tip);
      s.appendChild(bar);
      if (sizes[i] >= 0) {
        var range = maxS - minS || 1;
        var y = H - pad0 - ((sizes[i] - minS) / range) * (H - 2 * pad0) * 0.9 - 4;
        points.push((x + step / 2).toFixed(1) + ',' + y.toFixed(1));
      }
    });
    if (points.length > 1)
      s.appendChild(svg('polyline', { points: points.join(' '), class: 'size' }));
    var label = svg('text', { x: pad0, y: 10 });
    label.textContent =
      'longest ' + span(maxD * 1000) + (known.length ? ', size up to ' + human(maxS) : '');
    s.appendChild(label);
    return s;
  }

  /** The log tail, then what it grows by (a streamed answer), until the row is closed. */
  function followLog(open, pre) {
    var controller = new AbortController();
    open.abort = controller;
    var first = true;
    var shown = 0;
    fetch(path(open.job, '/log?tail=200&follow=1'), {
      cache: 'no-store',
      signal: controller.signal,
    })
      .then(function (r) {
        if (!r.ok) {
          return r.json().then(
            function (b) {
              throw new Error(b.error || 'HTTP ' + r.status);
            },
            function () {
              throw new Error('HTTP ' + r.status);
            },
          );
        }
        var reader = r.body.getReader();
        var decoder = new TextDecoder();
        function pump() {
          return reader.read().then(function (step) {
            if (step.done) return;
            var atEnd = pre.scrollTop + pre.clientHeight >= pre.scrollHeight - 4;
            if (first) pre.textContent = '';
            first = false;
            var text = decoder.decode(step.value, { stream: true });
            pre.appendChild(document.createTextNode(text));
            // A long follow keeps its last 256 Ki characters: the oldest chunks go.
            shown += text.length;
            while (shown > LOG_KEEP_CHARS && pre.childNodes.length > 1) {
              shown -= pre.firstChild.textContent.length;
              pre.removeChild(pre.firstChild);
            }
            if (atEnd) pre.scrollTop = pre.scrollHeight;
            return pump();
          });
        }
        return pump();
      })
      .then(function () {
        if (first) pre.textContent = '(the log is empty)';
      })
      .catch(function (e) {
        if (controller.signal.aborted) return;
        pre.textContent = 'The log could not be read: ' + e.message;
      });
  }

  // ---- loading ----

  function refresh() {
    if (document.hidden) return;
    fetch('jobs?with_worker=1', { cache: 'no-store', headers: { Accept: 'application/json' } })
      .then(function (r) {
        if (!r.ok) throw new Error('HTTP ' + r.status);
        var date = Date.parse(r.headers.get('Date') || '');
        if (!isNaN(date)) skewMs = date - Date.now();
        return r.json();
      })
      .then(function (list) {
        jobs = list;
        lastOk = stamp(new Date(now()));
        updated.className = '';
        updated.textContent = 'Updated at ' + lastOk;
        render();
      })
      .catch(function (e) {
        updated.className = 'failed';
        updated.textContent =
          'Refresh failed at ' +
          stamp(new Date()) +
          ' (' +
          e.message +
          '); showing data from ' +
          (lastOk || 'nothing yet') +
          '.';
      });
  }

  // The server's header cells are plain text: the script's are sort buttons.
  headRow.textContent = '';
  COLUMNS.forEach(function (c) {
    var th = el('th');
    th.scope = 'col';
    th.setAttribute('aria-sort', c.key === sortKey ? 'ascending' : 'none');
    var b = el('button', '', c.label);
    b.type = 'button';
    b.addEventListener('click', function () {
      sortDir = sortKey === c.key ? -sortDir : 1;
      sortKey = c.key;
      Array.prototype.forEach.call(headRow.cells, function (h) {
        h.setAttribute('aria-sort', 'none');
      });
      th.setAttribute('aria-sort', sortDir > 0 ? 'ascending' : 'descending');
      sorted.textContent = 'Sorted by ' + c.label + (sortDir > 0 ? ', ascending' : ', descending');
      render();
    });
    th.appendChild(b);
    headRow.appendChild(th);
  });
  search.addEventListener('input', function () {
    query = search.value;
    page = 0;
    render();
  });
  prev.addEventListener('click', function () {
    page -= 1;
    render();
  });
  next.addEventListener('click', function () {
    page += 1;
    render();
  });
  document.addEventListener('visibilitychange', function () {
    if (!document.hidden) refresh();
  });
  setInterval(refresh, REFRESH_MS);
  // Until the data has come, the server's first rows stay.
  refresh();
})();
