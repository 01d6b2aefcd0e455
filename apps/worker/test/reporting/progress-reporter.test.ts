import { ManagerClient } from '../../src/reporting/manager-client';
import { ProgressReporter } from '../../src/reporting/progress-reporter';
import { memoryLogger, waitFor } from '../helpers/worker-fixture';
import { GIN_NOT_FOUND, TinyManager, type RecordedRequest } from '../helpers/tiny-manager';

const managers: TinyManager[] = [];
const closers: Array<() => Promise<void>> = [];

afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
  await Promise.all(managers.splice(0).map((m) => m.stop()));
});

async function manager(): Promise<TinyManager> {
  const m = await new TinyManager().start();
  managers.push(m);
  return m;
}

function reporter(...targets: TinyManager[]) {
  const clients = targets.map(
    (m) => new ManagerClient({ apiBase: m.url, workerId: 'w1', token: 'sekret-token' }),
  );
  const { logger, text } = memoryLogger();
  const progress = new ProgressReporter({ clients, logger });
  closers.push(async () => {
    await progress.close();
    await Promise.all(clients.map((c) => c.close()));
  });
  return { progress, log: text };
}

const progressPosts = (m: TinyManager): RecordedRequest[] =>
  m.received.filter((r) => r.url.endsWith('/progress'));

/** A manager holding its answers, and a reporter whose first debian post is in flight. */
async function withFirstPostInFlight() {
  const m = await manager();
  let open: () => void = () => undefined;
  m.hold = new Promise<void>((resolve) => (open = resolve));
  const { progress } = reporter(m);
  progress.post('debian', { files: 1, bytes: 1 });
  await waitFor('the first post', () => progressPosts(m).length === 1);
  const release = (): void => {
    m.hold = undefined;
    open();
  };
  return { m, progress, release };
}

describe('ProgressReporter', () => {
  it('posts the progress of a mirror to every manager, with the token', async () => {
    const a = await manager();
    const b = await manager();
    const { progress } = reporter(a, b);
    progress.post('debian', { files: 3, bytes: 42 });
    for (const m of [a, b]) {
      await waitFor('the post', () => progressPosts(m).length === 1);
      expect(progressPosts(m)[0]).toEqual({
        method: 'POST',
        url: '/workers/w1/jobs/debian/progress',
        authorization: 'Bearer sekret-token',
        body: { name: 'debian', files: 3, bytes: 42 },
      });
    }
  });

  it('keeps only the latest value while a post is in flight', async () => {
    const { m, progress, release } = await withFirstPostInFlight();
    progress.post('debian', { files: 2, bytes: 2 });
    progress.post('debian', { files: 3, bytes: 3 });
    progress.post('arch', { files: 9, bytes: 9 }); // another mirror has its own slot
    await waitFor('the arch post', () => progressPosts(m).length === 2);
    release();
    await waitFor('the latest debian value', () => progressPosts(m).length === 3);
    expect(progressPosts(m).map((r) => r.body)).toEqual([
      { name: 'debian', files: 1, bytes: 1 },
      { name: 'arch', files: 9, bytes: 9 },
      { name: 'debian', files: 3, bytes: 3 },
    ]);
  });

  it('a value waiting behind a post in flight is dropped when its run is over', async () => {
    const { m, progress, release } = await withFirstPostInFlight();
    progress.post('debian', { files: 2, bytes: 2 });
    progress.forget('debian');
    release();
    progress.post('arch', { files: 5, bytes: 5 }); // a later post goes through
    await waitFor('the arch post', () => progressPosts(m).length === 2);
    expect(progressPosts(m).map((r) => (r.body as { name: string }).name)).toEqual([
      'debian',
      'arch',
    ]);
  });

  it('stops sending to a manager without the route (Go: 404 page not found), once logged', async () => {
    const go = await manager();
    go.respond = (req) => (req.url.endsWith('/progress') ? GIN_NOT_FOUND : undefined);
    const ours = await manager();
    const { progress, log } = reporter(go, ours);
    progress.post('debian', { files: 1, bytes: 1 });
    await waitFor('the refused post', () => progressPosts(go).length === 1);
    await waitFor('the info line', () => log().includes('has no progress route'));
    expect(progress.skipped).toEqual([go.url]);
    progress.post('debian', { files: 2, bytes: 2 });
    progress.post('arch', { files: 3, bytes: 3 });
    await waitFor('the posts to the other manager', () => progressPosts(ours).length === 3);
    expect(progressPosts(go)).toHaveLength(1);
    expect(log().match(/has no progress route/g)).toHaveLength(1);
    expect(log()).toContain(
      `[INFO] manager ${go.url} has no progress route (HTTP 404: 404 page not found); live progress is not sent to it any more (a Go manager?)`,
    );
    expect(log()).not.toContain('sekret-token');
  });

  it('405 means no route too; our own 404 (unknown mirror), 409 and 5xx are only dropped', async () => {
    const old = await manager();
    old.respond = (req) =>
      req.url.endsWith('/progress')
        ? { status: 405, body: { error: 'method POST is not allowed' } }
        : undefined;
    const ours = await manager();
    const answers = [
      { status: 404, body: { error: "no mirror 'debian' exists in worker 'w1'" } },
      {
        status: 409,
        body: { error: "mirror 'debian' of worker 'w1' is not syncing (status success)" },
      },
      { status: 500, body: { error: 'internal error' } },
    ];
    let next = 0;
    ours.respond = () => answers[next++];
    const { progress, log } = reporter(old, ours);
    for (let i = 1; i <= 4; i += 1) {
      progress.post('debian', { files: i, bytes: i });
      await waitFor(`post ${i}`, () => progressPosts(ours).length === i);
    }
    expect(progressPosts(old)).toHaveLength(1);
    expect(progress.skipped).toEqual([old.url]);
    await waitFor(
      'the debug lines',
      () => (log().match(/\[DEBUG\] progress of debian not delivered/g) ?? []).length === 3,
    );
  });

  it('close aborts a post in flight and sends nothing more', async () => {
    const m = await manager();
    m.hold = new Promise<void>(() => undefined); // never answers
    const { progress, log } = reporter(m);
    progress.post('debian', { files: 1, bytes: 1 });
    await waitFor('the post', () => progressPosts(m).length === 1);
    await progress.close();
    progress.post('debian', { files: 2, bytes: 2 });
    expect(progressPosts(m)).toHaveLength(1);
    expect(log()).not.toContain('not delivered');
  });
});
