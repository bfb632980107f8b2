// Built-in TLS on both doors (issue 11): the official clients over wss:// and https://,
// trusting a CA this test makes with the openssl CLI; certificate reload on SIGHUP (new
// connections get the new certificate, open ones stay); bad certificates at start-up.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync, readFileSync, rmSync, copyFileSync, existsSync } from 'node:fs';
import https from 'node:https';
import tls from 'node:tls';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import WebSocket from 'ws';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { IvschatClient, CreateRoomCommand, CreateChatTokenCommand, ListRoomsCommand } from '@aws-sdk/client-ivschat';
import { ChatRoom, SendMessageRequest } from 'amazon-ivs-chat-messaging';
import { credentials, freePort, parleydPath, waitFor } from './lib/parley.mjs';

const dir = mkdtempSync(join(tmpdir(), 'parley-tls-'));
const openssl = (...args) => execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });

// A CA, and server certificates for 127.0.0.1 signed by it (two, to tell a reload apart).
openssl('req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes',
  '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '2', '-subj', '/CN=Parley Test CA');
writeFileSync(join(dir, 'ext.cnf'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\n');
function serverCert(name, cn) {
  openssl('req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes',
    '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${cn}`);
  openssl('x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.pem', '-CAkey', 'ca.key',
    '-CAcreateserial', '-out', `${name}.pem`, '-days', '2', '-extfile', 'ext.cnf');
}
serverCert('one', 'parley-one');
serverCert('two', 'parley-two');
const ca = readFileSync(join(dir, 'ca.pem'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));

// The messaging SDK opens `new WebSocket(url, token)`: a `ws` that trusts the test CA.
class TrustingWebSocket extends WebSocket {
  constructor(url, protocols, options = {}) { super(url, protocols, { ...options, ca }); }
}
globalThis.WebSocket = TrustingWebSocket;

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// Against a sanitizer build (PARLEYD=build-asan/parleyd) any finding fails the test.
function assertNoSanitizerFindings(log) {
  const findings = log.split('\n').filter((l) => /AddressSanitizer|LeakSanitizer|runtime error:/.test(l));
  if (findings.length) throw new Error(`sanitizer findings in parleyd:\n${log.slice(-8000)}`);
}

async function startTlsParley(extraArgs = []) {
  const dataDir = mkdtempSync(join(tmpdir(), 'parley-tls-data-'));
  const apiPort = await freePort();
  const chatPort = await freePort();
  // The live certificate files, which the reload test overwrites.
  copyFileSync(join(dir, 'one.pem'), join(dataDir, 'cert.pem'));
  copyFileSync(join(dir, 'one.key'), join(dataDir, 'key.pem'));
  const child = spawn(parleydPath, [
    '--data-dir', dataDir, '--api-listen', `127.0.0.1:${apiPort}`,
    '--chat-listen', `127.0.0.1:${chatPort}`, '--log-level', 'info',
    '--tls-cert', join(dataDir, 'cert.pem'), '--tls-key', join(dataDir, 'key.pem'), ...extraArgs,
  ], {
    env: { ...process.env, PARLEY_ACCESS_KEY_ID: credentials.accessKeyId, PARLEY_SECRET_ACCESS_KEY: credentials.secretAccessKey },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  child.stdout.on('data', (d) => { log += d; });
  child.stderr.on('data', (d) => { log += d; });
  const exited = new Promise((r) => child.once('exit', (code) => r(code)));
  const agent = new https.Agent({ ca, keepAlive: true });
  const apiUrl = `https://127.0.0.1:${apiPort}`;
  await waitFor(async () => {
    if (child.exitCode !== null) throw new Error(`parleyd exited:\n${log}`);
    return new Promise((r) => {
      https.get(`${apiUrl}/healthz`, { agent }, (res) => { res.resume(); r(res.statusCode === 200); })
        .on('error', () => r(false));
    });
  }, 10000, 'parleyd over https');
  return {
    child, dataDir, apiPort, chatPort, apiUrl, chatUrl: `wss://127.0.0.1:${chatPort}`, agent,
    get log() { return log; },
    client() {
      return new IvschatClient({
        region: 'us-east-1', endpoint: apiUrl, credentials, maxAttempts: 1,
        requestHandler: new NodeHttpHandler({ httpsAgent: agent }),
      });
    },
    async stop() {
      agent.destroy();
      child.kill('SIGTERM');
      const code = await exited;
      rmSync(dataDir, { recursive: true, force: true });
      assertNoSanitizerFindings(log);
      return code;
    },
  };
}

// The certificate a fresh TLS connection to `port` is served (its subject CN).
function servedCommonName(port, extra = {}) {
  return new Promise((resolve, reject) => {
    const s = tls.connect({ host: '127.0.0.1', port, ca, servername: 'localhost', ...extra }, () => {
      const cn = s.getPeerCertificate().subject.CN;
      const alpn = s.alpnProtocol;
      const version = s.getProtocol();
      s.end();
      resolve({ cn, alpn, version });
    });
    s.on('error', reject);
  });
}

async function connectChat(parley, api, roomArn, userId) {
  const chat = new ChatRoom({
    regionOrUrl: parley.chatUrl,
    tokenProvider: async () => {
      const t = await api.send(new CreateChatTokenCommand({ roomIdentifier: roomArn, userId, capabilities: ['SEND_MESSAGE'] }));
      return { token: t.token, sessionExpirationTime: t.sessionExpirationTime, tokenExpirationTime: t.tokenExpirationTime };
    },
  });
  const connected = new Promise((r, j) => {
    chat.addListener('connect', r);
    chat.addListener('disconnect', (e) => j(new Error(`disconnected: ${JSON.stringify(e)}`)));
  });
  chat.connect();
  await connected;
  return chat;
}

test('official SDKs over https:// and wss://, ALPN http/1.1, TLS 1.2+', async (t) => {
  const parley = await startTlsParley();
  t.after(() => parley.stop());
  assert.match(parley.log, /control API {2}https:\/\/127\.0\.0\.1:/);
  assert.match(parley.log, /chat WebSocket wss:\/\/127\.0\.0\.1:/);
  const api = parley.client();
  const room = await api.send(new CreateRoomCommand({ name: 'tls' }));
  const list = await api.send(new ListRoomsCommand({}));
  assert.equal(list.rooms.length, 1);

  const alice = await connectChat(parley, api, room.arn, 'alice');
  const bob = await connectChat(parley, api, room.arn, 'bob');
  const got = new Promise((r) => bob.addListener('message', r));
  const sent = await alice.sendMessage(new SendMessageRequest('over TLS', { k: 'v' }));
  const msg = await got;
  assert.equal(msg.content, 'over TLS');
  assert.equal(msg.id, sent.id);
  assert.equal(msg.sender.userId, 'alice');
  // A large message crosses several TLS records in one direction and comes back whole.
  const big = 'x'.repeat(500);
  const got2 = new Promise((r) => alice.addListener('message', (m) => m.content === big && r(m)));
  await bob.sendMessage(new SendMessageRequest(big));
  assert.equal((await got2).content, big);
  alice.disconnect();
  bob.disconnect();

  for (const port of [parley.apiPort, parley.chatPort]) {
    const h = await servedCommonName(port, { ALPNProtocols: ['h2', 'http/1.1'] });
    assert.equal(h.cn, 'parley-one');
    assert.equal(h.alpn, 'http/1.1');
    assert.match(h.version, /^TLSv1\.[23]$/);
    // TLS 1.1 is refused.
    await assert.rejects(servedCommonName(port, { minVersion: 'TLSv1', maxVersion: 'TLSv1.1' }));
  }
  // A plain ws:// or http:// client on a TLS door gets no service.
  await assert.rejects(fetch(`http://127.0.0.1:${parley.apiPort}/healthz`));
  await assert.rejects(new Promise((res, rej) => {
    const ws = new WebSocket(`ws://127.0.0.1:${parley.chatPort}`, 'x');
    ws.on('open', res); ws.on('error', rej);
  }));
  // The failed chat handshake is counted.
  const metrics = await new Promise((r) => https.get(`${parley.apiUrl}/metrics`, { agent: parley.agent }, (res) => {
    let b = ''; res.on('data', (d) => { b += d; }); res.on('end', () => r(b));
  }));
  assert.match(metrics, /parley_chat_tls_handshakes_failed_total [1-9]/);
});

test('SIGHUP reload: new connections get the new certificate, open ones are untouched; a bad file keeps the old one', async (t) => {
  const parley = await startTlsParley();
  t.after(() => parley.stop());
  const api = parley.client();
  const room = await api.send(new CreateRoomCommand({ name: 'reload' }));
  const before = await connectChat(parley, api, room.arn, 'before');
  let closed = false;
  before.addListener('disconnect', () => { closed = true; });
  assert.equal((await servedCommonName(parley.chatPort)).cn, 'parley-one');

  copyFileSync(join(dir, 'two.pem'), join(parley.dataDir, 'cert.pem'));
  copyFileSync(join(dir, 'two.key'), join(parley.dataDir, 'key.pem'));
  parley.child.kill('SIGHUP');
  await waitFor(() => /chat door TLS certificate reloaded|API door TLS certificate reloaded/.test(parley.log), 5000, 'reload log');
  assert.equal((await servedCommonName(parley.chatPort)).cn, 'parley-two');
  assert.equal((await servedCommonName(parley.apiPort)).cn, 'parley-two');

  // The connection opened before the reload still works both ways.
  const after = await connectChat(parley, api, room.arn, 'after');
  const got = new Promise((r) => before.addListener('message', r));
  await after.sendMessage(new SendMessageRequest('after reload'));
  assert.equal((await got).content, 'after reload');
  const got2 = new Promise((r) => after.addListener('message', (m) => m.content === 'from before' && r(m)));
  await before.sendMessage(new SendMessageRequest('from before'));
  await got2;
  assert.equal(closed, false);

  // A broken certificate file: logged, and the current certificate stays.
  writeFileSync(join(parley.dataDir, 'cert.pem'), '-----BEGIN CERTIFICATE-----\nnot a certificate\n-----END CERTIFICATE-----\n');
  parley.child.kill('SIGHUP');
  await waitFor(() => /TLS certificate not reloaded, still serving the previous one/.test(parley.log), 5000, 'reload failure log');
  assert.equal((await servedCommonName(parley.chatPort)).cn, 'parley-two');
  assert.equal(parley.child.exitCode, null);

  // A file changed on disk without a signal is picked up by the watcher (polled every 2 s).
  copyFileSync(join(dir, 'one.pem'), join(parley.dataDir, 'cert.pem'));
  copyFileSync(join(dir, 'one.key'), join(parley.dataDir, 'key.pem'));
  await waitFor(async () => (await servedCommonName(parley.chatPort)).cn === 'parley-one', 8000, 'file-change reload');
  before.disconnect();
  after.disconnect();
});

function runParleyd(args) {
  return new Promise((resolve) => {
    const dataDir = mkdtempSync(join(tmpdir(), 'parley-tls-bad-'));
    const child = spawn(parleydPath, ['--data-dir', dataDir, '--api-listen', '127.0.0.1:0', '--chat-listen', '127.0.0.1:0', ...args], {
      env: { ...process.env, PARLEY_ACCESS_KEY_ID: credentials.accessKeyId, PARLEY_SECRET_ACCESS_KEY: credentials.secretAccessKey },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d) => { out += d; });
    child.stderr.on('data', (d) => { out += d; });
    const timer = setTimeout(() => child.kill('SIGKILL'), 10000);
    child.on('exit', (code) => { clearTimeout(timer); rmSync(dataDir, { recursive: true, force: true }); resolve({ code, out }); });
  });
}

test('a bad certificate or key at start-up: a clear error and a non-zero exit', async () => {
  const garbage = join(dir, 'garbage.pem');
  writeFileSync(garbage, 'hello\n');
  const cases = [
    [['--tls-cert', join(dir, 'missing.pem'), '--tls-key', join(dir, 'one.key')], /TLS certificate .*missing\.pem: cannot read/],
    [['--tls-cert', garbage, '--tls-key', join(dir, 'one.key')], /TLS certificate .*garbage\.pem: cannot load a PEM certificate chain/],
    [['--tls-cert', join(dir, 'one.pem'), '--tls-key', garbage], /TLS key .*garbage\.pem: cannot load a PEM private key/],
    [['--tls-cert', join(dir, 'one.pem'), '--tls-key', join(dir, 'two.key')], /does not match the certificate/],
    [['--chat-tls-cert', join(dir, 'one.pem'), '--chat-tls-key', join(dir, 'two.key')], /does not match the certificate/],
  ];
  for (const [args, message] of cases) {
    const { code, out } = await runParleyd(args);
    assert.notEqual(code, 0, out);
    assert.match(out, message);
    assertNoSanitizerFindings(out);
  }
  const { code, out } = await runParleyd(['--tls-cert', join(dir, 'one.pem')]);
  assert.equal(code, 2);
  assert.match(out, /--tls-cert and --tls-key go together/);
});

test('per-door certificates: TLS on the chat door only', async (t) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'parley-tls-door-'));
  const apiPort = await freePort();
  const chatPort = await freePort();
  const child = spawn(parleydPath, ['--data-dir', dataDir, '--api-listen', `127.0.0.1:${apiPort}`, '--chat-listen', `127.0.0.1:${chatPort}`,
    '--chat-tls-cert', join(dir, 'two.pem'), '--chat-tls-key', join(dir, 'two.key')], {
    env: { ...process.env, PARLEY_ACCESS_KEY_ID: credentials.accessKeyId, PARLEY_SECRET_ACCESS_KEY: credentials.secretAccessKey },
    stdio: 'ignore',
  });
  t.after(() => { child.kill('SIGTERM'); rmSync(dataDir, { recursive: true, force: true }); });
  await waitFor(async () => { try { return (await fetch(`http://127.0.0.1:${apiPort}/healthz`)).ok; } catch { return false; } }, 10000, 'plain API');
  assert.equal((await servedCommonName(chatPort)).cn, 'parley-two');

  // parley-load speaks wss:// too (docs/performance.md (g)): every delivery arrives.
  const load = process.env.PARLEY_LOAD || join(dirname(parleydPath), 'parley-load');
  if (!existsSync(load)) return t.diagnostic(`no ${load}: the load tool part is skipped`);
  const out = execFileSync(load, ['fanout', '--api', `http://127.0.0.1:${apiPort}`, '--chat', `wss://127.0.0.1:${chatPort}`,
    '--ca', join(dir, 'ca.pem'), '--connections', '40', '--rate', '10', '--duration', '1'], {
    env: { ...process.env, PARLEY_ACCESS_KEY_ID: credentials.accessKeyId, PARLEY_SECRET_ACCESS_KEY: credentials.secretAccessKey },
    encoding: 'utf8', timeout: 60000,
  });
  assert.match(out, /opened 40 of 40 connections/, out);
  const row = out.split('\n').find((l) => /^\| 10\.0 \|/.test(l));
  assert.ok(row, out);
  const cells = row.split('|').map((c) => c.trim()).filter((c) => c !== '');
  assert.ok(Number(cells[5]) > 0, `deliveries/s in ${row}`);
  assert.equal(cells[6], '0', `lost in ${row}`);
  await sleep(10);
});
