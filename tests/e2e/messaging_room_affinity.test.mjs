// --room-affinity (docs/design.md, "Rooms gather on one loop"): with several event loops, a
// connection moves to its room's loop after its handshake, so one loop fans out the room's
// messages. Whatever loop a member ends on, every member gets every message of its room, in the
// order sent, none of another room's; past the limit members spread; with 0 nothing moves.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startParley } from './lib/parley.mjs';
import { createRoom, metrics, rawClient, rawSend, stopCleanly } from './lib/chat_clients.mjs';

// Opens `n` members of a new room, alternating with the other rooms' opens by the caller.
async function openMembers(parley, api, roomArn, tag, n) {
  const clients = [];
  for (let i = 0; i < n; i++) {
    clients.push(await rawClient(parley, api, roomArn, `${tag}-${i}`, { capabilities: ['SEND_MESSAGE'] }));
  }
  return clients;
}

// Two senders take turns; every member must see exactly its room's messages, in that order.
async function checkRoom(clients, tag) {
  const sent = [];
  for (let i = 0; i < 6; i++) {
    const m = await rawSend(clients[i % 2 === 0 ? 0 : clients.length - 1], `${tag} ${i}`);
    assert.equal(m.Type, 'MESSAGE', JSON.stringify(m));
    sent.push(m.Id);
  }
  for (const c of clients) {
    await c.next((f) => f.Id === sent.at(-1), 5000, `${tag}'s last message at ${c.userId}`);
    const got = c.frames.filter((f) => f.json?.Type === 'MESSAGE').map((f) => f.json.Id);
    assert.deepEqual(got, sent, `${c.userId} got its room's messages in order, and no other room's`);
  }
}

async function closeAll(clients) {
  clients.forEach((c) => c.close());
  await Promise.all(clients.map((c) => c.closed));
}

describe('room affinity across event loops (--threads 2)', () => {
  for (const [affinity, label] of [['1000', 'default limit'], ['3', 'a limit of 3 (rooms spill over)'], ['0', 'off']]) {
    test(`members of interleaved rooms get their room's messages in order: ${label}`, async () => {
      const parley = await startParley({ args: ['--threads', '2', '--room-affinity', affinity] });
      const api = parley.client();
      try {
        const rooms = await Promise.all([0, 1, 2].map(() => createRoom(api, { maximumMessageRatePerSecond: 100 })));
        // Opened in turns, so the listener's round robin puts each room's members on both loops.
        const members = [[], [], []];
        for (let i = 0; i < 8; i++) {
          for (let r = 0; r < 3; r++) members[r].push(...await openMembers(parley, api, rooms[r].arn, `r${r}-${i}`, 1));
        }
        const moved = (await metrics(parley)).parley_chat_connections_moved_total;
        if (affinity === '0') assert.equal(moved, 0, 'nothing moves with --room-affinity 0');
        else assert.ok(moved >= 6 && moved <= 24, `some of the 24 members moved to their room's loop (${moved})`);
        for (let r = 0; r < 3; r++) await checkRoom(members[r], `room ${r}`);
        await Promise.all(members.map(closeAll));
      } finally {
        api.destroy();
        await stopCleanly(parley);
      }
    });
  }

  test('a member leaving and the room emptying frees its home: the next members gather again', async () => {
    const parley = await startParley({ args: ['--threads', '2'] });
    const api = parley.client();
    try {
      const room = await createRoom(api, { maximumMessageRatePerSecond: 100 });
      for (let round = 0; round < 3; round++) {
        const clients = await openMembers(parley, api, room.arn, `round${round}`, 6);
        await checkRoom(clients, `round ${round}`);
        await closeAll(clients);
      }
      assert.equal((await fetch(`${parley.apiUrl}/healthz`)).status, 200);
    } finally {
      api.destroy();
      await stopCleanly(parley);
    }
  });
});
