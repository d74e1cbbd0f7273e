// SPDX-License-Identifier: MIT
// Browser tests: the demo site and its search box in Debian's Chromium,
// headless, through playwright-core. Indexes corpus/ into a temporary
// index, starts rapport-server on a free loopback port with web/ and the
// crisis file, then does what a visitor does: types a query, picks a
// suggestion with the keyboard, filters specialists, opens an article and
// its specialists, meets the crisis block, uses a 360 px phone screen.
// Screenshots go to $RP_BUILD/browser/. Also measures the script's size
// (terser, gzip -9) and the contrast of its text; a11y.js adds the axe-core
// audit and the screen-reader checks. Ends with "N passed, N failed".
'use strict';
const { chromium } = require('playwright-core');
const { spawn, execFileSync } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');
const zlib = require('zlib');

const root = path.resolve(__dirname, '..', '..');
const build = path.resolve(root, process.env.RP_BUILD || 'build');
const shots = path.join(build, 'browser');
const TIMEOUT = 15000;

// Indexes corpus/docs with the vocabulary into a new temporary directory.
function indexCorpus() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rapport-browser-'));
  execFileSync(path.join(build, 'rapport-index'),
    ['--db', path.join(dir, 'db'), '--vocabulary', 'corpus/vocabulary.json',
     'corpus/docs'], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
  return dir;
}

// Starts the server on 127.0.0.1, port chosen by the system; resolves
// with { proc, base } once it says where it listens.
function startServer(db) {
  return new Promise((resolve, reject) => {
    const proc = spawn(path.join(build, 'rapport-server'),
      ['--db', db, '--listen', '127.0.0.1:0', '--web', 'web', '--crisis',
       'corpus/crisis.json', '--quiet'], { cwd: root });
    let err = '';
    const timer = setTimeout(() => reject(new Error('server did not start: ' + err)), TIMEOUT);
    proc.stderr.on('data', (d) => {
      err += d;
      const m = /listening on (http:\/\/127\.0\.0\.1:\d+)\//.exec(err);
      if (m) {
        clearTimeout(timer);
        resolve({ proc, base: m[1] });
      }
    });
    proc.on('exit', (code) => reject(new Error('server exited ' + code + ': ' + err)));
  });
}

function stopServer(proc) {
  return new Promise((resolve) => {
    if (proc.exitCode !== null) return resolve();
    const kill = setTimeout(() => proc.kill('SIGKILL'), 5000);
    proc.once('exit', () => { clearTimeout(kill); resolve(); });
    proc.kill('SIGTERM');
  });
}

function assert(cond, msg) {
  if (!cond) throw new Error(msg);
}

const cases = [];
const test = (name, fn) => cases.push({ name, fn });

// The box on a page, its input and its results.
const box = (page) => page.locator('rapport-search').first();
// The search box's field: a combobox, or in match mode a text area
// (where Enter submits).
const input = (page) => box(page).locator('input[role="combobox"], textarea').first();
const results = (page) => box(page).locator('.result');

async function typeQuery(page, text) {
  await input(page).click();
  await input(page).fill('');
  await input(page).pressSequentially(text, { delay: 20 });
}

test('the script stays under 15 KB minified and gzipped', async () => {
  const { minify } = require('terser');
  const src = fs.readFileSync(path.join(root, 'web', 'rapport-search.js'), 'utf8');
  const min = (await minify(src, { compress: true, mangle: true })).code;
  const gz = zlib.gzipSync(min, { level: 9 }).length;
  console.log(`  rapport-search.js: ${Buffer.byteLength(src)} bytes, ` +
    `${min.length} minified (terser), ${gz} minified and gzipped`);
  assert(gz < 15 * 1024, `minified and gzipped size ${gz} is not under 15 KB`);
});

test('typing a query shows result cards with highlighted snippets', async (page, base) => {
  await page.goto(base + '/');
  await typeQuery(page, 'grief after a loss');
  await results(page).first().waitFor({ timeout: TIMEOUT });
  const n = await results(page).count();
  assert(n >= 1, 'no results');
  const marks = await box(page).locator('.result mark').count();
  assert(marks >= 1, 'no highlighted word in the snippets');
  await page.screenshot({ path: path.join(shots, 'search.png'), fullPage: true });
});

test('a misspelled word is read as meant, and the corrected query is offered', async (page, base) => {
  await page.goto(base + '/');
  await typeQuery(page, 'flashbaks');
  await input(page).press('Enter');
  const spelling = box(page).locator('[part~="spelling"]');
  await spelling.waitFor({ timeout: TIMEOUT });
  const said = await spelling.textContent();
  assert(/flashbacks/.test(said) && /flashbaks/.test(said), 'the correction is not shown: ' + said);
  assert(await results(page).count() >= 1, 'no results for the misspelled word');
  await page.screenshot({ path: path.join(shots, 'spelling.png') });
  await spelling.locator('button').click();
  await page.waitForFunction(() => {
    const el = document.querySelector('rapport-search');
    const i = (el.shadowRoot || el).querySelector('input[role="combobox"]');
    return i && i.value === 'flashbacks';
  }, null, { timeout: TIMEOUT });
  await results(page).first().waitFor({ timeout: TIMEOUT });
});

test('a suggestion is picked with the keyboard', async (page, base) => {
  await page.goto(base + '/');
  await typeQuery(page, 'panic');
  const option = box(page).locator('[role="option"]').first();
  await option.waitFor({ timeout: TIMEOUT });
  assert(await input(page).getAttribute('aria-expanded') === 'true', 'listbox not expanded');
  const text = (await option.textContent()).trim();
  await input(page).press('ArrowDown');
  const active = await input(page).getAttribute('aria-activedescendant');
  assert(active, 'no active option after ArrowDown');
  await input(page).press('Enter');
  await results(page).first().waitFor({ timeout: TIMEOUT });
  const value = await input(page).inputValue();
  assert(value.trim() === text, `input holds "${value}", not the suggestion "${text}"`);
  await input(page).press('Escape');
  await page.screenshot({ path: path.join(shots, 'suggestion.png') });
});

test('a specialist filter narrows the directory', async (page, base) => {
  await page.goto(base + '/specialists.html');
  await typeQuery(page, 'anxiety');
  await input(page).press('Enter');
  await results(page).first().waitFor({ timeout: TIMEOUT });
  const before = await results(page).count();
  const spanish = box(page).locator('[part~="facets"] label', { hasText: /spanish/i }).first();
  await spanish.waitFor({ timeout: TIMEOUT });
  await spanish.click();
  // The filtered answer: every card speaks Spanish (the first did not
  // have to).
  await page.waitForFunction(() => {
    const el = document.querySelector('rapport-search');
    const r = [...(el.shadowRoot || el).querySelectorAll('.result')];
    return r.length > 0 && r.every((c) => /spanish/i.test(c.textContent));
  }, null, { timeout: TIMEOUT });
  assert(before > 0, 'no results before filtering');
  const cards = await results(page).allTextContents();
  for (const c of cards) assert(/spanish/i.test(c), 'a card without Spanish: ' + c.slice(0, 80));
  await page.screenshot({ path: path.join(shots, 'filter.png'), fullPage: true });
});

test('an article page lists its specialists and related reading', async (page, base) => {
  await page.goto(base + '/article.html?id=art-attachment-styles-adult-relationships');
  await page.getByRole('heading', { name: /attachment styles/i }).first().waitFor({ timeout: TIMEOUT });
  const specialists = page.locator('.result-specialist');
  await specialists.first().waitFor({ timeout: TIMEOUT });
  assert(await specialists.count() >= 1, 'no specialists');
  const why = await specialists.first().textContent();
  assert(/works with/i.test(why), 'the specialist card does not say what they work with');
  const related = page.locator('.result-article, .result-question');
  await related.first().waitFor({ timeout: TIMEOUT });
  await page.screenshot({ path: path.join(shots, 'article.png'), fullPage: true });
});

test('words of crisis bring the crisis block first', async (page, base) => {
  await page.goto(base + '/');
  await typeQuery(page, 'i want to end my life');
  const crisis = box(page).locator('[role="alert"]');
  await crisis.waitFor({ timeout: TIMEOUT });
  const text = await crisis.textContent();
  assert(/988|116 123|emergency/i.test(text), 'no resources in the crisis block');
  const order = await page.evaluate(() => {
    const el = document.querySelector('rapport-search');
    const r = el.shadowRoot || el;
    const c = r.querySelector('[role="alert"]');
    const first = r.querySelector('.result');
    return !first || !!(c.compareDocumentPosition(first) & Node.DOCUMENT_POSITION_FOLLOWING);
  });
  assert(order, 'the crisis block is not before the results');
  await page.screenshot({ path: path.join(shots, 'crisis.png'), fullPage: true });
});

test('a refused query that speaks of a crisis still shows the block', async (page, base) => {
  await page.goto(base + '/');
  await typeQuery(page, 'i want to end my life (');
  await input(page).press('Enter');
  const crisis = box(page).locator('[role="alert"]');
  await crisis.waitFor({ timeout: TIMEOUT });
  await box(page).locator('.status.error').waitFor({ timeout: TIMEOUT });
});

test('a 360 px phone screen needs no sideways scrolling', async (page, base) => {
  await page.setViewportSize({ width: 360, height: 740 });
  const fits = async (what) => {
    const wide = await page.evaluate(() => document.scrollingElement.scrollWidth);
    console.log(`  360 px, ${what}: ${wide} px wide`);
    assert(wide <= 360, `${what}: the page is ${wide} px wide`);
  };
  await page.goto(base + '/');
  await typeQuery(page, 'panic');
  await box(page).locator('[role="option"]').first().waitFor({ timeout: TIMEOUT });
  await fits('the open suggestions');
  await typeQuery(page, 'i want to end my life');
  await input(page).press('Enter');
  await box(page).locator('[part~="crisis"]').waitFor({ timeout: TIMEOUT });
  await results(page).first().waitFor({ timeout: TIMEOUT });
  await fits('the crisis block and results');
  await page.goto(base + '/article.html?id=art-attachment-styles-adult-relationships');
  await page.locator('.result-article, .result-question').first().waitFor({ timeout: TIMEOUT });
  await page.locator('.result-specialist').first().waitFor({ timeout: TIMEOUT });
  await fits('the article page');
  await page.goto(base + '/specialists.html');
  await typeQuery(page, 'my partner and I keep arguing');
  await input(page).press('Enter');
  await box(page).locator('[part~="facets"] input').first().waitFor({ timeout: TIMEOUT });
  await results(page).first().waitFor({ timeout: TIMEOUT });
  await fits('the directory with its filters');
  await page.screenshot({ path: path.join(shots, 'phone.png'), fullPage: true });
});

test('text in the box meets WCAG AA contrast (4.5:1)', async (page, base) => {
  await page.goto(base + '/specialists.html');
  await typeQuery(page, 'panic attacks at work');
  await input(page).press('Enter');
  await results(page).first().waitFor({ timeout: TIMEOUT });
  const worst = await page.evaluate(() => {
    const rgb = (c) => (c.match(/[\d.]+/g) || []).map(Number);
    const lum = ([r, g, b]) => {
      const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
      return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
    };
    // The first opaque background behind el, across the shadow boundary.
    const bg = (el) => {
      for (let e = el; e; e = e.parentElement || (e.getRootNode() && e.getRootNode().host)) {
        const c = rgb(getComputedStyle(e).backgroundColor);
        if (c.length === 3 || (c.length === 4 && c[3] === 1)) return c.slice(0, 3);
      }
      return [255, 255, 255];
    };
    const root = document.querySelector('rapport-search').shadowRoot;
    let worst = { ratio: 99, text: '' };
    for (const el of root.querySelectorAll('*')) {
      const own = [...el.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim());
      if (!own || el.closest('style') || !el.getClientRects().length) continue;
      const a = lum(rgb(getComputedStyle(el).color).slice(0, 3)), b = lum(bg(el));
      const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
      if (ratio < worst.ratio) worst = { ratio, text: el.textContent.trim().slice(0, 40) };
    }
    return worst;
  });
  console.log(`  lowest contrast ${worst.ratio.toFixed(2)}:1 ("${worst.text}")`);
  assert(worst.ratio >= 4.5, `contrast ${worst.ratio.toFixed(2)}:1 on "${worst.text}"`);
});

test('a failed server gives a readable error, not stale results', async (page, base) => {
  await page.goto(base + '/');
  await page.route('**/v1/search**', (route) => route.fulfill({
    status: 503, contentType: 'application/json',
    body: '{"error":{"code":"unavailable","message":"down"}}' }));
  await typeQuery(page, 'sleep');
  const err = box(page).locator('[part~="error"], .error');
  await err.first().waitFor({ timeout: TIMEOUT });
  assert(await results(page).count() === 0, 'results shown despite the error');
});

// The accessibility audit and the screen-reader checks (a11y.js).
require('./a11y')(test, { box, input, results, typeQuery, assert, TIMEOUT });

async function main() {
  fs.mkdirSync(shots, { recursive: true });
  for (const f of fs.readdirSync(shots)) if (f.endsWith('.png')) fs.rmSync(path.join(shots, f));
  const dir = indexCorpus();
  let server = null, browser = null, passed = 0, failed = 0;
  try {
    server = await startServer(path.join(dir, 'db'));
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium',
      args: ['--no-sandbox'] });
    // RP_BROWSER_ONLY=regex runs only the tests whose names match.
    const only = process.env.RP_BROWSER_ONLY ? new RegExp(process.env.RP_BROWSER_ONLY, 'i') : null;
    for (const c of cases) {
      if (only && !only.test(c.name)) continue;
      const context = await browser.newContext();
      const page = await context.newPage();
      page.setDefaultTimeout(TIMEOUT);
      try {
        await c.fn(page, server.base);
        console.log('ok   ' + c.name);
        passed++;
      } catch (e) {
        console.log('FAIL ' + c.name + '\n  ' + String(e.message || e).split('\n')[0]);
        const name = 'failed-' + (passed + failed + 1) + '.png';
        await page.screenshot({ path: path.join(shots, name) }).catch(() => {});
        failed++;
      }
      await context.close();
    }
  } catch (e) {
    console.log('FAIL setup\n  ' + (e.message || e));
    failed++;
  } finally {
    if (browser) await browser.close();
    if (server) await stopServer(server.proc);
    fs.rmSync(dir, { recursive: true, force: true });
  }
  console.log(`${passed} passed, ${failed} failed`);
  process.exit(failed ? 1 : 0);
}

main();
