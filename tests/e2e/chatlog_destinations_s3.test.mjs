// Chat logs delivered to a real S3-compatible server (s3rver, on loopback, behind a front that
// checks every request's SigV4 signature and Content-MD5: lib/s3rver.mjs): real chat traffic through the official SDK into a
// room logging to a bucket, then every object read back over the S3 API, gunzip'd and compared
// byte for byte with the records the layout expects; then the server goes down and comes back,
// and parleyd restarts with uploads still spooled: everything arrives, nothing twice.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, readdirSync, existsSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { CreateRoomCommand, CreateChatTokenCommand, CreateLoggingConfigurationCommand } from '@aws-sdk/client-ivschat';
import { ChatRoom, SendMessageRequest } from 'amazon-ivs-chat-messaging';
import { startParley, waitFor, freePort } from './lib/parley.mjs';
import { startS3 } from './lib/s3rver.mjs';

const ACCOUNT = '123456789012';
const REGION = 'us-east-1';
const BUCKET = 'chat-archive';

async function token(api, roomArn, userId, capabilities) {
  const t = await api.send(new CreateChatTokenCommand({ roomIdentifier: roomArn, userId, capabilities }));
  return { token: t.token, sessionExpirationTime: t.sessionExpirationTime, tokenExpirationTime: t.tokenExpirationTime };
}

async function sdkUser(parley, api, roomArn, userId) {
  const chat = new ChatRoom({ regionOrUrl: parley.chatUrl, tokenProvider: () => token(api, roomArn, userId, ['SEND_MESSAGE']) });
  chat.logLevel = 'error';
  const connected = new Promise((r) => chat.addListener('connect', r));
  chat.connect();
  await connected;
  return chat;
}

async function rawListener(parley, api, roomArn, frames) {
  const { token: tok } = await token(api, roomArn, 'raw-listener', []);
  const ws = new WebSocket(parley.chatUrl, tok);
  ws.on('message', (data) => frames.push(data.toString('utf8')));
  await new Promise((resolve, reject) => { ws.once('open', resolve); ws.once('error', reject); });
  return ws;
}

// The record line the layout expects for a frame clients received (spec §4), byte for byte.
function expectedLine(frame) {
  const p = JSON.parse(frame);
  return `{"event_timestamp":"${new Date(p.SendTime).toISOString()}","type":"${p.Type}","payload":${frame},"version":"1.0"}`;
}

// Every object of the bucket over the S3 API (ListObjectsV2 + GetObject).
async function bucketObjects(s3Url) {
  const list = await (await fetch(`${s3Url}/${BUCKET}?list-type=2&max-keys=1000`)).text();
  const keys = [...list.matchAll(/<Key>([^<]+)<\/Key>/g)].map((m) => m[1]);
  const out = [];
  for (const key of keys) {
    const r = await fetch(`${s3Url}/${BUCKET}/${key}`);
    assert.equal(r.status, 200, key);
    out.push({ key, text: gunzipSync(Buffer.from(await r.arrayBuffer())).toString('utf8') });
  }
  return out;
}

async function destinationMetric(parley, name) {
  const text = await (await fetch(`${parley.apiUrl}/metrics`)).text();
  const m = text.match(new RegExp(`^${name}\\{type="s3",destination="${BUCKET}"\\} (-?\\d+)$`, 'm'));
  return m ? Number(m[1]) : 0;
}

function spoolFiles(dataDir) {
  const walk = (d) => (existsSync(d) ? readdirSync(d, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(d, e.name)) : [join(d, e.name)])) : []);
  return walk(join(dataDir, 'chatlogs', 'spool'));
}

test('S3 log objects reach an S3-compatible server byte for byte, through an outage and a restart', async (t) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'parley-s3dest-'));
  const s3Dir = mkdtempSync(join(tmpdir(), 'parley-s3rver-'));
  const open = [];
  t.after(async () => {
    for (const o of open.reverse()) {
      try { await o(); } catch { /* already closed */ }
    }
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(s3Dir, { recursive: true, force: true });
  });
  const s3Port = await freePort();
  const s3Url = `http://127.0.0.1:${s3Port}`;
  const s3Options = { port: s3Port, directory: s3Dir, buckets: [BUCKET], credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } };
  let s3 = await startS3(s3Options);
  const violations = [];
  open.push(() => s3.stop());
  const options = {
    dataDir,
    args: ['--s3-endpoint', s3Url, '--chatlog-s3-batch-seconds', '1'],
    env: { PARLEY_LOG_ACCESS_KEY_ID: 'S3RVER', PARLEY_LOG_SECRET_ACCESS_KEY: 'S3RVER' },
  };
  let parley = await startParley(options);
  open.push(() => parley.stop({ keepData: true }));
  let api = parley.client();
  const lc = await api.send(new CreateLoggingConfigurationCommand({ name: 's3', destinationConfiguration: { s3: { bucketName: BUCKET } } }));
  const room = await api.send(new CreateRoomCommand({ name: 'logged', loggingConfigurationIdentifiers: [lc.arn] }));
  const frames = [];
  let raw = await rawListener(parley, api, room.arn, frames);
  let alice = await sdkUser(parley, api, room.arn, 'alice');
  open.push(() => { alice.disconnect(); raw.close(); });

  const send = async (n, label) => {
    const before = frames.length;
    for (let i = 0; i < n; i++) await alice.sendMessage(new SendMessageRequest(`${label} ${i}: héllo ✓ "q"`, { i: String(i) }));
    await waitFor(() => frames.length === before + n, 5000, `${label} frames`);
  };
  // Checks the bucket holds exactly the records of `frames`, each once, in the key layout.
  const checkBucket = async (what) => {
    const objects = await bucketObjects(s3Url);
    const keyPattern = new RegExp(`^AWSLogs/${ACCOUNT}/IVSChatLogs/1\\.0/${REGION}/room_${room.id}/\\d{4}/\\d{2}/\\d{2}/\\d{2}/` +
      `${ACCOUNT}_IVSChatLogs_1\\.0_${REGION}_room_${room.id}_\\d{12}_[0-9a-f]+\\.log\\.gz$`);
    const byId = new Map(frames.map((f) => [JSON.parse(f).Id, f]));
    const seen = [];
    for (const o of objects) {
      assert.match(o.key, keyPattern, `${what}: key layout`);
      assert.ok(o.text.endsWith('\n'), `${what}: object ends with a newline`);
      for (const line of o.text.slice(0, -1).split('\n')) {
        const id = JSON.parse(line).payload.Id;
        assert.ok(byId.has(id), `${what}: record ${id} was sent`);
        assert.equal(line, expectedLine(byId.get(id)), `${what}: record bytes`);
        seen.push(id);
      }
    }
    assert.equal(new Set(seen).size, seen.length, `${what}: no record twice`);
    assert.deepEqual([...seen].sort(), [...byId.keys()].sort(), `${what}: every record`);
    assert.deepEqual([...violations, ...s3.state.violations], [], `${what}: every request signed, Content-MD5 right`);
  };

  // ---- 1. destination up
  await send(3, 'first');
  await waitFor(async () => (await destinationMetric(parley, "parley_chatlog_destination_uploaded_total")) === 3, 10000, "uploaded 3");
  await checkBucket('first');
  assert.deepEqual(spoolFiles(dataDir), [], 'spool empty after the 200');
  assert.ok(!existsSync(join(dataDir, 'chatlogs', 's3')), 'no local S3 files with an endpoint');
  // Path-style PutObject of each object, its Content-MD5 and payload hash signed.
  assert.ok(s3.state.puts.length >= 1);
  for (const put of s3.state.puts) {
    assert.match(put.url, new RegExp(`^/${BUCKET}/AWSLogs/${ACCOUNT}/`));
    assert.match(put.headers.authorization, /SignedHeaders=content-md5;content-type;host;x-amz-content-sha256;x-amz-date,/);
  }

  // ---- 2. destination down, then back
  await s3.stop();
  await send(3, 'outage');
  await waitFor(async () => (await destinationMetric(parley, 'parley_chatlog_destination_failed_total')) >= 3, 10000, 'failed attempt counted');
  assert.equal(await destinationMetric(parley, 'parley_chatlog_destination_queued_records'), 3);
  assert.ok((await destinationMetric(parley, 'parley_chatlog_destination_spool_bytes')) > 0);
  assert.ok(spoolFiles(dataDir).length >= 1, 'spooled while down');
  violations.push(...s3.state.violations);
  s3 = await startS3(s3Options);
  await waitFor(async () => (await destinationMetric(parley, 'parley_chatlog_destination_uploaded_total')) === 6, 20000, 'uploaded after the outage');
  await checkBucket('after outage');
  assert.equal(await destinationMetric(parley, 'parley_chatlog_destination_queued_records'), 0);

  // ---- 3. parleyd restarts with uploads still spooled
  await s3.stop();
  await send(2, 'restart');
  await waitFor(() => spoolFiles(dataDir).length >= 1, 10000, 'spooled before the restart');
  alice.disconnect();
  raw.close();
  assert.equal((await parley.stop({ keepData: true })).code, 0);
  const left = spoolFiles(dataDir).length;
  assert.ok(left >= 1, 'the spool survives the stop');
  violations.push(...s3.state.violations);
  s3 = await startS3(s3Options);
  parley = await startParley(options);
  await waitFor(async () => (await destinationMetric(parley, 'parley_chatlog_destination_uploaded_total')) === 2, 20000, 'resumed upload');
  await checkBucket('after restart');
  assert.deepEqual(spoolFiles(dataDir), []);
  assert.equal(frames.length, 8);
});

test('virtual-hosted-style PutObject: <bucket>.s3.localhost (RFC 6761 names resolve to loopback)', async (t) => {
  const s3Dir = mkdtempSync(join(tmpdir(), 'parley-s3rver-vh-'));
  const s3Port = await freePort();
  const s3 = await startS3({ port: s3Port, directory: s3Dir, buckets: [BUCKET], credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' }, serviceEndpoint: 'localhost' });
  const parley = await startParley({
    args: ['--s3-endpoint', `http://s3.localhost:${s3Port}`, '--s3-addressing', 'virtual', '--chatlog-s3-batch-seconds', '1'],
    env: { PARLEY_LOG_ACCESS_KEY_ID: 'S3RVER', PARLEY_LOG_SECRET_ACCESS_KEY: 'S3RVER' },
  });
  t.after(async () => {
    await parley.stop();
    await s3.stop();
    rmSync(s3Dir, { recursive: true, force: true });
  });
  const api = parley.client();
  const lc = await api.send(new CreateLoggingConfigurationCommand({ name: 's3', destinationConfiguration: { s3: { bucketName: BUCKET } } }));
  const room = await api.send(new CreateRoomCommand({ name: 'vh', loggingConfigurationIdentifiers: [lc.arn] }));
  const frames = [];
  const raw = await rawListener(parley, api, room.arn, frames);
  const alice = await sdkUser(parley, api, room.arn, 'alice');
  t.after(() => { alice.disconnect(); raw.close(); });
  await alice.sendMessage(new SendMessageRequest('virtual host'));
  await waitFor(() => frames.length === 1, 5000, 'frame');
  await waitFor(async () => (await destinationMetric(parley, 'parley_chatlog_destination_uploaded_total')) === 1, 10000, 'uploaded');
  assert.deepEqual(s3.state.violations, []);
  assert.equal(s3.state.puts.length, 1);
  assert.equal(s3.state.puts[0].headers.host, `${BUCKET}.s3.localhost:${s3Port}`);
  assert.match(s3.state.puts[0].url, new RegExp(`^/AWSLogs/${ACCOUNT}/IVSChatLogs/1\\.0/${REGION}/room_${room.id}/`));
  const objects = await bucketObjects(`http://127.0.0.1:${s3Port}`);
  assert.equal(objects.length, 1);
  assert.equal(objects[0].text, `${expectedLine(frames[0])}\n`);
});
