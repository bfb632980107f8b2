// Cluster mode, chat: three parleyd nodes on one PostgreSQL and one Redis (--bus redis://),
// behind nginx; the official SDK clients and raw WebSocket clients talk only to nginx. A room's
// members spread over the nodes see one conversation, exactly once, in each sender's order;
// moderation works from any node; a token opens one connection cluster-wide; Redis restarts
// and a node killed with -9 are survived. Real PostgreSQL, redis-server and nginx, never mocks.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import {
  CreateRoomCommand, DeleteMessageCommand, DeleteRoomCommand, DisconnectUserCommand,
  IvschatClient, SendEventCommand, UpdateRoomCommand,
} from '@aws-sdk/client-ivschat';
import { SendMessageRequest, DeleteMessageRequest, DisconnectUserRequest } from 'amazon-ivs-chat-messaging';
import { startParley, waitFor, credentials } from './lib/parley.mjs';
import { database, postgresAvailable, sharedCluster } from './lib/postgres.mjs';
import { metrics, mintToken, rawConnect, rawSend, sdkRoom, sleep } from './lib/chat_clients.mjs';
import { startRedis } from './lib/redis.mjs';
import { startNginx } from './lib/nginx.mjs';

const skip = !postgresAvailable() ? 'PostgreSQL 15 is not installed'
  : !existsSync('/usr/bin/redis-server') ? 'redis-server is not installed (apt-get install redis-server)'
    : !existsSync('/usr/sbin/nginx') ? 'nginx is not installed (apt-get install nginx-light)' : false;

let redis, nodes, lb, api, lbChat;

async function ready(node) {
  try { return (await fetch(`${node.apiUrl}/readyz`)).status === 200; } catch { return false; }
}
const allReady = async () => (await Promise.all(nodes.map(ready))).every(Boolean);

before(async () => {
  if (skip) return;
  redis = await startRedis();
  const store = database(sharedCluster());
  nodes = [];
  for (let i = 0; i < 3; i += 1) nodes.push(await startParley({ store, args: ['--bus', redis.url] }));
  await waitFor(allReady, 10000, 'every node ready (store and bus)');
  lb = await startNginx(nodes);
  api = new IvschatClient({ region: 'us-east-1', endpoint: lb.apiUrl, credentials, maxAttempts: 1 });
  lbChat = { chatUrl: lb.chatUrl };
});

after(async () => {
  await lb?.stop();
  for (const n of nodes ?? []) await n.stop();
  await redis?.stop();
  // Known issue, not understood yet: after the kill -9 test something in this process (an SDK
  // ChatRoom that reconnected, most likely) keeps the event loop alive, and the file would
  // never end. Every test has reported by now; leave 5 s for the report to flush, then exit.
  setTimeout(() => process.exit(), 5000).unref();
});

const room = (fields = {}) => api.send(new CreateRoomCommand({ maximumMessageRatePerSecond: 100, ...fields }));
async function sdk(roomArn, userId, caps) {
  const r = sdkRoom(lbChat, api, roomArn, userId, caps ? { capabilities: caps } : {});
  await r.connect();
  return r;
}
async function raw(roomArn, userId) {
  const t = await mintToken(api, roomArn, userId);
  const c = await rawConnect(lb.chatUrl, t.token);
  c.userId = userId;
  return c;
}
const connectionsPerNode = async () => Promise.all(nodes.map(async (n) => (await metrics(n)).parley_chat_connections ?? 0));

test('members spread over three nodes see one conversation exactly once, in each sender order', { skip }, async () => {
  const r = await room();
  const members = [];
  for (let i = 0; i < 6; i += 1) members.push(await sdk(r.arn, `user${i}`));
  const perNode = await connectionsPerNode();
  assert.ok(perNode.every((c) => c >= 1), `members on every node: ${perNode}`);
  await sleep(300);  // subscriptions reach Redis
  const senders = members.slice(0, 3);
  const perSender = 10;
  for (let k = 0; k < perSender; k += 1) {
    await Promise.all(senders.map((s, i) => s.chat.sendMessage(new SendMessageRequest(`s${i}-${k}`))));
    await sleep(110);  // under the per-connection 10 requests/s
  }
  const total = senders.length * perSender;
  for (const m of members) {
    await waitFor(() => m.messages.length >= total, 5000, `${total} messages at a member`);
    await sleep(100);
    const contents = m.messages.map((x) => x.content);
    assert.equal(contents.length, total, 'each message exactly once');
    assert.equal(new Set(m.messages.map((x) => x.id)).size, total);
    for (let i = 0; i < senders.length; i += 1) {
      const mine = contents.filter((c) => c.startsWith(`s${i}-`));
      assert.deepEqual(mine, Array.from({ length: perSender }, (_, k) => `s${i}-${k}`), 'sender order');
    }
  }
  members.forEach((m) => m.close());
});

test('moderation from any node: DELETE_MESSAGE, DISCONNECT_USER, SendEvent, DeleteMessage, DisconnectUser, UpdateRoom, DeleteRoom', { skip }, async () => {
  const r = await room();
  const members = [];
  for (let i = 0; i < 3; i += 1) members.push(await sdk(r.arn, `mod${i}`));
  const victims = [];
  for (let i = 0; i < 3; i += 1) victims.push(await raw(r.arn, `victim${i}`));
  const watchers = [];
  for (let i = 0; i < 3; i += 1) watchers.push(await raw(r.arn, `watch${i}`));
  assert.ok((await connectionsPerNode()).every((c) => c >= 3));
  await sleep(300);

  // WebSocket DELETE_MESSAGE and DISCONNECT_USER, each from a member on a different node.
  const sent = await members[0].chat.sendMessage(new SendMessageRequest('delete me'));
  await members[1].chat.deleteMessage(new DeleteMessageRequest(sent.id, 'spam'));
  for (const m of members) await waitFor(() => m.deletes.some((d) => d.messageId === sent.id), 3000, 'delete everywhere');
  await members[2].chat.disconnectUser(new DisconnectUserRequest('victim0', 'bye'));
  assert.equal((await victims[0].closed).code, 1000);
  for (const m of members) await waitFor(() => m.userDisconnects.some((d) => d.userId === 'victim0'), 3000, 'userDisconnect everywhere');

  // The HTTP operations, three times each so that nginx sends them to every node.
  for (let i = 0; i < 3; i += 1) {
    await api.send(new SendEventCommand({ roomIdentifier: r.arn, eventName: `ev${i}` }));
    await api.send(new DeleteMessageCommand({ roomIdentifier: r.arn, id: `MSGID000000${i}`, reason: 'r' }));
  }
  await api.send(new DisconnectUserCommand({ roomIdentifier: r.arn, userId: 'victim1', reason: 'http' }));
  assert.equal((await victims[1].closed).code, 1000);
  for (const w of watchers) {
    for (let i = 0; i < 3; i += 1) {
      await w.next((f) => f.Type === 'EVENT' && f.EventName === `ev${i}`, 3000, `ev${i}`);
      await w.next((f) => f.EventName === 'aws:DELETE_MESSAGE' && f.Attributes.MessageId === `MSGID000000${i}`, 3000, `delete ${i}`);
    }
    await w.next((f) => f.EventName === 'aws:DISCONNECT_USER' && f.Attributes.UserId === 'victim1', 3000, 'http disconnect');
  }
  await sleep(200);
  for (const w of watchers) {
    const evs = w.jsonFrames().filter((f) => f.Type === 'EVENT' && /^ev\d$/.test(f.EventName));
    assert.equal(evs.length, 3, 'each event exactly once');
  }

  // UpdateRoom: the new limit applies on every node at once.
  await api.send(new UpdateRoomCommand({ identifier: r.arn, maximumMessageLength: 5 }));
  for (const w of watchers) {
    await waitFor(async () => (await rawSend(w, 'sixsix')).Type === 'ERROR', 2000, 'new limit on every node');
  }

  // DeleteRoom: everyone on every node is closed with 1000.
  await api.send(new DeleteRoomCommand({ identifier: r.arn }));
  for (const c of [victims[2], ...watchers]) assert.equal((await c.closed).code, 1000);
  for (const m of members) await waitFor(() => m.chat.state === 'disconnected', 3000, 'SDK closed');
});

test('one chat token, 50 simultaneous connects through the load balancer: exactly one 101', { skip }, async () => {
  const r = await room();
  const t = await mintToken(api, r.arn, 'once');
  const before = await Promise.all(nodes.map(async (n) => (await metrics(n)).parley_chat_handshakes_rejected_total ?? 0));
  const results = await Promise.allSettled(Array.from({ length: 50 }, () => rawConnect(lb.chatUrl, t.token)));
  const opened = results.filter((x) => x.status === 'fulfilled');
  assert.equal(opened.length, 1, `exactly one connection opened, got ${opened.length}`);
  const refused = results.filter((x) => x.status === 'rejected');
  assert.ok(refused.every((x) => x.reason.status === 403), refused.map((x) => x.reason.message).slice(0, 3).join('; '));
  const after = await Promise.all(nodes.map(async (n) => (await metrics(n)).parley_chat_handshakes_rejected_total ?? 0));
  const perNode = after.map((a, i) => a - before[i]);
  assert.equal(perNode.reduce((a, b) => a + b, 0), 49);
  assert.ok(perNode.filter((c) => c > 0).length >= 2, `refusals on several nodes: ${perNode}`);
  opened[0].value.close();
});

test('Redis restarted mid-chat: ERROR 500 and /readyz 503 while down, chat resumes within 5 s, nothing twice', { skip }, async () => {
  const r = await room();
  const clients = [];
  for (let i = 0; i < 3; i += 1) clients.push(await raw(r.arn, `r${i}`));
  await sleep(300);
  assert.equal((await rawSend(clients[0], 'before')).Type, 'MESSAGE');
  for (const c of clients) await c.next((f) => f.Content === 'before', 3000, 'before');

  await redis.stop();
  await waitFor(async () => (await Promise.all(nodes.map(ready))).every((x) => !x), 5000, 'every node not ready');
  const err = await rawSend(clients[1], 'while down');
  assert.equal(err.Type, 'ERROR');
  assert.equal(err.ErrorCode, 500);

  const restartedAt = Date.now();
  await redis.start();
  let k = 0;
  await waitFor(async () => {
    const reply = await rawSend(clients[0], `probe${k++}`);
    if (reply.Type !== 'MESSAGE') return false;
    try {
      await clients[2].next((f) => f.Content === reply.Content, 300, 'probe');
      return true;
    } catch { return false; }
  }, 5000, 'chat across nodes again');
  const resumedMs = Date.now() - restartedAt;
  assert.ok(resumedMs <= 5000, `resumed after ${resumedMs} ms`);
  await waitFor(allReady, 5000, 'ready again');
  for (let i = 0; i < 5; i += 1) assert.equal((await rawSend(clients[i % 3], `after${i}`)).Type, 'MESSAGE');
  await sleep(300);
  for (const c of clients) {
    const got = c.jsonFrames().filter((f) => f.Type === 'MESSAGE').map((f) => f.Content);
    assert.deepEqual(got.filter((x) => x.startsWith('after')), ['after0', 'after1', 'after2', 'after3', 'after4']);
    assert.equal(got.filter((x) => x === 'before').length, 1);
    assert.ok(!got.includes('while down'));
    assert.equal(new Set(got).size, got.length, 'nothing delivered twice');
  }
  console.log(`# chat resumed ${resumedMs} ms after redis-server restarted`);
  clients.forEach((c) => c.close());
});

test('a stalled Redis (SIGSTOP) does not stall the nodes: ERROR 500 within seconds, counted; chat resumes after SIGCONT', { skip }, async () => {
  const r = await room();
  const clients = [];
  for (let i = 0; i < 3; i += 1) clients.push(await raw(r.arn, `st${i}`));
  await sleep(300);
  assert.equal((await rawSend(clients[0], 'before stall')).Type, 'MESSAGE');
  const failuresBefore = (await metrics(nodes[0])).parley_chat_bus_failures_total ?? 0;
  redis.pause();
  try {
    const started = Date.now();
    const pending = rawSend(clients[0], 'during stall', {}, 8000);
    // The event loops keep serving while the bus waits: /healthz and another client's reply.
    for (const n of nodes) {
      const t0 = Date.now();
      assert.equal((await fetch(`${n.apiUrl}/healthz`)).status, 200);
      assert.ok(Date.now() - t0 < 500, 'healthz answered at once');
    }
    const reply = await pending;
    assert.equal(reply.Type, 'ERROR');
    assert.equal(reply.ErrorCode, 500);
    assert.ok(Date.now() - started < 6000, `refused after ${Date.now() - started} ms`);
  } finally {
    redis.resume();
  }
  // The refusal was counted on whichever node served clients[0].
  const failures = await Promise.all(nodes.map(async (n) => (await metrics(n)).parley_chat_bus_failures_total ?? 0));
  assert.ok(failures.reduce((a, b) => a + b, 0) > failuresBefore, `bus failures counted: ${failures}`);
  let k = 0;
  await waitFor(async () => {
    const reply = await rawSend(clients[0], `unstalled${k++}`);
    if (reply.Type !== 'MESSAGE') return false;
    try { await clients[2].next((f) => f.Content === reply.Content, 500, 'probe'); return true; } catch { return false; }
  }, 8000, 'chat after SIGCONT');
  for (const c of clients) assert.ok(!c.jsonFrames().some((f) => f.Content === 'during stall'));
  clients.forEach((c) => c.close());
});

test('a node killed with -9: its SDK clients reconnect through nginx, the others never notice', { skip }, async () => {
  const r = await room();
  const members = [];
  for (let i = 0; i < 6; i += 1) members.push(await sdk(r.arn, `k${i}`));
  const perNode = await connectionsPerNode();
  assert.ok(perNode[2] >= 1, `someone on the node to kill: ${perNode}`);
  await nodes[2].kill9();
  // The SDK sees an abnormal close and reconnects with a fresh token; nginx skips the dead node.
  await waitFor(() => members.some((m) => m.tokensIssued > 1), 5000, 'a reconnect');
  await waitFor(() => members.every((m) => m.chat.state === 'connected'), 10000, 'everyone connected again')
    .catch((e) => {
      throw new Error(`${e.message}: ${JSON.stringify(members.map((m) => ({ state: m.chat.state, tokens: m.tokensIssued, disc: m.disconnects })))}`);
    });
  await sleep(1000);
  const untouched = members.filter((m) => m.tokensIssued === 1);
  assert.ok(untouched.length >= 3 && untouched.length < 6, `untouched: ${untouched.length}`);
  // A reconnect attempt can itself fail once while nginx still counts the dead node in its
  // rotation (seen once in a full run), and the SDK then tries again with another token.
  assert.ok(members.every((m) => m.tokensIssued <= 3),
    `two reconnect attempts each at most: ${members.map((m) => m.tokensIssued)}`);
  for (const m of untouched) assert.deepEqual(m.disconnects, []);
  await sleep(300);
  await members[0].chat.sendMessage(new SendMessageRequest('after the kill'));
  for (const m of members) await waitFor(() => m.messages.some((x) => x.content === 'after the kill'), 3000, 'delivery after kill');
  members.forEach((m) => m.close());
});
