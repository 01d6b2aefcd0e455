// Shared by the benchmarks that load a server with autocannon in a process of its own
// (ingest.js, jobs-under-writes.js): `runLoad()` starts this file as a child, which prints
// autocannon's figures as one JSON line. Not a benchmark itself.
//
// Kinds of load (`spec.kind`):
// - `reports`: POST /workers/:id/jobs/:job of `syncing` reports, cycling over `mirrors`
//   mirrors of 10 workers (the names `seedStore` of jobs-throughput.js writes);
// - `get`: GET `spec.path`.
// `spec.rate` (requests per second, all connections together) paces the load; without it
// every connection sends its next request when the previous one is answered.
'use strict';

const { spawn } = require('node:child_process');

function reportRequests(mirrors) {
  let n = 0;
  return [
    {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      setupRequest: (req) => {
        const i = n % mirrors;
        n += 1;
        const worker = `worker-${i % 10}`;
        const name = `mirror-${String(i).padStart(5, '0')}`;
        return {
          ...req,
          path: `/workers/${worker}/jobs/${name}`,
          body: JSON.stringify({
            name,
            worker,
            is_master: true,
            status: 'syncing',
            upstream: `rsync://rsync.example.org/${name}/`,
            size: 'unknown',
          }),
        };
      },
    },
  ];
}

async function child(spec) {
  const autocannon = require('autocannon');
  const result = await autocannon({
    url: spec.url,
    connections: spec.connections,
    duration: spec.seconds,
    pipelining: 1,
    ...(spec.rate === undefined ? {} : { overallRate: spec.rate }),
    ...(spec.kind === 'reports'
      ? { requests: reportRequests(spec.mirrors) }
      : { requests: [{ method: 'GET', path: spec.path }] }),
  });
  const seconds = result.duration;
  process.stdout.write(
    `${JSON.stringify({
      rate: result.requests.total / seconds,
      total: result.requests.total,
      non2xx: result.non2xx,
      errors: result.errors,
      timeouts: result.timeouts,
      p50: result.latency.p50,
      p99: result.latency.p99,
      max: result.latency.max,
    })}\n`,
  );
}

/** Runs one load in a child process; resolves with its figures. */
function runLoad(spec) {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, [__filename, JSON.stringify(spec)], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    proc.stdout.on('data', (d) => {
      out += d;
    });
    proc.once('error', reject);
    proc.once('exit', (code) => {
      if (code !== 0) {
        reject(new Error(`load client exited with ${code}`));
        return;
      }
      const figures = JSON.parse(out.trim());
      if (figures.non2xx > 0 || figures.errors > 0) {
        reject(
          new Error(
            `${spec.url}: ${figures.non2xx} non-2xx answers, ${figures.errors} errors under load`,
          ),
        );
        return;
      }
      resolve(figures);
    });
  });
}

module.exports = { runLoad };

if (require.main === module) {
  child(JSON.parse(process.argv[2])).catch((err) => {
    console.error(`bench/load-client: ${err.stack ?? err}`);
    process.exitCode = 1;
  });
}
