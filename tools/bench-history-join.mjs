#!/usr/bin/env node
// Join rate with and without ?history=N (docs/performance.md): starts parleyd on a fresh data
// directory, fills a room's history with N messages, then opens CONNECTIONS chat connections
// (CONCURRENCY at a time, raw `ws` clients) twice, plain and with ?history=N, and reports
// connections/s. A join with history counts as done once its N backfilled frames arrived.
//   node tools/bench-history-join.mjs [PARLEYD] [CONNECTIONS] [N] [CONCURRENCY] [ROUNDS]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startParley } from '../tests/e2e/lib/parley.mjs';
import { createRoom, mintToken, rawClient, rawConnect, sleep } from '../tests/e2e/lib/chat_clients.mjs';

const [, , parleyd, total = '2000', n = '100', concurrency = '64', rounds = '3'] = process.argv;
if (parleyd) process.env.PARLEYD = parleyd;
const CONNECTIONS = Number(total);
const N = Number(n);
const CONCURRENCY = Number(concurrency);

const dataDir = mkdtempSync(join(tmpdir(), 'parley-bench-history-'));
const parley = await startParley({ dataDir, args: ['--max-connections', '60000'] });
const api = parley.client();
try {
  const room = await createRoom(api, { maximumMessageRatePerSecond: 100 });
  const senders = await Promise.all(Array.from({ length: 10 }, (_, i) => rawClient(parley, api, room.arn, `s${i}`)));
  for (let k = 0; k < Math.ceil(N / 10); k += 1) {
    senders.forEach((s, i) => s.send({ Action: 'SEND_MESSAGE', Content: `history message ${k}-${i} `.padEnd(100, '.') }));
    await sleep(1100);
  }
  senders.forEach((s) => s.close());

  async function run(query, expectFrames) {
    const tokens = await Promise.all(Array.from({ length: CONNECTIONS }, (_, i) => mintToken(api, room.arn, `j${i}`, { capabilities: [] })));
    const clients = [];
    let next = 0;
    const started = process.hrtime.bigint();
    async function worker() {
      while (next < tokens.length) {
        const t = tokens[next++];
        const c = await rawConnect(`${parley.chatUrl}/${query}`, t.token);
        if (expectFrames) await c.next(() => c.frames.length >= expectFrames, 10000, 'backfill');
        clients.push(c);
      }
    }
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const frames = clients.reduce((sum, c) => sum + c.frames.length, 0);
    for (const c of clients) c.close();
    await sleep(1000);
    return { rate: CONNECTIONS / seconds, frames };
  }

  for (let r = 0; r < Number(rounds); r += 1) {
    const plain = await run('', 0);
    const withHistory = await run(`?history=${N}`, N);
    console.log(`round ${r + 1}: without history ${plain.rate.toFixed(0)} connections/s (${plain.frames} frames); ` +
      `with ?history=${N} ${withHistory.rate.toFixed(0)} connections/s (${withHistory.frames} frames)`);
  }
} finally {
  api.destroy();
  await parley.stop();
  rmSync(dataDir, { recursive: true, force: true });
}
