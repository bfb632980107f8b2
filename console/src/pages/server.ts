import uPlot from 'uplot';
import { h, banner } from '../dom';
import { serverFacts, chatUrlFor, type ServerFacts } from '../config';
import { parseMetrics, sum } from '../metrics';

const WINDOW = 120; // seconds of history kept on each graph

interface Totals {
  connections: number;
  deliveries: number;
  apiRequests: number;
  errors: number;
}

function totals(text: string): Totals {
  const s = parseMetrics(text);
  return {
    connections: sum(s, 'parley_chat_connections'),
    deliveries: sum(s, 'parley_chat_deliveries_total'),
    apiRequests: sum(s, 'parley_api_requests_total'),
    // API answers with a 4xx/5xx status, and ERROR frames sent to chat clients.
    errors: sum(s, 'parley_api_requests_total', (l) => Number(l.status) >= 400) + sum(s, 'parley_chat_errors_total'),
  };
}

function formatUptime(s: number): string {
  const d = Math.floor(s / 86400), hh = Math.floor((s % 86400) / 3600), mm = Math.floor((s % 3600) / 60), ss = s % 60;
  return `${d ? `${d}d ` : ''}${hh}h ${String(mm).padStart(2, '0')}m ${String(ss).padStart(2, '0')}s`;
}

interface Graph {
  key: keyof Totals;
  title: string;
  unit: string;
  color: string;
  rate: boolean;
  el: HTMLElement;
  value: HTMLElement;
  plot?: uPlot;
  data: number[];
}

export function renderServer(main: HTMLElement) {
  let alive = true;
  const status = h('div', { class: 'status-slot' });
  const facts = h('dl', { class: 'facts' });
  let serverInfo: ServerFacts | null = null;
  const times: number[] = [];
  const graphs: Graph[] = [
    { key: 'connections', title: 'Chat connections', unit: 'open', color: '#2f6fde', rate: false },
    { key: 'deliveries', title: 'Deliveries', unit: '/s', color: '#0f9d58', rate: true },
    { key: 'apiRequests', title: 'API requests', unit: '/s', color: '#8e44ad', rate: true },
    { key: 'errors', title: 'Errors', unit: '/s', color: '#d93025', rate: true },
  ].map((g) => ({
    ...g,
    key: g.key as keyof Totals,
    el: h('div', { class: 'chart', 'data-metric': g.key }),
    value: h('span', { class: 'chart-value' }, '–'),
    data: [],
  }));
  const grid = h('div', { class: 'charts' }, graphs.map((g) =>
    h('section', { class: 'card chart-card' }, h('h2', {}, g.title, ' ', g.value), g.el)));

  let previous: { t: number; v: Totals } | null = null;

  function chartWidth(g: Graph) {
    return Math.max(200, Math.floor(g.el.getBoundingClientRect().width));
  }

  function ensurePlots() {
    for (const g of graphs) {
      if (g.plot) continue;
      g.plot = new uPlot({
        width: chartWidth(g),
        height: 160,
        legend: { show: false },
        cursor: { show: true, drag: { x: false, y: false } },
        scales: { x: { time: true }, y: { range: (_u, _min, max) => [0, Math.max(1, max * 1.15)] } },
        axes: [{ stroke: '#667' }, { stroke: '#667', size: 48 }],
        series: [{}, { label: g.title, stroke: g.color, width: 2, fill: `${g.color}22`, points: { show: false } }],
      }, [times, g.data], g.el);
    }
  }

  async function tick() {
    try {
      const r = await fetch('/metrics', { cache: 'no-store' });
      if (!r.ok) throw new Error(`/metrics answered HTTP ${r.status}`);
      const now = Date.now() / 1000;
      const v = totals(await r.text());
      if (!alive) return;
      if (previous) {
        const dt = Math.max(0.001, now - previous.t);
        times.push(now);
        for (const g of graphs) {
          const y = g.rate ? Math.max(0, (v[g.key] - previous.v[g.key]) / dt) : v[g.key];
          g.data.push(Math.round(y * 100) / 100);
          if (g.data.length > WINDOW) g.data.shift();
          g.value.textContent = `${g.data[g.data.length - 1]} ${g.unit}`;
          // Read by the tests (and handy in devtools): the largest value on the graph.
          g.el.dataset.max = String(Math.max(...g.data));
          g.el.dataset.points = String(g.data.length);
        }
        if (times.length > WINDOW) times.shift();
        ensurePlots();
        for (const g of graphs) g.plot!.setData([times, g.data]);
      }
      previous = { t: now, v };
      status.replaceChildren();
    } catch (e) {
      if (alive) status.replaceChildren(banner('error', `Cannot read metrics: ${(e as Error).message}`));
    }
  }

  function renderFacts() {
    if (!serverInfo) return;
    const uptime = serverInfo.uptimeSeconds + Math.floor((Date.now() - fetchedAt) / 1000);
    facts.replaceChildren(
      ...[
        ['Version', serverInfo.version],
        ['Uptime', formatUptime(uptime)],
        ['Store', serverInfo.store],
        ['Bus', serverInfo.bus],
        ['Region', serverInfo.region],
        ['Chat endpoint', chatUrlFor(serverInfo)],
      ].flatMap(([k, v]) => [h('dt', {}, k), h('dd', { 'data-fact': k.toLowerCase() }, v)]),
    );
  }
  let fetchedAt = Date.now();
  serverFacts().then((f) => {
    serverInfo = f;
    fetchedAt = Date.now();
    renderFacts();
  }, (e) => alive && status.replaceChildren(banner('error', `Cannot read the server's facts: ${(e as Error).message}`)));

  const onResize = () => {
    for (const g of graphs) g.plot?.setSize({ width: chartWidth(g), height: 160 });
  };
  window.addEventListener('resize', onResize);
  const timer = window.setInterval(() => {
    tick();
    renderFacts();
  }, 1000);
  tick();

  main.append(h('div', { class: 'page-head' }, h('h1', {}, 'Server')), status, h('section', { class: 'card' }, facts),
    grid, h('p', { class: 'muted' }, 'From /metrics on this server, every second; the last two minutes.'));
  return () => {
    alive = false;
    window.clearInterval(timer);
    window.removeEventListener('resize', onResize);
    for (const g of graphs) g.plot?.destroy();
  };
}
