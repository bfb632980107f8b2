// Chat logs delivered to the CloudWatch Logs and Firehose APIs (a local server that checks each
// request's SigV4 signature, X-Amz-Target, JSON shape and documented limits): real chat traffic
// through the official SDK, then the log events and records compared byte for byte with the
// records the layout expects; a stream created on first use, failed Firehose records retried,
// and the endpoint down and back: everything arrives, nothing twice.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, readdirSync, existsSync, readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { CreateRoomCommand, CreateChatTokenCommand, CreateLoggingConfigurationCommand, SendEventCommand } from '@aws-sdk/client-ivschat';
import { ChatRoom, SendMessageRequest } from 'amazon-ivs-chat-messaging';
import { startParley, waitFor } from './lib/parley.mjs';
import { startLogServices } from './lib/aws_log_services.mjs';

const LOG_GROUP = '/aws/ivs/chat-test';
const STREAM = 'chat-stream';
const LOG_CREDENTIALS = { accessKeyId: 'AKIALOGDELIVERY', secretAccessKey: 'log-delivery-secret' };

async function token(api, roomArn, userId, capabilities) {
  const t = await api.send(new CreateChatTokenCommand({ roomIdentifier: roomArn, userId, capabilities }));
  return { token: t.token, sessionExpirationTime: t.sessionExpirationTime, tokenExpirationTime: t.tokenExpirationTime };
}

function expectedLine(frame) {
  const p = JSON.parse(frame);
  return `{"event_timestamp":"${new Date(p.SendTime).toISOString()}","type":"${p.Type}","payload":${frame},"version":"1.0"}`;
}

async function destinationMetric(parley, name, type, destination) {
  const text = await (await fetch(`${parley.apiUrl}/metrics`)).text();
  const m = text.match(new RegExp(`^${name}\\{type="${type}",destination="${destination}"\\} (-?\\d+)$`, 'm'));
  return m ? Number(m[1]) : 0;
}

function spoolFiles(dataDir) {
  const walk = (d) => (existsSync(d) ? readdirSync(d, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(d, e.name)) : [join(d, e.name)])) : []);
  return walk(join(dataDir, 'chatlogs', 'spool'));
}

test('CloudWatch Logs and Firehose receive every record once, signed and within the API limits', async (t) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'parley-logdest-'));
  const open = [];
  t.after(async () => {
    for (const o of open.reverse()) {
      try { await o(); } catch { /* already closed */ }
    }
    rmSync(dataDir, { recursive: true, force: true });
  });
  const services = await startLogServices({ credentials: LOG_CREDENTIALS, region: 'eu-west-1', logGroups: [LOG_GROUP], deliveryStreams: [STREAM] });
  open.push(() => services.stop());
  const options = {
    dataDir,
    args: ['--logs-endpoint', services.url, '--firehose-endpoint', services.url, '--chatlog-region', 'eu-west-1'],
    env: { PARLEY_LOG_ACCESS_KEY_ID: LOG_CREDENTIALS.accessKeyId, PARLEY_LOG_SECRET_ACCESS_KEY: LOG_CREDENTIALS.secretAccessKey },
  };
  let parley = await startParley(options);
  open.push(() => parley.stop({ keepData: true }));
  const api = parley.client();
  const cw = await api.send(new CreateLoggingConfigurationCommand({ name: 'cw', destinationConfiguration: { cloudWatchLogs: { logGroupName: LOG_GROUP } } }));
  const fh = await api.send(new CreateLoggingConfigurationCommand({ name: 'fh', destinationConfiguration: { firehose: { deliveryStreamName: STREAM } } }));
  const room = await api.send(new CreateRoomCommand({ name: 'logged', loggingConfigurationIdentifiers: [cw.arn, fh.arn] }));

  const frames = [];
  const { token: tok } = await token(api, room.arn, 'raw', []);
  const raw = new WebSocket(parley.chatUrl, tok);
  raw.on('message', (d) => frames.push(d.toString('utf8')));
  await new Promise((resolve, reject) => { raw.once('open', resolve); raw.once('error', reject); });
  const alice = new ChatRoom({ regionOrUrl: parley.chatUrl, tokenProvider: () => token(api, room.arn, 'alice', ['SEND_MESSAGE']) });
  alice.logLevel = 'error';
  const connected = new Promise((r) => alice.addListener('connect', r));
  alice.connect();
  await connected;
  open.push(() => { alice.disconnect(); raw.close(); });

  const send = async (n, label) => {
    const before = frames.length;
    for (let i = 0; i < n; i++) await alice.sendMessage(new SendMessageRequest(`${label} ${i}: héllo ✓ 🎉 "q"\nline`, { i: String(i) }));
    await waitFor(() => frames.length === before + n, 5000, `${label} frames`);
  };
  const uploaded = async () => [
    await destinationMetric(parley, 'parley_chatlog_destination_uploaded_total', 'cloudWatchLogs', LOG_GROUP),
    await destinationMetric(parley, 'parley_chatlog_destination_uploaded_total', 'firehose', STREAM),
  ];
  const streamName = `aws/IVSChatLogs/1.0/room_${room.id}`;
  // Both destinations hold exactly the records of `frames`, once each, in order.
  // ordered: sequential sends, so the logs must keep the clients' order; concurrent publishers
  // (the burst) may be logged in another order than one client received them.
  const check = (what, ordered = true) => {
    const view = (a) => (ordered ? a : [...a].sort());
    assert.deepEqual(services.state.violations, [], `${what}: no request broke an API rule`);
    const events = services.state.groups.get(LOG_GROUP).get(streamName) ?? [];
    assert.deepEqual(view(events.map((e) => e.message)), view(frames.map(expectedLine)), `${what}: log events`);
    for (const e of events) assert.equal(e.timestamp, Date.parse(JSON.parse(e.message).event_timestamp));
    const records = services.state.streams.get(STREAM).map((b) => b.toString('utf8'));
    assert.deepEqual(view(records), view(frames.map((f) => `${expectedLine(f)}\n`)), `${what}: firehose records`);
  };

  // ---- 1. messages and an event; the log stream is created on first use
  await send(3, 'first');
  await api.send(new SendEventCommand({ roomIdentifier: room.arn, eventName: 'app:custom', attributes: { k: 'v' } }));
  await waitFor(() => frames.length === 4, 5000, 'event frame');
  await waitFor(async () => (await uploaded()).join() === '4,4', 10000, 'uploaded 4 + 4');
  check('first');
  const creates = services.state.requests.filter((r) => r.target === 'Logs_20140328.CreateLogStream');
  assert.deepEqual(creates.map((r) => r.input), [{ logGroupName: LOG_GROUP, logStreamName: streamName }]);
  assert.deepEqual(spoolFiles(dataDir), []);

  // ---- 2. Firehose reports a failed record: only that one is sent again
  services.state.failRecords = [0];
  await send(2, 'partial');
  await waitFor(async () => (await uploaded()).join() === '6,6', 10000, 'uploaded after a partial failure');
  assert.ok((await destinationMetric(parley, 'parley_chatlog_destination_failed_total', 'firehose', STREAM)) >= 1);
  // Arrival order differs from send order for the retried record; compare as sets, then once each.
  const fhRecords = services.state.streams.get(STREAM).map((b) => b.toString('utf8'));
  assert.deepEqual([...fhRecords].sort(), frames.map((f) => `${expectedLine(f)}\n`).sort(), 'firehose after retry');
  services.state.streams.set(STREAM, frames.map((f) => Buffer.from(`${expectedLine(f)}\n`)));  // ordered view for check()

  // ---- 3. the endpoint goes down, records wait in the spool, then arrive once
  await services.stop();
  await send(3, 'outage');
  await waitFor(async () => (await destinationMetric(parley, 'parley_chatlog_destination_queued_records', 'cloudWatchLogs', LOG_GROUP)) === 3 &&
    (await destinationMetric(parley, 'parley_chatlog_destination_queued_records', 'firehose', STREAM)) === 3, 10000, 'spooled while down');
  assert.ok(spoolFiles(dataDir).length >= 2);
  await services.restart();
  await waitFor(async () => (await uploaded()).join() === '9,9', 20000, 'uploaded after the outage');
  check('after the outage');
  assert.deepEqual(spoolFiles(dataDir), []);

  // ---- 4. a burst larger than one call: split within 500 records / 10,000 events per call
  // (the server refuses a call over the limits; check() asserts it refused none)
  const burst = 1200;
  const before = frames.length;
  for (let i = 0; i < burst; i += 100) {
    await Promise.all(Array.from({ length: Math.min(100, burst - i) }, (_, j) =>
      api.send(new SendEventCommand({ roomIdentifier: room.arn, eventName: 'app:burst', attributes: { n: String(i + j) } }))));
  }
  await waitFor(() => frames.length === before + burst, 20000, 'burst frames');
  await waitFor(async () => (await uploaded()).join() === `${9 + burst},${9 + burst}`, 30000, 'burst uploaded');
  const batchSizes = services.state.requests.filter((r) => r.target === 'Firehose_20150804.PutRecordBatch').map((r) => r.input.Records.length);
  assert.ok(Math.max(...batchSizes) <= 500);
  t.diagnostic(`PutRecordBatch calls: ${batchSizes.length}, largest ${Math.max(...batchSizes)} records`);
  check('after the burst', false);

  // ---- 5. parleyd stops cleanly with uploads spooled; the next run sends them, once
  await services.stop();
  await send(2, 'restart');
  await waitFor(async () => (await destinationMetric(parley, 'parley_chatlog_destination_queued_records', 'firehose', STREAM)) === 2, 10000, 'spooled before the stop');
  alice.disconnect();
  raw.close();
  assert.equal((await parley.stop({ keepData: true })).code, 0);
  assert.ok(spoolFiles(dataDir).length >= 2, 'the spool survives the stop');
  await services.restart();
  parley = await startParley(options);
  await waitFor(async () => (await uploaded()).join() === '2,2', 20000, 'resumed after the restart');
  check('after the restart', false);
  assert.deepEqual(spoolFiles(dataDir), []);
});

test('a delivery setting that cannot work stops the start with a reason', async () => {
  const cases = [
    { args: ['--logs-endpoint', 'http://logs.example.com'], env: { PARLEY_LOG_ACCESS_KEY_ID: 'a', PARLEY_LOG_SECRET_ACCESS_KEY: 'b' }, reason: /--logs-endpoint http:\/\/logs\.example\.com: http:\/\/ is only allowed for a loopback host/ },
    { args: ['--firehose-endpoint', 'ftp://127.0.0.1'], env: { PARLEY_LOG_ACCESS_KEY_ID: 'a', PARLEY_LOG_SECRET_ACCESS_KEY: 'b' }, reason: /--firehose-endpoint ftp:\/\/127\.0\.0\.1: the scheme must be http:\/\/ or https:\/\// },
    { args: ['--s3-endpoint', 'aws'], env: {}, reason: /need PARLEY_LOG_ACCESS_KEY_ID and PARLEY_LOG_SECRET_ACCESS_KEY/ },
  ];
  for (const c of cases) {
    await assert.rejects(startParley({ args: c.args, env: { PARLEY_LOG_ACCESS_KEY_ID: '', PARLEY_LOG_SECRET_ACCESS_KEY: '', ...c.env } }), (err) => {
      assert.match(err.message, c.reason);
      return true;
    });
  }
});

test('https endpoints: a certificate from --chatlog-ca-file is trusted, an unknown one is refused', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'parley-logtls-'));
  const keyPath = join(dir, 'key.pem');
  const certPath = join(dir, 'cert.pem');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes',
    '-subj', '/CN=localhost', '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost', '-days', '1',
    '-keyout', keyPath, '-out', certPath], { stdio: 'pipe' });
  const services = await startLogServices({ credentials: LOG_CREDENTIALS, deliveryStreams: [STREAM], tls: { key: readFileSync(keyPath), cert: readFileSync(certPath) } });
  const running = [];
  t.after(async () => {
    for (const p of running) await p.stop();
    await services.stop();
    rmSync(dir, { recursive: true, force: true });
  });
  const env = { PARLEY_LOG_ACCESS_KEY_ID: LOG_CREDENTIALS.accessKeyId, PARLEY_LOG_SECRET_ACCESS_KEY: LOG_CREDENTIALS.secretAccessKey };
  const run = async (extra) => {
    const parley = await startParley({ args: ['--firehose-endpoint', services.url, ...extra], env });
    running.push(parley);
    const api = parley.client();
    const fh = await api.send(new CreateLoggingConfigurationCommand({ name: 'fh', destinationConfiguration: { firehose: { deliveryStreamName: STREAM } } }));
    const room = await api.send(new CreateRoomCommand({ name: 'tls', loggingConfigurationIdentifiers: [fh.arn] }));
    await api.send(new SendEventCommand({ roomIdentifier: room.arn, eventName: 'app:tls' }));
    return parley;
  };
  const untrusted = await run([]);
  await waitFor(async () => (await destinationMetric(untrusted, 'parley_chatlog_destination_failed_total', 'firehose', STREAM)) >= 1, 10000, 'refused certificate');
  assert.equal(services.state.streams.get(STREAM).length, 0, 'nothing sent to an unverified server');
  await waitFor(() => /certificate verify failed|self.signed/i.test(untrusted.log), 5000, 'the log says why');
  const trusted = await run(['--chatlog-ca-file', certPath]);
  await waitFor(async () => (await destinationMetric(trusted, 'parley_chatlog_destination_uploaded_total', 'firehose', STREAM)) === 1, 10000, 'uploaded over https');
  assert.equal(services.state.streams.get(STREAM).length, 1);
  assert.deepEqual(services.state.violations, []);
});
