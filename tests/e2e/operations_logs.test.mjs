// Operations (issue 11): --log-format json (one JSON object per line), an access log line per
// API request (operation, status, latency, request id = the x-amzn-RequestId answered), and the
// liveness / readiness probes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CreateRoomCommand, GetRoomCommand } from '@aws-sdk/client-ivschat';
import { startParley, waitFor } from './lib/parley.mjs';

test('--log-format json: every line is one JSON object; API requests are access-logged with their request id', async (t) => {
  const parley = await startParley({ logLevel: 'info', args: ['--log-format', 'json'] });
  t.after(() => parley.stop());
  const api = parley.client();
  const room = await api.send(new CreateRoomCommand({ name: 'json-logs' }));
  const createdId = room.$metadata.requestId;
  assert.ok(createdId);
  let missingId;
  try {
    await api.send(new GetRoomCommand({ identifier: room.arn.replace(/[^/]+$/, 'AbCdEfGhIjKl') }));
    assert.fail('GetRoom of a missing room succeeded');
  } catch (e) {
    assert.equal(e.name, 'ResourceNotFoundException');
    missingId = e.$metadata.requestId;
  }
  await waitFor(() => parley.log.includes(missingId), 5000, 'access line of the failed request');
  const lines = parley.log.split('\n').filter((l) => l.length > 0);
  const records = lines.map((l) => {
    try { return JSON.parse(l); } catch { assert.fail(`not a JSON line: ${l}`); }
  });
  for (const r of records) {
    assert.match(r.time, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    assert.ok(['info', 'warning', 'error', 'critical', 'debug', 'trace'].includes(r.level), r.level);
    assert.equal(typeof r.msg, 'string');
  }
  assert.ok(records.some((r) => /^parleyd .* ready/.test(r.msg)));
  const access = records.filter((r) => r.logger === 'access');
  const created = access.find((r) => r.request_id === createdId);
  assert.ok(created, JSON.stringify(access));
  assert.equal(created.op, 'CreateRoom');
  assert.equal(created.status, 200);
  assert.equal(typeof created.latency_ms, 'number');
  assert.ok(created.latency_ms >= 0 && created.latency_ms < 10000);
  assert.match(created.peer, /^127\.0\.0\.1:\d+$/);
  const missing = access.find((r) => r.request_id === missingId);
  assert.equal(missing.op, 'GetRoom');
  assert.equal(missing.status, 404);
  // Probes are not access-logged.
  await fetch(`${parley.apiUrl}/healthz`);
  assert.ok(!access.some((r) => r.op === undefined));
});

test('text format: the access line is key=value at info, absent at warn', async (t) => {
  const parley = await startParley({ logLevel: 'info' });
  t.after(() => parley.stop());
  const room = await parley.client().send(new CreateRoomCommand({}));
  const id = room.$metadata.requestId;
  await waitFor(() => parley.log.includes(id), 5000, 'access line');
  const line = parley.log.split('\n').find((l) => l.includes(id));
  assert.match(line, /Z info api op=CreateRoom status=200 latency_ms=\d+\.\d\d request_id=\S+ peer=127\.0\.0\.1:\d+$/);

  const quiet = await startParley({ logLevel: 'warn' });
  t.after(() => quiet.stop());
  const r2 = await quiet.client().send(new CreateRoomCommand({}));
  assert.ok(!quiet.log.includes(r2.$metadata.requestId));
});

test('/healthz is liveness and /readyz readiness, both without authentication', async (t) => {
  const parley = await startParley();
  t.after(() => parley.stop());
  for (const path of ['/healthz', '/readyz']) {
    const r = await fetch(`${parley.apiUrl}${path}`);
    assert.equal(r.status, 200);
    assert.equal(await r.text(), 'ok\n');
    assert.ok(r.headers.get('x-amzn-requestid'));
  }
});
