// Chat logging (spec §4) end to end: rooms with S3, CloudWatch Logs and Firehose logging
// configurations, real traffic through the official SDKs, then the self-hosted destination
// files read back record by record, across a restart on the same data directory.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, readFileSync, readdirSync, existsSync, statSync, mkdirSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import WebSocket from 'ws';
import {
  CreateRoomCommand, CreateChatTokenCommand, CreateLoggingConfigurationCommand,
  UpdateLoggingConfigurationCommand, SendEventCommand, DeleteMessageCommand,
} from '@aws-sdk/client-ivschat';
import { ChatRoom, SendMessageRequest, DeleteMessageRequest } from 'amazon-ivs-chat-messaging';
import { startParley, waitFor } from './lib/parley.mjs';

const ACCOUNT = '123456789012';
const REGION = 'us-east-1';
const LOG_GROUP = '/aws/ivs/chat-test';
const LOG_GROUP_DIR = '%2Faws%2Fivs%2Fchat-test';  // '/' is percent-encoded: one directory per group

// ---- clients ------------------------------------------------------------------------------

async function token(api, roomArn, userId, capabilities) {
  const t = await api.send(new CreateChatTokenCommand({ roomIdentifier: roomArn, userId, capabilities }));
  return { token: t.token, sessionExpirationTime: t.sessionExpirationTime, tokenExpirationTime: t.tokenExpirationTime };
}

async function sdkUser(parley, api, roomArn, userId) {
  const chat = new ChatRoom({
    regionOrUrl: parley.chatUrl,
    tokenProvider: () => token(api, roomArn, userId, ['SEND_MESSAGE', 'DELETE_MESSAGE']),
  });
  chat.logLevel = 'error';
  const connected = new Promise((r) => chat.addListener('connect', r));
  chat.connect();
  await connected;
  return chat;
}

// A raw WebSocket receiver: keeps every frame exactly as it came off the wire.
async function rawListener(parley, api, roomArn) {
  const { token: tok } = await token(api, roomArn, 'raw-listener', []);
  const ws = new WebSocket(parley.chatUrl, tok);
  const frames = [];
  ws.on('message', (data) => frames.push(data.toString('utf8')));
  await new Promise((resolve, reject) => { ws.once('open', resolve); ws.once('error', reject); });
  return { ws, frames, ids: () => frames.map((f) => JSON.parse(f).Id) };
}

// ---- reading the destinations back --------------------------------------------------------

function walk(dir) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? walk(join(dir, e.name)) : [join(dir, e.name)]);
}

function readLines(file) {
  if (!existsSync(file)) return [];
  const text = readFileSync(file, 'utf8');
  assert.ok(text === '' || text.endsWith('\n'), `${file} ends with a newline`);
  return text.split('\n').filter((l) => l !== '');
}

function s3Objects(chatlogDir, bucket) {
  const root = join(chatlogDir, 's3', bucket);
  return walk(root).map((file) => {
    const key = relative(root, file);
    const text = gunzipSync(readFileSync(file)).toString('utf8');
    assert.ok(text.endsWith('\n'), `${key} ends with a newline`);
    return { key, lines: text.split('\n').filter((l) => l !== '') };
  });
}

const s3KeyPattern = (roomId) => new RegExp(
  `^AWSLogs/${ACCOUNT}/IVSChatLogs/1\\.0/${REGION}/room_${roomId}/(\\d{4})/(\\d{2})/(\\d{2})/(\\d{2})/` +
  `${ACCOUNT}_IVSChatLogs_1\\.0_${REGION}_room_${roomId}_(\\d{4})(\\d{2})(\\d{2})(\\d{2})(\\d{2})_[0-9a-f]+\\.log\\.gz$`);

// Checks one record line against the frame clients received; returns the parsed record.
function checkRecord(line, framesById) {
  const rec = JSON.parse(line);
  assert.deepEqual(Object.keys(rec), ['event_timestamp', 'type', 'payload', 'version']);
  assert.equal(rec.version, '1.0');
  assert.ok(rec.type === 'MESSAGE' || rec.type === 'EVENT', rec.type);
  assert.equal(rec.type, rec.payload.Type);
  assert.match(rec.event_timestamp, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
  // UTC receipt time with milliseconds: the payload's SendTime, truncated.
  assert.equal(rec.event_timestamp, new Date(rec.payload.SendTime).toISOString());
  const frame = framesById.get(rec.payload.Id);
  assert.ok(frame, `record ${rec.payload.Id} was received by clients`);
  // Byte for byte the JSON clients received.
  assert.ok(line.includes(`"payload":${frame},"version"`), 'payload is the exact client frame');
  assert.deepEqual(rec.payload, JSON.parse(frame));
  return rec;
}

function checkStream(lines, expectedFrames, framesById, what) {
  const ids = lines.map((l) => checkRecord(l, framesById).payload.Id);
  assert.equal(new Set(ids).size, ids.length, `${what}: no record twice`);
  assert.deepEqual(ids, expectedFrames.map((f) => JSON.parse(f).Id), `${what}: every record, in order`);
}

async function metric(parley, name, destination) {
  const text = await (await fetch(`${parley.apiUrl}/metrics`)).text();
  const m = text.match(new RegExp(`^${name}\\{destination="${destination}"\\} (\\d+)$`, 'm'));
  return m ? Number(m[1]) : NaN;
}

// ---- traffic ----------------------------------------------------------------------------

async function chatter(api, alice, bob, room1, room2, round) {
  const m1 = await alice.sendMessage(new SendMessageRequest(`round ${round}: hello`, { round: String(round) }));
  await alice.sendMessage(new SendMessageRequest(`round ${round}: héllo ✓ 🎉 "quoted"\nsecond line`));
  await bob.sendMessage(new SendMessageRequest(`round ${round}: room two`));
  await alice.deleteMessage(new DeleteMessageRequest(m1.id, 'cleanup'));
  await api.send(new SendEventCommand({ roomIdentifier: room1.arn, eventName: 'app:custom', attributes: { round: String(round) } }));
  await api.send(new DeleteMessageCommand({ roomIdentifier: room2.arn, id: m1.id, reason: 'api delete' }));
}

test('MESSAGE and EVENT records reach S3, CloudWatch Logs and Firehose, across a restart', async (t) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'parley-chatlog-'));
  const open = [];  // clients and servers to close even when an assertion fails
  t.after(async () => {
    for (const o of open.reverse()) {
      try { await o(); } catch { /* already closed */ }
    }
    rmSync(dataDir, { recursive: true, force: true });
  });
  const chatlogDir = join(dataDir, 'chatlogs');

  // ---- first run
  let parley = await startParley({ dataDir });
  open.push(() => parley.stop({ keepData: true }));
  let api = parley.client();
  const s3 = await api.send(new CreateLoggingConfigurationCommand({ name: 's3', destinationConfiguration: { s3: { bucketName: 'chat-archive' } } }));
  const cw = await api.send(new CreateLoggingConfigurationCommand({ name: 'cw', destinationConfiguration: { cloudWatchLogs: { logGroupName: LOG_GROUP } } }));
  const fh = await api.send(new CreateLoggingConfigurationCommand({ name: 'fh', destinationConfiguration: { firehose: { deliveryStreamName: 'chat-stream' } } }));
  const room1 = await api.send(new CreateRoomCommand({ name: 'logged', loggingConfigurationIdentifiers: [s3.arn, cw.arn, fh.arn] }));
  const room2 = await api.send(new CreateRoomCommand({ name: 's3-only', loggingConfigurationIdentifiers: [s3.arn] }));
  const room3 = await api.send(new CreateRoomCommand({ name: 'not-logged' }));

  const frames1 = [];  // every frame clients received, both runs, by room
  const frames2 = [];
  let raw1 = await rawListener(parley, api, room1.arn);
  let raw2 = await rawListener(parley, api, room2.arn);
  let alice = await sdkUser(parley, api, room1.arn, 'alice');
  let bob = await sdkUser(parley, api, room2.arn, 'bob');
  const carol = await sdkUser(parley, api, room3.arn, 'carol');
  open.push(() => { for (const c of [alice, bob, carol]) c.disconnect(); raw1.ws.close(); raw2.ws.close(); });
  await carol.sendMessage(new SendMessageRequest('nobody logs this'));

  await chatter(api, alice, bob, room1, room2, 1);
  // room 1: 2 messages, a delete event, a custom event; room 2: a message and a delete event
  await waitFor(() => raw1.frames.length === 4 && raw2.frames.length === 2, 5000, 'frames');

  // Line destinations are written within about 2 s; S3 objects wait for their batch (30 s).
  const fhFile = join(chatlogDir, 'firehose', 'chat-stream.log');
  const cwFile = join(chatlogDir, 'cloudwatch', LOG_GROUP_DIR, 'aws', 'IVSChatLogs', '1.0', `room_${room1.id}.log`);
  await waitFor(() => readLines(fhFile).length === 4 && readLines(cwFile).length === 4, 5000, 'line destinations');
  assert.equal(s3Objects(chatlogDir, 'chat-archive').length, 0, 'S3 batches are still open');
  // Counted once fsync'd, which may be a moment after the bytes are visible.
  await waitFor(async () => (await metric(parley, 'parley_chatlog_records_written_total', 'firehose')) === 4 &&
    (await metric(parley, 'parley_chatlog_records_written_total', 'cloudWatchLogs')) === 4, 5000, 'written metrics');
  assert.equal(await metric(parley, 'parley_chatlog_records_written_total', 's3'), 0);
  assert.equal(await metric(parley, 'parley_chatlog_records_dropped_total', 's3'), 0);

  frames1.push(...raw1.frames);
  frames2.push(...raw2.frames);
  for (const c of [alice, bob, carol]) c.disconnect();
  raw1.ws.close();
  raw2.ws.close();
  const status = await parley.stop({ keepData: true });
  assert.equal(status.code, 0, `clean exit:\n${parley.log}`);

  // ---- what the first run left behind
  const byId = new Map([...frames1, ...frames2].map((f) => [JSON.parse(f).Id, f]));
  checkStream(readLines(fhFile), frames1, byId, 'firehose');
  checkStream(readLines(cwFile), frames1, byId, 'cloudwatch');
  let objects = s3Objects(chatlogDir, 'chat-archive');
  assert.equal(objects.length, 2, 'one object per room, written at shutdown');
  for (const [room, frames] of [[room1, frames1], [room2, frames2]]) {
    const mine = objects.filter((o) => o.key.includes(`/room_${room.id}/`));
    assert.equal(mine.length, 1);
    const { key, lines } = mine[0];
    const k = key.match(s3KeyPattern(room.id));
    assert.ok(k, `S3 key layout: ${key}`);
    // Filed under the first record's UTC hour and minute.
    const first = JSON.parse(lines[0]).event_timestamp;
    assert.equal(`${k[1]}-${k[2]}-${k[3]}T${k[4]}`, first.slice(0, 13));
    assert.equal(`${k[5]}-${k[6]}-${k[7]}T${k[8]}:${k[9]}`, first.slice(0, 16));
    checkStream(lines, frames, byId, `s3 room ${room.name}`);
  }
  assert.ok(!existsSync(join(chatlogDir, 'cloudwatch', LOG_GROUP_DIR, 'aws', 'IVSChatLogs', '1.0', `room_${room3.id}.log`)));
  const firstRunKeys = objects.map((o) => o.key).sort();

  // ---- second run on the same data directory, firehose moved to a new stream meanwhile
  parley = await startParley({ dataDir });
  open.push(() => parley.stop({ keepData: true }));
  api = parley.client();
  await api.send(new UpdateLoggingConfigurationCommand({ identifier: fh.arn, destinationConfiguration: { firehose: { deliveryStreamName: 'chat-stream-2' } } }));
  raw1 = await rawListener(parley, api, room1.arn);
  raw2 = await rawListener(parley, api, room2.arn);
  alice = await sdkUser(parley, api, room1.arn, 'alice');
  bob = await sdkUser(parley, api, room2.arn, 'bob');
  await chatter(api, alice, bob, room1, room2, 2);
  await waitFor(() => raw1.frames.length === 4 && raw2.frames.length === 2, 5000, 'frames, second run');
  frames1.push(...raw1.frames);
  frames2.push(...raw2.frames);
  alice.disconnect();
  bob.disconnect();
  raw1.ws.close();
  raw2.ws.close();
  assert.equal((await parley.stop({ keepData: true })).code, 0);

  // ---- every record of both runs exactly once
  const all = new Map([...frames1, ...frames2].map((f) => [JSON.parse(f).Id, f]));
  checkStream(readLines(fhFile), frames1.slice(0, 4), all, 'firehose, old stream unchanged');
  checkStream(readLines(join(chatlogDir, 'firehose', 'chat-stream-2.log')), frames1.slice(4), all, 'firehose, new stream');
  checkStream(readLines(cwFile), frames1, all, 'cloudwatch, both runs');
  objects = s3Objects(chatlogDir, 'chat-archive');
  assert.equal(objects.length, 4);
  assert.deepEqual(objects.map((o) => o.key).filter((k) => firstRunKeys.includes(k)).sort(), firstRunKeys);
  for (const [room, frames] of [[room1, frames1], [room2, frames2]]) {
    const mine = objects.filter((o) => o.key.includes(`/room_${room.id}/`));
    for (const o of mine) assert.match(o.key, s3KeyPattern(room.id));
    // Objects in time order (first record), then records in order inside each.
    const lines = mine
      .sort((a, b) => JSON.parse(a.lines[0]).event_timestamp.localeCompare(JSON.parse(b.lines[0]).event_timestamp))
      .flatMap((o) => o.lines);
    checkStream(lines, frames, all, `s3 room ${room.name}, both runs`);
  }
  // Every file is private to the server's user.
  assert.equal(statSync(cwFile).mode & 0o777, 0o600);
});

test('an unwritable destination is counted, and the server keeps going', async (t) => {
  const parley = await startParley();
  t.after(() => parley.stop());
  const api = parley.client();
  // A directory where the stream's file should be: every append fails.
  mkdirSync(join(parley.dataDir, 'chatlogs', 'firehose', 'blocked.log'), { recursive: true });
  const fh = await api.send(new CreateLoggingConfigurationCommand({ destinationConfiguration: { firehose: { deliveryStreamName: 'blocked' } } }));
  const ok = await api.send(new CreateLoggingConfigurationCommand({ destinationConfiguration: { firehose: { deliveryStreamName: 'fine' } } }));
  const room = await api.send(new CreateRoomCommand({ loggingConfigurationIdentifiers: [fh.arn, ok.arn] }));
  const alice = await sdkUser(parley, api, room.arn, 'alice');
  t.after(() => alice.disconnect());
  await alice.sendMessage(new SendMessageRequest('one'));
  // The writer appends blocked.log (fails, counted at once) before fine.log (counted after its
  // fsync), so the two counters move a moment apart: wait for both rather than read the second
  // right after the first (a race the sanitizer build lost 2 runs in 3).
  await waitFor(async () => (await metric(parley, 'parley_chatlog_records_failed_total', 'firehose')) === 1 &&
    (await metric(parley, 'parley_chatlog_records_written_total', 'firehose')) === 1, 5000, 'failure and write counted');
  // Still serving, still logging to the healthy destination.
  await alice.sendMessage(new SendMessageRequest('two'));
  await waitFor(() => readLines(join(parley.dataDir, 'chatlogs', 'firehose', 'fine.log')).length === 2, 5000, 'second record');
  assert.match(parley.log, /chat log \(firehose\)/);
});
