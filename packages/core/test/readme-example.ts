import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { ConcurrencyGate, LayeredContext, MirrorJob, Scheduler } from '../src';
import type { Provider, ProviderContextValues } from '../src';

// A custom provider: "syncing" is running one command.
// prettier-ignore
const provider: Provider = {
  name: 'hello', upstream: 'https://example.org/', type: 'custom',
  workingDir: '/tmp', logDir: '/tmp', interval: 60, retry: 2, timeout: 30, isMaster: true,
  context: new LayeredContext<ProviderContextValues>({ logFile: '/dev/null' }),
  logFile: () => provider.context.get('logFile') ?? '/dev/null',
  hooks: () => [], addHook: () => undefined,
  run: async () => void (await promisify(execFile)('echo', ['synced'])),
  terminate: async () => undefined,
  dataSize: () => '1.2G',
};

const job = new MirrorJob(provider, { gate: new ConcurrencyGate(10) });
const scheduler = new Scheduler<MirrorJob>({ onDue: (due) => void due.start() });
job.on('status', (e) => {
  console.log(e.job, e.status, e.size ?? '', e.message);
  if (e.nextRun) scheduler.add(job, e.nextRun); // success: again in 60 minutes
});
scheduler.add(job, new Date()); // due now
// -- end of the README example --
export { job, scheduler };
