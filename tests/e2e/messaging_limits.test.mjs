// Messaging limits (spec §1.8, §1.10): the room's maximumMessageRatePerSecond shared by all its
// clients, the fixed 10 requests/s per connection, content length in code points, and room
// updates that take effect on live connections.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { UpdateRoomCommand } from '@aws-sdk/client-ivschat';
import { SendMessageRequest } from 'amazon-ivs-chat-messaging';
import { startParley } from './lib/parley.mjs';
import { createRoom, sdkRoom, rawClient, rawSend, sleep, stopCleanly } from './lib/chat_clients.mjs';

const ID = /^[A-Za-z0-9]{12}$/;

// Fires `n` SEND_MESSAGEs back to back and collects the replies.
async function burst(client, n, prefix) {
  const replies = [];
  for (let i = 0; i < n; i += 1) replies.push(rawSend(client, `${prefix}-${i}`));
  return Promise.all(replies);
}
const accepted = (replies) => replies.filter((r) => r.Type === 'MESSAGE');
const limited = (replies) => replies.filter((r) => r.Type === 'ERROR' && r.ErrorCode === 429);

describe('messaging limits', () => {
  let parley;
  let api;
  const open = [];

  before(async () => {
    parley = await startParley();
    api = parley.client();
  });
  after(async () => {
    for (const c of open) c.close();
    api?.destroy();
    if (parley) await stopCleanly(parley);
  });

  async function raw(roomArn, userId, capabilities = ['SEND_MESSAGE']) {
    const c = await rawClient(parley, api, roomArn, userId, { capabilities });
    open.push(c);
    return c;
  }
  async function sdk(roomArn, userId, capabilities = ['SEND_MESSAGE']) {
    const r = sdkRoom(parley, api, roomArn, userId, { capabilities });
    open.push(r);
    return r.connect();
  }

  test('room rate limit: maximumMessageRatePerSecond 2 refuses the excess with 429, then refills', async () => {
    const room = await createRoom(api, { maximumMessageRatePerSecond: 2 });
    const a = await raw(room.arn, 'a');
    const replies = await burst(a, 6, 'quick');
    assert.ok(accepted(replies).length >= 2, `at least 2 accepted, got ${accepted(replies).length}`);
    assert.ok(accepted(replies).length <= 3, `at most 3 accepted, got ${accepted(replies).length}`);
    assert.equal(accepted(replies).length + limited(replies).length, 6);
    const err = limited(replies)[0];
    assert.ok(err, 'some requests are refused');
    assert.equal(typeof err.ErrorCode, 'number');
    assert.match(err.Id, ID);
    assert.match(err.RequestId, /^rq-/);
    assert.equal(typeof err.ErrorMessage, 'string');

    await sleep(1100);
    const later = await burst(a, 2, 'later');
    assert.equal(accepted(later).length, 2, 'the bucket refilled after a second');
  });

  test('room rate limit counts all clients of the room together', async () => {
    const room = await createRoom(api, { maximumMessageRatePerSecond: 2 });
    const a = await raw(room.arn, 'a');
    const b = await raw(room.arn, 'b');
    const first = await burst(a, 2, 'a');
    assert.equal(accepted(first).length, 2);
    const fromB = await rawSend(b, 'b-0');
    assert.equal(fromB.Type, 'ERROR');
    assert.equal(fromB.ErrorCode, 429);
    // Another room is not affected.
    const other = await createRoom(api, { maximumMessageRatePerSecond: 2 });
    const c = await raw(other.arn, 'c');
    assert.equal((await rawSend(c, 'c-0')).Type, 'MESSAGE');
  });

  test('per-connection limit: more than 10 requests per second on one connection get 429', async () => {
    const room = await createRoom(api, { maximumMessageRatePerSecond: 100 });
    const a = await raw(room.arn, 'a');
    const b = await raw(room.arn, 'b');
    const replies = await burst(a, 16, 'fast');
    const ok = accepted(replies).length;
    assert.ok(ok >= 10 && ok <= 12, `about 10 accepted, got ${ok}`);
    assert.ok(limited(replies).length >= 4, 'the rest refused with 429');
    // The limit is per connection: another client in the room still gets its 10.
    const fromB = await burst(b, 10, 'b');
    assert.equal(accepted(fromB).length, 10);
  });

  test('content length is counted in code points: 5 emoji (20 bytes) fit maximumMessageLength 5', async () => {
    const room = await createRoom(api, { maximumMessageLength: 5 });
    const user = await sdk(room.arn, 'emoji');
    const five = '😀😀😀😀😀';
    assert.equal(Buffer.byteLength(five), 20);
    const m = await user.chat.sendMessage(new SendMessageRequest(five));
    assert.equal(m.content, five);
    await assert.rejects(user.chat.sendMessage(new SendMessageRequest('😀😀😀😀😀😀')), (e) => e.errorCode === 400);
    assert.equal((await user.chat.sendMessage(new SendMessageRequest('abcde'))).content, 'abcde');
    await assert.rejects(user.chat.sendMessage(new SendMessageRequest('abcdef')), (e) => e.errorCode === 400);
    // "é" as e + combining accent is two code points.
    assert.ok(await user.chat.sendMessage(new SendMessageRequest('cafe\u0301')));
    await assert.rejects(user.chat.sendMessage(new SendMessageRequest('cafe\u0301s')), (e) => e.errorCode === 400);
  });

  test('default maximumMessageLength is 500 code points', async () => {
    const room = await createRoom(api);
    const user = await sdk(room.arn, 'long');
    const m = await user.chat.sendMessage(new SendMessageRequest('ü'.repeat(500)));
    assert.equal([...m.content].length, 500);
    await assert.rejects(user.chat.sendMessage(new SendMessageRequest('x'.repeat(501))), (e) => e.errorCode === 400);
  });

  test('UpdateRoom lowering maximumMessageLength applies at once to a live connection', async () => {
    const room = await createRoom(api);
    const user = await sdk(room.arn, 'live');
    await user.chat.sendMessage(new SendMessageRequest('hello world'));
    await api.send(new UpdateRoomCommand({ identifier: room.arn, maximumMessageLength: 5 }));
    await assert.rejects(user.chat.sendMessage(new SendMessageRequest('hello world')), (e) => e.errorCode === 400);
    assert.equal((await user.chat.sendMessage(new SendMessageRequest('hello'))).content, 'hello');
    await api.send(new UpdateRoomCommand({ identifier: room.arn, maximumMessageLength: 500 }));
    assert.ok(await user.chat.sendMessage(new SendMessageRequest('hello world')));
  });

  test('UpdateRoom lowering maximumMessageRatePerSecond applies at once to a live connection', async () => {
    const room = await createRoom(api, { maximumMessageRatePerSecond: 10 });
    const a = await raw(room.arn, 'a');
    assert.equal((await rawSend(a, 'warm-up')).Type, 'MESSAGE');  // the room bucket now exists, 9 left
    await api.send(new UpdateRoomCommand({ identifier: room.arn, maximumMessageRatePerSecond: 1 }));
    const replies = await burst(a, 4, 'after');
    assert.ok(accepted(replies).length <= 1, `at most 1 accepted, got ${accepted(replies).length}`);
    assert.ok(limited(replies).length >= 3);
  });
});
