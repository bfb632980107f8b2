// Message history (docs/extensions.md): ?history=N backfill on join with the official SDK, no
// gap and no duplicate while the room is busy, deletes, review denials, restart, and the
// ListRoomMessages operation (paging, filters, validation).
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DeleteMessageCommand, DeleteRoomCommand } from '@aws-sdk/client-ivschat';
import { startParley, testStore, waitFor } from './lib/parley.mjs';
import {
  createRoom, mintToken, sdkRoom, rawClient, rawConnect, rawSend, sleep, stopCleanly,
} from './lib/chat_clients.mjs';
import { callExtension, allRoomMessages } from './lib/extensions.mjs';
import { assertBackfillThenLive, joinWhileRoomIsBusy } from './lib/busy_room_joins.mjs';

// A raw client joining with a query string on the chat URL.
async function rawJoin(parley, api, roomArn, userId, query) {
  const t = await mintToken(api, roomArn, userId);
  const c = await rawConnect(`${parley.chatUrl}/${query}`, t.token);
  c.userId = userId;
  return c;
}

const messageFrames = (c) => c.jsonFrames().filter((f) => f.Type === 'MESSAGE');

// SEND_MESSAGE within the per-connection quota (10 requests a second); fails on an ERROR.
async function sendPaced(client, content) {
  const reply = await rawSend(client, content);
  assert.equal(reply.Type, 'MESSAGE', JSON.stringify(reply));
  await sleep(110);
  return reply;
}

describe('message history', () => {
  let parley;
  let api;
  const open = [];

  before(async () => {
    parley = await startParley({ args: ['--history-messages', '20'] });
    api = parley.client();
  });
  after(async () => {
    for (const c of open) c.close();
    api?.destroy();
    if (parley) await stopCleanly(parley);
  });

  test('?history=N sends the last N messages first, oldest first, exactly as delivered; without it nothing', async () => {
    const room = await createRoom(api);
    const sender = await rawClient(parley, api, room.arn, 'sender');
    open.push(sender);
    const sent = [];
    for (let i = 0; i < 6; i += 1) sent.push(await sendPaced(sender, `m${i}`));
    const rawTexts = sent.map((m) => sender.rawOf((f) => f.Id === m.Id));

    const plain = await rawJoin(parley, api, room.arn, 'plain', '');
    const asked = await rawJoin(parley, api, room.arn, 'asked', '?history=3');
    open.push(plain, asked);
    await waitFor(() => messageFrames(asked).length === 3, 3000, 'backfill of 3');
    await sleep(300);
    assert.equal(plain.frames.length, 0, 'a client that did not ask gets nothing (IVS behaviour)');
    assert.deepEqual(asked.frames.map((f) => f.text), rawTexts.slice(3), 'the exact frames, oldest first');

    // More than the server keeps (--history-messages 20): capped, never an error.
    for (let i = 6; i < 25; i += 1) sent.push(await sendPaced(sender, `m${i}`));
    const greedy = await rawJoin(parley, api, room.arn, 'greedy', '?history=500&presence=0');
    open.push(greedy);
    await waitFor(() => messageFrames(greedy).length === 20, 3000, 'backfill of 20');
    assert.deepEqual(messageFrames(greedy).map((f) => f.Id), sent.slice(5).map((m) => m.Id));

    // Live traffic follows the backfill.
    const live = await rawSend(sender, 'after');
    await asked.next((f) => f.Id === live.Id, 2000, 'live message after backfill');
    assert.deepEqual(messageFrames(asked).map((f) => f.Content), [...sent.slice(3).map((m) => m.Content), 'after']);
    await plain.next((f) => f.Id === live.Id, 2000, 'live message at the plain client');
    assert.equal(plain.frames.length, 20, 'the plain client got the live ones only');
  });

  test('a malformed ?history is refused with 400 at the upgrade', async () => {
    const room = await createRoom(api);
    const t = await mintToken(api, room.arn, 'u');
    await assert.rejects(rawConnect(`${parley.chatUrl}/?history=lots`, t.token), (e) => e.status === 400);
    const t2 = await mintToken(api, room.arn, 'u');
    await assert.rejects(rawConnect(`${parley.chatUrl}/?presence=maybe`, t2.token), (e) => e.status === 400);
  });

  test('the official SDK: joiners during a burst at the room rate get backfill then live, no gap, no duplicate', async () => {
    const room = await createRoom(api, { maximumMessageRatePerSecond: 100 });
    // The whole conversation, in the order every member sees it.
    const observer = await rawClient(parley, api, room.arn, 'observer');
    open.push(observer);
    // Ten senders at the per-connection quota (10/s) fill the room's rate (100/s).
    const senders = [];
    for (let i = 0; i < 10; i += 1) {
      const s = await rawClient(parley, api, room.arn, `sender${i}`);
      open.push(s);
      senders.push(s);
    }
    const joined = await joinWhileRoomIsBusy({
      senders,
      settleMs: 800,
      join: (j) => {
        const r = sdkRoom({ chatUrl: `${parley.chatUrl}/?history=20` }, api, room.arn, `joiner${j}`, { capabilities: [] });
        open.push(r);
        return r.connect();
      },
    });
    assertBackfillThenLive(messageFrames(observer).map((f) => f.Id), joined, 20);
  });

  test('a deleted message (socket or HTTP) leaves the history and later backfills', async () => {
    const room = await createRoom(api);
    const mod = await rawClient(parley, api, room.arn, 'mod');
    open.push(mod);
    const ids = [];
    for (let i = 0; i < 4; i += 1) ids.push((await sendPaced(mod, `d${i}`)).Id);
    mod.send({ Action: 'DELETE_MESSAGE', RequestId: 'del-1', Id: ids[1], Reason: 'spam' });
    await mod.next((f) => f.Type === 'EVENT' && f.RequestId === 'del-1');
    await api.send(new DeleteMessageCommand({ roomIdentifier: room.arn, id: ids[2] }));
    await mod.next((f) => f.Type === 'EVENT' && f.EventName === 'aws:DELETE_MESSAGE' && f.Attributes.MessageId === ids[2]);

    const listed = await allRoomMessages(parley, room.arn);
    assert.deepEqual(listed.map((m) => m.Id), [ids[3], ids[0]]);
    const late = await rawJoin(parley, api, room.arn, 'late', '?history=10');
    open.push(late);
    await waitFor(() => messageFrames(late).length === 2, 2000, 'backfill');
    await sleep(200);
    assert.deepEqual(messageFrames(late).map((f) => f.Id), [ids[0], ids[3]]);
  });

  test('a message denied by review never enters the history', async () => {
    const room = await createRoom(api, {
      messageReviewHandler: { uri: 'arn:aws:lambda:us-east-1:123456789012:function:deny-all', fallbackResult: 'DENY' },
    });
    const c = await rawClient(parley, api, room.arn, 'u');
    open.push(c);
    const reply = await rawSend(c, 'denied');
    assert.equal(reply.Type, 'ERROR');
    assert.equal(reply.ErrorCode, 406);
    assert.deepEqual(await allRoomMessages(parley, room.arn), []);
  });

  test('ListRoomMessages pages newest first, filters by time, validates like the IVS operations', async () => {
    const room = await createRoom(api, { maximumMessageRatePerSecond: 100 });
    const c = await rawClient(parley, api, room.arn, 'pager');
    open.push(c);
    const ids = [];
    for (let i = 0; i < 12; i += 1) {
      ids.push((await sendPaced(c, `p${i}`)).Id);
      if (i === 5) await sleep(50);
    }
    const first = await callExtension(parley, 'ListRoomMessages', { roomIdentifier: room.arn, maxResults: 5 });
    assert.equal(first.status, 200);
    assert.equal(first.body.messages.length, 5);
    assert.ok(first.body.nextToken);
    assert.deepEqual(Object.keys(first.body.messages[0]), ['Type', 'Id', 'RequestId', 'Attributes', 'Content', 'SendTime', 'Sender']);
    const every = await allRoomMessages(parley, room.arn, 5);
    assert.deepEqual(every.map((m) => m.Id), [...ids].reverse());

    // startTime/endTime (ISO 8601) select by SendTime.
    const sixth = every.find((m) => m.Content === 'p6');
    const since = await allRoomMessages(parley, room.arn, 100, { startTime: sixth.SendTime });
    assert.deepEqual(since.map((m) => m.Content), ['p11', 'p10', 'p9', 'p8', 'p7', 'p6']);
    const until = await allRoomMessages(parley, room.arn, 100, { endTime: '2000-01-01T00:00:00Z' });
    assert.deepEqual(until, []);

    const invalid = async (body, field) => {
      const r = await callExtension(parley, 'ListRoomMessages', body);
      assert.equal(r.status, 400, JSON.stringify(r.body));
      assert.equal(r.headers.get('x-amzn-errortype')?.split(':')[0], 'ValidationException');
      if (field) assert.ok(r.body.fieldList?.some((f) => f.name === field), JSON.stringify(r.body));
      return r;
    };
    await invalid({ roomIdentifier: room.arn, maxResults: 0 }, 'maxResults');
    await invalid({ roomIdentifier: room.arn, maxResults: 101 }, 'maxResults');
    await invalid({ maxResults: 10 }, 'roomIdentifier');
    await invalid({ roomIdentifier: 'not-an-arn' }, 'roomIdentifier');
    await invalid({ roomIdentifier: room.arn, startTime: 'yesterday' }, 'startTime');
    await invalid({ roomIdentifier: room.arn, nextToken: `${first.body.nextToken}x` });
    // A nextToken is bound to its filters.
    await invalid({ roomIdentifier: room.arn, nextToken: first.body.nextToken, startTime: sixth.SendTime });

    const missing = await callExtension(parley, 'ListRoomMessages', { roomIdentifier: room.arn.replace(/room\/.*/, 'room/AAAAAAAAAAAA') });
    assert.equal(missing.status, 404);
    assert.equal(missing.headers.get('x-amzn-errortype')?.split(':')[0], 'ResourceNotFoundException');

    const unsigned = await fetch(`${parley.apiUrl}/ListRoomMessages`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ roomIdentifier: room.arn }),
    });
    assert.equal(unsigned.status, 403);
  });

  test('DeleteRoom deletes the room and its history', async () => {
    const room = await createRoom(api);
    const c = await rawClient(parley, api, room.arn, 'u');
    open.push(c);
    await rawSend(c, 'gone soon');
    assert.equal((await allRoomMessages(parley, room.arn)).length, 1);
    await api.send(new DeleteRoomCommand({ identifier: room.arn }));
    const r = await callExtension(parley, 'ListRoomMessages', { roomIdentifier: room.arn });
    assert.equal(r.status, 404);
  });
});

test('history survives a restart on the same data directory; --history-messages 0 turns it off', {
  skip: testStore === 'postgres' && 'history is persisted with the SQLite store only (docs/extensions.md)',
}, async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'parley-history-'));
  let parley = await startParley({ dataDir });
  let api = parley.client();
  const room = await createRoom(api);
  const c = await rawClient(parley, api, room.arn, 'u');
  const ids = [];
  for (let i = 0; i < 5; i += 1) ids.push((await sendPaced(c, `r${i}`)).Id);
  const del = (await sendPaced(c, 'to delete')).Id;
  c.send({ Action: 'DELETE_MESSAGE', RequestId: 'd', Id: del });
  await c.next((f) => f.RequestId === 'd');
  c.close();
  api.destroy();
  await stopCleanly(parley);

  parley = await startParley({ dataDir });
  api = parley.client();
  try {
    assert.deepEqual((await allRoomMessages(parley, room.arn)).map((m) => m.Id), [...ids].reverse());
    const j = await rawJoin(parley, api, room.arn, 'back', '?history=100');
    await waitFor(() => messageFrames(j).length === 5, 3000, 'backfill after restart');
    assert.deepEqual(messageFrames(j).map((f) => f.Id), ids);
    // New messages continue after the restored ones.
    const next = await rawSend(j, 'r5');
    assert.deepEqual((await allRoomMessages(parley, room.arn)).map((m) => m.Id), [next.Id, ...[...ids].reverse()]);
    j.close();
  } finally {
    api.destroy();
    await stopCleanly(parley);
  }

  parley = await startParley({ dataDir, args: ['--history-messages', '0'] });
  api = parley.client();
  try {
    assert.deepEqual(await allRoomMessages(parley, room.arn), []);
    const j = await rawJoin(parley, api, room.arn, 'off', '?history=100');
    await sleep(300);
    assert.equal(j.frames.length, 0);
    j.close();
  } finally {
    api.destroy();
    await stopCleanly(parley);
    rmSync(dataDir, { recursive: true, force: true });
  }
});
