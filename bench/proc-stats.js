// Shared by the benchmarks that measure a server or worker process from /proc (Linux):
// its CPU time and its resident memory. Not a benchmark itself.
'use strict';

const { readFileSync } = require('node:fs');

/** CPU seconds (user + system) the process `pid` has used so far. */
function cpuSeconds(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in USER_HZ ticks
}

/** The resident memory of the process `pid`, in MB (MiB). */
function rssMb(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/^VmRSS:\s+(\d+)/m.exec(status)?.[1]) / 1024;
}

module.exports = { cpuSeconds, rssMb };
