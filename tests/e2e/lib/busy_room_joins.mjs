// The no-gap/no-duplicate proof of ?history=N backfill (docs/extensions.md), for one node and
// for a cluster alike: senders fill the room's rate while official-SDK clients join, then each
// joiner must have received exactly the room's tail, in the observer's order.
import assert from 'node:assert/strict';
import { sleep } from './chat_clients.mjs';

// Every sender sends at just under the per-connection quota (10/s) until the joins are done;
// join(j) starts joiner j and resolves with its connected room. Resolves with the joiners.
export async function joinWhileRoomIsBusy({ senders, join, joiners = 12, settleMs = 1000 }) {
  let sending = true;
  const loops = senders.map(async (s, i) => {
    let n = 0;
    while (sending) {
      s.send({ Action: 'SEND_MESSAGE', RequestId: `s${i}-${n}`, Content: `s${i}-${n}` });
      n += 1;
      await sleep(105);
    }
  });
  await sleep(400);
  const pending = [];
  for (let j = 0; j < joiners; j += 1) {
    pending.push(join(j));
    await sleep(150);
  }
  const joined = await Promise.all(pending);
  await sleep(500);
  sending = false;
  await Promise.all(loops);
  await sleep(settleMs);  // the last deliveries
  return joined;
}

// `all`: every MESSAGE id in the order a member saw them; `joined`: SDK rooms that asked for a
// backfill of `n`. Each one's messages must be a suffix of `all`: no gap, no duplicate, same order.
export function assertBackfillThenLive(all, joined, n) {
  assert.ok(all.length >= 100, `the room was busy (${all.length} messages)`);
  assert.equal(new Set(all).size, all.length);
  for (const r of joined) {
    const got = r.messages.map((m) => m.id);
    assert.equal(new Set(got).size, got.length, `no duplicate at ${r.chat}`);
    assert.ok(got.length >= n, `backfill of ${n} then live (${got.length})`);
    const start = all.indexOf(got[0]);
    assert.ok(start >= 0, 'the first backfilled message is one of the room\'s');
    assert.deepEqual(got, all.slice(start), 'backfill + live is exactly the room\'s tail: no gap, no duplicate, same order');
  }
}
