// Drives the web console in headless Chromium (Debian's /usr/bin/chromium through playwright-core; no browser is
// ever downloaded) against a running gateway, checks what an operator would look at, and saves screenshots.
// Run by ConsoleBrowserIT; by hand: SLUICE_URL=http://127.0.0.1:9180 SHOTS=/tmp/shots node console-check.cjs
// (NODE_PATH=test-rigs/peers/node_modules). Every wait is bounded; the process ends with one JSON line on stdout:
// {"ok":true,...} or {"ok":false,"error":"..."} (exit code 1).
'use strict';
const {chromium} = require('playwright-core');
const fs = require('fs');
const os = require('os');
const path = require('path');

const base = process.env.SLUICE_URL;
const shots = process.env.SHOTS;
const streams = (process.env.EXPECT_STREAMS || '').split(',').filter(Boolean);
const destinations = (process.env.EXPECT_DESTINATIONS || '').split(',').filter(Boolean);
const liveStream = process.env.LIVE_STREAM || 'telemetry';
const lapStream = process.env.LAP_STREAM || 'laps';
const lapWaitMs = Number(process.env.LAP_WAIT_MS || 60000);
const waitMs = Number(process.env.WAIT_MS || 30000);

async function main() {
  fs.mkdirSync(shots, {recursive: true});
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    viewport: {width: 1400, height: 900},
    timeout: waitMs,
  });
  const result = {ok: false};
  const problems = [];
  try {
    const page = context.pages()[0] || await context.newPage();
    page.setDefaultTimeout(waitMs);
    page.on('pageerror', e => problems.push(`page error: ${e.message}`));
    page.on('console', m => { if (m.type() === 'error') problems.push(`console error: ${m.text()}`); });
    // nothing but the gateway may be asked for anything (no CDN)
    const foreign = [];
    page.on('request', r => { if (!r.url().startsWith(base) && !r.url().startsWith('data:')) foreign.push(r.url()); });

    // 1. overview: the demo's streams and destinations
    await page.goto(base + '/');
    for (const s of streams) await page.waitForSelector(`#streams tr[data-name="${s}"]`);
    for (const d of destinations) await page.waitForSelector(`#destinations tr[data-name="${d}"]`);
    await page.waitForSelector('#connectors tbody tr');
    result.overview = {
      streams: await page.$$eval('#streams tbody tr[data-name]', rows => rows.map(r => r.dataset.name)),
      destinations: await page.$$eval('#destinations tbody tr[data-name]', rows => rows.map(r => r.dataset.name)),
      connectors: await page.$$eval('#connectors tbody tr[data-name]', rows => rows.map(r => r.dataset.name)),
      store: await page.textContent('#store .value'),
    };
    await page.screenshot({path: path.join(shots, 'overview.png'), fullPage: true});

    // 2. a stream's live values: two screenshots, and the values differ between them
    await page.goto(`${base}/#/stream/${encodeURIComponent(liveStream)}`);
    await page.waitForSelector('#tags tbody tr[data-tag] td.value:not(:empty)');
    const values = () => page.$$eval('#tags tbody tr[data-tag]',
      rows => Object.fromEntries(rows.map(r => [r.dataset.tag, r.querySelector('td.value').textContent])));
    const first = await values();
    await page.screenshot({path: path.join(shots, 'stream-1.png')});
    const deadline = Date.now() + waitMs;
    let second = first;
    let changed = [];
    while (Date.now() < deadline) {
      await page.waitForTimeout(500);
      second = await values();
      changed = Object.keys(first).filter(t => t in second && second[t] !== first[t]);
      if (changed.length > 0) break;
    }
    await page.screenshot({path: path.join(shots, 'stream-2.png')});
    if (changed.length === 0) throw new Error(`no value of stream ${liveStream} changed within ${waitMs} ms`);
    const sparklines = await page.$$eval('#tags canvas.spark', cs => cs.filter(c => c.width > 0).length);
    result.stream = {tags: Object.keys(second).length, changed: changed.length,
      example: {tag: changed[0], before: first[changed[0]], after: second[changed[0]]}, sparklines};
    // the table is rendered again with every update: a pointer click waits for a row that stays still, which on a
    // busy machine it may not do for long; the click event itself is what opens the chart
    await page.dispatchEvent(`#tags tr[data-tag="${changed[0]}"]`, 'click');
    await page.waitForSelector('#detail-chart .uplot');
    await page.screenshot({path: path.join(shots, 'stream-chart.png')});

    // 3. the lap board: a completed lap of the shared-memory writer
    await page.goto(`${base}/#/laps/${encodeURIComponent(lapStream)}`);
    await page.waitForSelector('#lap-rows tr[data-lap]', {timeout: lapWaitMs});
    // a second lap makes the deltas and the chart say more; not required, so a bounded wait that may time out
    await page.waitForSelector('#lap-rows tr[data-lap]:nth-child(2)', {timeout: lapWaitMs / 2}).catch(() => {});
    await page.waitForTimeout(300);
    result.laps = await page.$$eval('#lap-rows tr[data-lap]', rows => rows.map(r => ({
      lap: Number(r.dataset.lap), valid: r.dataset.valid,
      cells: [...r.querySelectorAll('td')].map(td => td.textContent)})));
    result.bestLap = await page.textContent('#best-lap .value');
    await page.screenshot({path: path.join(shots, 'laps.png'), fullPage: true});

    // 4. dead letters: the view loads (the demo's file destination rejects nothing)
    await page.goto(`${base}/#/dead-letters`);
    await page.waitForSelector('#dead-letters');
    result.deadLetters = await page.$$eval('#dead-letters tbody tr[data-seq]', rows => rows.length);
    await page.screenshot({path: path.join(shots, 'dead-letters.png')});

    // the overview again, for the README: by now the lap board has laps and the streams have moved
    await page.goto(base + '/');
    await page.waitForSelector('#streams tbody tr[data-name]');
    await page.screenshot({path: path.join(shots, 'overview.png'), fullPage: true});

    if (foreign.length) problems.push(`requests beyond the gateway: ${foreign.join(', ')}`);
    if (problems.length) throw new Error(problems.join('; '));
    result.ok = true;
  } catch (e) {
    result.error = String(e && e.message || e).split('\n')[0];
    if (problems.length && !result.error.includes(problems[0])) result.error += ` (also: ${problems.join('; ')})`;
  } finally {
    await context.close();
    fs.rmSync(profile, {recursive: true, force: true});
  }
  return result;
}

const overall = setTimeout(() => {
  console.log(JSON.stringify({ok: false, error: 'console-check did not finish within its overall timeout'}));
  process.exit(1);
}, Number(process.env.OVERALL_MS || 180000));

main().then(r => {
  clearTimeout(overall);
  console.log(JSON.stringify(r));
  process.exit(r.ok ? 0 : 1);
}, e => {
  clearTimeout(overall);
  console.log(JSON.stringify({ok: false, error: String(e && e.message || e).split('\n')[0]}));
  process.exit(1);
});
