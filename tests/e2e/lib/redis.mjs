// A real redis-server for the cluster tests (never a mock): started on a free loopback port with
// nothing persisted, stopped when the test process exits. restart() keeps the port, as an
// operator's restart would.
import { spawn } from 'node:child_process';
import { createConnection } from 'node:net';
import { freePort } from './parley.mjs';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function ping(port) {
  return new Promise((resolve) => {
    const s = createConnection({ host: '127.0.0.1', port }, () => s.write('PING\r\n'));
    s.once('data', (d) => { s.destroy(); resolve(d.toString().startsWith('+PONG')); });
    s.once('error', () => resolve(false));
  });
}

// One Redis command in RESP (for the tests' own checks); resolves with the raw reply text.
export function redisCommand(port, ...args) {
  return new Promise((resolve, reject) => {
    const s = createConnection({ host: '127.0.0.1', port }, () => {
      s.write(`*${args.length}\r\n` + args.map((a) => `$${Buffer.byteLength(String(a))}\r\n${a}\r\n`).join(''));
    });
    s.once('data', (d) => { s.destroy(); resolve(d.toString()); });
    s.once('error', reject);
  });
}

export function redisAvailable() {
  try {
    return spawn('redis-server', ['--version']).pid !== undefined;
  } catch {
    return false;
  }
}

export async function startRedis() {
  const port = await freePort();
  let child = null;
  let log = '';
  const launch = async () => {
    child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '',
      '--appendonly', 'no', '--daemonize', 'no'], { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.on('data', (d) => { log += d; });
    child.stderr.on('data', (d) => { log += d; });
    const deadline = Date.now() + 5000;
    while (!(await ping(port))) {
      if (Date.now() > deadline) throw new Error(`redis-server did not start:\n${log}`);
      await sleep(20);
    }
  };
  const halt = async () => {
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGKILL');
    await exited;
  };
  await launch();
  const onExit = () => { try { child?.kill('SIGKILL'); } catch { /* gone */ } };
  process.once('exit', onExit);
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    get log() { return log; },
    stop: halt,
    start: launch,
    // A stalled Redis: the process stops answering but its sockets stay open.
    pause() { child.kill('SIGSTOP'); },
    resume() { child.kill('SIGCONT'); },
    async restart(downMs = 0) { await halt(); if (downMs) await sleep(downMs); await launch(); },
  };
}
