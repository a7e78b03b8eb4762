// The Mandelbrot explorer: Leaflet over GET /mandelbrot/tiles/{z}/{x}/{y}.png down to zoom 36.
// Leaflet's coordinates are doubles, which run out there; deeper (to zoom 990, pixels of 1e-300)
// the explorer draws the route's deep tiles itself, placed with BigInt arithmetic, with the same
// controls: drag, wheel, double-click, + and −, the arrow keys. The page's query carries the view
// (?z=Z&x=X&y=Y: the centre, in pixels of zoom Z from the world's top-left corner), so any
// location can be shared and reopened.
'use strict';

// Tile 0/0/0 is the square re -2.25..0.75, im -1.5..1.5 (common/src/mandelbrot-view.ts, tileView).
// CRS.Simple maps it to 256 × 256 map units: x = 0..256 east, y = 0..-256 south.
const TILE = 256;
const LEAFLET_MAX_ZOOM = 36; // MAX_TILE_ZOOM: the deepest whose tiles doubles render
const DEEP_MAX_ZOOM = 990; // MAX_DEEP_TILE_ZOOM
const PAN_STEP = 80; // pixels per arrow key, as Leaflet's
$('max-zoom').textContent = `zoom ${DEEP_MAX_ZOOM}`;

const tileUrl = (z, x, y) => `/mandelbrot/tiles/${z}/${x}/${y}.png?escape=${$('escape').value}`;
const floorDiv = (a, b) => (a >= 0n ? a / b : -((-a + b - 1n) / b));

// ---------------------------------------------------------------- Leaflet, zoom 0 to 36
// One zoom more than its tiles: zooming in at 36 lands at 37, which hands over to the deep view.
const map = L.map('map', { crs: L.CRS.Simple, minZoom: 0, maxZoom: LEAFLET_MAX_ZOOM + 1, zoomSnap: 1, keyboard: true, attributionControl: false, maxBounds: [[-320, -64], [64, 320]] });
let tiles = null;
function showTiles() {
  if (tiles) map.removeLayer(tiles);
  tiles = L.tileLayer(tileUrl('{z}', '{x}', '{y}'), { tileSize: TILE, noWrap: true, bounds: [[-256, 0], [0, 256]], maxZoom: LEAFLET_MAX_ZOOM + 1, maxNativeZoom: LEAFLET_MAX_ZOOM }).addTo(map);
}

// ---------------------------------------------------------------- the deep view, zoom 37 to 990
const deepEl = $('deep-map');
/** The deep view's centre, in pixels of zoom z (BigInts), or null while Leaflet shows the map. */
let deep = null;
const shown = new Map(); // "z/x/y" -> <img>

function drawDeep() {
  const w = deepEl.clientWidth;
  const h = deepEl.clientHeight;
  const n = 1n << BigInt(deep.z);
  const left = deep.x - BigInt(w >> 1);
  const top = deep.y - BigInt(h >> 1);
  const keep = new Set();
  for (let ty = floorDiv(top, 256n); ty * 256n < top + BigInt(h); ty++) {
    for (let tx = floorDiv(left, 256n); tx * 256n < left + BigInt(w); tx++) {
      if (tx < 0n || ty < 0n || tx >= n || ty >= n) continue;
      const key = `${deep.z}/${tx}/${ty}`;
      keep.add(key);
      let img = shown.get(key);
      if (!img) {
        img = new Image(TILE, TILE);
        img.className = 'deep-tile';
        img.alt = '';
        img.src = tileUrl(deep.z, tx, ty);
        shown.set(key, img);
        deepEl.append(img);
      }
      img.style.left = `${Number(tx * 256n - left)}px`;
      img.style.top = `${Number(ty * 256n - top)}px`;
    }
  }
  for (const [key, img] of shown) if (!keep.has(key)) (img.remove(), shown.delete(key));
  viewChanged();
}

/** A view whose centre is inside the world (256·2^z pixels a side). */
function clamped(z, x, y) {
  const size = 256n << BigInt(z);
  const clamp = (v) => (v < 0n ? 0n : v >= size ? size - 1n : v);
  return { z, x: clamp(x), y: clamp(y) };
}

/** Zoom by one step (in: +1, out: -1) keeping the point (ox, oy) pixels from the centre in place. */
function zoomDeep(step, ox = 0, oy = 0) {
  const [dx, dy] = [BigInt(Math.round(ox)), BigInt(Math.round(oy))];
  if (step > 0) {
    if (deep.z >= DEEP_MAX_ZOOM) return;
    deep = clamped(deep.z + 1, 2n * deep.x + dx, 2n * deep.y + dy);
  } else {
    const next = clamped(deep.z - 1, floorDiv(deep.x + dx, 2n) - dx, floorDiv(deep.y + dy, 2n) - dy);
    if (next.z <= LEAFLET_MAX_ZOOM) return showLeaflet(next.z, next.x, next.y);
    deep = next;
  }
  drawDeep();
}

function panDeep(dx, dy) {
  deep = clamped(deep.z, deep.x + BigInt(Math.round(dx)), deep.y + BigInt(Math.round(dy)));
  drawDeep();
}

function showDeep(z, x, y, focus = true) {
  deep = { z, x, y };
  $('map').hidden = true;
  deepEl.hidden = false;
  if (focus) deepEl.focus();
  drawDeep();
}

function showLeaflet(z, x, y) {
  for (const img of shown.values()) img.remove();
  shown.clear();
  deep = null;
  deepEl.hidden = true;
  $('map').hidden = false;
  map.invalidateSize();
  map.setView([-Number(y) / 2 ** z, Number(x) / 2 ** z], z, { animate: false });
  $('map').focus();
}

// Leaflet zoomed in past its tiles: its centre (exact in doubles at zoom 37) goes to the deep view.
map.on('zoomend', () => {
  if (map.getZoom() <= LEAFLET_MAX_ZOOM || deep) return;
  const c = map.getCenter();
  const z = map.getZoom();
  map.setZoom(LEAFLET_MAX_ZOOM, { animate: false });
  showDeep(z, BigInt(Math.round(c.lng * 2 ** z)), BigInt(Math.round(-c.lat * 2 ** z)));
});

// The deep view's controls, as Leaflet's.
const fromCentre = (e) => {
  const r = deepEl.getBoundingClientRect();
  return [e.clientX - r.left - (deepEl.clientWidth >> 1), e.clientY - r.top - (deepEl.clientHeight >> 1)];
};
let lastWheel = 0;
deepEl.addEventListener('wheel', (e) => {
  e.preventDefault();
  if (e.timeStamp - lastWheel < 150 || e.deltaY === 0) return; // one step per flick of the wheel
  lastWheel = e.timeStamp;
  zoomDeep(e.deltaY < 0 ? 1 : -1, ...fromCentre(e));
}, { passive: false });
deepEl.addEventListener('dblclick', (e) => e.target.closest('button') || zoomDeep(e.shiftKey ? -1 : 1, ...fromCentre(e)));
// A drag pans by the whole distance from where it started (no rounding drift along the way).
let drag = null;
deepEl.addEventListener('pointerdown', (e) => {
  if (e.target.closest('button')) return; // the zoom buttons
  drag = { clientX: e.clientX, clientY: e.clientY, from: deep };
  deepEl.setPointerCapture(e.pointerId);
});
deepEl.addEventListener('pointermove', (e) => {
  if (!drag) return;
  deep = clamped(drag.from.z, drag.from.x + BigInt(Math.round(drag.clientX - e.clientX)), drag.from.y + BigInt(Math.round(drag.clientY - e.clientY)));
  drawDeep();
});
for (const end of ['pointerup', 'pointercancel', 'lostpointercapture']) deepEl.addEventListener(end, () => (drag = null));
window.addEventListener('resize', () => deep && drawDeep());
deepEl.addEventListener('keydown', (e) => {
  const keys = { '+': () => zoomDeep(1), '=': () => zoomDeep(1), '-': () => zoomDeep(-1), _: () => zoomDeep(-1),
    ArrowLeft: () => panDeep(-PAN_STEP, 0), ArrowRight: () => panDeep(PAN_STEP, 0), ArrowUp: () => panDeep(0, -PAN_STEP), ArrowDown: () => panDeep(0, PAN_STEP) };
  if (!keys[e.key]) return;
  e.preventDefault();
  // Not on to the document: zooming out to Leaflet focuses its map, whose keyboard handler listens
  // on the document and would take this same key as one more zoom.
  e.stopPropagation();
  keys[e.key]();
});
$('deep-in').addEventListener('click', () => zoomDeep(1));
$('deep-out').addEventListener('click', () => zoomDeep(-1));

// ---------------------------------------------------------------- the view: described and in the URL
/** The current view: zoom and centre in pixels of that zoom (BigInts). */
function currentView() {
  if (deep) return deep;
  const c = map.getCenter();
  const z = Math.min(map.getZoom(), LEAFLET_MAX_ZOOM);
  return { z, x: BigInt(Math.round(c.lng * 2 ** z)), y: BigInt(Math.round(-c.lat * 2 ** z)) };
}

/** n / 2^bits as decimal text with `digits` decimals at most (truncated). */
function dyadic(n, bits, digits) {
  const sign = n < 0n ? '-' : '';
  const a = n < 0n ? -n : n;
  const whole = a >> BigInt(bits);
  const fraction = (((a - (whole << BigInt(bits))) * 10n ** BigInt(digits)) >> BigInt(bits)).toString().padStart(digits, '0');
  return `${sign}${whole}.${fraction}`;
}

function viewChanged() {
  const { z, x, y } = currentView();
  // The centre is x·3/2^(z+8) - 2.25 and 1.5 - y·3/2^(z+8): exact in z + 8 bits.
  const bits = z + 8;
  const digits = Math.ceil(z * 0.302) + 4;
  const re = dyadic(3n * x - (9n << BigInt(z + 6)), bits, digits);
  const im = dyadic((3n << BigInt(z + 7)) - 3n * y, bits, digits);
  const pixel = 3 / TILE / 2 ** z;
  $('view-info').textContent = `zoom ${z}${deep ? ' (deep view)' : ''} · centre ${re} ${im.startsWith('-') ? '−' : '+'} ${im.replace('-', '')}i · ${pixel.toExponential(2)} per pixel`;
  // At most every 200 ms (a drag redraws at every pointer move; browsers limit replaceState calls).
  if (!urlPending) urlPending = setTimeout(writeUrl, 200);
}
let urlPending = null;
function writeUrl() {
  urlPending = null;
  const { z, x, y } = currentView();
  history.replaceState(null, '', `?z=${z}&x=${x}&y=${y}${location.hash}`);
}

/** The view the URL gives, or null (then the whole set). */
function viewFromUrl() {
  const q = new URLSearchParams(location.search);
  const z = Number(q.get('z'));
  const [x, y] = [q.get('x'), q.get('y')];
  if (!Number.isInteger(z) || z < 0 || z > DEEP_MAX_ZOOM || !/^\d{1,310}$/.test(x ?? '') || !/^\d{1,310}$/.test(y ?? '')) return null;
  return clamped(z, BigInt(x), BigInt(y));
}

$('escape').addEventListener('change', () => {
  showTiles();
  if (deep) {
    for (const img of shown.values()) img.remove();
    shown.clear();
    drawDeep();
  }
});
map.on('moveend zoomend', () => deep || viewChanged());
showTiles();
const start = viewFromUrl();
if (start && start.z > LEAFLET_MAX_ZOOM) {
  map.setView([-128, 128 + 32], 1);
  showDeep(start.z, start.x, start.y, false);
} else if (start) {
  map.setView([-Number(start.y) / 2 ** start.z, Number(start.x) / 2 ** start.z], start.z);
} else {
  map.setView([-128, 128 + 32], 1);
}
viewChanged();
