// GET /: a small live dashboard (no build step, no external assets): health, leader, clusters.
export const DASHBOARD_HTML = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>hscale dashboard</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
 body{font:14px/1.4 system-ui,sans-serif;margin:2rem;color:#222;background:#fafafa}
 h1{font-size:1.3rem} table{border-collapse:collapse;min-width:40rem;background:#fff}
 th,td{border:1px solid #ddd;padding:.35rem .6rem;text-align:left} th{background:#f0f0f0}
 .ok{color:#0a7d24;font-weight:600} .bad{color:#b00020;font-weight:600} .leader{background:#fff6d6}
 #status{font-size:1.1rem} code{background:#eee;padding:0 .25rem}
</style></head><body>
<h1>hscale: load balancer</h1>
<p id="status">loading…</p>
<table><thead><tr><th>id</th><th>name</th><th>healthy</th><th>role</th><th>epoch</th><th>redis</th><th>offset</th><th>memory</th><th>failures</th><th>source</th></tr></thead>
<tbody id="rows"></tbody></table>
<p>Try: <code>curl -X PUT --data hello localhost:8080/keys/greeting</code> · <a href="/mandelbrot.png?width=600">render a Mandelbrot</a> · <a href="/metrics">metrics</a></p>
<script>
const esc = (s) => String(s ?? '').replace(/[&<>"]/g, (c) => ({'&':'&amp;','<':'&lt;','>':'&gt;','"':'&quot;'}[c]));
const mib = (b) => (b / 1048576).toFixed(0);
const memory = (m) => !m ? '' : mib(m.used) + ' / ' + (m.max ? mib(m.max) + ' MiB' : 'unbounded') + (m.evictedKeys ? ' (' + m.evictedKeys + ' evicted)' : '');
async function refresh() {
  try {
    const [health, servers] = await Promise.all([fetch('/health').then(r => r.json()), fetch('/servers').then(r => r.json())]);
    const cls = health.status === 'ok' ? 'ok' : 'bad';
    document.getElementById('status').innerHTML = 'status <span class="' + cls + '">' + esc(health.status) + '</span> · leader ' +
      esc(health.leader ? health.leader.id + ' (epoch ' + health.leader.epoch + ')' : 'none') + ' · ' + health.clusters.healthy + '/' + health.clusters.total + ' clusters healthy';
    document.getElementById('rows').innerHTML = servers.map((s) => '<tr class="' + (s.role === 'leader' ? 'leader' : '') + '"><td>' + esc(s.id) + '</td><td>' + esc(s.name) +
      '</td><td class="' + (s.healthy ? 'ok' : 'bad') + '">' + s.healthy + '</td><td>' + esc(s.role) + '</td><td>' + esc(s.epoch) + '</td><td>' + esc(s.redis && s.redis.role) +
      '</td><td>' + esc(s.redis && s.redis.offset) + '</td><td>' + esc(memory(s.redis && s.redis.memory)) + '</td><td>' + s.failures + '</td><td>' + esc(s.source) + '</td></tr>').join('');
  } catch (e) { document.getElementById('status').textContent = 'LB unreachable: ' + e; }
}
refresh(); setInterval(refresh, 1000);
</script></body></html>`;
