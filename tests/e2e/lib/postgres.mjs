// A real PostgreSQL for the e2e tests (never a mock), through tests/lib/postgres.sh: the
// cluster named by PARLEY_TEST_PG_URL (scripts/run-tests.sh starts one per run), else one
// started on first use in this process and stopped when it exits. Tests that take PostgreSQL
// down start a private cluster of their own.
import { execFileSync } from 'node:child_process';
import { join, dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { randomBytes } from 'node:crypto';

const here = dirname(fileURLToPath(import.meta.url));
const script = resolve(here, '../../lib/postgres.sh');
const psqlBin = process.env.PG_BIN ? join(process.env.PG_BIN, 'psql') : '/usr/lib/postgresql/15/bin/psql';

// The master key every test node shares (cluster mode requires one).
export const testMasterKey = 'a1'.repeat(32);

export function postgresAvailable() {
  try {
    execFileSync(script, ['available'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

function run(args) {
  return execFileSync(script, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

// Starts a cluster of its own: { dir, url, pause(), resume(), stop() }.
export function startPrivateCluster() {
  const [dir, url] = run(['start']).trim().split('\n');
  let stopped = false;
  const stop = () => { if (!stopped) { stopped = true; run(['stop', dir]); } };
  process.once('exit', stop);
  // A test process stopped by a signal (a runner's timeout, ^C) skips 'exit' handlers: stop
  // the server first, or it outlives the tests.
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    process.once(signal, () => { stop(); process.exit(128 + (signal === 'SIGINT' ? 2 : signal === 'SIGTERM' ? 15 : 1)); });
  }
  return { dir, url, pause: () => run(['pause', dir]), resume: () => run(['resume', dir]), stop };
}

let shared = null;
// The cluster shared by this process's tests: { url }.
export function sharedCluster() {
  if (process.env.PARLEY_TEST_PG_URL) return { url: process.env.PARLEY_TEST_PG_URL };
  shared ??= startPrivateCluster();
  return shared;
}

export function psql(databaseUrl, sql) {
  return execFileSync(psqlBin, [databaseUrl, '-qAtX', '-v', 'ON_ERROR_STOP=1', '-c', sql], {
    encoding: 'utf8',
  }).trim();
}

// A database in `cluster` (created if missing); returns its URL. A name derived from a data
// directory gives a node that restarts on that directory the same database.
export function database(cluster, name = `t_${randomBytes(6).toString('hex')}`) {
  const safe = name.toLowerCase().replace(/[^a-z0-9_]/g, '_').slice(0, 60);
  const exists = psql(`${cluster.url}/postgres`, `SELECT 1 FROM pg_database WHERE datname = '${safe}'`);
  if (!exists) psql(`${cluster.url}/postgres`, `CREATE DATABASE ${safe}`);
  return `${cluster.url}/${safe}`;
}
