// Cluster mode when PostgreSQL fails: a node that cannot reach it at start exits with a clear
// error; losing it while running turns control writes into 503 ServiceUnavailableException
// (which the SDKs retry) while live chat and token minting go on from the cache, /readyz says
// not ready, and the node recovers by itself. kill -9 mid-burst loses no acknowledged write.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateRoomCommand, GetRoomCommand } from '@aws-sdk/client-ivschat';
import { startParley, parleydPath, waitFor, freePort } from './lib/parley.mjs';
import { database, postgresAvailable, sharedCluster, startPrivateCluster, psql, testMasterKey } from './lib/postgres.mjs';
import { mintToken, rawConnect, rawSend } from './lib/chat_clients.mjs';

const skip = postgresAvailable() ? false : 'PostgreSQL 15 is not installed';

test('PostgreSQL unreachable at start: a clear error naming host and port, exit 1', { skip }, async () => {
  const port = await freePort();  // nothing listens there
  const dataDir = mkdtempSync(join(tmpdir(), 'parley-e2e-'));
  try {
    const r = spawnSync(parleydPath, ['--data-dir', dataDir, '--api-listen', '127.0.0.1:0', '--chat-listen', '127.0.0.1:0'], {
      env: { ...process.env, PARLEY_STORE: `postgresql://parley:sekrit@127.0.0.1:${port}/parley`, PARLEY_MASTER_KEY: testMasterKey },
      encoding: 'utf8', timeout: 20000,
    });
    assert.equal(r.status, 1, r.stderr + r.stdout);
    const out = r.stdout + r.stderr;
    assert.match(out, new RegExp(`cannot connect to PostgreSQL at 127\\.0\\.0\\.1:${port}`));
    assert.doesNotMatch(out, /sekrit/, 'the password is never printed');
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});

test('a PostgreSQL store without the master key is refused at start', { skip }, async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'parley-e2e-'));
  try {
    const env = { ...process.env, PARLEY_STORE: database(sharedCluster()) };
    delete env.PARLEY_MASTER_KEY;
    const r = spawnSync(parleydPath, ['--data-dir', dataDir, '--api-listen', '127.0.0.1:0', '--chat-listen', '127.0.0.1:0'], { env, encoding: 'utf8', timeout: 20000 });
    assert.equal(r.status, 1);
    assert.match(r.stdout + r.stderr, /PARLEY_MASTER_KEY/);
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});

test('PostgreSQL lost while running: 503 for control writes, chat and tokens go on, /readyz, recovery', { skip, timeout: 120000 }, async () => {
  const cluster = startPrivateCluster();
  const node = await startParley({ store: database(cluster, 'outage') });
  try {
    const api = node.client();
    const room = await api.send(new CreateRoomCommand({}));
    const client = await rawConnect(node.chatUrl, (await mintToken(api, room.arn, 'alice')).token);
    assert.equal((await fetch(`${node.apiUrl}/readyz`)).status, 200);

    cluster.pause();
    let err;
    try { await api.send(new CreateRoomCommand({})); } catch (e) { err = e; }
    assert.ok(err, 'CreateRoom succeeded without a database');
    assert.equal(err.name, 'ServiceUnavailableException');
    assert.equal(err.$metadata.httpStatusCode, 503);
    await assert.rejects(api.send(new GetRoomCommand({ identifier: room.arn })), (e) => e.$metadata.httpStatusCode === 503);
    // From the cache: chat on a connected client, new tokens, new connections.
    assert.equal((await rawSend(client, 'still here')).Type, 'MESSAGE');
    const token = await mintToken(api, room.arn, 'bob');
    const other = await rawConnect(node.chatUrl, token.token);
    assert.equal((await rawSend(other, 'me too')).Type, 'MESSAGE');
    await waitFor(async () => (await fetch(`${node.apiUrl}/readyz`)).status === 503, 8000, '/readyz to say not ready');
    assert.equal((await fetch(`${node.apiUrl}/healthz`)).status, 200, '/healthz stays the liveness probe');

    cluster.resume();
    await waitFor(async () => (await fetch(`${node.apiUrl}/readyz`)).status === 200, 15000, '/readyz to recover');
    const after = await waitFor(async () => {
      try { return await api.send(new CreateRoomCommand({ name: 'after-outage' })); } catch { return null; }
    }, 15000, 'CreateRoom to work again');
    assert.equal((await api.send(new GetRoomCommand({ identifier: after.arn }))).name, 'after-outage');
    client.close();
    other.close();
  } finally {
    await node.stop();
    cluster.stop();
  }
});

test('kill -9 mid-burst of CreateRoom: every room whose 200 was received is there', { skip, timeout: 120000 }, async () => {
  const store = database(sharedCluster());
  const node = await startParley({ store });
  const api = node.client();
  const acked = [];
  let failures = 0;
  let killed = false;
  // Each worker sends until a request fails after the kill: a worker whose last request
  // happened to finish just before the kill would otherwise stop without seeing it.
  const worker = async () => {
    for (;;) {
      try {
        acked.push((await api.send(new CreateRoomCommand({ name: 'burst' }))).arn);
        if (acked.length === 150) { killed = true; await node.kill9(); }
      } catch {
        failures += 1;
        if (killed) return;
      }
    }
  };
  await Promise.all(Array.from({ length: 16 }, worker));
  await node.stop();
  assert.ok(acked.length >= 150, `${acked.length} acknowledged`);

  const stored = new Set(psql(store, 'SELECT arn FROM rooms').split('\n').filter(Boolean));
  const missing = acked.filter((arn) => !stored.has(arn));
  assert.deepEqual(missing, [], 'acknowledged rooms missing after kill -9');
  // And a fresh node serves them all.
  const fresh = await startParley({ store });
  try {
    for (const arn of acked.slice(-20)) {
      assert.equal((await fresh.client().send(new GetRoomCommand({ identifier: arn }))).arn, arn);
    }
  } finally {
    await fresh.stop();
  }
  assert.ok(failures >= 1, 'some requests were cut off by the kill');
});
