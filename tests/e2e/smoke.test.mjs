import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CreateRoomCommand, CreateChatTokenCommand } from '@aws-sdk/client-ivschat';
import { ChatRoom, SendMessageRequest } from 'amazon-ivs-chat-messaging';
import { startParley } from './lib/parley.mjs';

test('a message goes round trip through the official SDKs', async (t) => {
  const parley = await startParley();
  t.after(() => parley.stop());
  const api = parley.client();
  const room = await api.send(new CreateRoomCommand({ name: 'smoke' }));
  const chat = new ChatRoom({
    regionOrUrl: parley.chatUrl,
    tokenProvider: async () => {
      const t = await api.send(new CreateChatTokenCommand({
        roomIdentifier: room.arn, userId: 'alice', capabilities: ['SEND_MESSAGE'],
        attributes: { displayName: 'Alice' },
      }));
      return { token: t.token, sessionExpirationTime: t.sessionExpirationTime, tokenExpirationTime: t.tokenExpirationTime };
    },
  });
  const connected = new Promise((r) => chat.addListener('connect', r));
  chat.connect();
  await connected;
  const received = new Promise((r) => chat.addListener('message', r));
  const sent = await chat.sendMessage(new SendMessageRequest('hello', { k: 'v' }));
  const msg = await received;
  assert.equal(msg.content, 'hello');
  assert.equal(sent.id, msg.id);
  assert.equal(msg.sender.userId, 'alice');
  assert.deepEqual(msg.sender.attributes, { displayName: 'Alice' });
  assert.deepEqual(msg.attributes, { k: 'v' });
  chat.disconnect();
});
