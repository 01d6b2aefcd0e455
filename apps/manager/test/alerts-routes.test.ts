import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { AlertService, parseAlertRules } from '@tunasync/alerts';
import { LevelStore } from '@tunasync/store';
import { TempDirs } from '@tunasync/test-utils';
import { createManagerApp } from '../src/app';
import type { ManagerAppConfig } from '../src/app';
import { ManagerServer } from '../src/manager-server';
import { recordingLogger } from '@tunasync/test-utils';
import { call } from './helpers';

const dirs = new TempDirs();
afterAll(() => dirs.cleanup());

async function start(config: ManagerAppConfig, withRules: boolean) {
  const dir = await dirs.make('alerts-routes-');
  const store = await LevelStore.open({ location: join(dir, 'db') });
  const out = join(dir, 'alert.json');
  const script = `require('fs').writeFileSync(${JSON.stringify(out)}, require('fs').readFileSync(0))`;
  const parsed = parseAlertRules(
    withRules ? [{ name: 'ops', events: ['failed'], exec: [process.execPath, '-e', script] }] : [],
    'manager.conf',
  );
  const alerts = await AlertService.start({ store, rules: parsed.rules, tickMs: 0 });
  const app = await createManagerApp({ config, store, logger: recordingLogger(), alerts });
  const server = new ManagerServer({ handler: app.handler, addr: '127.0.0.1', port: 0 });
  const { url } = await server.start();
  return {
    url,
    out,
    async close() {
      await server.close();
      await app.close();
      await alerts.close();
      await store.close();
    },
  };
}

test('GET /alerts needs a token when tokens are set; test RULE sends through the sink', async () => {
  const m = await start({ token: 'sekret' }, true);
  const auth = { headers: { authorization: 'Bearer sekret' } };
  try {
    expect((await call(`${m.url}/alerts`, 'GET')).status).toBe(401);
    expect(
      (await call(`${m.url}/alerts`, 'GET', undefined, { headers: { authorization: 'Bearer x' } }))
        .status,
    ).toBe(401);
    expect((await call(`${m.url}/alerts/test`, 'POST', { rule: 'ops' })).status).toBe(401);
    const empty = await call(`${m.url}/alerts`, 'GET', undefined, auth);
    expect(empty).toMatchObject({ status: 200, json: { rules: ['ops'], alerts: [] } });

    const tested = await call(`${m.url}/alerts/test`, 'POST', { rule: 'ops' }, auth);
    expect(tested).toMatchObject({
      status: 200,
      json: { rule: 'ops', state: 'sent', attempts: 1 },
    });
    const sent = JSON.parse(await readFile(m.out, 'utf8')) as {
      version: number;
      events: Array<{ test?: boolean }>;
    };
    expect(sent.version).toBe(1);
    expect(sent.events[0]?.test).toBe(true);

    const listed = await call(`${m.url}/alerts?limit=5`, 'GET', undefined, auth);
    expect(listed.json).toMatchObject({
      alerts: [{ rule: 'ops', event: 'failed', state: 'sent' }],
    });
    const metrics = await call(`${m.url}/metrics`, 'GET');
    expect(metrics.text).toContain('tunasync_alerts_sent_total{event="failed",sink="exec"} 1\n');
    expect(metrics.text).toContain('tunasync_alerts_pending 0\n');

    expect(await call(`${m.url}/alerts/test`, 'POST', { rule: 'nope' }, auth)).toMatchObject({
      status: 404,
      json: { error: 'no alert rule named "nope"; the rules are: ops' },
    });
    expect((await call(`${m.url}/alerts/test`, 'POST', {}, auth)).status).toBe(400);
    expect((await call(`${m.url}/alerts?limit=0`, 'GET', undefined, auth)).status).toBe(400);
    expect((await call(`${m.url}/alerts`, 'DELETE', undefined, auth)).status).toBe(405);
  } finally {
    await m.close();
  }
});

test('without rules: an empty list, and test says how to configure them', async () => {
  const m = await start({}, false);
  try {
    expect((await call(`${m.url}/alerts`, 'GET')).json).toEqual({ rules: [], alerts: [] });
    const r = await call(`${m.url}/alerts/test`, 'POST', { rule: 'ops' });
    expect(r.status).toBe(404);
    expect((r.json as { error: string }).error).toMatch(
      /add \[\[alerts\]\] tables to manager\.conf/,
    );
  } finally {
    await m.close();
  }
});
