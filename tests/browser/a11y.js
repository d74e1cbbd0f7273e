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

  // The article page with both its lists shown.
  async function openArticle(page, base) {
    await page.goto(base + '/article.html?id=art-attachment-styles-adult-relationships');
    await page.locator('.result-specialist').first().waitFor();
    await page.locator('.result-article, .result-question').first().waitFor();
  }

  // The specialist directory answering "anxiety", with its filters.
  async function directory(page) {
    await search(page, 'anxiety');
    await box(page).locator('[part~="facets"] input').first().waitFor();
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
    await openArticle(page, base);
    await audit(page, 'the article page');
  });

  test('axe: the specialist directory with filters', async (page, base) => {
    await page.goto(base + '/specialists.html');
    await audit(page, 'the empty directory');
    await directory(page);
    await audit(page, 'the directory with its filters');
    await box(page).locator('[part~="facets"] label', { hasText: /spanish/i }).first().click();
    await box(page).getByRole('button', { name: /clear filters/i }).waitFor();
    await audit(page, 'the directory with a filter on');
    await page.setViewportSize({ width: 360, height: 740 });
    await audit(page, 'the filtered directory on a 360 px screen');
  });

  /* ---- what a screen reader is given --------------------------------- */

  // Chromium's accessibility tree, the one screen readers read, through
  // one CDP session per page.
  const sessions = new WeakMap();
  async function axTree(page) {
    if (!sessions.has(page)) sessions.set(page, await page.context().newCDPSession(page));
    const { nodes } = await sessions.get(page).send('Accessibility.getFullAXTree');
    const byId = new Map(nodes.map((n) => [n.nodeId, n]));
    const role = (n) => (n.role ? n.role.value : '');
    const name = (n) => String((n.name && n.name.value) || '').trim();
    // A property's value; for a relation (aria-controls,
    // aria-activedescendant) the DOM node ids it points to.
    const prop = (n, key) => {
      const p = (n.properties || []).find((x) => x.name === key);
      if (!p) return undefined;
      return p.value.relatedNodes ? p.value.relatedNodes.map((r) => r.backendDOMNodeId) : p.value.value;
    };
    const below = (n) => {
      const out = [], todo = [...(n.childIds || [])];
      while (todo.length) {
        const k = byId.get(todo.shift());
        if (!k) continue;
        out.push(k);
        todo.push(...(k.childIds || []));
      }
      return out;
    };
    const shown = nodes.filter((n) => !n.ignored);
    // Nodes of a role (below a node when one is given), as read.
    const all = (r, within) => (within ? below(within) : shown).filter((n) => !n.ignored && role(n) === r);
    // The text a node holds, as a screen reader reads it out.
    const text = (n) => below(n).filter((k) => !k.ignored && role(k) === 'StaticText').map(name)
      .join(' ').replace(/\s+/g, ' ').trim();
    const dom = (id) => shown.find((n) => n.backendDOMNodeId === id);
    // What the polite live regions of the search boxes say now.
    const polite = () => all('status').filter((n) => prop(n, 'live') === 'polite').map(text).join(' | ');
    return { all, name, prop, text, dom, polite };
  }

  // Reads the tree until check(tree) returns nothing (met) or TIMEOUT
  // passes; then fails with what check last said was wrong.
  async function until(page, what, check) {
    const end = Date.now() + TIMEOUT;
    for (;;) {
      const a = await axTree(page);
      const wrong = check(a);
      if (!wrong) return a;
      if (Date.now() > end) throw new Error(`${what}: ${wrong}`);
      await page.waitForTimeout(100);
    }
  }

  const combobox = (a) => a.all('combobox')[0];

  test('screen reader: the box is a named combobox; its list and active option are announced', async (page, base) => {
    await page.goto(base + '/');
    await until(page, 'before typing', (a) => {
      const c = combobox(a);
      if (!c) return 'no combobox';
      if (!a.name(c)) return 'the combobox has no name';
      if (a.prop(c, 'expanded') !== false) return `aria-expanded is ${a.prop(c, 'expanded')}, not false`;
      if (a.all('listbox').length) return 'a listbox is shown';
    });
    await typeQuery(page, 'panic');
    const open = await until(page, 'the open suggestions', (a) => {
      const c = combobox(a), lb = a.all('listbox')[0];
      if (a.prop(c, 'expanded') !== true) return 'aria-expanded is not true';
      if (!lb) return 'no listbox';
      if (!a.name(lb)) return 'the listbox has no name';
      if (!(a.prop(c, 'controls') || []).includes(lb.backendDOMNodeId)) return 'aria-controls does not name the listbox';
      const opts = a.all('option', lb);
      if (opts.length < 2) return `${opts.length} options`;
      if (opts.some((o) => !a.name(o))) return 'an option has no name';
      if (!a.prop(c, 'focused')) return 'the focus left the combobox';
    });
    const opts = open.all('option').map((o) => ({ id: o.backendDOMNodeId, name: open.name(o) }));
    console.log(`  ${opts.length} options, the first "${opts[0].name}"`);
    // Arrows move the active option (aria-activedescendant), wrapping
    // round, while the focus stays in the field.
    const moves = [['ArrowDown', 0], ['ArrowDown', 1], ['ArrowUp', 0], ['ArrowUp', opts.length - 1], ['ArrowDown', 0]];
    for (const [key, i] of moves) {
      await input(page).press(key);
      await until(page, `${key} to option ${i + 1}`, (a) => {
        const c = combobox(a), active = a.prop(c, 'activedescendant') || [];
        if (!a.prop(c, 'focused')) return 'the focus left the combobox';
        if (active.length !== 1 || active[0] !== opts[i].id) {
          const on = active.length ? a.dom(active[0]) : null;
          return `the active option is ${on ? `"${a.name(on)}"` : 'none'}, not "${opts[i].name}"`;
        }
        const chosen = a.all('option').filter((o) => a.prop(o, 'selected') === true).map((o) => a.name(o));
        if (chosen.length !== 1 || chosen[0] !== opts[i].name) return `selected options: ${JSON.stringify(chosen)}`;
      });
    }
    await input(page).press('Escape');
    await until(page, 'after Escape', (a) => {
      const c = combobox(a);
      if (a.prop(c, 'expanded') !== false) return 'aria-expanded is not false';
      if (a.all('listbox').length) return 'the listbox is still shown';
      if ((a.prop(c, 'activedescendant') || []).length) return 'an option is still active';
    });
    // The list comes back with the arrow; Enter picks and searches.
    await input(page).press('ArrowDown');
    await until(page, 'ArrowDown after Escape', (a) =>
      (a.prop(combobox(a), 'expanded') !== true ? 'the list did not open again' : null));
    await input(page).press('Enter');
    const value = (await input(page).inputValue()).trim();
    assert(opts[0].name.startsWith(value) && value, `Enter put "${value}" in the field, not "${opts[0].name}"`);
    const said = new RegExp(`^\\d+ results? for “${value.replace(/[^\w ]/g, '.')}”$`);
    await until(page, 'the picked suggestion\'s search', (a) => {
      if (a.prop(combobox(a), 'expanded') !== false) return 'aria-expanded is not false';
      if (!said.test(a.polite())) return `the live region says "${a.polite()}"`;
    });
  });

  test('screen reader: a polite live region announces loading, the count, the crisis block and errors', async (page, base) => {
    // A slow server: the wait is announced, not only shown.
    await page.route('**/v1/search**', (route) => setTimeout(() => route.continue().catch(() => {}), 2500));
    await page.goto(base + '/');
    await typeQuery(page, 'sleep');
    await input(page).press('Enter');
    await until(page, 'while the server is slow', (a) => {
      const r = a.all('region').find((n) => a.name(n) === 'Search results');
      if (!r) return 'no region named "Search results"';
      if (!a.prop(r, 'busy') || a.polite() !== 'Searching…') {
        return `aria-busy ${!!a.prop(r, 'busy')} and the live region says "${a.polite()}"`;
      }
    });
    await results(page).first().waitFor();
    const shown = parseInt(await box(page).locator('.status').textContent(), 10);
    await until(page, 'the results', (a) => {
      const m = /^(\d+) results? for “sleep”$/.exec(a.polite());
      if (!m) return `the live region says "${a.polite()}"`;
      if (Number(m[1]) !== shown) return `it says ${m[1]} results, the page shows ${shown}`;
    });
    await page.unroute('**/v1/search**');

    await typeQuery(page, 'i want to end my life');
    await input(page).press('Enter');
    await until(page, 'the crisis block', (a) => {
      const alert = a.all('alert')[0];
      if (!alert) return 'no alert';
      if (a.prop(alert, 'live') !== 'assertive') return 'the alert is not an assertive live region';
      if (!a.all('heading', alert).some((n) => /help is available/i.test(a.name(n)))) return 'the alert has no heading';
      if (!a.all('link', alert).length) return 'the alert has no link to a resource';
      if (!/^Help is available right now\b.*\d+ results? for “i want to end my life”$/.test(a.polite())) {
        return `the live region says "${a.polite()}"`;
      }
    });

    await page.route('**/v1/search**', (route) => route.fulfill({
      status: 503, contentType: 'application/json',
      body: '{"error":{"code":"unavailable","message":"down"}}' }));
    await typeQuery(page, 'sleep');
    await input(page).press('Enter');
    const error = box(page).locator('.status.error');
    await error.waitFor();
    const message = (await error.textContent()).trim();
    await until(page, 'the error', (a) => (a.polite() !== message ? `the live region says "${a.polite()}", not "${message}"` : null));
  });

  // Presses Tab from the top of the page until the focus leaves it or
  // comes round again. Each stop: what it is, the result card it is in
  // ("box:card", or '' if none) and whether the focus shows (an outline or
  // a shadow).
  async function tabWalk(page) {
    await page.evaluate(() => { window.rpSeen = new WeakSet(); });
    // A click in the page's top left corner (on no control): the next Tab
    // starts from the top.
    await page.mouse.click(1, 1);
    const stops = [];
    for (let i = 0; i < 150; i++) {
      await page.keyboard.press('Tab');
      const s = await page.evaluate(() => {
        let el = document.activeElement;
        while (el && el.shadowRoot && el.shadowRoot.activeElement) el = el.shadowRoot.activeElement;
        if (!el || el === document.body || window.rpSeen.has(el)) return null;
        window.rpSeen.add(el);
        const cs = getComputedStyle(el), card = el.closest('.result');
        const label = el.getAttribute('aria-label') || el.textContent || el.closest('label')?.textContent || '';
        return {
          what: `${el.tagName.toLowerCase()} "${label.trim().replace(/\s+/g, ' ').slice(0, 40)}"`,
          card: card ? [...document.querySelectorAll('rapport-search')].indexOf(card.getRootNode().host) +
            ':' + [...card.parentNode.children].indexOf(card) : '',
          shows: (cs.outlineStyle !== 'none' && parseFloat(cs.outlineWidth) >= 1) || cs.boxShadow !== 'none',
        };
      });
      if (!s) break;
      stops.push(s);
    }
    return stops;
  }

  // Every stop of a Tab walk shows its focus, and every card of every box
  // on the page is reached.
  async function keyboardReaches(page, what) {
    await settled(page);
    const cards = await page.locator('rapport-search .result').count();
    const stops = await tabWalk(page);
    const hidden = stops.filter((s) => !s.shows).map((s) => s.what);
    const reached = new Set(stops.map((s) => s.card).filter(Boolean));
    console.log(`  ${what}: ${stops.length} Tab stops, ${reached.size} of ${cards} cards`);
    assert(!hidden.length, `${what}: the focus does not show on ${hidden.join(', ')}`);
    assert(reached.size === cards, `${what}: Tab reaches ${reached.size} of ${cards} cards`);
    return stops;
  }

  // The cards in the results: each a heading (of the level given) holding
  // a link of the same name.
  function cardsRead(a, level) {
    const r = a.all('region').find((n) => a.name(n) === 'Search results');
    if (!r) return 'no region named "Search results"';
    const heads = a.all('heading', r);
    if (!heads.length) return 'no headings in the results';
    for (const hd of heads) {
      if (a.prop(hd, 'level') !== level) return `"${a.name(hd)}" is a heading of level ${a.prop(hd, 'level')}`;
      const link = a.all('link', hd)[0];
      if (!a.name(hd) || !link || a.name(link) !== a.name(hd)) return `the heading "${a.name(hd)}" holds no link of its name`;
    }
    return null;
  }

  test('screen reader: result cards are headings with links, Tab reaches each, focus shows', async (page, base) => {
    await page.goto(base + '/');
    // Articles, questions (no url: link= gives them one) and specialists.
    await search(page, 'panic');
    const n = await results(page).count();
    const kinds = await box(page).locator('.result-question').count();
    assert(n >= 3 && kinds >= 1, `${n} cards, ${kinds} questions: not the mix this test needs`);
    await until(page, 'the cards', (a) => {
      const wrong = cardsRead(a, 2);
      if (wrong) return wrong;
      const r = a.all('region').find((x) => a.name(x) === 'Search results');
      if (a.all('heading', r).length !== n) return `${a.all('heading', r).length} headings for ${n} cards`;
    });
    await keyboardReaches(page, 'the home page with results');
    await search(page, 'flashbaks');
    await box(page).locator('[part~="spelling"] button').waitFor();
    const said = await keyboardReaches(page, 'a corrected spelling');
    assert(said.some((s) => /^button "Search for/.test(s.what)), 'Tab misses the corrected query\'s button');
    await search(page, 'i want to end my life');
    await box(page).locator('[part~="crisis"] a').first().waitFor();
    const stops = await keyboardReaches(page, 'the crisis block');
    const links = await box(page).locator('[part~="crisis"] a').count();
    assert(stops.filter((s) => /^a /.test(s.what)).length >= links, 'Tab misses a crisis resource');
    await openArticle(page, base);
    await keyboardReaches(page, 'the article page');
  });

  test('screen reader: filters are named checkboxes with counts; the focus stays on one', async (page, base) => {
    await page.goto(base + '/specialists.html');
    await directory(page);
    const count = /^\S.* \(\d+\)$/;
    const before = await until(page, 'the filters', (a) => {
      const g = a.all('group').find((n) => a.name(n) === 'Filter specialists');
      if (!g) return 'no group named "Filter specialists"';
      const names = a.all('group', g).map(a.name);
      for (const want of ['Languages', 'Concerns', 'Options']) if (!names.includes(want)) return `no group "${want}" in ${JSON.stringify(names)}`;
      const boxes = a.all('checkbox', g);
      if (boxes.length < 5) return `${boxes.length} checkboxes`;
      const bad = boxes.find((b) => !count.test(a.name(b)));
      if (bad) return `a checkbox named "${a.name(bad)}", without its count`;
      if (boxes.some((b) => String(a.prop(b, 'checked')) !== 'false')) return 'a checkbox is checked before any is chosen';
      return cardsRead(a, 2);
    });
    const spanish = before.all('checkbox').map(before.name).find((x) => /^spanish \(/i.test(x));
    assert(spanish, 'no Spanish filter');
    console.log(`  ${before.all('checkbox').length} filters, one named "${spanish}"`);
    await box(page).getByRole('checkbox', { name: spanish }).focus();
    await page.keyboard.press('Space');
    await until(page, 'the Spanish filter on', (a) => {
      const on = a.all('checkbox').find((b) => /^spanish \(/i.test(a.name(b)));
      if (!on) return 'the Spanish checkbox is gone';
      if (String(a.prop(on, 'checked')) !== 'true') return 'it is not checked';
      if (!a.prop(on, 'focused')) return 'the focus left it';
      if (!a.all('button').some((b) => a.name(b) === 'Clear filters')) return 'no "Clear filters" button';
      if (!/^\d+ specialists? for “anxiety”$/.test(a.polite())) return `the live region says "${a.polite()}"`;
    });
    await keyboardReaches(page, 'the filtered directory');
  });
};
