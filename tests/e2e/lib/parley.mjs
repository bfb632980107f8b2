// Test harness: starts a real parleyd on loopback with a fresh data directory, hands out
// official-SDK clients pointed at it, and stops it afterwards.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname, resolve, basename } from 'node:path';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { IvschatClient } from '@aws-sdk/client-ivschat';
import WebSocket from 'ws';
import { database, sharedCluster, testMasterKey } from './postgres.mjs';

const here = dirname(fileURLToPath(import.meta.url));
export const repoRoot = resolve(here, '../../..');
export const parleydPath = process.env.PARLEYD || join(repoRoot, 'build', 'parleyd');

// The official messaging SDK expects a browser-like global WebSocket.
globalThis.WebSocket ??= WebSocket;

export const credentials = {
  accessKeyId: 'AKIDPARLEYTEST000001',
  secretAccessKey: 'parley-test-secret-key-0123456789abcdefgh',
};

export async function freePort() {
  return new Promise((res, rej) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', rej);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => res(port));
    });
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// Which store the suites run against: PARLEY_TEST_STORE=postgres runs every node on PostgreSQL
// (one database per data directory, so a restart on the same directory finds its state).
export const testStore = process.env.PARLEY_TEST_STORE === 'postgres' ? 'postgres' : 'sqlite';

// Starts parleyd. Options: dataDir (reuse one across restarts), args (extra flags), env,
// store (a postgresql:// URL: several nodes on one database).
export async function startParley(options = {}) {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'parley-e2e-'));
  // The store URL goes in the environment, as an operator would pass a password.
  let storeEnv = {};
  const storeUrl = options.store ??
    (testStore === 'postgres' ? database(sharedCluster(), `p_${basename(dataDir)}`) : null);
  if (storeUrl) storeEnv = { PARLEY_STORE: storeUrl, PARLEY_MASTER_KEY: testMasterKey };
  const apiPort = options.apiPort ?? (await freePort());
  const chatPort = options.chatPort ?? (await freePort());
  const args = [
    '--data-dir', dataDir,
    '--api-listen', `127.0.0.1:${apiPort}`,
    '--chat-listen', `127.0.0.1:${chatPort}`,
    '--log-level', options.logLevel ?? 'warn',
    ...(options.args ?? []),
  ];
  const child = spawn(parleydPath, args, {
    env: {
      ...process.env,
      PARLEY_ACCESS_KEY_ID: credentials.accessKeyId,
      PARLEY_SECRET_ACCESS_KEY: credentials.secretAccessKey,
      ...storeEnv,
      ...(options.env ?? {}),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  child.stdout.on('data', (d) => { log += d; });
  child.stderr.on('data', (d) => { log += d; });
  const exited = new Promise((r) => child.once('exit', (code, signal) => r({ code, signal })));

  const apiUrl = `http://127.0.0.1:${apiPort}`;
  const deadline = Date.now() + 10000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`parleyd exited early (${child.exitCode}):\n${log}`);
    try {
      const r = await fetch(`${apiUrl}/healthz`);
      if (r.status === 200) break;
    } catch { /* not listening yet */ }
    if (Date.now() > deadline) throw new Error(`parleyd did not become ready:\n${log}`);
    await sleep(50);
  }

  const server = {
    child, dataDir, apiPort, chatPort, apiUrl, storeUrl,
    chatUrl: `ws://127.0.0.1:${chatPort}`,
    get log() { return log; },
    client(extra = {}) {
      return new IvschatClient({
        region: 'us-east-1', endpoint: apiUrl, credentials, maxAttempts: 1, ...extra,
      });
    },
    // SIGTERM and wait; returns the exit status.
    async stop({ keepData = false } = {}) {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      let timer;
      const timeout = new Promise((r) => { timer = setTimeout(() => r(null), 10000); });
      const status = await Promise.race([exited, timeout]);
      clearTimeout(timer);
      if (status === null) { child.kill('SIGKILL'); await exited; }
      // Against a sanitizer build (PARLEYD=build-asan/parleyd) any finding fails the test.
      const findings = log.split('\n').filter((l) => /AddressSanitizer|LeakSanitizer|runtime error:/.test(l));
      if (findings.length) throw new Error(`sanitizer findings in parleyd:\n${log.slice(-8000)}`);
      if (!keepData && !options.dataDir) rmSync(dataDir, { recursive: true, force: true });
      return status;
    },
    async kill9() {
      child.kill('SIGKILL');
      return exited;
    },
  };
  return server;
}

// Waits until predicate() is truthy (polling), or throws after timeoutMs.
export async function waitFor(predicate, timeoutMs = 5000, what = 'condition') {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await predicate();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}
