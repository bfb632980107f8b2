// Message review handler over https (as AWS Lambda itself is reached): a Lambda-Invoke-compatible
// node:https server with a self-signed certificate made by the openssl CLI, parleyd trusting it
// through --lambda-ca-file, and the official messaging SDK seeing ALLOW and DENY answers. Without
// the CA file the certificate is refused and the room's fallbackResult applies.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import https from 'node:https';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateRoomCommand, CreateChatTokenCommand } from '@aws-sdk/client-ivschat';
import { ChatRoom, SendMessageRequest } from 'amazon-ivs-chat-messaging';
import { startParley, credentials, waitFor } from './lib/parley.mjs';

const FUNCTION_ARN = 'arn:aws:lambda:eu-west-1:123456789012:function:review';

// ---- a self-signed certificate and a fake Lambda Invoke API over TLS ----------------------

function makeCertificate(dir) {
  const key = join(dir, 'key.pem');
  const cert = join(dir, 'cert.pem');
  execFileSync('openssl', [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes',
    '-subj', '/CN=localhost', '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost', '-days', '1',
    '-keyout', key, '-out', cert,
  ], { stdio: 'pipe' });
  return { keyPath: key, certPath: cert, key: readFileSync(key), cert: readFileSync(cert) };
}

function startTlsLambda({ key, cert }) {
  const invocations = [];
  const stats = { tlsConnections: 0, tlsErrors: 0 };
  const server = https.createServer({ key, cert }, (req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (d) => { body += d; });
    req.on('end', () => {
      let payload = null;
      try { payload = JSON.parse(body); } catch { /* recorded as null */ }
      invocations.push({
        method: req.method, url: req.url, headers: req.headers, payload,
        encrypted: req.socket.encrypted === true, protocol: req.socket.getProtocol?.(),
        servername: req.socket.servername,
      });
      const content = payload?.Content ?? '';
      const answer = content.startsWith('deny')
        ? { ReviewResult: 'DENY', Content: content, Attributes: { Reason: 'not over TLS either' } }
        : { ReviewResult: 'ALLOW', Content: `reviewed: ${content}`, Attributes: { via: 'https' } };
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(answer));
    });
  });
  server.on('secureConnection', () => { stats.tlsConnections++; });
  server.on('tlsClientError', () => { stats.tlsErrors++; });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => resolve({
      invocations, stats, url: `https://127.0.0.1:${server.address().port}`,
      port: server.address().port,
      find: (content) => invocations.find((i) => i.payload?.Content === content),
      close: () => new Promise((r) => { server.closeAllConnections?.(); server.close(r); }),
    }));
  });
}

// ---- SDK helpers -------------------------------------------------------------------------

async function connectUser(parley, api, roomArn, userId) {
  const chat = new ChatRoom({
    regionOrUrl: parley.chatUrl,
    tokenProvider: async () => {
      const t = await api.send(new CreateChatTokenCommand({ roomIdentifier: roomArn, userId, capabilities: ['SEND_MESSAGE'] }));
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

const createReviewedRoom = (api, name, fallbackResult) => api.send(new CreateRoomCommand({
  name, maximumMessageLength: 200, maximumMessageRatePerSecond: 100,
  messageReviewHandler: { uri: FUNCTION_ARN, fallbackResult },
}));

async function expect406(promise, messagePattern) {
  await assert.rejects(promise, (err) => {
    assert.equal(err.errorCode, 406, JSON.stringify(err));
    assert.match(err.errorMessage, messagePattern);
    return true;
  });
}

// ---- the server under test ---------------------------------------------------------------

let dir, tls, lambda, parley, api, users = [];

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'parley-tls-e2e-'));
  tls = makeCertificate(dir);
  lambda = await startTlsLambda(tls);
  parley = await startParley({
    args: ['--lambda-endpoint', lambda.url, '--lambda-ca-file', tls.certPath, '--threads', '1'],
  });
  api = parley.client();
});

after(async () => {
  for (const u of users) u.chat.disconnect();
  await parley?.stop();
  await lambda?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test('ALLOW through TLS: the handler\'s answer is delivered (not the DENY fallback)', async () => {
  const room = await createReviewedRoom(api, 'tls-allow', 'DENY');
  const alice = await connectUser(parley, api, room.arn, 'alice');
  const bob = await connectUser(parley, api, room.arn, 'bob');
  users.push(alice, bob);
  const sent = await alice.chat.sendMessage(new SendMessageRequest('hello over https'));
  assert.equal(sent.content, 'reviewed: hello over https');
  assert.deepEqual(sent.attributes, { via: 'https' });
  await waitFor(() => bob.messages.find((m) => m.content === 'reviewed: hello over https'), 2000, 'delivery to bob');

  const inv = lambda.find('hello over https');
  assert.ok(inv, 'the handler was invoked');
  assert.equal(inv.encrypted, true);
  assert.match(inv.protocol, /^TLSv1\.[23]$/);
  assert.equal(inv.method, 'POST');
  assert.equal(inv.url, `/2015-03-31/functions/${encodeURIComponent(FUNCTION_ARN)}/invocations`);
  assert.equal(inv.headers.host, `127.0.0.1:${lambda.port}`);
  assert.match(inv.headers.authorization,
    new RegExp(`^AWS4-HMAC-SHA256 Credential=${credentials.accessKeyId}/\\d{8}/eu-west-1/lambda/aws4_request, `));
  assert.equal(inv.payload.RoomArn, room.arn);
});

test('DENY through TLS: sendMessage fails with 406 and the handler\'s reason (not the ALLOW fallback)', async () => {
  const room = await createReviewedRoom(api, 'tls-deny', 'ALLOW');
  const carol = await connectUser(parley, api, room.arn, 'carol');
  users.push(carol);
  await expect406(carol.chat.sendMessage(new SendMessageRequest('deny me over https')), /not over TLS either/);
  assert.ok(lambda.find('deny me over https'));
  // The next message is reviewed and allowed on the same connection.
  const ok = await carol.chat.sendMessage(new SendMessageRequest('fine'));
  assert.equal(ok.content, 'reviewed: fine');
});

test('reviews reuse the kept-alive TLS connection', (t) => {
  t.diagnostic(`${lambda.stats.tlsConnections} TLS connections for ${lambda.invocations.length} invocations`);
  assert.ok(lambda.invocations.length >= 3);
  assert.equal(lambda.stats.tlsConnections, 1);
  assert.equal(lambda.invocations.every((i) => i.encrypted), true);
  assert.equal(lambda.invocations[0].servername, false, 'no SNI for an IP literal');
});

test('https://localhost: the host name is resolved, sent as SNI and checked against the certificate', async (t) => {
  const p = await startParley({
    args: ['--lambda-endpoint', `https://localhost:${lambda.port}`, '--lambda-ca-file', tls.certPath],
  });
  t.after(() => p.stop());
  const c = p.client();
  const room = await createReviewedRoom(c, 'tls-by-name', 'DENY');
  const u = await connectUser(p, c, room.arn, 'dora');
  t.after(() => u.chat.disconnect());
  const sent = await u.chat.sendMessage(new SendMessageRequest('by name'));
  assert.equal(sent.content, 'reviewed: by name');
  assert.equal(lambda.find('by name').servername, 'localhost');
  assert.equal(lambda.find('by name').headers.host, `localhost:${lambda.port}`);
});

test('an untrusted certificate (no --lambda-ca-file) is refused: fallbackResult applies, the log says why', async (t) => {
  const before = lambda.invocations.length;
  const tlsErrorsBefore = lambda.stats.tlsErrors;
  const p = await startParley({ args: ['--lambda-endpoint', lambda.url] });
  t.after(() => p.stop());
  const c = p.client();
  const allowRoom = await createReviewedRoom(c, 'untrusted-allow', 'ALLOW');
  const denyRoom = await createReviewedRoom(c, 'untrusted-deny', 'DENY');
  const u1 = await connectUser(p, c, allowRoom.arn, 'erin');
  const u2 = await connectUser(p, c, denyRoom.arn, 'fred');
  t.after(() => { u1.chat.disconnect(); u2.chat.disconnect(); });

  // Fallback ALLOW delivers the original message; the handler would have answered "reviewed: ...".
  const sent = await u1.chat.sendMessage(new SendMessageRequest('not reviewed'));
  assert.equal(sent.content, 'not reviewed');
  // Fallback DENY: 406 without a handler reason.
  await expect406(u2.chat.sendMessage(new SendMessageRequest('blocked')), /^Message rejected during message review$/);

  assert.equal(lambda.invocations.length, before, 'no request was sent over an unverified connection');
  assert.ok(lambda.stats.tlsErrors > tlsErrorsBefore, 'the handshake was aborted');
  await waitFor(() => /TLS handshake with 127\.0\.0\.1:\d+ failed \(self-signed certificate\)/.test(p.log), 2000, 'the warning');
  const metrics = await (await fetch(`${p.apiUrl}/metrics`)).text();
  assert.match(metrics, /^parley_chat_review_errors_total [2-9]\d*$/m);
  assert.match(metrics, /^parley_chat_reviews_fallback_total [2-9]\d*$/m);
});

test('an unreadable --lambda-ca-file stops parleyd at start-up with a clear message', async () => {
  await assert.rejects(
    startParley({ args: ['--lambda-endpoint', lambda.url, '--lambda-ca-file', join(dir, 'missing.pem')] }),
    /--lambda-ca-file .*missing\.pem: cannot read: No such file or directory/);
  await assert.rejects(
    startParley({ args: ['--lambda-endpoint', lambda.url, '--lambda-ca-file', tls.keyPath] }),
    /--lambda-ca-file .*key\.pem: cannot load PEM certificates/);
});
