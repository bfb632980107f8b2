// The messaging edge facing bad or unusual clients, with raw `ws` sockets: malformed requests get
// ERROR 400 and leave the connection usable (spec §1.3, §1.8); WebSocket protocol corners
// (binary, oversize, fragmented, ping) and refused handshakes.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import net from 'node:net';
import { startParley } from './lib/parley.mjs';
import { createRoom, mintToken, rawClient, rawConnect, rawSend, ALL_CAPABILITIES, stopCleanly } from './lib/chat_clients.mjs';

const ID = /^[A-Za-z0-9]{12}$/;

describe('messaging robustness (raw ws)', () => {
  let parley;
  let api;
  let room;
  const open = [];

  before(async () => {
    parley = await startParley();
    api = parley.client();
    room = await createRoom(api, { maximumMessageRatePerSecond: 100 });
  });
  after(async () => {
    for (const c of open) c.close();
    api?.destroy();
    if (parley) await stopCleanly(parley);
  });

  async function client(userId = 'robust') {
    const c = await rawClient(parley, api, room.arn, userId, { capabilities: ALL_CAPABILITIES });
    open.push(c);
    return c;
  }
  // Sends `text` verbatim and returns the ERROR it provokes.
  async function errorFor(c, text, requestId) {
    const before = c.frames.length;
    c.send(text);
    const err = await c.next((f) => f.Type === 'ERROR' && c.frames.findIndex((x) => x.json === f) >= before, 3000, 'ERROR');
    assert.equal(typeof err.ErrorCode, 'number');
    assert.match(err.Id, ID);
    assert.equal(typeof err.ErrorMessage, 'string');
    if (requestId !== undefined) assert.equal(err.RequestId, requestId);
    return err;
  }
  async function stillUsable(c) {
    const reply = await rawSend(c, 'still usable');
    assert.equal(reply.Type, 'MESSAGE');
    assert.equal(c.closeInfo, null);
  }

  test('malformed JSON gets ERROR 400 and the connection stays usable', async () => {
    const c = await client();
    for (const bad of ['{not json', '', '{"Action":"SEND_MESSAGE",', 'null', '[1,2]', '"text"', '42']) {
      const err = await errorFor(c, bad);
      assert.equal(err.ErrorCode, 400, `for ${JSON.stringify(bad)}`);
    }
    await stillUsable(c);
  });

  test('an unknown Action gets ERROR 400 with the RequestId', async () => {
    const c = await client();
    const err = await errorFor(c, JSON.stringify({ Action: 'SHOUT', RequestId: 'r-unknown', Content: 'x' }), 'r-unknown');
    assert.equal(err.ErrorCode, 400);
    const noAction = await errorFor(c, JSON.stringify({ RequestId: 'r-none', Content: 'x' }), 'r-none');
    assert.equal(noAction.ErrorCode, 400);
    await stillUsable(c);
  });

  test('SEND_MESSAGE without Content gets ERROR 400', async () => {
    const c = await client();
    for (const [i, req] of [{}, { Content: 5 }, { Content: null }, { Content: '' }].entries()) {
      const rid = `r-content-${i}`;
      const err = await errorFor(c, JSON.stringify({ Action: 'SEND_MESSAGE', RequestId: rid, ...req }), rid);
      assert.equal(err.ErrorCode, 400, JSON.stringify(req));
    }
    const badAttrs = await errorFor(c, JSON.stringify({ Action: 'SEND_MESSAGE', RequestId: 'r-attrs', Content: 'x', Attributes: { n: 1 } }), 'r-attrs');
    assert.equal(badAttrs.ErrorCode, 400);
    await stillUsable(c);
  });

  test('DELETE_MESSAGE without Id gets ERROR 400', async () => {
    const c = await client();
    const err = await errorFor(c, JSON.stringify({ Action: 'DELETE_MESSAGE', RequestId: 'r-del', Reason: 'x' }), 'r-del');
    assert.equal(err.ErrorCode, 400);
    await stillUsable(c);
  });

  test('DISCONNECT_USER without UserId gets ERROR 400', async () => {
    const c = await client();
    const err = await errorFor(c, JSON.stringify({ Action: 'DISCONNECT_USER', RequestId: 'r-dis', Reason: 'x' }), 'r-dis');
    assert.equal(err.ErrorCode, 400);
    await stillUsable(c);
  });

  // Members the server copies to every member of the room are bounded (docs/compatibility.md):
  // one 60 KB RequestId would otherwise be sent to the whole room.
  test('oversized RequestId, Id, Reason and UserId get ERROR 400 and reach nobody', async () => {
    const c = await client('bounded');
    const watcher = await client('bounded-watcher');
    const seenBefore = watcher.frames.length;
    const huge = 'r'.repeat(60 * 1024);
    const tooLong = (n) => 'x'.repeat(n + 1);

    const big = await errorFor(c, JSON.stringify({ Action: 'SEND_MESSAGE', RequestId: huge, Content: 'amplified' }), '');
    assert.equal(big.ErrorCode, 400);
    assert.match(big.ErrorMessage, /RequestId/);
    const over = await errorFor(c, JSON.stringify({ Action: 'SEND_MESSAGE', RequestId: tooLong(256), Content: 'x' }), '');
    assert.equal(over.ErrorCode, 400);
    for (const [rid, req] of [
      ['r-id-form', { Action: 'DELETE_MESSAGE', Id: huge }],
      ['r-id-short', { Action: 'DELETE_MESSAGE', Id: 'AAAAAAAAAAA' }],
      ['r-del-reason', { Action: 'DELETE_MESSAGE', Id: 'AAAAAAAAAAAA', Reason: tooLong(256) }],
      ['r-dis-reason', { Action: 'DISCONNECT_USER', UserId: 'nobody', Reason: huge }],
      ['r-dis-user', { Action: 'DISCONNECT_USER', UserId: tooLong(128) }],
    ]) {
      const err = await errorFor(c, JSON.stringify({ RequestId: rid, ...req }), rid);
      assert.equal(err.ErrorCode, 400, JSON.stringify(req).slice(0, 100));
    }
    await new Promise((r) => setTimeout(r, 1100));  // the per-connection rate (10/s) refills

    // At the bounds everything is accepted and delivered.
    const rid = 'q'.repeat(256);
    c.send({ Action: 'SEND_MESSAGE', RequestId: rid, Content: 'at the bound' });
    const m = await watcher.next((f) => f.Type === 'MESSAGE' && f.Content === 'at the bound');
    assert.equal(m.RequestId, rid);
    c.send({ Action: 'DELETE_MESSAGE', RequestId: 'r-del-ok', Id: m.Id, Reason: 'é'.repeat(256) });
    const del = await watcher.next((f) => f.Type === 'EVENT' && f.RequestId === 'r-del-ok');
    assert.equal(del.Attributes.Reason, 'é'.repeat(256));
    c.send({ Action: 'DISCONNECT_USER', RequestId: 'r-dis-ok', UserId: 'u'.repeat(128), Reason: 'z'.repeat(256) });
    await watcher.next((f) => f.Type === 'EVENT' && f.RequestId === 'r-dis-ok');

    const leaked = watcher.frames.slice(seenBefore).filter((f) => f.text.length > 4096 ||
      (f.json?.Type === 'MESSAGE' && f.json.Content === 'amplified'));
    assert.deepEqual(leaked, [], 'an oversized member reached another member');
    assert.ok(!watcher.jsonFrames().some((f) => ['r-id-form', 'r-id-short', 'r-del-reason', 'r-dis-reason', 'r-dis-user'].includes(f.RequestId)));
    await stillUsable(c);
  });

  test('lower-case request keys are accepted', async () => {
    const c = await client();
    c.send({ action: 'SEND_MESSAGE', requestId: 'r-lower', content: 'lower', attributes: { a: 'b' } });
    const m = await c.next((f) => f.RequestId === 'r-lower');
    assert.equal(m.Type, 'MESSAGE');
    assert.equal(m.Content, 'lower');
    assert.deepEqual(m.Attributes, { a: 'b' });
  });

  test('a binary frame gets ERROR 400 and the connection stays', async () => {
    const c = await client();
    c.ws.send(Buffer.from(JSON.stringify({ Action: 'SEND_MESSAGE', Content: 'bin' })), { binary: true });
    const err = await c.next((f) => f.Type === 'ERROR');
    assert.equal(err.ErrorCode, 400);
    await stillUsable(c);
    assert.ok(!c.jsonFrames().some((f) => f.Type === 'MESSAGE' && f.Content === 'bin'));
    assert.ok(c.frames.every((f) => !f.isBinary), 'the server only sends text frames');
  });

  test('a message over 64 KiB closes the connection with 1009', async () => {
    const c = await client();
    const watcher = await client('watcher');
    c.send({ Action: 'SEND_MESSAGE', Content: 'x'.repeat(70 * 1024) });
    const closed = await c.closed;
    assert.equal(closed.code, 1009);
    await stillUsable(watcher);
  });

  test('a fragmented text message is reassembled and delivered', async () => {
    const c = await client();
    const json = JSON.stringify({ Action: 'SEND_MESSAGE', RequestId: 'r-frag', Content: 'fragmented ✓ message' });
    const cut1 = 10;
    const cut2 = 30;
    c.ws.send(json.slice(0, cut1), { fin: false });
    c.ws.ping();  // a control frame between fragments is allowed (RFC 6455 §5.4)
    c.ws.send(json.slice(cut1, cut2), { fin: false });
    c.ws.send(json.slice(cut2), { fin: true });
    const m = await c.next((f) => f.RequestId === 'r-frag');
    assert.equal(m.Type, 'MESSAGE');
    assert.equal(m.Content, 'fragmented ✓ message');
  });

  test('ping gets pong with the same payload', async () => {
    const c = await client();
    const pong = new Promise((resolve) => c.ws.once('pong', resolve));
    c.ws.ping(Buffer.from('are-you-there'));
    assert.equal((await pong).toString(), 'are-you-there');
    await stillUsable(c);
  });

  test('a client close gets a clean close back', async () => {
    const c = await client();
    c.ws.close(1000, 'bye');
    const closed = await c.closed;
    assert.equal(closed.code, 1000);
  });

  test('a non-WebSocket HTTP request to the chat port gets a 4xx', async () => {
    const status = await new Promise((resolve, reject) => {
      const req = httpRequest({ host: '127.0.0.1', port: parley.chatPort, path: '/', method: 'GET' }, (res) => {
        res.resume();
        resolve(res.statusCode);
      });
      req.on('error', reject);
      req.end();
    });
    assert.ok(status >= 400 && status < 500, `got ${status}`);
    const post = await fetch(`http://127.0.0.1:${parley.chatPort}/`, { method: 'POST', body: '{}' });
    assert.ok(post.status >= 400 && post.status < 500, `got ${post.status}`);
  });

  // Writes `bytes` on a plain TCP connection and returns everything the server answers.
  async function rawExchange(bytes) {
    const socket = net.connect(parley.chatPort, '127.0.0.1');
    let got = '';
    socket.on('data', (d) => { got += d.toString('latin1'); });
    socket.on('error', () => {});
    await new Promise((resolve) => socket.once('connect', resolve));
    socket.write(bytes);
    await new Promise((resolve) => socket.once('close', resolve));
    return got;
  }

  test('a request that is not HTTP gets 400, a POST with a body gets its 4xx answer', async () => {
    assert.match(await rawExchange('HELLO THERE\r\n\r\n'), /^HTTP\/1\.1 400 /);
    assert.match(await rawExchange('POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello'), /^HTTP\/1\.1 4\d\d /);
  });

  test('a handshake with a bad Sec-WebSocket-Key or version is refused', async () => {
    const roomArn = (await createRoom(api)).arn;
    const token = (await mintToken(api, roomArn, 'hs')).token;
    const base = `GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Protocol: ${token}\r\n`;
    assert.match(await rawExchange(`${base}Sec-WebSocket-Key: short\r\nSec-WebSocket-Version: 13\r\n\r\n`), /^HTTP\/1\.1 400 /);
    assert.match(await rawExchange(`${base}Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 8\r\n\r\n`), /^HTTP\/1\.1 4\d\d /);
    // The refusals did not consume the token.
    const ok = await rawConnect(parley.chatUrl, token);
    open.push(ok);
  });

  test('a handshake without a token is refused with 401', async () => {
    const err = await rawConnect(parley.chatUrl, undefined).then(() => null, (e) => e);
    assert.ok(err, 'must be refused');
    assert.equal(err.status, 401);
  });
});
