// The dashboard in a real browser (Debian's Chromium, headless, driven by playwright-core) against
// real processes: every cluster and the leader shown; a key set in the console reads back through
// the API; the leader's Redis killed and the page shows the new leader and the election without a
// reload; a zoom in the explorer loads new tiles, and a second visit of that view is served from
// the tile cache (lb_tile_cache_total). Screenshots go to test/artifacts/.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { chromium, type Browser, type Page } from 'playwright-core';
import { Harness, ROOT } from '../helpers/processes.ts';
import { call } from '../helpers/http.ts';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ARTIFACTS = path.join(ROOT, 'test/artifacts');
let h: Harness;
let browser: Browser;
let page: Page;

before(async () => {
  assert.ok(existsSync(CHROMIUM), `${CHROMIUM} is missing: apt-get install chromium (test/run.sh does it)`);
  mkdirSync(ARTIFACTS, { recursive: true });
  h = await Harness.start(3);
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'], headless: true });
  page = await browser.newPage({ viewport: { width: 1400, height: 1800 } });
  await page.goto(h.lbUrl);
});
after(async () => {
  await browser?.close();
  await h?.stopAll();
});

/** Waits until the console's output matches; on timeout, says what it showed. */
async function consoleShows(pattern: RegExp) {
  try {
    await page.waitForFunction((src) => new RegExp(src).test(document.getElementById('kv-out')!.textContent!), pattern.source, { timeout: 10_000 });
  } catch {
    assert.fail(`the console never showed ${pattern}; it shows:\n${await page.locator('#kv-out').innerText()}`);
  }
}
const tileHits = async () => Number(/lb_tile_cache_total\{result="hit"\} (\d+)/.exec((await call(`${h.lbUrl}/metrics`)).body)?.[1] ?? 0);

test('every cluster and the leader are shown, live', async () => {
  const leader = (await call(`${h.lbUrl}/leader`)).body as { id: string };
  await page.waitForFunction((n) => document.querySelectorAll('#clusters tr[data-id]').length === n, 3, { timeout: 15_000 });
  for (const c of h.clusters) assert.equal(await page.locator(`#clusters tr[data-id="${c.id}"]`).count(), 1, c.id);
  assert.equal(await page.locator('#clusters tr.leader').getAttribute('data-id'), leader.id);
  await page.waitForFunction(() => document.getElementById('banner')!.className.includes('ok'), undefined, { timeout: 10_000 });
  assert.match(await page.locator('#banner').innerText(), /Leader .* epoch \d+; 3 of 3 clusters healthy/);
  await page.screenshot({ path: path.join(ARTIFACTS, 'dashboard.png'), fullPage: false });
});

test('a key set in the console reads back through the API; get, list and delete work from the page', async () => {
  await page.fill('#kv-key', 'from-the-page');
  await page.fill('#kv-value', 'hello from chromium');
  await page.click('#kv-form button[data-op="set"]');
  await consoleShows(/PUT \/keys\/from-the-page → 200/);
  assert.equal((await call(`${h.lbUrl}/keys/from-the-page`)).body.value, 'hello from chromium');
  await page.focus('#kv-key');
  await page.keyboard.press('Enter'); // in the key field: the form's default action is Get
  await consoleShows(/"value": "hello from chromium"/);
  await page.fill('#list-prefix', 'from-');
  await page.click('#list-form button[type=submit]');
  await consoleShows(/"keys": \[\s*"from-the-page"\s*\]/);
  await page.click('#kv-form button[data-op="del"]');
  await consoleShows(/"deleted": true/);
  assert.equal((await call(`${h.lbUrl}/keys/from-the-page`)).status, 404);
});

test('the leader\'s Redis is killed: the page shows the new leader and the election in the timeline, without a reload', async () => {
  const before = (await call(`${h.lbUrl}/leader`)).body as { id: string; epoch: number };
  const marker = await page.evaluate(() => ((window as any).__sameDocument = Math.random()));
  (await h.leader()).redis.kill('SIGKILL');
  await page.waitForFunction(
    (old) => {
      const row = document.querySelector('#clusters tr.leader');
      return row !== null && row.getAttribute('data-id') !== old;
    },
    before.id,
    { timeout: 30_000 },
  );
  const after = (await call(`${h.lbUrl}/leader`)).body as { id: string; epoch: number };
  assert.notEqual(after.id, before.id);
  assert.equal(await page.locator('#clusters tr.leader').getAttribute('data-id'), after.id);
  await page.waitForSelector(`#events li[data-kind="election"]:has-text("epoch ${after.epoch}")`, { timeout: 10_000 });
  // The old leader's slave answers, but its Redis is dead: after its failed probes it shows as unreachable.
  await page.waitForSelector(`#clusters tr.down[data-id="${before.id}"]:has-text("cluster unreachable")`, { timeout: 15_000 });
  assert.equal(await page.evaluate(() => (window as any).__sameDocument), marker, 'the page was not reloaded');
  await page.screenshot({ path: path.join(ARTIFACTS, 'dashboard-after-failover.png') });
});

const loadedAt = (z: number) => `#map img.leaflet-tile-loaded[src*="/tiles/${z}/"]`;
/** "+" twice on the focused map (1 → 3), each zoom's tiles all loaded before the next. */
async function zoomTwiceByKeyboard(p: Page) {
  const failed: string[] = [];
  p.on('response', (r) => r.url().includes('/tiles/') && r.status() !== 200 && failed.push(`${r.status()} ${r.url()}`));
  await p.focus('#map');
  for (const z of [2, 3]) {
    // A key pressed while Leaflet still animates the last zoom is dropped: press until it takes.
    const deadline = Date.now() + 20_000;
    while ((await p.evaluate(() => eval('map.getZoom()'))) < z) {
      assert.ok(Date.now() < deadline, `the map did not zoom to ${z} with the keyboard`);
      await p.focus('#map');
      await p.keyboard.press('Equal'); // "=" / "+": zoom in
      await p.waitForFunction((want) => eval('map.getZoom()') >= want, z, { timeout: 2_000 }).catch(() => undefined);
    }
    try {
      await p.waitForSelector(loadedAt(z), { timeout: 60_000 });
      await p.waitForFunction(() => [...document.querySelectorAll('#map img.leaflet-tile')].every((i) => i.classList.contains('leaflet-tile-loaded')), undefined, { timeout: 60_000 });
    } catch (err) {
      const pending = await p.evaluate(() => [...document.querySelectorAll('#map img.leaflet-tile:not(.leaflet-tile-loaded)')].map((i) => (i as HTMLImageElement).src));
      const zoom = await p.evaluate(() => eval('map.getZoom()'));
      assert.fail(`zoom ${z}: ${(err as Error).message}; map at zoom ${zoom}; tiles not loaded: ${pending.join(', ')}; failed answers: ${failed.join(', ')}`);
    }
  }
}

test('a zoom in the explorer loads new tiles; a second visit of the same view is served from the tile cache', async () => {
  await page.locator('#map').scrollIntoViewIfNeeded();
  await page.waitForSelector(loadedAt(1), { timeout: 30_000 });
  await zoomTwiceByKeyboard(page);
  const z3 = await page.locator(loadedAt(3)).count();
  assert.ok(z3 > 0);
  await page.locator('#explorer').screenshot({ path: path.join(ARTIFACTS, 'explorer.png') });

  // The same view in a new browser context (its own empty HTTP cache): every tile from the store.
  const hitsBefore = await tileHits();
  const second = await browser.newPage({ viewport: { width: 1400, height: 1800 } });
  try {
    await second.goto(h.lbUrl);
    await second.locator('#map').scrollIntoViewIfNeeded();
    await second.waitForSelector(loadedAt(1), { timeout: 30_000 });
    await zoomTwiceByKeyboard(second);
  } finally {
    await second.close();
  }
  const hits = (await tileHits()) - hitsBefore;
  assert.ok(hits >= z3, `${hits} tile cache hits on the second visit, for ${z3} tiles at zoom 3`);
});

/** Waits until the deep view shows tiles and every one of them has loaded; how many. */
async function deepTilesLoaded(p: Page): Promise<number> {
  await p.waitForFunction(() => {
    const imgs = [...document.querySelectorAll('#deep-map img.deep-tile')] as HTMLImageElement[];
    return imgs.length > 0 && imgs.every((i) => i.complete && i.naturalWidth === 256);
  }, undefined, { timeout: 90_000 }).catch(async (err: Error) => {
    const imgs = await p.evaluate(() => ([...document.querySelectorAll('#deep-map img.deep-tile')] as HTMLImageElement[]).map((i) => `${i.src} ${i.complete} ${i.naturalWidth}`));
    assert.fail(`deep tiles did not all load: ${err.message}\n${imgs.join('\n')}`);
  });
  return p.locator('#deep-map img.deep-tile').count();
}
const viewInUrl = (p: Page) => Object.fromEntries(new URL(p.url()).searchParams);

test('the explorer zooms past Leaflet\'s depth into its own deep view (deep tiles) and back; a deep view\'s URL reopens it', async () => {
  // c = i (a Misiurewicz point: filaments at every depth), in pixels of zoom z: the world is 256·2^z
  // pixels across, from -2.25 + 1.5i.
  const at = (z: number) => [(256n * 2n ** BigInt(z) * 3n) / 4n, (256n * 2n ** BigInt(z)) / 6n] as const;
  const [x, y] = at(35);
  const p = await browser.newPage({ viewport: { width: 1400, height: 1800 } });
  try {
    await p.goto(`${h.lbUrl}/?z=35&x=${x}&y=${y}`);
    await p.locator('#map').scrollIntoViewIfNeeded();
    assert.equal(await p.evaluate(() => eval('map.getZoom()')), 35, 'the URL\'s view');
    // "+" until Leaflet is at zoom 37, one past its tiles (a key pressed while Leaflet animates a
    // zoom is dropped: press until it takes); when that zoom ends, the deep view takes over.
    const deadline = Date.now() + 30_000;
    // (Leaflet reports 37 only while it animates: the deep view then sets it back to 36.)
    const deepHidden = () => p.locator('#deep-map').isHidden();
    for (let zoom = 35; zoom < 37 && (await deepHidden()); zoom = await p.evaluate(() => eval('map.getZoom()'))) {
      assert.ok(Date.now() < deadline, `Leaflet did not zoom past ${zoom} with the keyboard`);
      await p.focus('#map');
      await p.keyboard.press('Equal');
      await p.waitForFunction((z) => eval('map.getZoom()') > z, zoom, { timeout: 2_000 }).catch(() => undefined);
    }
    await p.waitForSelector('#deep-map:not([hidden])', { timeout: 10_000 });
    assert.ok(await p.locator('#map').isHidden(), 'Leaflet is hidden');
    assert.ok((await deepTilesLoaded(p)) >= 4, 'deep tiles fill the view');
    const urlZoomIs = (z: string) => p.waitForFunction((want) => new URL(location.href).searchParams.get('z') === want, z, { timeout: 10_000 });
    await urlZoomIs('37');
    // The deep view's own keys: one more in, then out twice, back to Leaflet at 36.
    await p.focus('#deep-map');
    await p.keyboard.press('Equal');
    await urlZoomIs('38');
    await deepTilesLoaded(p);
    await p.keyboard.press('Minus');
    await p.keyboard.press('Minus');
    await p.waitForFunction(() => !document.getElementById('map')!.hidden, undefined, { timeout: 10_000 });
    assert.equal(await p.evaluate(() => eval('map.getZoom()')), 36);
    await urlZoomIs('36');
    // Leaflet came back at the same place: the centre it shows is the pixel the deep view had (x at 36 = x at 35 × 2, within a pixel).
    assert.ok(Math.abs(Number(BigInt(viewInUrl(p).x!) - 2n * x)) <= 2, `centre ${viewInUrl(p).x} near ${2n * x}`);
  } finally {
    await p.close();
  }

  // A deep location opened from its URL: c = i at zoom 200, pixels of 7e-63.
  const deepPage = await browser.newPage({ viewport: { width: 1400, height: 1800 } });
  try {
    const [x200, y200] = at(200);
    await deepPage.goto(`${h.lbUrl}/?z=200&x=${x200}&y=${y200}`);
    await deepPage.locator('#deep-map').scrollIntoViewIfNeeded();
    assert.ok(await deepPage.locator('#map').isHidden());
    assert.ok((await deepTilesLoaded(deepPage)) >= 4);
    assert.match(await deepPage.locator('#view-info').innerText(), /zoom 200 \(deep view\)/);
    await deepPage.locator('#explorer').screenshot({ path: path.join(ARTIFACTS, 'explorer-deep.png') });
  } finally {
    await deepPage.close();
  }
});
