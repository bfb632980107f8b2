// Cluster mode: several parleyd nodes on one PostgreSQL database are one IVS Chat service. A
// write acknowledged by node A is what node B serves right after (reads go to the database,
// the room cache follows LISTEN/NOTIFY and reads through on a miss), tokens sealed by any node
// open on every node, and a deleted room is refused everywhere. Always runs on PostgreSQL.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  CreateChatTokenCommand,
  CreateLoggingConfigurationCommand,
  CreateRoomCommand,
  DeleteLoggingConfigurationCommand,
  DeleteRoomCommand,
  GetLoggingConfigurationCommand,
  GetRoomCommand,
  ListRoomsCommand,
  ListTagsForResourceCommand,
  TagResourceCommand,
  UpdateLoggingConfigurationCommand,
  UpdateRoomCommand,
  ConflictException,
  ResourceNotFoundException,
} from '@aws-sdk/client-ivschat';
import { startParley, waitFor } from './lib/parley.mjs';
import { database, postgresAvailable, sharedCluster } from './lib/postgres.mjs';
import { mintToken, rawConnect, rawSend } from './lib/chat_clients.mjs';

const skip = postgresAvailable() ? false : 'PostgreSQL 15 is not installed';
let a, b, apiA, apiB;

before(async () => {
  if (skip) return;
  const store = database(sharedCluster());
  a = await startParley({ store, logLevel: 'info' });
  b = await startParley({ store });
  apiA = a.client();
  apiB = b.client();
});
after(async () => {
  await a?.stop();
  await b?.stop();
});

test('a room created or updated on A is served by B at once: GetRoom, ListRooms, tokens, chat', { skip }, async () => {
  const room = await apiA.send(new CreateRoomCommand({ name: 'made-on-a', tags: { k: 'v' } }));
  // No waiting anywhere: each call is issued right after the previous answer.
  const got = await apiB.send(new GetRoomCommand({ identifier: room.arn }));
  assert.equal(got.name, 'made-on-a');
  assert.deepEqual(got.tags, { k: 'v' });
  const listed = await apiB.send(new ListRoomsCommand({}));
  assert.ok(listed.rooms.some((r) => r.arn === room.arn));
  const token = await mintToken(apiB, room.arn, 'bob');
  const client = await rawConnect(b.chatUrl, token.token);
  const echo = await rawSend(client, 'hello from B');
  assert.equal(echo.Type, 'MESSAGE');

  await apiA.send(new UpdateRoomCommand({ identifier: room.arn, name: 'renamed-on-a', maximumMessageLength: 10 }));
  const updated = await apiB.send(new GetRoomCommand({ identifier: room.arn }));
  assert.equal(updated.name, 'renamed-on-a');
  assert.equal(updated.maximumMessageLength, 10);
  assert.equal((await apiB.send(new ListRoomsCommand({}))).rooms.find((r) => r.arn === room.arn).name, 'renamed-on-a');
  // Live sessions on B read limits from B's cache, which follows the notification (< 100 ms).
  await waitFor(async () => (await rawSend(client, 'x'.repeat(11))).Type === 'ERROR', 100, 'the new limit on B');
  client.close();

  await apiA.send(new TagResourceCommand({ resourceArn: room.arn, tags: { more: 'tags' } }));
  assert.deepEqual((await apiB.send(new ListTagsForResourceCommand({ resourceArn: room.arn }))).tags, { k: 'v', more: 'tags' });
});

test('the store URL is logged without its password', { skip }, async () => {
  const password = new URL(sharedCluster().url).password;
  assert.match(a.log, /store: PostgreSQL postgresql:\/\/parley@127\.0\.0\.1:\d+\//);
  assert.ok(password && !a.log.includes(password), 'the password appears in the log');
});

test('a nextToken from one node pages on to the next on the other', { skip }, async () => {
  for (let i = 0; i < 5; i++) await apiA.send(new CreateRoomCommand({ name: 'paged' }));
  const all = [];
  let nextToken;
  for (let page = 0; ; page++) {
    const api = page % 2 ? apiB : apiA;  // as a load balancer might alternate
    const r = await api.send(new ListRoomsCommand({ name: 'paged', maxResults: 2, nextToken }));
    all.push(...r.rooms.map((x) => x.arn));
    nextToken = r.nextToken;
    if (!nextToken) break;
  }
  assert.equal(all.length, 5);
  assert.equal(new Set(all).size, 5);
});

test('a token sealed by one node opens on the other', { skip }, async () => {
  const room = await apiB.send(new CreateRoomCommand({}));
  const onA = await mintToken(apiA, room.arn, 'alice');
  const client = await rawConnect(b.chatUrl, onA.token);
  assert.equal((await rawSend(client, 'sealed on A, opened on B')).Type, 'MESSAGE');
  client.close();
  const onB = await mintToken(apiB, room.arn, 'carol');
  const back = await rawConnect(a.chatUrl, onB.token);
  assert.equal((await rawSend(back, 'and back')).Type, 'MESSAGE');
  back.close();
});

test('DeleteRoom on A: B refuses new tokens and connections and closes live ones', { skip }, async () => {
  const room = await apiA.send(new CreateRoomCommand({}));
  const live = await rawConnect(b.chatUrl, (await mintToken(apiB, room.arn, 'dave')).token);
  const spare = await mintToken(apiB, room.arn, 'erin');
  await apiA.send(new DeleteRoomCommand({ identifier: room.arn }));
  await assert.rejects(apiB.send(new GetRoomCommand({ identifier: room.arn })), ResourceNotFoundException);
  const started = Date.now();
  await waitFor(async () => {
    try {
      await apiB.send(new CreateChatTokenCommand({ roomIdentifier: room.arn, userId: 'late' }));
      return false;
    } catch (e) {
      return e instanceof ResourceNotFoundException;
    }
  }, 100, 'B to refuse tokens');
  await assert.rejects(rawConnect(b.chatUrl, spare.token), (e) => e.status === 404);
  const closed = await live.closed;
  assert.equal(closed.code, 1000);
  assert.ok(Date.now() - started < 1000);
});

test('logging configurations: created on A, seen on B; in use on A cannot be deleted on B', { skip }, async () => {
  const lc = await apiA.send(new CreateLoggingConfigurationCommand({
    destinationConfiguration: { s3: { bucketName: 'cluster-bucket' } },
  }));
  const got = await apiB.send(new GetLoggingConfigurationCommand({ identifier: lc.arn }));
  assert.equal(got.arn, lc.arn);
  const room = await apiA.send(new CreateRoomCommand({ loggingConfigurationIdentifiers: [lc.arn] }));
  await assert.rejects(apiB.send(new DeleteLoggingConfigurationCommand({ identifier: lc.arn })), ConflictException);
  await apiB.send(new DeleteRoomCommand({ identifier: room.arn }));
  await apiB.send(new DeleteLoggingConfigurationCommand({ identifier: lc.arn }));
  await assert.rejects(apiA.send(new GetLoggingConfigurationCommand({ identifier: lc.arn })), ResourceNotFoundException);
});

test('chat logging on B follows logging configurations created and changed on A', { skip }, async () => {
  const lc = await apiA.send(new CreateLoggingConfigurationCommand({
    destinationConfiguration: { firehose: { deliveryStreamName: 'cluster-stream' } },
  }));
  const room = await apiA.send(new CreateRoomCommand({ loggingConfigurationIdentifiers: [lc.arn] }));
  const client = await rawConnect(b.chatUrl, (await mintToken(apiB, room.arn, 'logger')).token);
  const contains = (stream, text) => {
    const file = join(b.dataDir, 'chatlogs', 'firehose', `${stream}.log`);
    return existsSync(file) && readFileSync(file, 'utf8').includes(text);
  };
  assert.equal((await rawSend(client, 'logged via B')).Type, 'MESSAGE');
  await waitFor(() => contains('cluster-stream', 'logged via B'), 5000, 'the record on B');
  await apiA.send(new UpdateLoggingConfigurationCommand({
    identifier: lc.arn, destinationConfiguration: { firehose: { deliveryStreamName: 'cluster-stream-2' } },
  }));
  // The new destination reaches B with the notification.
  await waitFor(async () => {
    await rawSend(client, 'after the move');
    return contains('cluster-stream-2', 'after the move');
  }, 5000, 'the record in the new stream on B');
  client.close();
  await apiA.send(new DeleteRoomCommand({ identifier: room.arn }));
  await apiA.send(new DeleteLoggingConfigurationCommand({ identifier: lc.arn }));
});
