// Presence (docs/extensions.md): GetRoomPresence counts and pages, parley:USER_JOINED /
// parley:USER_LEFT events for ?presence=1 clients only (official SDK), coalescing under a storm.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startParley, waitFor } from './lib/parley.mjs';
import { createRoom, mintToken, sdkRoom, rawConnect, sleep, stopCleanly } from './lib/chat_clients.mjs';
import { callExtension } from './lib/extensions.mjs';

async function rawJoin(parley, api, roomArn, userId, query = '', attributes) {
  const t = await mintToken(api, roomArn, userId, { attributes });
  const c = await rawConnect(`${parley.chatUrl}/${query}`, t.token);
  c.userId = userId;
  return c;
}

const presenceEvents = (rec) => rec.events.filter((e) => e.eventName.startsWith('parley:'));

describe('room presence', () => {
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

  test('counts connections and users; several connections of one user are one user; events only for ?presence=1', async () => {
    const room = await createRoom(api);
    const watcher = sdkRoom({ chatUrl: `${parley.chatUrl}/?presence=1` }, api, room.arn, 'watcher', { capabilities: [] });
    const quiet = sdkRoom(parley, api, room.arn, 'quiet', { capabilities: [] });
    open.push(watcher, quiet);
    await watcher.connect();
    await quiet.connect();
    await sleep(1200);  // the watchers' own arrival has been announced
    watcher.events.length = 0;

    const alice1 = await rawJoin(parley, api, room.arn, 'alice', '', { displayName: 'Alice' });
    const alice2 = await rawJoin(parley, api, room.arn, 'alice', '', { displayName: 'Alice' });
    const bob = await rawJoin(parley, api, room.arn, 'bob');
    open.push(alice1, alice2, bob);

    const p = await callExtension(parley, 'GetRoomPresence', { roomIdentifier: room.arn });
    assert.equal(p.status, 200, JSON.stringify(p.body));
    assert.equal(p.body.connectionCount, 5);
    assert.equal(p.body.userCount, 4);
    assert.deepEqual(p.body.users.map((u) => u.userId), ['alice', 'bob', 'quiet', 'watcher']);
    const alice = p.body.users[0];
    assert.equal(alice.connectionCount, 2);
    assert.deepEqual(alice.attributes, { displayName: 'Alice' });
    assert.ok(Math.abs(Date.parse(alice.connectedSince) - Date.now()) < 10000);

    // One USER_JOINED per user, whatever its number of connections, as an ordinary SDK event.
    await waitFor(() => presenceEvents(watcher).length >= 2, 3000, 'join events');
    await sleep(1200);
    const joined = presenceEvents(watcher);
    assert.deepEqual(joined.map((e) => [e.eventName, e.attributes.UserId]).sort(),
      [['parley:USER_JOINED', 'alice'], ['parley:USER_JOINED', 'bob']]);

    // The first of alice's connections closing is no news; the last is.
    alice1.close();
    await alice1.closed;
    await sleep(1200);
    assert.equal(presenceEvents(watcher).length, 2);
    const mid = await callExtension(parley, 'GetRoomPresence', { roomIdentifier: room.arn });
    assert.equal(mid.body.connectionCount, 4);
    assert.equal(mid.body.users.find((u) => u.userId === 'alice').connectionCount, 1);
    alice2.close();
    await waitFor(() => presenceEvents(watcher).some((e) => e.eventName === 'parley:USER_LEFT'), 3000, 'leave event');
    assert.deepEqual(presenceEvents(watcher).at(-1).attributes, { UserId: 'alice' });
    const after2 = await callExtension(parley, 'GetRoomPresence', { roomIdentifier: room.arn });
    assert.equal(after2.body.userCount, 3);

    assert.deepEqual(presenceEvents(quiet), [], 'a client that did not ask gets no presence events (IVS behaviour)');
  });

  test('GetRoomPresence pages the user list and validates like the IVS operations', async () => {
    const room = await createRoom(api);
    for (const u of ['u1', 'u2', 'u3', 'u4', 'u5']) open.push(await rawJoin(parley, api, room.arn, u));
    const seen = [];
    let nextToken;
    do {
      const r = await callExtension(parley, 'GetRoomPresence', { roomIdentifier: room.arn, maxResults: 2, nextToken });
      assert.equal(r.status, 200);
      assert.equal(r.body.userCount, 5);
      assert.ok(r.body.users.length <= 2);
      seen.push(...r.body.users.map((u) => u.userId));
      nextToken = r.body.nextToken;
    } while (nextToken);
    assert.deepEqual(seen, ['u1', 'u2', 'u3', 'u4', 'u5']);

    for (const [body, field] of [[{ roomIdentifier: room.arn, maxResults: 0 }, 'maxResults'], [{}, 'roomIdentifier']]) {
      const r = await callExtension(parley, 'GetRoomPresence', body);
      assert.equal(r.status, 400);
      assert.equal(r.headers.get('x-amzn-errortype')?.split(':')[0], 'ValidationException');
      assert.ok(r.body.fieldList.some((f) => f.name === field));
    }
    const missing = await callExtension(parley, 'GetRoomPresence', { roomIdentifier: room.arn.replace(/room\/.*/, 'room/AAAAAAAAAAAA') });
    assert.equal(missing.status, 404);
    const empty = await callExtension(parley, 'GetRoomPresence', { roomIdentifier: (await createRoom(api)).arn });
    assert.deepEqual(empty.body, { connectionCount: 0, userCount: 0, users: [] });
  });

  test('a join storm is coalesced into a summary rather than one event per user', async () => {
    const room = await createRoom(api);
    const watcher = await rawJoin(parley, api, room.arn, 'watcher', '?presence=1');
    open.push(watcher);
    await sleep(1200);
    const before = watcher.frames.length;
    const tokens = await Promise.all(Array.from({ length: 60 }, (_, i) => mintToken(api, room.arn, `storm${i}`)));
    const clients = await Promise.all(tokens.map((t) => rawConnect(parley.chatUrl, t.token)));
    open.push(...clients);
    await sleep(2500);
    const events = watcher.jsonFrames().slice(before).filter((f) => f.Type === 'EVENT');
    const summaries = events.filter((e) => e.EventName === 'parley:PRESENCE_SUMMARY');
    assert.ok(summaries.length >= 1, `a summary came (${events.map((e) => e.EventName).join(',')})`);
    assert.ok(events.length < 60, `fewer frames than users (${events.length})`);
    const announced = summaries.reduce((n, e) => n + Number(e.Attributes.Joined), 0) +
      events.filter((e) => e.EventName === 'parley:USER_JOINED').length;
    assert.equal(announced, 60, 'every arrival is accounted for');
    assert.equal(summaries.at(-1).Attributes.UserCount, '61');
  });
});
