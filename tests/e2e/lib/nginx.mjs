// nginx (the Debian package) as the cluster's load balancer on loopback: one port for the API,
// one for chat (WebSocket upgrade proxied), round robin over the nodes, a node that refuses
// connections skipped. Started by the test, stopped when it exits.
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync, rmSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './parley.mjs';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const nginxBin = process.env.NGINX ?? '/usr/sbin/nginx';

export function nginxConfig(dir, apiPort, chatPort, nodes) {
  const servers = (port) => nodes.map((n) => `    server 127.0.0.1:${n[port]} max_fails=1 fail_timeout=3s;`).join('\n');
  return `worker_processes 1;
worker_rlimit_nofile 65536;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 8192; }
http {
  access_log off;
  client_body_temp_path ${dir}/body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  map $http_upgrade $connection_upgrade { default upgrade; '' close; }
  upstream parley_api {
${servers('apiPort')}
    keepalive 16;
  }
  upstream parley_chat {
${servers('chatPort')}
  }
  server {
    listen 127.0.0.1:${apiPort};
    location / {
      proxy_pass http://parley_api;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host $http_host;  # SigV4 signs the Host the client used
      proxy_next_upstream error timeout;
    }
  }
  server {
    listen 127.0.0.1:${chatPort};
    location / {
      proxy_pass http://parley_chat;
      proxy_http_version 1.1;
      proxy_set_header Upgrade $http_upgrade;
      proxy_set_header Connection $connection_upgrade;
      proxy_set_header Host $http_host;
      proxy_read_timeout 3600s;
      proxy_next_upstream error timeout;
    }
  }
}
`;
}

// nodes: [{ apiPort, chatPort }]. Returns { apiUrl, chatUrl, stop() }.
export async function startNginx(nodes) {
  const dir = mkdtempSync(join(tmpdir(), 'parley-nginx-'));
  const apiPort = await freePort();
  const chatPort = await freePort();
  writeFileSync(join(dir, 'nginx.conf'), nginxConfig(dir, apiPort, chatPort, nodes));
  const child = spawn(nginxBin, ['-p', dir, '-c', join(dir, 'nginx.conf'), '-g', 'daemon off;'],
    { stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  child.stdout.on('data', (d) => { log += d; });
  child.stderr.on('data', (d) => { log += d; });
  const exited = new Promise((r) => child.once('exit', r));
  const apiUrl = `http://127.0.0.1:${apiPort}`;
  const deadline = Date.now() + 5000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`nginx exited:\n${log}`);
    try { await fetch(`${apiUrl}/healthz`); break; } catch { /* not yet */ }
    if (Date.now() > deadline) throw new Error(`nginx did not start:\n${log}`);
    await sleep(50);
  }
  const kill = () => { try { child.kill('SIGKILL'); } catch { /* gone */ } };
  process.once('exit', kill);
  return {
    apiUrl,
    chatUrl: `ws://127.0.0.1:${chatPort}`,
    errorLog: () => { try { return readFileSync(join(dir, 'error.log'), 'utf8'); } catch { return ''; } },
    async stop() {
      if (child.exitCode === null) { child.kill('SIGQUIT'); await Promise.race([exited, sleep(3000)]); kill(); }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
