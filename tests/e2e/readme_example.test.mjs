// The README's "Using it from code" program, run exactly as written there (only the two
// endpoints come from the environment, as the README's program allows): it must print the
// message it sent, print nothing else (quiet SDK logging), and exit by itself.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { credentials, repoRoot, startParley } from './lib/parley.mjs';

function readmeProgram() {
  const readme = readFileSync(join(repoRoot, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## Using it from code'));
  const m = section.match(/```js\n([\s\S]*?)```/);
  assert.ok(m, 'README has a js block under "Using it from code"');
  return m[1];
}

test('the README program sends a message, prints it, and exits', async (t) => {
  const parley = await startParley();
  t.after(() => parley.stop());
  // Inside the checkout, so that its imports resolve from the project's node_modules.
  const dir = join(repoRoot, '.cache', `readme-example-${process.pid}`);
  mkdirSync(dir, { recursive: true });
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'hello.mjs');
  writeFileSync(file, readmeProgram());

  const child = spawn(process.execPath, [file], {
    env: {
      PATH: process.env.PATH,
      AWS_ACCESS_KEY_ID: credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
      AWS_CONFIG_FILE: '/dev/null',
      AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
      PARLEY_API: parley.apiUrl,
      PARLEY_CHAT: parley.chatUrl,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (d) => { out += d; });
  child.stderr.on('data', (d) => { err += d; });
  const timer = setTimeout(() => child.kill('SIGKILL'), 20000);
  const code = await new Promise((r) => child.once('exit', (c) => r(c)));
  clearTimeout(timer);
  assert.equal(code, 0, `exit status (stderr: ${err})`);
  assert.equal(out, 'alice: hello, Parley\n', 'prints only the message received');
  assert.equal(err, '', 'nothing on stderr');
});
