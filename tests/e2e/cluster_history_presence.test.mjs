// Cluster-wide history and presence (docs/extensions.md, docs/design.md): three parleyd nodes on
// one PostgreSQL and one Redis (--bus redis://). History lives in one Redis stream per room and
// presence in Redis hashes, so a client on node B backfills what was said on node A, deletes
// and DeleteRoom act everywhere, ListRoomMessages and GetRoomPresence answer the same on every
// node, join/leave events fire once per user cluster-wide, and a node killed with -9 leaves
// presence within the stated bound. Real PostgreSQL and redis-server, official clients.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { DeleteMessageCommand, DeleteRoomCommand } from '@aws-sdk/client-ivschat';
import { startParley, waitFor } from './lib/parley.mjs';
import { database, postgresAvailable, sharedCluster } from './lib/postgres.mjs';
import { createRoom, mintToken, rawConnect, rawSend, sdkRoom, sleep } from './lib/chat_clients.mjs';
import { callExtension, allRoomMessages } from './lib/extensions.mjs';
import { assertBackfillThenLive, joinWhileRoomIsBusy } from './lib/busy_room_joins.mjs';
import { redisCommand, startRedis } from './lib/redis.mjs';

const skip = !postgresAvailable() ? 'PostgreSQL 15 is not installed'
  : !existsSync('/usr/bin/redis-server') ? 'redis-server is not installed (apt-get install redis-server)' : false;

// docs/extensions.md: a node silent for 3 s is counted out at the next heartbeat (1 s), and
// the events go out with the next one-second presence flush.
const KILLED_NODE_BOUND_MS = 6000;

let redis, A, B, C, apiA, apiB;
const open = [];

before(async () => {
  if (skip) return;
  redis = await startRedis();
  const store = database(sharedCluster());
  const args = ['--bus', redis.url, '--history-messages', '30'];
  A = await startParley({ store, args });
  // On B the history read waits 150 ms after the subscription is live (a test hook): live
  // messages at the room rate arrive meanwhile, so the hold-and-deduplicate path is what the
  // joiners on B go through every time, not by luck of timing.
  B = await startParley({ store, args, env: { PARLEY_TEST_BACKFILL_READ_DELAY_MS: '150' } });
  C = await startParley({ store, args });
  const ready = async (n) => { try { return (await fetch(`${n.apiUrl}/readyz`)).status === 200; } catch { return false; } };
  await waitFor(async () => (await Promise.all([A, B, C].map(ready))).every(Boolean), 10000, 'nodes ready');
  apiA = A.client();
  apiB = B.client();
});

after(async () => {
  for (const c of open) c.close();
  apiA?.destroy();
  apiB?.destroy();
  for (const n of [A, B, C]) await n?.stop();
  await redis?.stop();
});

async function rawJoin(node, api, roomArn, userId, query = '', tokenOptions = {}) {
  const t = await mintToken(api, roomArn, userId, tokenOptions);
  const c = await rawConnect(`${node.chatUrl}/${query}`, t.token);
  c.userId = userId;
  open.push(c);
  return c;
}
const messageFrames = (c) => c.jsonFrames().filter((f) => f.Type === 'MESSAGE');
const presenceEvents = (rec) => rec.events.filter((e) => e.eventName.startsWith('parley:'));
async function sendPaced(client, content) {
  const reply = await rawSend(client, content);
  assert.equal(reply.Type, 'MESSAGE', JSON.stringify(reply));
  await sleep(110);
  return reply;
}
const presence = async (node, roomArn, extra = {}) => {
  const r = await callExtension(node, 'GetRoomPresence', { roomIdentifier: roomArn, ...extra });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return r.body;
};

test('backfill on node B of what was said on node A, oldest first; ListRoomMessages the same on both', { skip }, async () => {
  const room = await createRoom(apiA);
  const sender = await rawJoin(A, apiA, room.arn, 'sender');
  const sent = [];
  for (let i = 0; i < 6; i += 1) sent.push(await sendPaced(sender, `m${i}`));
  const rawTexts = sent.map((m) => sender.rawOf((f) => f.Id === m.Id));

  const plain = await rawJoin(B, apiB, room.arn, 'plain');
  const asked = await rawJoin(B, apiB, room.arn, 'asked', '?history=4');
  await waitFor(() => messageFrames(asked).length === 4, 3000, 'backfill of 4 on B');
  await sleep(300);
  assert.equal(plain.frames.length, 0, 'nothing without ?history');
  assert.deepEqual(asked.frames.map((f) => f.text), rawTexts.slice(2), 'the exact frames, oldest first');

  // Live traffic from A follows the backfill on B.
  const live = await rawSend(sender, 'after');
  await asked.next((f) => f.Id === live.Id, 3000, 'live after backfill');
  assert.deepEqual(messageFrames(asked).map((f) => f.Content), ['m2', 'm3', 'm4', 'm5', 'after']);

  // ListRoomMessages on either node: newest first, paged, filtered, validated.
  const all = [...sent, live].map((m) => m.Id).reverse();
  for (const node of [A, B]) {
    assert.deepEqual((await allRoomMessages(node, room.arn, 3)).map((m) => m.Id), all);
    const page = await callExtension(node, 'ListRoomMessages', { roomIdentifier: room.arn, maxResults: 2 });
    assert.equal(page.status, 200);
    assert.deepEqual(page.body.messages.map((m) => m.Id), all.slice(0, 2));
    assert.ok(page.body.nextToken);
  }
  const page1 = await callExtension(A, 'ListRoomMessages', { roomIdentifier: room.arn, maxResults: 2 });
  const page2 = await callExtension(B, 'ListRoomMessages', { roomIdentifier: room.arn, maxResults: 2, nextToken: page1.body.nextToken });
  assert.equal(page2.status, 200, 'a nextToken from A pages on B');
  assert.deepEqual(page2.body.messages.map((m) => m.Id), all.slice(2, 4));
  const future = await callExtension(B, 'ListRoomMessages', { roomIdentifier: room.arn, startTime: new Date(Date.now() + 60000).toISOString() });
  assert.equal(future.status, 200);
  assert.deepEqual(future.body.messages, []);
  const past = await callExtension(B, 'ListRoomMessages', { roomIdentifier: room.arn, endTime: new Date(Date.now() - 3600000).toISOString() });
  assert.deepEqual(past.body.messages, []);
  const bad = await callExtension(B, 'ListRoomMessages', { roomIdentifier: room.arn, maxResults: 0 });
  assert.equal(bad.status, 400);
  assert.equal(bad.headers.get('x-amzn-errortype'), 'ValidationException');
});

test('joiners on B while senders on A fill the room rate: backfill then live, no gap, no duplicate', { skip }, async () => {
  const room = await createRoom(apiA, { maximumMessageRatePerSecond: 100 });
  // The whole conversation, in the order the room's members see it.
  const observer = await rawJoin(B, apiB, room.arn, 'observer');
  const senders = [];
  for (let i = 0; i < 10; i += 1) senders.push(await rawJoin(A, apiA, room.arn, `sender${i}`));
  const joined = await joinWhileRoomIsBusy({
    senders,
    join: (j) => {
      const r = sdkRoom({ chatUrl: `${B.chatUrl}/?history=20` }, apiB, room.arn, `joiner${j}`, { capabilities: [] });
      open.push(r);
      return r.connect();
    },
  });
  assertBackfillThenLive(messageFrames(observer).map((f) => f.Id), joined, 20);
});

test('a delete on one node leaves the history everywhere; DeleteRoom removes the stream', { skip }, async () => {
  const room = await createRoom(apiA);
  const mod = await rawJoin(A, apiA, room.arn, 'mod');
  const watcherB = await rawJoin(B, apiB, room.arn, 'watcher');
  const ids = [];
  for (let i = 0; i < 4; i += 1) ids.push((await sendPaced(mod, `d${i}`)).Id);
  // Over the socket on A, and with the HTTP operation on B.
  mod.send({ Action: 'DELETE_MESSAGE', RequestId: 'del-1', Id: ids[1], Reason: 'spam' });
  await watcherB.next((f) => f.Type === 'EVENT' && f.Attributes?.MessageId === ids[1], 3000, 'delete event on B');
  await apiB.send(new DeleteMessageCommand({ roomIdentifier: room.arn, id: ids[2] }));
  await mod.next((f) => f.Type === 'EVENT' && f.Attributes?.MessageId === ids[2], 3000, 'delete event on A');

  for (const node of [A, B]) assert.deepEqual((await allRoomMessages(node, room.arn)).map((m) => m.Id), [ids[3], ids[0]]);
  const late = await rawJoin(C, apiA, room.arn, 'late', '?history=10');
  await waitFor(() => messageFrames(late).length === 2, 3000, 'backfill on C');
  await sleep(200);
  assert.deepEqual(messageFrames(late).map((f) => f.Id), [ids[0], ids[3]]);

  const key = `parley:history:${room.id}`;
  assert.match(await redisCommand(redis.port, 'EXISTS', key), /^:1/);
  await apiB.send(new DeleteRoomCommand({ identifier: room.arn }));
  await waitFor(async () => /^:0/.test(await redisCommand(redis.port, 'EXISTS', key)), 3000, 'stream deleted');
});

test('review: a denied message never enters the shared history, an allowed one does', { skip }, async () => {
  // No Lambda endpoint is configured, so the review fails and the room's fallbackResult decides.
  const review = (fallbackResult) => ({ uri: 'arn:aws:lambda:us-east-1:123456789012:function:none', fallbackResult });
  const denied = await createRoom(apiA, { messageReviewHandler: review('DENY') });
  const allowed = await createRoom(apiA, { messageReviewHandler: review('ALLOW') });
  const d = await rawJoin(A, apiA, denied.arn, 'u');
  const reply = await rawSend(d, 'denied');
  assert.equal(reply.Type, 'ERROR');
  assert.equal(reply.ErrorCode, 406);
  const a = await rawJoin(A, apiA, allowed.arn, 'u');
  const ok = await rawSend(a, 'allowed');
  assert.equal(ok.Type, 'MESSAGE', JSON.stringify(ok));
  assert.deepEqual(await allRoomMessages(B, denied.arn), []);
  assert.deepEqual((await allRoomMessages(B, allowed.arn)).map((m) => m.Id), [ok.Id]);
});

test('presence across nodes: counts and pages on any node, join/leave once per user and only for ?presence=1', { skip }, async () => {
  const room = await createRoom(apiA);
  const watcher = sdkRoom({ chatUrl: `${A.chatUrl}/?presence=1` }, apiA, room.arn, 'watcher', { capabilities: [] });
  const quiet = sdkRoom(B, apiB, room.arn, 'quiet', { capabilities: [] });
  open.push(watcher, quiet);
  await watcher.connect();
  await quiet.connect();
  await sleep(1300);
  watcher.events.length = 0;

  const aliceA = await rawJoin(A, apiA, room.arn, 'alice', '', { attributes: { displayName: 'Alice' } });
  const aliceB = await rawJoin(B, apiB, room.arn, 'alice', '', { attributes: { displayName: 'Alice' } });
  const bob = await rawJoin(C, apiA, room.arn, 'bob');
  await sleep(200);

  for (const node of [A, B, C]) {
    const p = await presence(node, room.arn);
    assert.equal(p.connectionCount, 5, JSON.stringify(p));
    assert.equal(p.userCount, 4);
    assert.deepEqual(p.users.map((u) => u.userId), ['alice', 'bob', 'quiet', 'watcher']);
    assert.equal(p.users[0].connectionCount, 2);
    assert.deepEqual(p.users[0].attributes, { displayName: 'Alice' });
    assert.ok(Math.abs(Date.parse(p.users[0].connectedSince) - Date.now()) < 10000);
  }
  const first = await presence(B, room.arn, { maxResults: 3 });
  assert.deepEqual(first.users.map((u) => u.userId), ['alice', 'bob', 'quiet']);
  const second = await presence(A, room.arn, { maxResults: 3, nextToken: first.nextToken });
  assert.deepEqual(second.users.map((u) => u.userId), ['watcher']);
  assert.equal(second.nextToken, undefined);

  // One USER_JOINED per user cluster-wide, though alice connected on two nodes.
  await waitFor(() => presenceEvents(watcher).length >= 2, 3000, 'join events');
  await sleep(1300);
  const joins = presenceEvents(watcher).map((e) => `${e.eventName} ${e.attributes.UserId}`).sort();
  assert.deepEqual(joins, ['parley:USER_JOINED alice', 'parley:USER_JOINED bob']);
  assert.deepEqual(presenceEvents(quiet), [], 'no presence events without ?presence=1');

  // alice leaves A but stays on B: no news. Then her last connection goes: USER_LEFT once.
  watcher.events.length = 0;
  aliceA.close();
  await sleep(1500);
  assert.deepEqual(presenceEvents(watcher), []);
  assert.equal((await presence(C, room.arn)).users.find((u) => u.userId === 'alice').connectionCount, 1);
  aliceB.close();
  bob.close();
  await waitFor(() => presenceEvents(watcher).length >= 2, 3000, 'leave events');
  await sleep(1300);
  const leaves = presenceEvents(watcher).map((e) => `${e.eventName} ${e.attributes.UserId}`).sort();
  assert.deepEqual(leaves, ['parley:USER_LEFT alice', 'parley:USER_LEFT bob']);
  const after = await presence(B, room.arn);
  assert.equal(after.connectionCount, 2);
  assert.deepEqual(after.users.map((u) => u.userId), ['quiet', 'watcher']);
});

test('Redis restarted empty: every node reports its connections again, presence is whole within seconds', { skip }, async () => {
  const room = await createRoom(apiA);
  await rawJoin(A, apiA, room.arn, 'erin');
  await rawJoin(B, apiB, room.arn, 'erin');
  const frank = await rawJoin(C, apiA, room.arn, 'frank');
  await sleep(300);
  assert.equal((await presence(A, room.arn)).connectionCount, 3);
  await redis.restart(500);  // nothing persisted: Redis comes back empty
  frank.close();  // a disconnection while Redis was away is not lost either
  await waitFor(async () => {
    const r = await callExtension(B, 'GetRoomPresence', { roomIdentifier: room.arn });
    return r.status === 200 && r.body.connectionCount === 2;
  }, 8000, 'presence restored after the restart');
  const p = await presence(C, room.arn);
  assert.deepEqual(p.users.map((u) => [u.userId, u.connectionCount]), [['erin', 2]]);
});

test('a node killed with -9: its users leave presence within the bound, once, cluster-wide', { skip }, async () => {
  const room = await createRoom(apiA);
  const watcher = await rawJoin(A, apiA, room.arn, 'watcher', '?presence=1');
  await rawJoin(C, apiA, room.arn, 'carol');
  await rawJoin(C, apiA, room.arn, 'dave');
  await rawJoin(B, apiB, room.arn, 'dave');
  await sleep(1300);
  const before = await presence(B, room.arn);
  assert.equal(before.connectionCount, 4);
  assert.deepEqual(before.users.map((u) => u.userId), ['carol', 'dave', 'watcher']);
  const eventsBefore = watcher.jsonFrames().length;

  const killedAt = Date.now();
  await C.kill9();
  await waitFor(async () => (await presence(A, room.arn)).connectionCount === 2, KILLED_NODE_BOUND_MS, 'C counted out');
  const gone = Date.now() - killedAt;
  const p = await presence(B, room.arn);
  assert.deepEqual(p.users.map((u) => [u.userId, u.connectionCount]), [['dave', 1], ['watcher', 1]]);
  await watcher.next((f) => f.EventName === 'parley:USER_LEFT' && f.Attributes.UserId === 'carol', KILLED_NODE_BOUND_MS - gone + 1500, 'USER_LEFT carol');
  await sleep(1200);
  const events = watcher.jsonFrames().slice(eventsBefore).filter((f) => f.Type === 'EVENT').map((f) => `${f.EventName} ${f.Attributes.UserId}`);
  assert.deepEqual(events, ['parley:USER_LEFT carol'], 'dave is still on B: no news about him');
  C = null;
});
