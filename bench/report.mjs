// Reads the files bench/compare.sh wrote and prints the per-server tables and the ratio table
// Parley ÷ uWS. A server run more than once is represented by the median of its runs per
// figure: one run's stall (a p99 that triples between two runs of the same binary) moves a
// median of three less than a mean. Usage: node bench/report.mjs DIR
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const dir = process.argv[2];
const runs = {}; // server -> scenario -> [rows]; server -> idle -> [{perConn, opened}]
const add = (server, key, value) => ((runs[server] ??= {})[key] ??= []).push(value);
for (const f of readdirSync(dir).sort()) {
  const m = f.match(/^\d+-(\w+)-(fanout-(\w+)|idle)\.txt$/);
  if (!m) continue;
  const text = readFileSync(join(dir, f), 'utf8');
  // "opened N [of M] connections in 1.234 s (8103.7/s)": the span from the first connect
  // started to the last open completed, timed on the client loops (older output: 0.1 s steps).
  const opened = text.match(/opened (\d+)[^(]*in ([\d.]+) s(?: \(([\d.]+)\/s\))?/);
  const connectsPerS = opened ? (opened[3] ? Number(opened[3]) : Number(opened[1]) / Number(opened[2])) : NaN;
  // "open CPU: server 88.0 µs per connection (...), load tool 90.6 µs per connection (95% of the span)"
  const openCpu = text.match(/open CPU: server ([\d.]+) µs per connection(?:.*load tool [\d.]+ µs per connection \((\d+)% of the span\))?/);
  const serverUsPerConnect = openCpu ? Number(openCpu[1]) : NaN;
  const toolBusy = openCpu && openCpu[2] ? Number(openCpu[2]) : NaN;
  if (m[2] === 'idle') {
    const row = text.split('\n').find((l) => /^\| \d/.test(l));
    if (row) add(m[1], 'idle', { perConn: Number(row.split('|')[6]), opened: Number(row.split('|')[1]), connectsPerS, serverUsPerConnect, toolBusy });
    continue;
  }
  const rows = text.split('\n').filter((l) => /^\| \d/.test(l)).map((l) => {
    const c = l.split('|').slice(1, -1).map((s) => Number(s.trim()));
    const [rate, , , , , deliveries, lost, p50, p90, p99, max, cpu] = c;
    return { rate, deliveries, lost, p50, p90, p99, max, cpu, usPerDelivery: deliveries ? (cpu / 100) * 1e6 / deliveries : NaN };
  });
  add(m[1], m[3], { rows, connectsPerS, serverUsPerConnect, toolBusy });
}

// Runs that failed (no figure) are left out rather than turning the figure into NaN.
const median = (xs) => {
  const ok = xs.filter(Number.isFinite).sort((a, b) => a - b);
  if (!ok.length) return NaN;
  const mid = ok.length >> 1;
  return ok.length % 2 ? ok[mid] : (ok[mid - 1] + ok[mid]) / 2;
};
const f1 = (x) => (Number.isFinite(x) ? x.toFixed(1) : '–');
const f2 = (x) => (Number.isFinite(x) ? x.toFixed(2) : '–');
// Highest deliveries/s of a phase with nothing lost and p99 under 50 ms.
const best = (rows) => Math.max(0, ...rows.filter((r) => r.lost <= 0 && r.p99 < 50).map((r) => r.deliveries));

for (const scenario of ['10x200', '1x2000']) {
  console.log(`\n### ${scenario}: per server\n`);
  console.log('| server | target msg/s | deliveries/s | lost | p50 ms | p90 ms | p99 ms | max ms | server CPU % | CPU µs/delivery |');
  console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const [server, s] of Object.entries(runs)) for (const run of s[scenario] ?? []) for (const r of run.rows)
    console.log(`| ${server} | ${r.rate} | ${f1(r.deliveries)} | ${r.lost} | ${f2(r.p50)} | ${f2(r.p90)} | ${f2(r.p99)} | ${f2(r.max)} | ${f1(r.cpu)} | ${f2(r.usPerDelivery)} |`);
}

const ratioRows = [];
const pick = (server, scenario) => runs[server]?.[scenario] ?? [];
for (const scenario of ['10x200', '1x2000']) {
  const p = pick('parley', scenario), u = pick('uws', scenario);
  if (!p.length || !u.length) continue;
  const ran = (runsOf) => runsOf.filter((r) => r.rows.length);
  const pBest = median(ran(p).map((r) => best(r.rows))), uBest = median(ran(u).map((r) => best(r.rows)));
  ratioRows.push([`${scenario}: highest deliveries/s with 0 lost and p99 < 50 ms (higher is better)`, pBest, uBest]);
  if (!ran(p).length || !ran(u).length) continue;
  const phases = ran(p)[0].rows.length;
  for (let i = 0; i < phases; ++i) {
    const at = (runsOf, k) => median(runsOf.map((r) => r.rows[i]?.[k]).filter(Number.isFinite));
    const label = `${scenario} at ${ran(p)[0].rows[i].rate} msg/s (${f1(at(u, 'deliveries'))} deliveries/s for uWS)`;
    ratioRows.push([`${label}: p50 ms`, at(p, 'p50'), at(u, 'p50')]);
    ratioRows.push([`${label}: p99 ms`, at(p, 'p99'), at(u, 'p99')]);
    ratioRows.push([`${label}: server CPU µs per delivery`, at(p, 'usPerDelivery'), at(u, 'usPerDelivery')]);
  }
  ratioRows.push([`${scenario}: connects/s while opening ${scenario} (Parley verifies a token on each)`, median(p.map((r) => r.connectsPerS)), median(u.map((r) => r.connectsPerS))]);
  ratioRows.push([`${scenario}: connects/s one server core sustains while opening ${scenario} (1e6 / server CPU µs per connection)`, 1e6 / median(p.map((r) => r.serverUsPerConnect)), 1e6 / median(u.map((r) => r.serverUsPerConnect))]);
}
const pi = pick('parley', 'idle'), ui = pick('uws', 'idle');
if (pi.length && ui.length) {
  const n = median(pi.map((r) => r.opened));
  const at = (runsOf, k) => median(runsOf.map((r) => r[k]));
  // The load tool opens connections from one core and pays for much of the loopback TCP
  // handshake in its own kernel time; when it is busy for most of the span, the measured
  // rate is its limit, not the server's. The server's CPU per connection is what one
  // server core would sustain: 1e6 / µs connects/s.
  ratioRows.push([`idle ${n}: connects/s measured (Parley verifies a token on each; load tool busy ${f1(at(pi, 'toolBusy'))}% / ${f1(at(ui, 'toolBusy'))}% of the span)`, at(pi, 'connectsPerS'), at(ui, 'connectsPerS')]);
  ratioRows.push([`idle ${n}: connects/s one server core sustains (1e6 / server CPU µs per connection; Parley verifies a token on each)`, 1e6 / at(pi, 'serverUsPerConnect'), 1e6 / at(ui, 'serverUsPerConnect')]);
  ratioRows.push(['idle: server RSS KiB per connection', at(pi, 'perConn'), at(ui, 'perConn')]);
}
const wi = pick('ws', 'idle');
const count = (server, key) => pick(server, key).length;
console.log(`\n### Parley ÷ uWS (median of ${count('parley', '10x200')} Parley and ${count('uws', '10x200')} uWS runs)\n`);
console.log('| figure | Parley | uWS | ratio |');
console.log('|---|---:|---:|---:|');
for (const [label, a, b] of ratioRows) console.log(`| ${label} | ${f2(a)} | ${f2(b)} | ${f2(a / b)} |`);
// Issue 10's scaling check: --threads 2 (server and load tool sharing CPUs 0-1) against one thread.
const p2 = pick('parley2', '10x200').filter((r) => r.rows.length), p1 = pick('parley', '10x200').filter((r) => r.rows.length);
if (p2.length && p1.length) {
  console.log(`\n### 10x200, CPU µs per delivery: --threads 2 ÷ --threads 1 (median of ${p2.length} and ${p1.length} runs)\n`);
  // The k-th run of each is a pair (adjacent when SERVERS alternates them): the spread of the
  // pairs' ratios shows how much of the median ratio the machine's noise could account for.
  const pairs = Math.min(p1.length, p2.length);
  console.log('| target msg/s | 2 threads | 1 thread | ratio | ratio of each pair, min – median – max |');
  console.log('|---:|---:|---:|---:|---:|');
  for (let i = 0; i < p1[0].rows.length; ++i) {
    const at = (runsOf) => median(runsOf.map((r) => r.rows[i]?.usPerDelivery));
    const each = [...Array(pairs).keys()].map((k) => p2[k].rows[i]?.usPerDelivery / p1[k].rows[i]?.usPerDelivery).filter(Number.isFinite).sort((a, b) => a - b);
    const spread = each.length ? `${f2(each[0])} – ${f2(median(each))} – ${f2(each[each.length - 1])}` : '–';
    console.log(`| ${p1[0].rows[i].rate} | ${f2(at(p2))} | ${f2(at(p1))} | ${f2(at(p2) / at(p1))} | ${spread} |`);
  }
}
if (wi.length) console.log(`\n(ws idle: ${f2(median(wi.map((r) => r.perConn)))} KiB per connection)`);
