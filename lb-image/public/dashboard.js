// The dashboard: the fleet and the traffic from GET /dashboard/stream, the timeline from GET /events
// (both Server-Sent Events: the LB pushes, the page never polls) and a key-value console. The
// Mandelbrot explorer is explorer.js. No build step.
'use strict';

const $ = (id) => document.getElementById(id);
const esc = (s) => String(s ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);
const mib = (b) => (b / 1048576).toFixed(1);
const memory = (m) => (!m ? '' : `${mib(m.used)} ${m.max ? `/ ${mib(m.max)} MiB` : 'MiB (unbounded)'}${m.evictedKeys ? `, ${m.evictedKeys} evicted` : ''}`);

// ------------------------------------------------------------------ state banner
let lastState = 0;
function banner(kind, text) {
  const b = $('banner');
  b.className = `banner ${kind}`;
  b.textContent = text;
}
// No update for 3 s: the LB is gone (EventSource keeps reconnecting by itself meanwhile).
setInterval(() => {
  if (Date.now() - lastState > 3000) banner('bad', 'LB unreachable: reconnecting…');
}, 1000);

// ------------------------------------------------------------------ fleet
function renderFleet({ health, servers }) {
  const leader = health.leader;
  if (!leader) banner('wait', 'No leader: election in progress. Requests wait (bounded) or get 503 with Retry-After.');
  else if (health.status === 'ok') banner('ok', `Leader ${leader.id}, epoch ${leader.epoch}; ${health.clusters.healthy} of ${health.clusters.total} clusters healthy`);
  else banner('wait', `Degraded: leader ${leader.id} (epoch ${leader.epoch}); ${health.clusters.healthy} of ${health.clusters.total} clusters healthy`);
  $('summary').textContent = leader ? `leader ${leader.id} · epoch ${leader.epoch}` : 'no leader';
  const rows = servers.map((s) => {
    const r = s.redis ?? {};
    const cls = s.role === 'leader' ? 'leader' : s.healthy ? '' : 'down';
    const health = s.healthy ? '<span class="ok">healthy</span>' : '<span class="bad">cluster unreachable</span>';
    return `<tr class="${cls}" data-id="${esc(s.id)}"><td>${esc(s.id)}</td><td>${esc(s.dnsName ?? s.name)}</td><td>${esc(s.role)}</td><td>${health}</td>` +
      `<td>${esc(s.failures)}</td><td>${esc(s.epoch)}</td><td>${esc(r.role)}</td><td>${esc(r.offset)}</td><td>${esc(r.lag)}</td>` +
      `<td>${esc(r.keys)}</td><td>${esc(memory(r.memory))}</td><td>${esc(s.source)}</td></tr>`;
  });
  $('clusters').innerHTML = rows.join('') || '<tr><td colspan="12" class="muted">no cluster known yet</td></tr>';
}

// ------------------------------------------------------------------ traffic charts (uPlot)
const WINDOW = 120;
const series = { t: [], ok: [], client: [], server: [], p50: [], p99: [] };
const chartSize = () => ({ width: Math.max(320, $('traffic').clientWidth - 10), height: 170 });
const requestsChart = new uPlot(
  { ...chartSize(), title: 'Requests per second', scales: { x: { time: true } }, series: [{}, { label: '2xx/3xx', stroke: '#0a7d24' }, { label: '4xx', stroke: '#b07a00' }, { label: '5xx', stroke: '#b00020' }] },
  [[], [], [], []],
  $('chart-requests'),
);
const latencyChart = new uPlot(
  { ...chartSize(), title: 'Latency (ms)', scales: { x: { time: true } }, series: [{}, { label: 'p50', stroke: '#2a6ed8' }, { label: 'p99', stroke: '#8a2ad8' }] },
  [[], [], []],
  $('chart-latency'),
);
function renderTraffic(t) {
  if (!t) return;
  const push = (k, v) => { series[k].push(v); if (series[k].length > WINDOW) series[k].shift(); };
  push('t', t.t / 1000);
  push('ok', t.byStatus['2xx'] + t.byStatus['3xx']);
  push('client', t.byStatus['4xx']);
  push('server', t.byStatus['5xx']);
  push('p50', t.p50);
  push('p99', t.p99);
  requestsChart.setData([series.t, series.ok, series.client, series.server]);
  latencyChart.setData([series.t, series.p50, series.p99]);
  const routes = Object.entries(t.byRoute).sort((a, b) => b[1] - a[1]).map(([r, n]) => `${r}: ${n}/s`);
  $('routes').textContent = routes.length ? `Last second by route: ${routes.join(' · ')}` : 'No requests in the last second.';
}
window.addEventListener('resize', () => { requestsChart.setSize(chartSize()); latencyChart.setSize(chartSize()); });

const stream = new EventSource('/dashboard/stream');
stream.addEventListener('state', (e) => {
  lastState = Date.now();
  const s = JSON.parse(e.data);
  renderFleet(s);
  renderTraffic(s.traffic);
});

// ------------------------------------------------------------------ timeline
const KINDS = ['lb-started', 'election', 'leader-adopted', 'no-leader', 'cluster-joined', 'cluster-left', 'cluster-healthy', 'cluster-unhealthy', 'fenced'];
const timeline = new EventSource('/events');
for (const kind of KINDS) {
  timeline.addEventListener(kind, (e) => {
    const ev = JSON.parse(e.data);
    const li = document.createElement('li');
    li.dataset.kind = ev.kind;
    li.innerHTML = `<time datetime="${esc(ev.time)}">${esc(new Date(ev.time).toLocaleTimeString())}</time><span class="kind ${esc(ev.kind)}">${esc(ev.kind)}</span>${esc(ev.message)}`;
    const list = $('events');
    list.prepend(li);
    while (list.children.length > 300) list.lastChild.remove();
  });
}

// ------------------------------------------------------------------ key-value console
const out = (text) => { $('kv-out').textContent = text; };
async function call(method, path, body) {
  try {
    const res = await fetch(path, { method, body });
    const text = await res.text();
    let shown = text;
    try { shown = JSON.stringify(JSON.parse(text), null, 2); } catch { /* not JSON: as it is */ }
    out(`${method} ${path} → ${res.status}\n${shown}`);
    return res.ok ? JSON.parse(text) : null;
  } catch (err) {
    out(`${method} ${path} failed: ${err.message} (LB unreachable?)`);
    return null;
  }
}
const keyPath = () => `/keys/${encodeURIComponent($('kv-key').value)}`;
$('kv-form').addEventListener('submit', (e) => { e.preventDefault(); void call('GET', keyPath()); });
for (const button of document.querySelectorAll('#kv-form button[type=button]')) {
  button.addEventListener('click', () => {
    if (!$('kv-form').reportValidity()) return;
    if (button.dataset.op === 'del') return void call('DELETE', keyPath());
    const ttl = $('kv-ttl').value;
    void call('PUT', keyPath() + (ttl ? `?ttl=${encodeURIComponent(ttl)}` : ''), $('kv-value').value);
  });
}
let nextCursor = null;
async function list(cursor) {
  const q = new URLSearchParams({ prefix: $('list-prefix').value, limit: $('list-limit').value || '20' });
  if (cursor) q.set('cursor', cursor);
  const page = await call('GET', `/keys?${q}`);
  nextCursor = page?.cursor ?? null;
  $('list-next').disabled = !nextCursor;
}
$('list-form').addEventListener('submit', (e) => { e.preventDefault(); void list(null); });
$('list-next').addEventListener('click', () => nextCursor && void list(nextCursor));
