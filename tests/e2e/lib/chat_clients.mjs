// Chat clients for the messaging e2e tests: rooms and tokens through the official control-plane
// SDK, official-SDK ChatRooms that record what they see, and raw `ws` clients that keep every
// frame so a test can look at the exact wire payloads.
import { CreateRoomCommand, CreateChatTokenCommand } from '@aws-sdk/client-ivschat';
import { ChatRoom } from 'amazon-ivs-chat-messaging';
import { readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import WebSocket from 'ws';

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export const ALL_CAPABILITIES = ['SEND_MESSAGE', 'DELETE_MESSAGE', 'DISCONNECT_USER'];

export async function createRoom(api, fields = {}) {
  return api.send(new CreateRoomCommand({ name: `room-${Math.random().toString(36).slice(2, 8)}`, ...fields }));
}

export async function mintToken(api, roomArn, userId, { capabilities = ALL_CAPABILITIES, attributes, sessionDurationInMinutes } = {}) {
  return api.send(new CreateChatTokenCommand({
    roomIdentifier: roomArn, userId, capabilities, attributes, sessionDurationInMinutes,
  }));
}

// Prometheus text of /metrics as { name: number }.
export async function metrics(parley) {
  const text = await (await fetch(`${parley.apiUrl}/metrics`)).text();
  const out = {};
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const [name, value] = line.split(/\s+/);
    out[name] = Number(value);
  }
  return out;
}

// An official-SDK ChatRoom that records everything it emits. `tokensIssued` counts the
// tokenProvider calls (a reconnect shows up as one more).
export function sdkRoom(parley, api, roomArn, userId, tokenOptions = {}) {
  const rec = {
    messages: [], deletes: [], userDisconnects: [], events: [], disconnects: [], sdkErrors: [],
    tokensIssued: 0,
  };
  const chat = new ChatRoom({
    regionOrUrl: parley.chatUrl,
    tokenProvider: async () => {
      rec.tokensIssued += 1;
      const t = await mintToken(api, roomArn, userId, tokenOptions);
      return { token: t.token, sessionExpirationTime: t.sessionExpirationTime, tokenExpirationTime: t.tokenExpirationTime };
    },
  });
  chat.logLevel = 'error';
  chat.logger = { debug() {}, info() {}, error: (...args) => rec.sdkErrors.push(args.map(String).join(' ')) };
  chat.addListener('message', (m) => rec.messages.push(m));
  chat.addListener('messageDelete', (e) => rec.deletes.push(e));
  chat.addListener('userDisconnect', (e) => rec.userDisconnects.push(e));
  chat.addListener('event', (e) => rec.events.push(e));
  chat.addListener('disconnect', (reason) => rec.disconnects.push(reason));
  rec.chat = chat;
  rec.connect = () => new Promise((resolve, reject) => {
    const offConnect = chat.addListener('connect', () => { offConnect(); offDisconnect(); resolve(rec); });
    const offDisconnect = chat.addListener('disconnect', (reason) => {
      offConnect(); offDisconnect(); reject(new Error(`SDK disconnected while connecting: ${reason}`));
    });
    chat.connect();
  });
  rec.close = () => { if (chat.state !== 'disconnected') chat.disconnect(); };
  return rec;
}

// A raw `ws` client that keeps every frame it receives (parsed JSON plus the raw text).
export class RawClient {
  constructor(ws) {
    this.ws = ws;
    this.frames = [];
    this.closeInfo = null;
    this.waiters = new Set();
    ws.on('message', (data, isBinary) => {
      const text = data.toString();
      let json = null;
      try { json = JSON.parse(text); } catch { /* kept as raw text */ }
      this.frames.push({ json, text, isBinary });
      this.#wake();
    });
    this.closed = new Promise((resolve) => {
      ws.on('close', (code, reason) => {
        this.closeInfo = { code, reason: reason.toString(), at: Date.now() };
        resolve(this.closeInfo);
        this.#wake();
      });
    });
    ws.on('error', (err) => { this.error = err; });
  }

  #wake() { for (const w of [...this.waiters]) w(); }

  // Resolves with the first frame (json) matching pred (searching from the start), or rejects.
  next(pred, timeoutMs = 3000, what = 'frame') {
    return new Promise((resolve, reject) => {
      const check = () => {
        const f = this.frames.find((x) => x.json && pred(x.json));
        if (f) { done(); resolve(f.json); return; }
        if (this.closeInfo) { done(); reject(new Error(`connection closed (${this.closeInfo.code}) before ${what}`)); }
      };
      const timer = setTimeout(() => { done(); reject(new Error(`timed out waiting for ${what}`)); }, timeoutMs);
      const done = () => { clearTimeout(timer); this.waiters.delete(check); };
      this.waiters.add(check);
      check();
    });
  }

  // The raw text of the first frame whose JSON matches pred.
  rawOf(pred) { return this.frames.find((x) => x.json && pred(x.json))?.text; }

  jsonFrames() { return this.frames.filter((f) => f.json).map((f) => f.json); }

  send(obj) { this.ws.send(typeof obj === 'string' ? obj : JSON.stringify(obj)); }

  close() { if (this.ws.readyState === WebSocket.OPEN) this.ws.close(1000); }
}

// Opens a raw client with `token` as subprotocol. Resolves with a RawClient once open; rejects
// with an Error carrying .status when the server refuses the upgrade with an HTTP response.
export function rawConnect(url, token, wsOptions = {}) {
  return new Promise((resolve, reject) => {
    const ws = token === undefined ? new WebSocket(url, wsOptions) : new WebSocket(url, token, wsOptions);
    const client = new RawClient(ws);
    ws.once('open', () => resolve(client));
    ws.once('unexpected-response', (req, res) => {
      let body = '';
      res.on('data', (d) => { body += d; });
      res.on('end', () => {
        req.destroy();
        const err = new Error(`upgrade refused: ${res.statusCode} ${body.trim()}`);
        err.status = res.statusCode;
        err.body = body;
        reject(err);
      });
    });
    ws.once('error', (err) => reject(err));
  });
}

// Mints a token and opens a raw client with it.
export async function rawClient(parley, api, roomArn, userId, tokenOptions = {}) {
  const t = await mintToken(api, roomArn, userId, tokenOptions);
  const c = await rawConnect(parley.chatUrl, t.token);
  c.userId = userId;
  c.token = t.token;
  return c;
}

// Sends a SEND_MESSAGE with a fresh RequestId and waits for its echo or its ERROR.
let requestCounter = 0;
export async function rawSend(client, content, extra = {}, timeoutMs = 3000) {
  const RequestId = `rq-${process.pid}-${++requestCounter}`;
  client.send({ Action: 'SEND_MESSAGE', RequestId, Content: content, ...extra });
  return client.next((f) => f.RequestId === RequestId && (f.Type === 'MESSAGE' || f.Type === 'ERROR'), timeoutMs, `reply to ${RequestId}`);
}

// Resident set size of a process in KiB, from /proc/<pid>/status.
export async function rssKiB(pid) {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) : NaN;
}

// Stops parleyd and fails if it did not exit cleanly or a sanitizer complained (the tests can
// run against a -DPARLEY_SANITIZE=ON build through PARLEYD).
export async function stopCleanly(parley) {
  const status = await parley.stop();
  const complaints = parley.log.split('\n').filter((l) => /AddressSanitizer|LeakSanitizer|runtime error:/.test(l));
  if (complaints.length) {
    const file = `${tmpdir()}/parleyd-sanitizer-${parley.child.pid}.log`;
    writeFileSync(file, parley.log);
    throw new Error(`sanitizer findings in parleyd (full log in ${file}):\n${complaints.slice(0, 20).join('\n')}`);
  }
  if (!status || status.code !== 0) throw new Error(`parleyd exit status ${JSON.stringify(status)}\n${parley.log.slice(-4000)}`);
}
