// The messaging edge under churn and misbehaving peers: abrupt disconnects, thousands of
// connect/disconnect cycles, and a reader that stops reading while the room is flooded (the
// bounded send queue must cut it off instead of letting memory grow).
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { randomBytes } from 'node:crypto';
import { SendEventCommand } from '@aws-sdk/client-ivschat';
import { startParley, waitFor } from './lib/parley.mjs';
import {
  createRoom, mintToken, metrics, rawClient, rawConnect, rawSend, rssKiB, stopCleanly,
} from './lib/chat_clients.mjs';

describe('messaging edge under churn', () => {
  let parley;
  let api;
  before(async () => {
    parley = await startParley();
    api = parley.client();
  });
  after(async () => {
    api?.destroy();
    if (parley) await stopCleanly(parley);
  });

  test('an abrupt disconnect (socket destroyed) mid-room does not disturb the others', async () => {
    const room = await createRoom(api);
    const a = await rawClient(parley, api, room.arn, 'a', { capabilities: ['SEND_MESSAGE'] });
    const b = await rawClient(parley, api, room.arn, 'b', { capabilities: ['SEND_MESSAGE'] });
    const victim = await rawClient(parley, api, room.arn, 'victim', { capabilities: ['SEND_MESSAGE'] });
    const before = (await metrics(parley)).parley_chat_connections;
    // Half a frame, then the TCP connection vanishes without a Close frame.
    victim.ws._socket.write(Buffer.from([0x81, 0xfe, 0x00]));
    victim.ws._socket.destroy();
    await waitFor(async () => (await metrics(parley)).parley_chat_connections === before - 1, 3000, 'server noticed');
    const m = await rawSend(a, 'after the crash');
    assert.equal(m.Type, 'MESSAGE');
    await b.next((f) => f.Id === m.Id);
    assert.equal((await rawSend(b, 'reply')).Type, 'MESSAGE');
    assert.equal(a.closeInfo, null);
    assert.equal(b.closeInfo, null);
    a.close();
    b.close();
    await Promise.all([a.closed, b.closed]);
  });

  test('2,000 connects and disconnects in batches of 100 leave the server healthy', async () => {
    const room = await createRoom(api, { maximumMessageRatePerSecond: 100 });
    const start = await metrics(parley);
    const total = 2000;
    const batch = 100;
    let opened = 0;
    for (let i = 0; i < total; i += batch) {
      const tokens = await Promise.all(Array.from({ length: batch }, (_, j) => mintToken(api, room.arn, `churn-${i + j}`, { capabilities: [] })));
      const clients = await Promise.all(tokens.map((t) => rawConnect(parley.chatUrl, t.token)));
      opened += clients.length;
      // Mix of clean closes, abrupt terminations and closes right after a request.
      clients.forEach((c, j) => {
        if (j % 3 === 0) c.ws.terminate();
        else if (j % 3 === 1) c.close();
        else { c.send({ Action: 'SEND_MESSAGE', Content: 'bye' }); c.close(); }
      });
      await Promise.all(clients.map((c) => c.closed));
    }
    assert.equal(opened, total);
    await waitFor(async () => (await metrics(parley)).parley_chat_connections === 0, 10000, 'connections back to 0');
    const end = await metrics(parley);
    assert.equal(end.parley_chat_connections_accepted_total - start.parley_chat_connections_accepted_total, total);
    assert.equal((await fetch(`${parley.apiUrl}/healthz`)).status, 200);
    // And the edge still works.
    const c = await rawClient(parley, api, room.arn, 'after-churn', { capabilities: ['SEND_MESSAGE'] });
    assert.equal((await rawSend(c, 'alive')).Type, 'MESSAGE');
    c.close();
    await c.closed;
  });
});

// A WebSocket handshake written by hand on a plain TCP socket; after the 101 the socket is
// paused, so the kernel buffers fill and the server's send queue for it grows.
async function stalledReader(port, token) {
  const socket = net.connect(port, '127.0.0.1');
  await new Promise((resolve, reject) => { socket.once('connect', resolve); socket.once('error', reject); });
  socket.on('error', () => {});
  const key = randomBytes(16).toString('base64');
  socket.write(`GET / HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n`
    + `Sec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: ${token}\r\n\r\n`);
  const head = await new Promise((resolve, reject) => {
    let got = '';
    const onData = (d) => {
      got += d.toString('latin1');
      if (got.includes('\r\n\r\n')) { socket.off('data', onData); socket.pause(); resolve(got); }
    };
    socket.on('data', onData);
    socket.once('close', () => reject(new Error(`closed during handshake: ${got}`)));
  });
  assert.match(head, /^HTTP\/1\.1 101 /);
  return socket;
}

// Both write paths: a loop pass's sends batched through io_uring (auto, where the kernel
// allows it; the server logs which it got) and one send() each (off). One loop, so the two
// readers share its flushes.
for (const ioUring of ['auto', 'off']) test(`a reader that stops reading is disconnected while the room is flooded, and memory stays bounded (--io-uring ${ioUring})`, async (t) => {
  // Under AddressSanitizer freed memory sits in a quarantine (256 MB by default) and would
  // look like growth; keep it small so RSS means the same with and without sanitizers.
  const asan = [process.env.ASAN_OPTIONS, 'quarantine_size_mb=4'].filter(Boolean).join(':');
  const parley = await startParley({
    args: ['--max-outbound-bytes', '65536', '--io-uring', ioUring, '--threads', '1'], env: { ASAN_OPTIONS: asan }, logLevel: 'info',
  });
  const api = parley.client();
  t.after(async () => { api.destroy(); await stopCleanly(parley); });
  const room = await createRoom(api, { maximumMessageRatePerSecond: 100 });

  const fast = await rawClient(parley, api, room.arn, 'fast-reader', { capabilities: [] });
  const slowToken = await mintToken(api, room.arn, 'slow-reader', { capabilities: [] });
  const slow = await stalledReader(parley.chatPort, slowToken.token);
  t.after(() => { slow.destroy(); fast.close(); });
  const m0 = await metrics(parley);
  assert.equal(m0.parley_chat_connections, 2);
  const rss0 = await rssKiB(parley.child.pid);

  // Flood: SendEvent (no room rate limit applies to the HTTP API) with ~1 KB of attributes.
  const attributes = { blob: 'x'.repeat(1000) };
  let sent = 0;
  let stop = false;
  const worker = async () => {
    while (!stop) {
      await api.send(new SendEventCommand({ roomIdentifier: room.arn, eventName: 'flood', attributes }));
      sent += 1;
    }
  };
  const workers = Array.from({ length: 8 }, worker);
  let peakRss = rss0;
  try {
    await waitFor(async () => {
      peakRss = Math.max(peakRss, await rssKiB(parley.child.pid));
      return (await metrics(parley)).parley_chat_slow_consumers_disconnected_total >= 1;
    }, 60000, 'slow consumer disconnected');
  } finally {
    stop = true;
    await Promise.allSettled(workers);
  }
  const m1 = await metrics(parley);
  assert.equal(m1.parley_chat_slow_consumers_disconnected_total, 1);
  assert.equal(m1.parley_chat_connections, 1, 'only the fast reader is left');

  // The reader that kept up got every event and is still connected.
  await waitFor(() => fast.frames.length >= sent, 10000, `fast reader got all ${sent} events`);
  assert.equal(fast.closeInfo, null);
  assert.ok(fast.frames.every((f) => f.json?.EventName === 'flood'));

  // Memory: the stalled connection held at most its queue limit, not the whole flood.
  const floodKiB = (sent * 1100) / 1024;
  const rss1 = await rssKiB(parley.child.pid);
  peakRss = Math.max(peakRss, rss1);
  t.diagnostic(`events sent ${sent} (~${Math.round(floodKiB)} KiB), RSS ${rss0} -> peak ${peakRss} -> ${rss1} KiB`);
  assert.ok(peakRss - rss0 < 24 * 1024, `RSS grew by ${peakRss - rss0} KiB`);

  // As much flooding again with nobody stalled: memory stays flat (nothing kept per event).
  const target = sent * 2;
  const again = async () => {
    while (sent < target) {
      sent += 1;
      await api.send(new SendEventCommand({ roomIdentifier: room.arn, eventName: 'flood', attributes }));
    }
  };
  await Promise.all(Array.from({ length: 8 }, again));
  await waitFor(() => fast.frames.length >= target, 10000, 'second flood delivered');
  const rss2 = await rssKiB(parley.child.pid);
  t.diagnostic(`second flood: RSS ${rss1} -> ${rss2} KiB`);
  assert.ok(rss2 - rss1 < 8 * 1024, `RSS kept growing: ${rss1} -> ${rss2} KiB`);

  const writes = parley.log.split('\n').filter((l) => l.includes('chat writes:'));
  t.diagnostic(writes.join(' | ') || 'chat writes: one send() per connection (--io-uring off)');
  if (ioUring === 'off') assert.deepEqual(writes, []);
  else assert.equal(writes.length, 1, 'the choice of write path is logged once');
});
