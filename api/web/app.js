// The web view: plain script over the JSON API, uPlot for charts, EventSource for live tiles.
'use strict';
const $ = (s) => document.querySelector(s);
const el = (tag, attrs = {}, ...children) => {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) if (k === 'class') e.className = v; else if (k.startsWith('data-')) e.setAttribute(k, v); else e[k] = v;
  for (const c of children) e.append(c instanceof Node ? c : document.createTextNode(String(c ?? '')));
  return e;
};
const api = async (path) => {
  const r = await fetch(path);
  const body = await r.json();
  if (!r.ok) throw new Error(body.error || `${r.status}`);
  return body;
};

// --- time: every instant from the API is UTC; the switch picks how it is shown ---
let tz = localStorage.getItem('scalar.tz') || 'utc';
$('#tz').value = tz;
const pad = (n) => String(n).padStart(2, '0');
function fmt(iso) {
  if (!iso) return '–';
  const d = new Date(iso);
  if (tz === 'utc') return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())} UTC`;
  const off = -d.getTimezoneOffset();
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())} (UTC${off >= 0 ? '+' : '-'}${pad(Math.floor(Math.abs(off) / 60))}:${pad(Math.abs(off) % 60)})`;
}
const age = (iso) => {
  if (!iso) return '–';
  const s = Math.round((Date.now() - Date.parse(iso)) / 1000);
  if (s < 0) return `in ${fmtSpan(-s)}`;
  return `${fmtSpan(s)} ago`;
};
const fmtSpan = (s) => (s < 120 ? `${s} s` : s < 7200 ? `${Math.round(s / 60)} min` : s < 172800 ? `${Math.round(s / 3600)} h` : `${Math.round(s / 86400)} d`);
// Zone codes instead of EICs where the API gives a label; labels learnt from /api/series and /api/latest.
const labels = new Map();
const learn = (items) => items.forEach((s) => Object.entries(s.labels || {}).forEach(([k, l]) => labels.set(`${k}=${s.series[k]}`, l)));
const label = (k, v) => labels.get(`${k}=${v}`) ?? v;
const seriesLabel = (series) => Object.entries(series).map(([k, v]) => `${k} ${label(k, v)}`).join(' · ');

// --- pages ---
const pages = { explorer: initExplorer, live: initLive, health: loadHealth, freshness: loadFreshness, workers: loadWorkers, desk: loadDesk };
const started = new Set();
function show() {
  const page = (location.hash.slice(1) || 'explorer').split('?')[0];
  for (const s of document.querySelectorAll('[data-page]')) s.hidden = s.dataset.page !== page;
  for (const a of document.querySelectorAll('nav a')) a.classList.toggle('active', a.getAttribute('href') === `#${page}`);
  if (!pages[page]) return;
  if (!started.has(page) || page !== 'live') pages[page]();
  started.add(page);
}
window.addEventListener('hashchange', show);
$('#tz').addEventListener('change', () => {
  tz = $('#tz').value;
  localStorage.setItem('scalar.tz', tz);
  show();
  if (lastDraw) draw(lastDraw);
});

let catalogue = null;
const datasets = async () => (catalogue ??= await api('/api/datasets'));

// --- explorer: dataset → dimension filters → range → chart ---
let explorerReady = false;
let lastDraw = null;
let plot = null;
async function initExplorer() {
  if (explorerReady) return;
  explorerReady = true;
  const list = await datasets();
  const select = $('#dataset');
  for (const d of list) select.append(el('option', { value: d.id }, `${d.id} (${d.unit})`));
  const first = list.find((d) => d.newest) || list[0];
  select.value = first.id;
  select.addEventListener('change', () => loadDimensions().then(explore));
  $('#explore').addEventListener('submit', (e) => {
    e.preventDefault();
    explore();
  });
  await loadDimensions();
  await explore();
}

async function loadDimensions() {
  // No data-points while the selection changes: a reader (or a test) waits for the new chart.
  $('#chart').removeAttribute('data-points');
  const id = $('#dataset').value;
  const series = await api(`/api/series?dataset=${encodeURIComponent(id)}`);
  learn(series);
  const box = $('#dims');
  box.replaceChildren();
  const keys = [...new Set(series.flatMap((s) => Object.keys(s.series)))].sort();
  for (const k of keys) {
    const values = [...new Set(series.map((s) => s.series[k]).filter((v) => v !== undefined))].sort();
    const sel = el('select', { name: k, 'data-dimension': k }, el('option', { value: '' }, 'all'), ...values.map((v) => el('option', { value: v }, label(k, v))));
    // One series by default: a chart of every zone at once is unreadable.
    if (values.length > 1) sel.value = values[0];
    box.append(el('label', {}, k, sel));
  }
  const last = series.map((s) => s.lastTs).filter(Boolean).sort().pop();
  const to = last ? new Date(Date.parse(last) + 86_400_000) : new Date();
  $('#to').value = to.toISOString().slice(0, 10);
  $('#from').value = new Date(Date.parse($('#to').value) - 86_400_000).toISOString().slice(0, 10);
}

function observationUrl(format) {
  const p = new URLSearchParams({ dataset: $('#dataset').value, from: $('#from').value, to: $('#to').value, format });
  for (const s of document.querySelectorAll('[data-dimension]')) if (s.value) p.append('where', `${s.dataset.dimension}=${s.value}`);
  return `/api/observations?${p}`;
}

async function explore() {
  $('#chart').removeAttribute('data-points');
  $('#explore-error').textContent = '';
  $('#csv').href = observationUrl('csv');
  let rows;
  try {
    rows = await api(observationUrl('json'));
  } catch (e) {
    $('#explore-error').textContent = e.message;
    return;
  }
  $('#point-count').textContent = String(rows.length);
  $('#unit').textContent = rows[0] ? `${rows[0].unit}, ${rows[0].resolution}` : 'no data in this range';
  draw(rows);
}

function draw(rows) {
  lastDraw = rows;
  const bySeries = new Map();
  for (const r of rows) {
    const k = seriesLabel(r.series);
    if (!bySeries.has(k)) bySeries.set(k, new Map());
    bySeries.get(k).set(Date.parse(r.ts) / 1000, r.value);
  }
  const xs = [...new Set(rows.map((r) => Date.parse(r.ts) / 1000))].sort((a, b) => a - b);
  // Nulls stay gaps in the line, never zero.
  const data = [xs, ...[...bySeries.values()].map((m) => xs.map((x) => (m.has(x) ? m.get(x) : null)))];
  const colors = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#17becf'];
  const opts = {
    width: Math.min(1260, document.body.clientWidth - 40), height: 380,
    tzDate: (ts) => (tz === 'utc' ? uPlot.tzDate(new Date(ts * 1e3), 'Etc/UTC') : new Date(ts * 1e3)),
    series: [{ label: tz === 'utc' ? 'time (UTC)' : 'time (local)' }, ...[...bySeries.keys()].map((k, i) => ({ label: k, stroke: colors[i % colors.length], width: 1.5 }))],
    axes: [{}, { label: rows[0]?.unit ?? '' }],
  };
  plot?.destroy();
  $('#chart').replaceChildren();
  plot = new uPlot(opts, data, $('#chart'));
  $('#chart').dataset.points = String(rows.length);
}

// --- live tiles: /api/latest, then the SSE change feed ---
let source = null;
let liveReady = false;
async function initLive() {
  if (!liveReady) {
    liveReady = true;
    const sel = $('#live-dataset');
    for (const d of await datasets()) if (/price/.test(d.id)) sel.append(el('option', { value: d.id }, d.id));
    const wanted = new URLSearchParams(location.hash.split('?')[1] || '').get('dataset');
    if (wanted) sel.value = wanted;
    sel.addEventListener('change', followLive);
  }
  await followLive();
}

function tile(v) {
  return el('div', { class: 'tile', 'data-series-key': v.seriesKey },
    el('div', { class: 'label' }, seriesLabel(v.series)),
    el('div', {}, el('span', { class: 'value' }, v.value === null ? '–' : v.value.toFixed(2)), el('span', { class: 'unit' }, v.unit)),
    el('div', { class: 'at' }, `${fmt(v.ts)} · ${v.resolution}`));
}

async function followLive() {
  const id = $('#live-dataset').value;
  source?.close();
  const tiles = $('#tiles');
  const now = await api(`/api/latest?dataset=${encodeURIComponent(id)}`);
  learn(now);
  tiles.replaceChildren(...now.map(tile));
  source = new EventSource(`/api/stream?dataset=${encodeURIComponent(id)}`);
  source.onopen = () => ($('#live-state').textContent = 'connected');
  source.onerror = () => ($('#live-state').textContent = 'reconnecting…');
  source.addEventListener('latest', (e) => {
    const v = JSON.parse(e.data);
    learn([v]);
    const next = tile(v);
    next.classList.add('changed');
    const old = tiles.querySelector(`[data-series-key="${CSS.escape(v.seriesKey)}"]`);
    if (old) old.replaceWith(next); else tiles.append(next);
    setTimeout(() => next.classList.remove('changed'), 1500);
  });
}

// --- provider health ---
const pct = (a) => (a.ratio === null ? '–' : `${(a.ratio * 100).toFixed(1)} % of ${a.requests}`);
async function loadHealth() {
  const h = await api('/api/health');
  $('#health-table tbody').replaceChildren(...h.providers.map((p) => el('tr', {},
    el('td', {}, p.provider), el('td', { class: `status-${p.status}` }, p.status), el('td', {}, pct(p.availability.lastHour)), el('td', {}, pct(p.availability.lastDay)),
    el('td', {}, p.latencyMs ? `${p.latencyMs.p50} / ${p.latencyMs.p95} / ${p.latencyMs.p99} ms` : '–'), el('td', {}, fmt(p.lastSuccess)), el('td', {}, p.consecutiveFailures),
    el('td', {}, p.lastError ? `${fmt(p.lastError.at)} ${p.lastError.status ?? ''} ${p.lastError.message.slice(0, 120)}` : '–'))));
}

// --- freshness ---
async function loadFreshness() {
  catalogue = null;
  // --- quality: the newest scored day of each dataset (GET /api/quality, the last three days) ---
  const quality = new Map();
  for (const q of (await api('/api/quality').catch(() => ({ days: [] }))).days) quality.set(q.dataset, q);
  const pctText = (v) => (v === null ? '–' : `${v} %`);
  const qualityCell = (q) => (q
    ? el('td', { class: 'quality', title: `${q.day}: completeness ${pctText(q.completeness)}, on time ${pctText(q.timeliness)}, plausible ${pctText(q.plausibility)}, agreement ${pctText(q.agreement)}${q.absent.length ? ` (left out: ${q.absent.join(', ')})` : ''}` }, `${q.score} (${q.day})`)
    : el('td', {}, '–'));
  $('#freshness-table tbody').replaceChildren(...(await datasets()).map((d) => el('tr', {},
    el('td', {}, d.id), el('td', {}, d.title), el('td', {}, d.resolution), el('td', {}, d.unit), el('td', {}, fmt(d.newest)), el('td', {}, age(d.newest)), qualityCell(quality.get(d.id)))));
}

// --- desk: the paper-trading desk's P&L, positions and orders (GET /api/pnl, /api/positions, /api/orders) ---
async function loadDesk() {
  const num = (x) => (x === null || x === undefined ? '–' : String(x));
  try {
    const [pnl, positions, orders] = await Promise.all([api('/api/pnl?by=book,zone'), api('/api/positions?by=book,zone,product,side'), api('/api/orders?limit=50')]);
    $('#desk-error').textContent = pnl.length === 0 && orders.length === 0 ? 'no orders yet' : '';
    $('#desk-pnl tbody').replaceChildren(...pnl.map((r) => el('tr', {}, ...[r.book, r.zone, r.net_mwh, r.cash, r.realised, r.unrealised, r.total, r.mark].map((v) => el('td', {}, num(v))))));
    $('#desk-positions tbody').replaceChildren(...positions.map((r) => el('tr', {}, ...[r.book, r.zone, r.product, r.side, r.energy_mwh, r.avg_price].map((v) => el('td', {}, num(v))))));
    $('#desk-orders tbody').replaceChildren(...orders.slice().reverse().map((o) => el('tr', { 'data-status': o.status },
      ...[o.book, o.market, o.zone, `${fmt(o.delivery_start)} – ${fmt(o.delivery_end)}`, o.side, o.quantity_mw, `${o.limit} ${o.price_unit}`, o.status, o.reason ?? ''].map((v) => el('td', {}, num(v))))));
  } catch (e) {
    $('#desk-error').textContent = e.message;
  }
}

// --- workers: toggles send the token; the API refuses without one ---
$('#token').value = sessionStorage.getItem('scalar.token') || '';
$('#token').addEventListener('change', () => sessionStorage.setItem('scalar.token', $('#token').value));
async function loadWorkers() {
  const workers = await api('/api/workers');
  $('#workers-table tbody').replaceChildren(...workers.map((w) => el('tr', { 'data-worker': w.workerId },
    el('td', {}, w.workerId), el('td', {}, w.environment), el('td', { class: 'enabled' }, w.enabled ? 'yes' : 'no'),
    el('td', {}, w.watermarks.map((m) => `${m.partition} @ ${fmt(m.watermark)}`).join(', ') || '–'),
    el('td', {}, el('button', { type: 'button', class: 'toggle', onclick: () => toggle(w) }, w.enabled ? 'Disable' : 'Enable')))));
}
async function toggle(w) {
  const token = $('#token').value.trim();
  const msg = $('#workers-message');
  if (!token) $('#token').focus();
  const r = await fetch(`/api/workers/${encodeURIComponent(w.workerId)}/${w.enabled ? 'disable' : 'enable'}`, { method: 'POST', headers: token ? { authorization: `Bearer ${token}` } : {} });
  const body = await r.json();
  if (!r.ok) {
    msg.className = 'error';
    msg.textContent = `refused (${r.status}): ${body.error}${token ? '' : ' — enter the API token'}`;
    return;
  }
  msg.className = 'meta';
  msg.textContent = `${body.workerId} ${body.enabled ? 'enabled' : 'disabled'} in ${body.environment}`;
  await loadWorkers();
}

show();
