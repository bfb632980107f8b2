// Message review handler (spec §3) end to end: a Lambda-Invoke-compatible HTTP server written
// here answers per message content, parleyd calls it through --lambda-endpoint, and the
// official messaging SDK sees the outcome (delivery, modification, ERROR 406, fallbacks).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { CreateRoomCommand, CreateChatTokenCommand } from '@aws-sdk/client-ivschat';
import { ChatRoom, SendMessageRequest } from 'amazon-ivs-chat-messaging';
// Already installed with @aws-sdk/client-ivschat: the SDK's own SigV4 signer, used here to check
// the signature parleyd puts on each invocation.
import { SignatureV4 } from '@smithy/signature-v4';
import { Hash } from '@smithy/hash-node';
import { startParley, credentials } from './lib/parley.mjs';

const FUNCTION_ARN = 'arn:aws:lambda:us-east-1:123456789012:function:review';
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// ---- a fake Lambda Invoke API --------------------------------------------------------------

function startFakeLambda() {
  const invocations = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (d) => { body += d; });
    req.on('end', async () => {
      let payload = null;
      try { payload = JSON.parse(body); } catch { /* recorded as null */ }
      invocations.push({ method: req.method, url: req.url, headers: req.headers, body, payload, at: Date.now() });
      const content = payload?.Content ?? '';
      const reply = (obj, status = 200, headers = {}) => {
        if (res.destroyed) return;
        res.writeHead(status, { 'content-type': 'application/json', ...headers });
        res.end(typeof obj === 'string' ? obj : JSON.stringify(obj));
      };
      const word = content.split(' ')[0];
      switch (word) {
        case 'deny': return reply({ ReviewResult: 'DENY', Content: content, Attributes: { Reason: 'bad words' } });
        case 'modify': return reply({ ReviewResult: 'ALLOW', Content: `modified: ${content}`, Attributes: { moderated: 'yes' } });
        case 'keepattrs': return reply({ ReviewResult: 'ALLOW', Content: content.toUpperCase() });
        case 'slow': await sleep(500); return reply({ ReviewResult: 'ALLOW', Content: 'too late' });
        case 'http500': return reply({ Message: 'boom' }, 500);
        case 'malformed': return reply('{"ReviewResult": "ALLOW", ');
        case 'function-error': return reply({ errorMessage: 'oops', errorType: 'Error' }, 200, { 'X-Amz-Function-Error': 'Unhandled' });
        case 'too-long': return reply({ ReviewResult: 'ALLOW', Content: 'x'.repeat(101) });
        case 'empty': return reply({ ReviewResult: 'ALLOW', Content: '' });
        case 'maybe': return reply({ ReviewResult: 'MAYBE', Content: content });
        default: return reply({ ReviewResult: 'ALLOW', Content: content, Attributes: payload?.Attributes });
      }
    });
  });
  const stats = { connections: 0 };
  server.on('connection', () => { stats.connections++; });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => resolve({
      server, invocations, stats, url: `http://127.0.0.1:${server.address().port}`,
      find: (content) => invocations.find((i) => i.payload?.Content === content),
      close: () => new Promise((r) => { server.closeAllConnections?.(); server.close(r); }),
    }));
  });
}

// ---- SDK helpers -------------------------------------------------------------------------

async function connectUser(parley, api, roomArn, userId, attributes) {
  const chat = new ChatRoom({
    regionOrUrl: parley.chatUrl,
    tokenProvider: async () => {
      const t = await api.send(new CreateChatTokenCommand({
        roomIdentifier: roomArn, userId, capabilities: ['SEND_MESSAGE'], attributes,
      }));
      return { token: t.token, sessionExpirationTime: t.sessionExpirationTime, tokenExpirationTime: t.tokenExpirationTime };
    },
  });
  chat.logLevel = 'error';
  const messages = [];
  chat.addListener('message', (m) => messages.push(m));
  const connected = new Promise((r) => chat.addListener('connect', r));
  chat.connect();
  await connected;
  return { chat, messages };
}

async function createReviewedRoom(api, name, fallbackResult, maximumMessageLength = 100) {
  return api.send(new CreateRoomCommand({
    name, maximumMessageLength, maximumMessageRatePerSecond: 100,
    messageReviewHandler: { uri: FUNCTION_ARN, fallbackResult },
  }));
}

// ---- the server under test ---------------------------------------------------------------

let lambda, parley, api, roomAllow, roomDeny, roomB, alice, bob, dave, carol;

before(async () => {
  lambda = await startFakeLambda();
  // One event loop: a pending review must not hold up anything else on the same loop.
  parley = await startParley({ args: ['--lambda-endpoint', lambda.url, '--threads', '1'] });
  api = parley.client();
  roomAllow = await createReviewedRoom(api, 'reviewed-allow', 'ALLOW');
  roomDeny = await createReviewedRoom(api, 'reviewed-deny', 'DENY');
  roomB = await createReviewedRoom(api, 'reviewed-b', 'ALLOW');
  alice = await connectUser(parley, api, roomAllow.arn, 'alice', { displayName: 'Alice' });
  bob = await connectUser(parley, api, roomAllow.arn, 'bob');
  dave = await connectUser(parley, api, roomDeny.arn, 'dave');
  carol = await connectUser(parley, api, roomB.arn, 'carol');
});

after(async () => {
  for (const u of [alice, bob, dave, carol]) u?.chat.disconnect();
  await parley?.stop();
  await lambda?.close();
});

async function expectRejected(promise, code = 406) {
  await assert.rejects(promise, (err) => {
    assert.equal(err.errorCode, code, JSON.stringify(err));
    return true;
  });
}

test('ALLOW delivers the message to the room, and the handler got the exact payload', async () => {
  const sent = await alice.chat.sendMessage(new SendMessageRequest('hello world', { k: 'v' }));
  assert.equal(sent.content, 'hello world');
  assert.deepEqual(sent.attributes, { k: 'v' });
  const atBob = await waitForMessage(bob, 'hello world');
  assert.equal(atBob.id, sent.id);

  const inv = lambda.find('hello world');
  assert.ok(inv, 'the handler was invoked');
  assert.deepEqual(inv.payload, {
    Content: 'hello world',
    MessageId: sent.id,
    RoomArn: roomAllow.arn,
    Attributes: { k: 'v' },
    Sender: { Attributes: { displayName: 'Alice' }, UserId: 'alice', Ip: '127.0.0.1' },
  });
  assert.deepEqual(Object.keys(inv.payload), ['Content', 'MessageId', 'RoomArn', 'Attributes', 'Sender']);
  assert.deepEqual(Object.keys(inv.payload.Sender), ['Attributes', 'UserId', 'Ip']);
  assert.match(sent.id, /^[A-Za-z0-9]{12}$/);
});

test('the invocation is a SigV4-signed Lambda Invoke request', async () => {
  const inv = lambda.find('hello world');
  assert.equal(inv.method, 'POST');
  assert.equal(inv.url, `/2015-03-31/functions/${encodeURIComponent(FUNCTION_ARN)}/invocations`);
  assert.equal(inv.headers['content-length'], String(Buffer.byteLength(inv.body)));
  const auth = inv.headers.authorization;
  assert.match(auth, new RegExp(`^AWS4-HMAC-SHA256 Credential=${credentials.accessKeyId}/\\d{8}/us-east-1/lambda/aws4_request, SignedHeaders=host;x-amz-content-sha256;x-amz-date, Signature=[0-9a-f]{64}$`));
  // Re-sign the same request with the AWS SDK's signer and compare.
  const amzDate = inv.headers['x-amz-date'];
  const signingDate = new Date(`${amzDate.slice(0, 4)}-${amzDate.slice(4, 6)}-${amzDate.slice(6, 8)}T${amzDate.slice(9, 11)}:${amzDate.slice(11, 13)}:${amzDate.slice(13, 15)}Z`);
  const signer = new SignatureV4({ credentials, region: 'us-east-1', service: 'lambda', sha256: Hash.bind(null, 'sha256'), uriEscapePath: true });
  const [hostname, port] = inv.headers.host.split(':');
  const signed = await signer.sign({
    method: 'POST', protocol: 'http:', hostname, port: Number(port), path: inv.url, query: {},
    headers: { host: inv.headers.host, 'x-amz-date': amzDate, 'x-amz-content-sha256': inv.headers['x-amz-content-sha256'] },
    body: inv.body,
  }, { signingDate });
  assert.equal(auth, signed.headers.authorization);
});

async function waitForMessage(user, content, timeoutMs = 2000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const m = user.messages.find((x) => x.content === content);
    if (m) return m;
    if (Date.now() > deadline) throw new Error(`no message "${content}" for ${user === bob ? 'bob' : 'user'}`);
    await sleep(10);
  }
}

test('DENY rejects sendMessage with 406 and nobody receives the message', async () => {
  await assert.rejects(alice.chat.sendMessage(new SendMessageRequest('deny this please')), (err) => {
    assert.equal(err.errorCode, 406);
    assert.match(err.errorMessage, /bad words/);
    assert.ok(lambda.find('deny this please'));
    assert.equal(err.id, lambda.find('deny this please').payload.MessageId);
    return true;
  });
  // A later message from the same sender overtakes nothing: once it is seen, the denied one
  // would have been seen before it.
  await alice.chat.sendMessage(new SendMessageRequest('after deny'));
  await waitForMessage(bob, 'after deny');
  assert.equal(bob.messages.filter((m) => m.content.startsWith('deny')).length, 0);
  assert.equal(alice.messages.filter((m) => m.content.startsWith('deny')).length, 0);
});

test('a modifying handler changes the delivered content and attributes', async () => {
  const sent = await alice.chat.sendMessage(new SendMessageRequest('modify me', { a: '1' }));
  assert.equal(sent.content, 'modified: modify me');
  assert.deepEqual(sent.attributes, { moderated: 'yes' });
  const atBob = await waitForMessage(bob, 'modified: modify me');
  assert.deepEqual(atBob.attributes, { moderated: 'yes' });
  assert.equal(atBob.id, lambda.find('modify me').payload.MessageId);
  // Without Attributes in the answer the original attributes are kept.
  const kept = await alice.chat.sendMessage(new SendMessageRequest('keepattrs abc', { x: 'y' }));
  assert.equal(kept.content, 'KEEPATTRS ABC');
  assert.deepEqual(kept.attributes, { x: 'y' });
});

test('no answer within 200 ms applies fallbackResult ALLOW (original message delivered)', async () => {
  const started = Date.now();
  const sent = await alice.chat.sendMessage(new SendMessageRequest('slow but allowed', { s: '1' }));
  const elapsed = Date.now() - started;
  assert.equal(sent.content, 'slow but allowed');
  assert.deepEqual(sent.attributes, { s: '1' });
  assert.ok(elapsed >= 190 && elapsed < 450, `fallback after ${elapsed} ms`);
  await waitForMessage(bob, 'slow but allowed');
});

test('no answer within 200 ms applies fallbackResult DENY (406)', async () => {
  const started = Date.now();
  await expectRejected(dave.chat.sendMessage(new SendMessageRequest('slow and denied')));
  const elapsed = Date.now() - started;
  assert.ok(elapsed >= 190 && elapsed < 450, `fallback after ${elapsed} ms`);
  // The late answer (ALLOW "too late") is ignored.
  await sleep(400);
  assert.equal(dave.messages.filter((m) => m.content === 'too late').length, 0);
});

test('handler errors and invalid answers apply the fallbackResult', async () => {
  for (const content of ['http500 a', 'malformed b', 'function-error c', 'too-long d', 'empty e', 'maybe f']) {
    const sent = await alice.chat.sendMessage(new SendMessageRequest(content));
    assert.equal(sent.content, content, `fallback ALLOW delivers the original for "${content}"`);
    await waitForMessage(bob, content);
    await expectRejected(dave.chat.sendMessage(new SendMessageRequest(`${content} denied`)));
  }
  // ALLOW answers still deliver in a fallback-DENY room.
  const ok = await dave.chat.sendMessage(new SendMessageRequest('fine message'));
  assert.equal(ok.content, 'fine message');
});

test('a slow review in room A does not delay messages in room B', async () => {
  let aDone = false;
  const a = alice.chat.sendMessage(new SendMessageRequest('slow in room A')).then((m) => { aDone = true; return m; });
  await sleep(30);  // A's review is now pending at the handler
  assert.ok(lambda.find('slow in room A'), 'room A review is in flight');
  const rtts = [];
  for (let i = 0; i < 3; i++) {
    const t0 = performance.now();
    const m = await carol.chat.sendMessage(new SendMessageRequest(`room B ${i}`));
    rtts.push(performance.now() - t0);
    assert.equal(m.content, `room B ${i}`);
  }
  assert.equal(aDone, false, 'room A is still waiting for its review');
  for (const rtt of rtts) assert.ok(rtt < 100, `room B round trips ${rtts.map((x) => x.toFixed(1)).join(', ')} ms`);
  const am = await a;  // then the fallback ALLOW delivers A's message
  assert.equal(am.content, 'slow in room A');
});

test('review metrics are exported', async () => {
  const text = await (await fetch(`${parley.apiUrl}/metrics`)).text();
  const value = (name) => Number(text.match(new RegExp(`^${name} (\\d+)$`, 'm'))?.[1]);
  assert.ok(value('parley_chat_reviews_total') >= 20);
  assert.ok(value('parley_chat_reviews_allowed_total') >= 5);
  assert.ok(value('parley_chat_reviews_denied_total') >= 1);
  assert.ok(value('parley_chat_reviews_fallback_total') >= 14);
  assert.ok(value('parley_chat_review_errors_total') >= 12);
  assert.ok(value('parley_chat_review_timeouts_total') >= 3);
});

test('invocations reuse keep-alive connections', (t) => {
  t.diagnostic(`${lambda.stats.connections} connections for ${lambda.invocations.length} invocations`);
  // Timeouts close their connection; everything else goes back to the loop's idle pool.
  assert.ok(lambda.stats.connections <= 8,
    `${lambda.stats.connections} connections for ${lambda.invocations.length} invocations`);
});

test('without --lambda-endpoint a reviewed room gets its fallbackResult', async (t) => {
  const p = await startParley();
  t.after(() => p.stop());
  const c = p.client();
  const allow = await createReviewedRoom(c, 'nohandler-allow', 'ALLOW');
  const deny = await createReviewedRoom(c, 'nohandler-deny', 'DENY');
  const u1 = await connectUser(p, c, allow.arn, 'u1');
  const u2 = await connectUser(p, c, deny.arn, 'u2');
  t.after(() => { u1.chat.disconnect(); u2.chat.disconnect(); });
  assert.equal((await u1.chat.sendMessage(new SendMessageRequest('through'))).content, 'through');
  await expectRejected(u2.chat.sendMessage(new SendMessageRequest('blocked')));
});

test('PARLEY_LAMBDA_ACCESS_KEY_ID / PARLEY_LAMBDA_SECRET_ACCESS_KEY sign the invocations', async (t) => {
  const lambdaKeys = { accessKeyId: 'AKIDLAMBDAONLY000001', secretAccessKey: 'lambda-only-secret' };
  const p = await startParley({
    args: ['--lambda-endpoint', `${lambda.url}/`],
    env: { PARLEY_LAMBDA_ACCESS_KEY_ID: lambdaKeys.accessKeyId, PARLEY_LAMBDA_SECRET_ACCESS_KEY: lambdaKeys.secretAccessKey },
  });
  t.after(() => p.stop());
  const c = p.client();
  const room = await createReviewedRoom(c, 'own-keys', 'DENY');
  const u = await connectUser(p, c, room.arn, 'u3');
  t.after(() => u.chat.disconnect());
  assert.equal((await u.chat.sendMessage(new SendMessageRequest('signed with lambda keys'))).content, 'signed with lambda keys');
  const inv = lambda.find('signed with lambda keys');
  assert.match(inv.headers.authorization, /Credential=AKIDLAMBDAONLY000001\//);
});

test('a bad --lambda-endpoint stops parleyd at start-up with a clear message', async () => {
  await assert.rejects(startParley({ args: ['--lambda-endpoint', 'ftp://lambda.us-east-1.amazonaws.com'] }),
    /--lambda-endpoint ftp:\/\/lambda\.us-east-1\.amazonaws\.com: the scheme must be http:\/\/ or https:\/\//);
});
