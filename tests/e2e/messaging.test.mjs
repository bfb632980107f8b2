// The messaging edge against the official `amazon-ivs-chat-messaging` SDK (spec §1.2-1.9):
// round trips, moderation over WebSocket and over the HTTP API, capabilities, token rules.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  DeleteMessageCommand, DeleteRoomCommand, DisconnectUserCommand, SendEventCommand,
} from '@aws-sdk/client-ivschat';
import {
  ChatRoom, SendMessageRequest, DeleteMessageRequest, DisconnectUserRequest,
} from 'amazon-ivs-chat-messaging';
import { startParley, waitFor } from './lib/parley.mjs';
import {
  createRoom, mintToken, sdkRoom, rawClient, rawConnect, rawSend, sleep, stopCleanly,
} from './lib/chat_clients.mjs';

const ID = /^[A-Za-z0-9]{12}$/;

describe('messaging edge with the official SDK', () => {
  let parley;
  let api;
  const open = [];  // every client, closed in after()

  before(async () => {
    parley = await startParley();
    api = parley.client();
  });
  after(async () => {
    for (const c of open) c.close();
    api?.destroy();
    if (parley) await stopCleanly(parley);
  });

  async function sdk(roomArn, userId, tokenOptions) {
    const r = sdkRoom(parley, api, roomArn, userId, tokenOptions);
    open.push(r);
    return r.connect();
  }
  async function raw(roomArn, userId, tokenOptions) {
    const c = await rawClient(parley, api, roomArn, userId, tokenOptions);
    open.push(c);
    return c;
  }

  test('SEND_MESSAGE reaches the sender and another user with the service fields', async () => {
    const room = await createRoom(api);
    const alice = await sdk(room.arn, 'alice', { capabilities: ['SEND_MESSAGE'], attributes: { displayName: 'Alice', tier: 'gold' } });
    const bob = await sdk(room.arn, 'bob', { capabilities: [] });
    const wire = await raw(room.arn, 'observer', { capabilities: [] });

    const request = new SendMessageRequest('hello "world" ✓', { k: 'v', emoji: '😀' });
    const sent = await alice.chat.sendMessage(request);
    assert.match(sent.id, ID);
    assert.equal(sent.content, 'hello "world" ✓');
    assert.equal(sent.requestId, request.requestId);
    assert.equal(sent.sender.userId, 'alice');
    assert.deepEqual(sent.sender.attributes, { displayName: 'Alice', tier: 'gold' });
    assert.deepEqual(sent.attributes, { k: 'v', emoji: '😀' });
    assert.ok(sent.sendTime instanceof Date && !Number.isNaN(sent.sendTime.getTime()));
    assert.ok(Math.abs(sent.sendTime.getTime() - Date.now()) < 5000);

    // The sender's message listener fires too ("including the current user").
    await waitFor(() => alice.messages.some((m) => m.id === sent.id), 2000, 'sender echo');
    const atBob = await waitFor(() => bob.messages.find((m) => m.id === sent.id), 2000, 'bob');
    assert.equal(atBob.content, sent.content);
    assert.equal(atBob.sender.userId, 'alice');
    assert.deepEqual(atBob.sender.attributes, { displayName: 'Alice', tier: 'gold' });
    assert.deepEqual(atBob.attributes, { k: 'v', emoji: '😀' });

    // The exact wire frame: key order, SendTime with sub-second precision (RFC3339Nano).
    const frame = await wire.next((f) => f.Type === 'MESSAGE' && f.Id === sent.id);
    assert.deepEqual(Object.keys(frame), ['Type', 'Id', 'RequestId', 'Attributes', 'Content', 'SendTime', 'Sender']);
    assert.deepEqual(Object.keys(frame.Sender), ['UserId', 'Attributes']);
    assert.match(frame.SendTime, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{1,9}Z$/);
    assert.ok(!Number.isNaN(Date.parse(frame.SendTime)));
    assert.deepEqual(frame.Sender, { UserId: 'alice', Attributes: { displayName: 'Alice', tier: 'gold' } });
    assert.deepEqual(frame.Attributes, { k: 'v', emoji: '😀' });
    assert.equal(frame.Content, 'hello "world" ✓');
  });

  test('a message without attributes has Attributes null; a token without attributes gives Sender.Attributes {}', async () => {
    const room = await createRoom(api);
    const wire = await raw(room.arn, 'plain', { capabilities: ['SEND_MESSAGE'] });
    const reply = await rawSend(wire, 'no attrs');
    assert.equal(reply.Type, 'MESSAGE');
    assert.equal(reply.Attributes, null);
    assert.deepEqual(reply.Sender, { UserId: 'plain', Attributes: {} });
    // A request without RequestId still gets an echo, with "RequestId":"".
    wire.send({ Action: 'SEND_MESSAGE', Content: 'anonymous request' });
    const echo = await wire.next((f) => f.Type === 'MESSAGE' && f.Content === 'anonymous request');
    assert.equal(echo.RequestId, '');
    assert.match(echo.Id, ID);
    assert.notEqual(echo.Id, reply.Id);
  });

  test('DELETE_MESSAGE: aws:DELETE_MESSAGE reaches every client and resolves deleteMessage()', async () => {
    const room = await createRoom(api);
    const alice = await sdk(room.arn, 'alice', { capabilities: ['SEND_MESSAGE'] });
    const bob = await sdk(room.arn, 'bob', { capabilities: [] });
    const mod = await sdk(room.arn, 'mod', { capabilities: ['DELETE_MESSAGE'] });
    const wire = await raw(room.arn, 'observer', { capabilities: [] });

    const sent = await alice.chat.sendMessage(new SendMessageRequest('delete me'));
    const request = new DeleteMessageRequest(sent.id, 'spam');
    const deleted = await mod.chat.deleteMessage(request);
    assert.equal(deleted.messageId, sent.id);
    assert.equal(deleted.reason, 'spam');
    assert.equal(deleted.requestId, request.requestId);
    assert.match(deleted.id, ID);
    assert.notEqual(deleted.id, sent.id, 'the event has its own Id (the SDK drops repeated Ids)');

    for (const [name, who] of [['alice', alice], ['bob', bob], ['mod', mod]]) {
      const e = await waitFor(() => who.deletes.find((d) => d.messageId === sent.id), 2000, `delete at ${name}`);
      assert.equal(e.reason, 'spam');
    }
    const frame = await wire.next((f) => f.Type === 'EVENT' && f.EventName === 'aws:DELETE_MESSAGE');
    assert.deepEqual(Object.keys(frame), ['Type', 'Id', 'RequestId', 'EventName', 'Attributes', 'SendTime']);
    assert.equal(frame.Attributes.MessageId, sent.id);
    assert.equal(frame.Attributes.MessageID, sent.id);
    assert.equal(frame.Attributes.Reason, 'spam');
    assert.equal(frame.Id, deleted.id);
  });

  test('DISCONNECT_USER closes every connection of the user with 1000 and the SDK does not reconnect', async () => {
    const room = await createRoom(api);
    const mallory = await sdk(room.arn, 'mallory', { capabilities: ['SEND_MESSAGE'] });
    const malloryRaw = await raw(room.arn, 'mallory', { capabilities: [] });
    const bob = await sdk(room.arn, 'bob', { capabilities: [] });
    const mod = await sdk(room.arn, 'mod', { capabilities: ['DISCONNECT_USER'] });

    const request = new DisconnectUserRequest('mallory', 'Kicked by moderator');
    const event = await mod.chat.disconnectUser(request);
    assert.equal(event.userId, 'mallory');
    assert.equal(event.reason, 'Kicked by moderator');
    assert.equal(event.requestId, request.requestId);

    const closed = await malloryRaw.closed;
    assert.equal(closed.code, 1000);
    // The target saw the event before its close frame.
    assert.ok(malloryRaw.jsonFrames().some((f) => f.EventName === 'aws:DISCONNECT_USER' && f.Attributes.UserId === 'mallory'));
    await waitFor(() => mallory.disconnects.length > 0, 3000, 'SDK disconnect');
    assert.deepEqual(mallory.disconnects, ['serverDisconnect']);

    const atBob = await waitFor(() => bob.userDisconnects.find((e) => e.userId === 'mallory'), 2000, 'userDisconnect at bob');
    assert.equal(atBob.reason, 'Kicked by moderator');
    // No automatic reconnect: no new token requested, still disconnected.
    await sleep(700);
    assert.equal(mallory.tokensIssued, 1);
    assert.equal(mallory.chat.state, 'disconnected');
    // Everybody else stays connected.
    assert.equal(bob.chat.state, 'connected');
    assert.equal(mod.chat.state, 'connected');
    assert.deepEqual(bob.disconnects, []);
  });

  for (const [action, call] of [
    ['SEND_MESSAGE', (chat) => chat.sendMessage(new SendMessageRequest('hi'))],
    ['DELETE_MESSAGE', (chat) => chat.deleteMessage(new DeleteMessageRequest('AAAAAAAAAAAA', 'x'))],
    ['DISCONNECT_USER', (chat) => chat.disconnectUser(new DisconnectUserRequest('someone', 'x'))],
  ]) {
    test(`${action} without the capability is refused with 403`, async () => {
      const room = await createRoom(api);
      const others = capabilitiesExcept(action);
      const user = await sdk(room.arn, 'limited', { capabilities: others });
      const watcher = await sdk(room.arn, 'watcher', { capabilities: [] });
      await assert.rejects(call(user.chat), (err) => {
        assert.equal(err.errorCode, 403);
        assert.equal(typeof err.errorMessage, 'string');
        assert.match(err.id, ID);
        return true;
      });
      // Nothing reached the room, and the connection is still usable.
      await sleep(150);
      assert.equal(watcher.messages.length + watcher.deletes.length + watcher.userDisconnects.length, 0);
      assert.equal(user.chat.state, 'connected');
    });
  }

  test('several connections of one userId all receive messages', async () => {
    const room = await createRoom(api);
    const carol1 = await sdk(room.arn, 'carol', { capabilities: ['SEND_MESSAGE'] });
    const carol2 = await sdk(room.arn, 'carol', { capabilities: [] });
    const carol3 = await raw(room.arn, 'carol', { capabilities: [] });
    const dave = await sdk(room.arn, 'dave', { capabilities: ['SEND_MESSAGE'] });
    const m1 = await dave.chat.sendMessage(new SendMessageRequest('to carol'));
    const m2 = await carol1.chat.sendMessage(new SendMessageRequest('from carol'));
    for (const c of [carol1, carol2]) {
      await waitFor(() => c.messages.some((m) => m.id === m1.id) && c.messages.some((m) => m.id === m2.id), 2000, 'both messages');
    }
    await carol3.next((f) => f.Id === m1.id);
    await carol3.next((f) => f.Id === m2.id);
  });

  test('a token is accepted once: a second connection with it is refused at the handshake', async () => {
    const room = await createRoom(api);
    const t = await mintToken(api, room.arn, 'once');
    const first = await rawConnect(parley.chatUrl, t.token);
    open.push(first);
    const err = await rawConnect(parley.chatUrl, t.token).then(() => null, (e) => e);
    assert.ok(err, 'second connection must fail');
    assert.ok(err.status >= 400 && err.status < 500, `HTTP 4xx expected, got ${err.status}`);
    // Still refused after the first connection is gone.
    first.close();
    await first.closed;
    const again = await rawConnect(parley.chatUrl, t.token).then(() => null, (e) => e);
    assert.ok(again && again.status >= 400 && again.status < 500);
  });

  test('a tampered token is refused', async () => {
    const room = await createRoom(api);
    const t = await mintToken(api, room.arn, 'tamper');
    for (const pos of [5, Math.floor(t.token.length / 2), t.token.length - 2]) {
      const c = t.token[pos];
      const flipped = t.token.slice(0, pos) + (c === 'A' ? 'B' : 'A') + t.token.slice(pos + 1);
      const err = await rawConnect(parley.chatUrl, flipped).then(() => null, (e) => e);
      assert.ok(err && err.status >= 400 && err.status < 500, `position ${pos}: HTTP 4xx expected, got ${err?.status}`);
    }
    // Garbage and truncated tokens too.
    for (const bad of ['x', t.token.slice(0, 20), `${t.token}A`]) {
      const err = await rawConnect(parley.chatUrl, bad).then(() => null, (e) => e);
      assert.ok(err && err.status >= 400 && err.status < 500, `token ${bad.slice(0, 10)}…: got ${err?.status}`);
    }
    // The untouched token still works (refusals did not consume it).
    const ok = await rawConnect(parley.chatUrl, t.token);
    open.push(ok);
  });

  test('a token for a deleted room is refused', async () => {
    const room = await createRoom(api);
    const t = await mintToken(api, room.arn, 'late');
    await api.send(new DeleteRoomCommand({ identifier: room.arn }));
    const err = await rawConnect(parley.chatUrl, t.token).then(() => null, (e) => e);
    assert.ok(err && err.status >= 400 && err.status < 500, `HTTP 4xx expected, got ${err?.status}`);
  });

  test('the SDK treats a refused handshake as a socket error: retries with new tokens, then gives up', async () => {
    const room = await createRoom(api);
    const used = await mintToken(api, room.arn, 'reuser');
    const first = await rawConnect(parley.chatUrl, used.token);
    open.push(first);
    let calls = 0;
    const chat = new ChatRoom({
      regionOrUrl: parley.chatUrl,
      tokenProvider: async () => {
        calls += 1;
        return { token: used.token, sessionExpirationTime: used.sessionExpirationTime, tokenExpirationTime: used.tokenExpirationTime };
      },
    });
    chat.logLevel = 'error';
    chat.logger = { debug() {}, info() {}, error() {} };
    const reason = await new Promise((resolve) => {
      chat.addListener('disconnect', resolve);
      chat.connect();
    });
    assert.equal(reason, 'socketError');
    assert.equal(calls, 4, '1 attempt + maxReconnectAttempts (3)');
  });

  test('SendEvent from the HTTP API reaches clients through the SDK event listener', async () => {
    const room = await createRoom(api);
    const a = await sdk(room.arn, 'a', { capabilities: [] });
    const b = await sdk(room.arn, 'b', { capabilities: [] });
    const wire = await raw(room.arn, 'observer', { capabilities: [] });
    const resp = await api.send(new SendEventCommand({
      roomIdentifier: room.arn, eventName: 'app:poll', attributes: { question: 'Tea or coffee?', n: '2' },
    }));
    assert.match(resp.id, ID);
    for (const c of [a, b]) {
      const e = await waitFor(() => c.events.find((x) => x.id === resp.id), 2000, 'event');
      assert.equal(e.eventName, 'app:poll');
      assert.deepEqual(e.attributes, { question: 'Tea or coffee?', n: '2' });
      assert.ok(e.sendTime instanceof Date);
    }
    const frame = await wire.next((f) => f.Id === resp.id);
    assert.equal(frame.Type, 'EVENT');
    assert.equal(frame.RequestId, '');
    assert.match(frame.SendTime, /\.\d{1,9}Z$/);

    // An event without attributes still parses in the SDK.
    const bare = await api.send(new SendEventCommand({ roomIdentifier: room.arn, eventName: 'app:ping' }));
    await waitFor(() => a.events.find((x) => x.id === bare.id), 2000, 'bare event');
  });

  test('DeleteMessage from the HTTP API acts on live connections', async () => {
    const room = await createRoom(api);
    const alice = await sdk(room.arn, 'alice', { capabilities: ['SEND_MESSAGE'] });
    const bob = await sdk(room.arn, 'bob', { capabilities: [] });
    const sent = await alice.chat.sendMessage(new SendMessageRequest('bad words'));
    const resp = await api.send(new DeleteMessageCommand({ roomIdentifier: room.arn, id: sent.id, reason: 'Deleted by moderator' }));
    assert.match(resp.id, ID);
    for (const c of [alice, bob]) {
      const d = await waitFor(() => c.deletes.find((x) => x.messageId === sent.id), 2000, 'messageDelete');
      assert.equal(d.id, resp.id);
      assert.equal(d.reason, 'Deleted by moderator');
    }
  });

  test('DisconnectUser from the HTTP API closes the user with 1000 and tells the others', async () => {
    const room = await createRoom(api);
    const target = await sdk(room.arn, 'troll', { capabilities: ['SEND_MESSAGE'] });
    const targetRaw = await raw(room.arn, 'troll', { capabilities: [] });
    const bob = await sdk(room.arn, 'bob', { capabilities: [] });
    await api.send(new DisconnectUserCommand({ roomIdentifier: room.arn, userId: 'troll', reason: 'Banned' }));
    assert.equal((await targetRaw.closed).code, 1000);
    await waitFor(() => target.disconnects.length > 0, 3000, 'SDK disconnect');
    assert.deepEqual(target.disconnects, ['serverDisconnect']);
    const e = await waitFor(() => bob.userDisconnects.find((x) => x.userId === 'troll'), 2000, 'userDisconnect');
    assert.equal(e.reason, 'Banned');
    await sleep(500);
    assert.equal(target.tokensIssued, 1, 'no reconnect after a kick');
    assert.equal(bob.chat.state, 'connected');
  });

  test('DeleteRoom disconnects everyone with 1000', async () => {
    const room = await createRoom(api);
    const a = await sdk(room.arn, 'a', { capabilities: ['SEND_MESSAGE'] });
    const b = await raw(room.arn, 'b', { capabilities: [] });
    const c = await raw(room.arn, 'c', { capabilities: ['SEND_MESSAGE'] });
    // A bystander in another room is not affected.
    const other = await createRoom(api);
    const bystander = await raw(other.arn, 'd', { capabilities: ['SEND_MESSAGE'] });

    await api.send(new DeleteRoomCommand({ identifier: room.arn }));
    assert.equal((await b.closed).code, 1000);
    assert.equal((await c.closed).code, 1000);
    await waitFor(() => a.disconnects.length > 0, 3000, 'SDK disconnect');
    assert.deepEqual(a.disconnects, ['serverDisconnect']);
    await sleep(300);
    assert.equal(a.tokensIssued, 1);
    const reply = await rawSend(bystander, 'still here');
    assert.equal(reply.Type, 'MESSAGE');
  });

  test('no SDK client in this file dropped a frame it could not parse', () => {
    const sdkClients = open.filter((c) => c.sdkErrors);
    assert.ok(sdkClients.length > 10);
    for (const c of sdkClients) {
      const bad = c.sdkErrors.filter((e) => /fail|unknown entity|already received/i.test(e));
      assert.deepEqual(bad, []);
    }
  });
});

function capabilitiesExcept(action) {
  return ['SEND_MESSAGE', 'DELETE_MESSAGE', 'DISCONNECT_USER'].filter((c) => c !== action);
}
