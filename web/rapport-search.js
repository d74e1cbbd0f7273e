/* SPDX-License-Identifier: MIT */
/*
 * <rapport-search>: the embeddable search box of rapport. No dependencies,
 * no build step:
 *
 *   <script src="/rapport-search.js" defer></script>
 *   <rapport-search endpoint="" type="" placeholder="Search articles, questions and specialists"></rapport-search>
 *
 * Attributes: endpoint (API base URL; empty = same origin), type (article,
 * question or specialist), mode (search | match | related |
 * specialists-for), document (the stored document a related or
 * specialists-for list is about; those modes show no search box),
 * placeholder, label (the field's name; names a document list's region),
 * heading (the cards' heading level, 2..6: 3 in document lists, else 2),
 * link (where a result without a url of its own links to, {id} standing
 * for its id), limit (1..100, default 10). Results come while typing (after a pause)
 * and on Enter. See docs/api.md for the API.
 *
 * Safety: server text is only ever put in the page as text nodes. Snippets
 * (HTML-escaped by the server, with <mark> around matched words) are parsed
 * here: the text is decoded and only <mark> elements are re-created. Links
 * must be http(s).
 */
(() => {
  'use strict';

  const TYPES = ['article', 'question', 'specialist'];
  const KIND = { article: 'Article', question: 'Question', specialist: 'Specialist' };
  const LISTS = { languages: 'Languages', concerns: 'Concerns' }; // facets with values
  const BOOLS = { online: 'Online', in_person: 'In person', free_consultation: 'Free first consultation' };
  const FACETS = [...Object.keys(LISTS), ...Object.keys(BOOLS)].join(',');
  const MAX_VALUES = 8; // facet values shown per group (selected ones always)
  const DEBOUNCE_MS = 200;  // suggestions while typing
  const LIVE_MS = 450;      // results while typing (a pause, not every key)
  // Lists about a stored document (attribute document="ID"), no search box.
  const DOC_ROUTES = { related: (id) => `documents/${id}/related`,
                       'specialists-for': (id) => `articles/${id}/specialists` };
  const TIMEOUT_MS = 10000;
  const SAY_BUSY_MS = 1000; // a wait this long is announced, not only shown
  const HELP = 'Help is available right now'; // the crisis block's heading

  const CSS = `
:host{display:block;font-family:var(--rapport-font,system-ui,-apple-system,"Segoe UI",Roboto,sans-serif);color:var(--rapport-text,#1f2328);background:var(--rapport-bg,#fff);line-height:1.5}
:host([hidden]),[hidden]{display:none!important}
*,*::before,*::after{box-sizing:border-box}
.wrap{container:rapport/inline-size}
.vh{position:absolute;width:1px;height:1px;margin:-1px;padding:0;border:0;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
form{display:flex;gap:.5rem;align-items:flex-start}
.box{position:relative;flex:1;min-width:0}
.q{display:block;width:100%;min-height:2.75rem;padding:.6rem .75rem;font:inherit;color:inherit;background:var(--rapport-bg,#fff);border:1px solid var(--rapport-border,#6e7781);border-radius:var(--rapport-radius,8px)}
textarea.q{resize:vertical}
button{min-height:2.75rem;padding:.6rem 1rem;font:inherit;font-weight:600;color:#fff;background:var(--rapport-accent,#0b5cad);border:1px solid var(--rapport-accent,#0b5cad);border-radius:var(--rapport-radius,8px);cursor:pointer}
.spelling button{margin-left:.5em}
button.link{min-height:0;padding:0;font-weight:inherit;color:var(--rapport-accent,#0b5cad);background:none;border:0;text-decoration:underline}
:focus-visible{outline:3px solid var(--rapport-accent,#0b5cad);outline-offset:2px}
.q:focus-visible{outline-offset:1px}
a{color:var(--rapport-accent,#0b5cad)}
a:hover{text-decoration-thickness:2px}
[role=listbox]{position:absolute;z-index:10;top:calc(100% + 4px);left:0;right:0;max-height:20rem;overflow-y:auto;margin:0;padding:.25rem 0;list-style:none;background:var(--rapport-bg,#fff);border:1px solid var(--rapport-border,#6e7781);border-radius:var(--rapport-radius,8px);box-shadow:0 6px 18px rgb(0 0 0/.15)}
[role=option]{display:flex;justify-content:space-between;gap:.75rem;padding:.5rem .75rem;cursor:pointer;overflow-wrap:anywhere}
[role=option].active,[role=option]:hover{color:#fff;background:var(--rapport-accent,#0b5cad)}
[role=option].active .kind,[role=option]:hover .kind{color:inherit}
.kind{flex:none;font-size:.8125rem;color:var(--rapport-muted,#57606a)}
.crisis{margin-top:1rem;padding:1rem 1.25rem;color:var(--rapport-crisis-text,#4a1500);background:var(--rapport-crisis-bg,#fff1e0);border:2px solid currentColor;border-left-width:8px;border-radius:var(--rapport-radius,8px);overflow-wrap:anywhere}
.crisis h2{margin:0 0 .5rem;font-size:1.25rem;line-height:1.3}
.crisis p{margin:0 0 .5rem}
.crisis ul{margin:0;padding-left:1.25rem}
.crisis li{margin:.25rem 0}
.crisis a{color:inherit;font-weight:700}
.layout{display:grid;gap:1.25rem;margin-top:1rem}
@container rapport (min-width:720px){.layout.side{grid-template-columns:minmax(12rem,15rem) minmax(0,1fr)}.facets .vals{flex-direction:column}}
.facets fieldset{min-width:0;margin:0 0 1rem;padding:0;border:0}
.facets legend{padding:0;margin-bottom:.25rem;font-weight:600}
.vals{display:flex;flex-wrap:wrap;gap:0 1rem}
.facets label{display:flex;align-items:center;gap:.5rem;padding:.2rem 0;cursor:pointer}
.facets input{width:1.125rem;height:1.125rem;margin:0;accent-color:var(--rapport-accent,#0b5cad)}
.count{color:var(--rapport-muted,#57606a)}
.status{margin:0 0 .75rem;color:var(--rapport-muted,#57606a)}
.error{padding:.5rem .75rem;color:var(--rapport-text,#1f2328);border-left:4px solid #cf222e}
.results{min-width:0}
.results[aria-busy=true] .list{opacity:.6}
.list{display:grid;gap:.75rem;margin:0;padding:0;list-style:none}
.result{display:flex;flex-direction:column;gap:.35rem;min-width:0;padding:1rem;border:1px solid var(--rapport-border,#6e7781);border-radius:var(--rapport-radius,8px);overflow-wrap:anywhere}
.result .title{margin:0;font-size:1.125rem;line-height:1.3}
.result p{margin:0}
.result .kind{order:-1;font-size:.75rem;letter-spacing:.04em;text-transform:uppercase}
.muted{color:var(--rapport-muted,#57606a)}
mark{padding:0 .1em;color:#1f2328;background:#fff0a0;border-radius:2px}
.tags,.badges{display:flex;flex-wrap:wrap;gap:.375rem;margin:.25rem 0 0;padding:0;list-style:none}
.tags li{padding:0 .5rem;font-size:.8125rem;color:var(--rapport-muted,#57606a);border:1px solid var(--rapport-border,#6e7781);border-radius:999px}
.badges li{padding:0 .5rem;font-size:.8125rem;font-weight:600;border:1px solid currentColor;border-radius:999px}
.free{color:#116329}
.closed{color:#953800}
.empty p{margin:0 0 .5rem}
.empty ul{margin:0;padding-left:1.25rem}
@media (forced-colors:active){[role=option].active{outline:2px solid Highlight}}
`;

  /* ---- small helpers -------------------------------------------------- */

  // h('a', {href, class, onclick}, ...children): children are nodes or text.
  function h(tag, attrs, ...kids) {
    const n = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v == null || v === false) continue;
      if (k === 'text') n.textContent = v;
      else if (k.startsWith('on')) n.addEventListener(k.slice(2), v);
      else n.setAttribute(k, v === true ? '' : v);
    }
    for (const c of kids.flat()) if (c != null && c !== false && c !== '') n.append(c);
    return n;
  }

  const str = (v) => (typeof v === 'string' ? v.trim() : '');
  const strs = (v) => (Array.isArray(v) ? v.map(str).filter(Boolean) : str(v) ? [str(v)] : []);
  const num = (v) => (typeof v === 'number' && Number.isFinite(v) ? v : null);
  const plural = (n, one, many) => `${n} ${n === 1 ? one : many}`;
  const cap = (s) => s.charAt(0).toUpperCase() + s.slice(1);
  // "Couples" -> "couples" but "EMDR" and "CBT" stay as they are.
  const lower = (s) => (/^[A-Z][a-z]/.test(s) ? s.charAt(0).toLowerCase() + s.slice(1) : s);
  const clip = (s, n = 220) => (s.length > n ? s.slice(0, n).replace(/\s+\S*$/, '') + '…' : s);

  // An http(s) URL (relative ones resolved against the page), else null.
  function safeUrl(u) {
    if (!str(u)) return null;
    try {
      const url = new URL(u.trim(), document.baseURI);
      return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : null;
    } catch (e) {
      return null;
    }
  }

  const ENTITIES = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: '\u00a0' };
  function decode(s) {
    return s.replace(/&(#x[0-9a-f]+|#[0-9]+|[a-z]+);/gi, (m, e) => {
      if (e[0] !== '#') return ENTITIES[e.toLowerCase()] ?? m;
      const c = e[1] === 'x' || e[1] === 'X' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10);
      return c > 0 && c <= 0x10ffff ? String.fromCodePoint(c) : m;
    });
  }

  // Snippet text -> nodes: decoded text, with <mark> re-created. Anything
  // else that looks like markup stays visible text.
  function snippetNodes(s) {
    const out = [];
    let marked = false;
    for (const part of String(s).split(/(<\/?mark>)/i)) {
      if (/^<mark>$/i.test(part)) marked = true;
      else if (/^<\/mark>$/i.test(part)) marked = false;
      else if (part) out.push(marked ? h('mark', null, decode(part)) : decode(part));
    }
    return out;
  }

  function feeText(f) {
    const lo = num(f.fee_min), hi = num(f.fee_max), cur = str(f.currency);
    if (lo == null && hi == null) return '';
    const range = lo != null && hi != null ? (lo === hi ? `${lo}` : `${lo}–${hi}`)
      : lo != null ? `from ${lo}` : `up to ${hi}`;
    return cur ? `${range} ${cur}` : range;
  }

  // A readable message for a failed request.
  function errorText(status, body) {
    const msg = str(body && body.error && body.error.message);
    if (status === 400) return `That search could not be run${msg ? ` (${msg})` : ''}. Try plain words.`;
    if (status === 401 || status === 403) return 'Search is not available on this page right now.';
    if (status === 414 || status === 431) return 'That search is too long. Please use fewer words.';
    if (status === 429 || status === 503) return 'Search is busy right now. Please try again in a moment.';
    return 'Search is unavailable right now. Please try again later.';
  }

  /* ---- the element ----------------------------------------------------- */

  class RapportSearch extends HTMLElement {
    static get observedAttributes() { return ['placeholder', 'label', 'mode', 'document']; }

    constructor() {
      super();
      this.attachShadow({ mode: 'open' });
      this._seq = 0;        // full searches started; only the newest renders
      this._sseq = 0;       // suggestion requests likewise
      this._ctl = null;     // AbortController of the search in flight
      this._sctl = null;    // ... and of the suggestions
      this._timer = 0;      // typing debounce (suggestions)
      this._live_timer = 0; // typing debounce (results)
      this._busy_timer = 0; // announces a slow search
      this._filters = {};   // facet name -> Set of values
      this._opts = [];      // suggestions shown
      this._active = -1;    // highlighted suggestion
      this._query = '';     // the query of the last search
      this._said = '';
    }

    connectedCallback() { if (!this._built) this._build(); }

    disconnectedCallback() {
      clearTimeout(this._timer);
      clearTimeout(this._live_timer);
      clearTimeout(this._busy_timer);
      this._seq++; this._sseq++;
      if (this._ctl) this._ctl.abort();
      if (this._sctl) this._sctl.abort();
    }

    attributeChangedCallback(name, old, now) {
      if (!this._built || old === now) return;
      if (name === 'mode' || name === 'document') this._build();
      else if (name === 'placeholder') this._input.setAttribute(name, this._placeholder);
      else {
        this._input.setAttribute('aria-label', this._label);
        if (this._region) this._results.setAttribute('aria-label', this._region);
        else this._results.removeAttribute('aria-label');
      }
    }

    /* Runs a search for text; resolves once its results (or error) show. */
    search(text) {
      if (!this._built) this._build();
      this._input.value = text == null ? '' : String(text);
      return this._run(this._input.value);
    }

    get _match() { return this.getAttribute('mode') === 'match'; }
    get _doc() {
      const route = DOC_ROUTES[this.getAttribute('mode')];
      const id = str(this.getAttribute('document'));
      return route && id ? route(encodeURIComponent(id)) : '';
    }
    get _people() { return this._match || this.getAttribute('mode') === 'specialists-for'; }
    get _type() {
      const t = str(this.getAttribute('type')).toLowerCase();
      return TYPES.includes(t) ? t : '';
    }
    get _limit() {
      const n = parseInt(this.getAttribute('limit'), 10);
      return n >= 1 && n <= 100 ? n : 10;
    }
    get _label() {
      return str(this.getAttribute('label')) || (this._match ? 'Describe what is troubling you' : 'Search');
    }
    // The results' name, which makes them a landmark. A document list is
    // one only when label= names it: the host page's section around it
    // usually does, and two landmarks named alike help no one.
    get _region() { return this._doc ? str(this.getAttribute('label')) || null : 'Search results'; }
    // Cards' headings sit below the page's h1, or below the h2 of the
    // section that holds a document list.
    get _heading() {
      const n = parseInt(this.getAttribute('heading'), 10);
      return n >= 2 && n <= 6 ? n : this._doc ? 3 : 2;
    }
    get _placeholder() {
      return this.getAttribute('placeholder') || (this._match ? 'Describe what is troubling you, in your own words' : '');
    }
    get _facetsWanted() { return this._match || this._type === 'specialist'; }

    /* ---- markup ---- */

    _build() {
      const keep = this._input ? this._input.value : '';
      this._built = true;
      this._seq++; this._sseq++;
      if (this._ctl) this._ctl.abort();
      if (this._sctl) this._sctl.abort();
      this._opts = []; this._active = -1;
      const match = this._match;

      this._input = match
        ? h('textarea', { id: 'q', class: 'q', part: 'input', rows: 3, onkeydown: (e) => {
            if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) { e.preventDefault(); this._run(this._input.value); }
          } })
        : h('input', {
            id: 'q', class: 'q', part: 'input', type: 'text', role: 'combobox', autocomplete: 'off',
            autocapitalize: 'off', spellcheck: 'false', enterkeyhint: 'search',
            'aria-autocomplete': 'list', 'aria-expanded': 'false', 'aria-controls': 'list',
            oninput: () => this._typed(), onkeydown: (e) => this._key(e), onblur: () => this._open(false),
          });
      this._input.setAttribute('aria-label', this._label);
      this._input.setAttribute('placeholder', this._placeholder);
      this._input.value = keep;

      // mousedown keeps the focus in the input while an option is clicked.
      this._list = h('ul', { id: 'list', role: 'listbox', part: 'suggestions', 'aria-label': 'Suggestions', hidden: true,
        onmousedown: (e) => e.preventDefault() });

      this._live = h('div', { class: 'vh', role: 'status', 'aria-live': 'polite', 'aria-atomic': 'true' });
      this._crisisBox = h('div');
      this._facets = h('div', { class: 'facets', part: 'facets', role: 'group', 'aria-label': 'Filter specialists', hidden: true });
      this._status = h('div', { class: 'status' });
      this._items = h('ol', { class: 'list' });
      this._results = h('section', { class: 'results', part: 'results', 'aria-label': this._region, 'aria-busy': 'false' },
        this._status, this._items);
      this._layout = h('div', { class: 'layout' }, this._facets, this._results);

      const form = h('form', { role: 'search', part: 'form', novalidate: true, onsubmit: (e) => {
        e.preventDefault();
        this._run(this._input.value);
      } }, h('div', { class: 'box' }, this._input, match ? null : this._list),
      h('button', { type: 'submit', part: 'button' }, match ? 'Find specialists' : 'Search'));

      const doc = this._doc;
      this.shadowRoot.replaceChildren(h('style', null, CSS),
        h('div', { class: 'wrap' }, doc ? null : form, this._live, this._crisisBox, this._layout));
      if (doc) this._run(doc);
    }

    /* ---- suggestions (search mode) ---- */

    _typed() {
      clearTimeout(this._timer);
      const v = this._input.value;
      if (v.trim().length < 2) {
        this._sseq++;
        if (this._sctl) this._sctl.abort();
        this._opts = [];
        this._open(false);
        return;
      }
      this._timer = setTimeout(() => this._suggest(v), DEBOUNCE_MS);
      clearTimeout(this._live_timer);
      if (v.trim().length >= 3) {
        this._live_timer = setTimeout(() => {
          // Not while the visitor is choosing among the suggestions.
          if (this._input.value === v && this._active < 0) this._run(v, true);
        }, LIVE_MS);
      }
    }

    async _suggest(v) {
      const seq = ++this._sseq;
      if (this._sctl) this._sctl.abort();
      const ctl = this._sctl = new AbortController();
      const p = { q: v, limit: '6' };
      if (this._type) p.type = this._type;
      let data;
      try {
        data = await this._get('suggest', p, ctl);
      } catch (e) {
        if (seq === this._sseq) { this._opts = []; this._open(false); }
        return;
      }
      if (seq !== this._sseq || this._input.value !== v) return;
      // Completions of the last word first ("panic att" -> "panic attacks"),
      // then titles and names.
      const opts = [], seen = new Set();
      const add = (text, kind) => {
        const k = text.toLowerCase();
        if (text && !seen.has(k) && k !== v.trim().toLowerCase()) { seen.add(k); opts.push({ text, kind }); }
      };
      const head = v.replace(/\S*$/, '').replace(/^\s+/, '');
      for (const t of strs(data.terms).slice(0, 2)) add(head + t, '');
      for (const s of Array.isArray(data.suggestions) ? data.suggestions : []) if (s) add(str(s.text), s.type);
      this._opts = opts;
      this._list.replaceChildren(...opts.map((o, i) => h('li', {
        id: `opt-${i}`, role: 'option', 'aria-selected': 'false', onclick: () => this._pick(i),
      }, o.text, KIND[o.kind] ? h('span', { class: 'kind', text: KIND[o.kind] }) : null)));
      this._open(opts.length > 0 && this.shadowRoot.activeElement === this._input);
    }

    _open(on) {
      if (!this._list) return;
      this._list.hidden = !on;
      if (this._input.getAttribute('role') === 'combobox') this._input.setAttribute('aria-expanded', String(on));
      if (!on) this._highlight(-1);
    }

    _highlight(i) {
      this._active = i;
      [...this._list.children].forEach((li, k) => {
        li.classList.toggle('active', k === i);
        li.setAttribute('aria-selected', String(k === i));
        if (k === i) li.scrollIntoView({ block: 'nearest' });
      });
      if (i >= 0) this._input.setAttribute('aria-activedescendant', `opt-${i}`);
      else this._input.removeAttribute('aria-activedescendant');
    }

    _key(e) {
      const open = !this._list.hidden, n = this._opts.length;
      if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
        if (!n) return;
        e.preventDefault();
        if (!open) this._open(true);
        let i = this._active + (e.key === 'ArrowDown' ? 1 : -1);
        if (i < 0) i = n - 1;
        if (i >= n) i = 0;
        this._highlight(i);
      } else if (e.key === 'Enter' && open && this._active >= 0) {
        e.preventDefault();
        this._pick(this._active);
      } else if (e.key === 'Escape') {
        if (open) {
          e.preventDefault();
          this._open(false);
        } else if (this._input.value) {
          e.preventDefault();
          clearTimeout(this._timer);
          this._sseq++;
          this._input.value = '';
          this._opts = [];
        }
      }
    }

    _pick(i) {
      const o = this._opts[i];
      if (!o) return;
      this._input.value = o.text;
      this._run(o.text);
    }

    /* ---- requests ---- */

    // GET /v1/<route>?params as JSON; throws an Error with a readable
    // message (status set for HTTP errors, name AbortError if superseded).
    async _get(route, params, ctl) {
      const base = str(this.getAttribute('endpoint')).replace(/\/+$/, '');
      const url = `${base}/v1/${route}?${new URLSearchParams(params)}`;
      let late = false;
      const timer = setTimeout(() => { late = true; ctl.abort(); }, TIMEOUT_MS);
      try {
        const res = await fetch(url, { signal: ctl.signal, headers: { Accept: 'application/json' } });
        let body = null;
        try { body = await res.json(); } catch (e) { if (late || e.name === 'AbortError') throw e; }
        if (!res.ok || !body || typeof body !== 'object') {
          throw Object.assign(new Error(errorText(res.ok ? 502 : res.status, body)),
            { status: res.status, crisis: body && body.crisis });
        }
        return body;
      } catch (e) {
        if (late) throw new Error('Search took too long to answer. Please try again.');
        if (e.name === 'AbortError' || e.status) throw e;
        throw new Error('Could not reach search. Please check your connection and try again.');
      } finally {
        clearTimeout(timer);
      }
    }

    // Runs a search for text (for a document list: its route). live: a
    // search while typing, which leaves the suggestions alone.
    async _run(text, live) {
      if (!this._built) this._build();
      const q = String(text == null ? '' : text).trim();
      const doc = this._doc;
      clearTimeout(this._live_timer);
      if (!live) {
        clearTimeout(this._timer);
        this._sseq++;
        if (this._sctl) this._sctl.abort();
        this._opts = [];
        this._open(false);
      }
      const seq = ++this._seq;
      if (this._ctl) this._ctl.abort();
      this._ctl = null;
      this._query = q;
      if (!q) { this._clear(); return; }

      const ctl = this._ctl = new AbortController();
      const match = this._match, p = doc ? { limit: String(this._limit) } : { q, limit: String(this._limit) };
      if (!match && !doc) {
        p.highlight = '1';
        if (this._type) p.type = this._type;
      }
      if (this._facetsWanted) {
        p.facets = FACETS;
        for (const [k, set] of Object.entries(this._filters)) if (set.size) p[k] = [...set].join(',');
      }
      this._busy(true);
      try {
        const data = await this._get(doc || (match ? 'match' : 'search'), p, ctl);
        if (seq === this._seq) this._render(data, q);
      } catch (e) {
        if (seq === this._seq) this._fail(e, q);
      } finally {
        if (seq === this._seq) { this._busy(false); this._ctl = null; }
      }
    }

    _busy(on) {
      this._results.setAttribute('aria-busy', String(on));
      clearTimeout(this._busy_timer);
      if (on) {
        this._status.className = 'status';
        this._status.textContent = 'Searching…';
        // Only a slow answer is announced: a quick one would be talked over.
        this._busy_timer = setTimeout(() => this._say('Searching…'), SAY_BUSY_MS);
      }
    }

    _say(text) {
      // Repeat announcements must differ to be read again.
      if (text && text === this._said) text += '\u00a0';
      this._live.textContent = this._said = text;
    }

    _clear() {
      this._crisisBox.replaceChildren();
      this._facets.replaceChildren();
      this._facets.hidden = true;
      this._layout.classList.remove('side');
      this._items.replaceChildren();
      this._status.textContent = '';
      this._busy(false);
      this._say('');
    }

    _fail(e, q) {
      this._clear();
      // A refused query that speaks of a crisis still shows its block.
      const crisis = e.crisis && typeof e.crisis === 'object';
      if (crisis) this._crisisBox.replaceChildren(this._crisis(e.crisis));
      this._status.className = 'status error';
      this._status.textContent = e.message;
      this._say(this._first(crisis) + e.message);
      this.dispatchEvent(new CustomEvent('rapport-error', {
        bubbles: true, composed: true, detail: { query: q, message: e.message, status: e.status || 0 },
      }));
    }

    /* ---- rendering ---- */

    _render(data, q) {
      const hits = (Array.isArray(data.hits) ? data.hits : []).filter((x) => x && typeof x === 'object');
      const total = num(data.total) != null ? data.total : hits.length;
      const crisis = data.crisis && typeof data.crisis === 'object' ? this._crisis(data.crisis) : null;
      this._crisisBox.replaceChildren(...(crisis ? [crisis] : []));
      this._renderFacets(data.facets, hits);

      const noun = this._people ? ['specialist', 'specialists'] : ['result', 'results'], first = this._first(crisis);
      this._status.className = 'status';
      const spelled = this._spelling(data);
      if (hits.length) {
        this._items.replaceChildren(...hits.map((x) => this._card(x)));
        this._status.textContent = plural(total, ...noun) + (hits.length < total ? `, showing the first ${hits.length}` : '');
        if (spelled) this._status.append(spelled);
        this._say(`${first}${plural(total, ...noun)} for “${q}”`);
      } else {
        this._items.replaceChildren();
        this._status.textContent = '';
        this._status.append(this._empty(q));
        this._say(`${first}No ${noun[1]} for “${q}”`);
      }
      this.dispatchEvent(new CustomEvent('rapport-results', { bubbles: true, composed: true, detail: { query: q, total } }));
    }

    // The live region's opening when a crisis block is shown: the block is
    // an alert, read as it appears, and this says that it comes first.
    _first(crisis) { return crisis ? `${HELP}, listed first. ` : ''; }

    _crisis(c) {
      const res = (Array.isArray(c.resources) ? c.resources : []).filter((r) => r && str(r.name));
      return h('div', { class: 'crisis', part: 'crisis', role: 'alert' },
        h('h2', { text: HELP }),
        str(c.message) ? h('p', { text: c.message }) : null,
        res.length ? h('ul', null, res.map((r) => {
          const url = safeUrl(r.url);
          return h('li', null, url ? h('a', { href: url, text: str(r.name) }) : h('strong', { text: str(r.name) }),
            str(r.region) ? ` (${str(r.region)})` : '', str(r.contact) ? `: ${str(r.contact)}` : '');
        })) : null);
    }

    // What the server read a misspelled word as, and a corrected query
    // to run instead when it finds clearly more.
    _spelling(data) {
      const c = data.corrected && typeof data.corrected === 'object' ? data.corrected : null;
      const pairs = c ? Object.entries(c).filter(([, v]) => typeof v === 'string') : [];
      if (!pairs.length) return null;
      const dym = typeof data.did_you_mean === 'string' ? data.did_you_mean : '';
      return h('span', { class: 'spelling', part: 'spelling' },
        ` · including results for ${pairs.map(([k, v]) => `“${v}” (you typed “${k}”)`).join(', ')}`,
        dym ? h('button', { type: 'button', class: 'link', onclick: () => { this._input.value = dym; this._run(dym); } },
          `Search for “${dym}”`) : null);
    }

    _empty(q) {
      const filtered = Object.values(this._filters).some((s) => s.size);
      const tips = this._people
        ? ['Describe it differently, in a few more words.', 'Say how it affects your days: sleep, work, relationships.']
        : ['Use fewer or different words.', 'Check the spelling.', 'Browse our specialists, or describe what is troubling you in your own words.'];
      return h('span', { class: 'empty' },
        h('p', { text: this._doc ? `No ${this._people ? 'specialists' : 'related reading'} found yet.`
          : `No ${this._people ? 'specialists' : 'results'} found for “${q}”.` }),
        h('ul', null, tips.map((t) => h('li', { text: t })),
          filtered ? h('li', null, h('button', { type: 'button', class: 'link', onclick: () => this._clearFilters() }, 'Remove the filters')) : null));
    }

    _clearFilters() {
      this._filters = {};
      this._run(this._query);
    }

    // Checkboxes for the facet counts; selected values stay visible.
    _renderFacets(facets, hits) {
      const box = this._facets, focused = this._refocus;
      this._refocus = null;
      box.replaceChildren();
      const groups = [];
      if (this._facetsWanted && facets && typeof facets === 'object') {
        // Facet values come lower-cased: show them as the profiles write them.
        const shown = {};
        for (const x of hits) for (const k in LISTS) for (const v of strs(x.fields && x.fields[k])) shown[v.toLowerCase()] = v;
        for (const [name, title] of Object.entries(LISTS)) {
          const counts = facets[name] && typeof facets[name] === 'object' ? facets[name] : {};
          const sel = this._sel(name);
          const vals = Object.keys(counts).filter((v) => num(counts[v]) > 0)
            .sort((a, b) => counts[b] - counts[a] || a.localeCompare(b)).slice(0, MAX_VALUES);
          for (const v of sel) if (!vals.includes(v)) vals.push(v);
          if (vals.length) groups.push(this._group(title, vals.map((v) => this._check(name, v, cap(shown[v] || v), num(counts[v]) || 0))));
        }
        const opts = Object.keys(BOOLS).filter((k) => facets[k] && (num(facets[k].true) > 0 || this._sel(k).has('true')))
          .map((k) => this._check(k, 'true', BOOLS[k], num(facets[k].true) || 0));
        if (opts.length) groups.push(this._group('Options', opts));
        if (Object.values(this._filters).some((s) => s.size)) {
          groups.push(h('button', { type: 'button', class: 'link', onclick: () => this._clearFilters() }, 'Clear filters'));
        }
      }
      box.append(...groups);
      box.hidden = !groups.length;
      this._layout.classList.toggle('side', groups.length > 0);
      if (focused) {
        const cb = [...box.querySelectorAll('input')].find((i) => i.dataset.key === focused);
        if (cb) cb.focus();
      }
    }

    _sel(name) { return this._filters[name] || (this._filters[name] = new Set()); }

    _group(title, items) {
      return h('fieldset', null, h('legend', { text: title }), h('div', { class: 'vals' }, items));
    }

    _check(name, value, label, n) {
      const set = this._sel(name), key = `${name}=${value}`;
      const box = h('input', { type: 'checkbox', checked: set.has(value), 'data-key': key, onchange: (e) => {
        if (e.target.checked) set.add(value); else set.delete(value);
        this._refocus = key;
        this._run(this._query);
      } });
      return h('label', null, box, h('span', null, label, ' ', h('span', { class: 'count', text: `(${n})` })));
    }

    // A result's page on this site when it has no url of its own (link=).
    _linkTo(id) {
      const t = str(this.getAttribute('link'));
      return t && str(id) ? safeUrl(t.replace(/\{id\}/g, encodeURIComponent(id))) : null;
    }

    _card(x) {
      const f = x.fields && typeof x.fields === 'object' ? x.fields : {};
      const type = TYPES.includes(x.type) ? x.type : TYPES.includes(f.type) ? f.type : 'article';
      const li = h('li', { class: `result result-${type}`, part: 'result' });
      const title = (text) => {
        const url = safeUrl(f.url) || this._linkTo(x.id);
        return h(`h${this._heading}`, { class: 'title' }, url ? h('a', { href: url, text }) : text);
      };
      const snippet = str(x.snippet) ? h('p', { class: 'snippet' }, snippetNodes(x.snippet)) : null;
      if (type !== 'specialist') {
        const tags = strs(f.tags);
        li.append(title(str(x.title) || str(f.title) || 'Untitled'),
          h('p', { class: 'kind', text: KIND[type] }),
          snippet || (str(f.summary) ? h('p', { class: 'snippet', text: clip(str(f.summary)) }) : ''),
          tags.length ? h('ul', { class: 'tags', 'aria-label': 'Tags' }, tags.map((t) => h('li', { text: t }))) : '');
        return li;
      }
      // Why this specialist (/v1/match): concerns and approaches, then words.
      const why = Array.isArray(x.matched_on) ? x.matched_on.filter((r) => r && typeof r === 'object') : [];
      const works = [...new Set(why.map((r) => lower(str(r.concern) || str(r.approach))).filter(Boolean))];
      const words = [...new Set(why.map((r) => str(r.word)).filter(Boolean))];
      const fact = (label, value) => (value ? h('p', { class: 'fact' }, h('span', { class: 'muted', text: `${label}: ` }), value) : null);
      const where = [f.online === true && 'Online', f.in_person === true && 'In person'].filter(Boolean).join(' · ');
      const place = [str(f.city), str(f.country)].filter(Boolean).join(', ');
      const badges = [
        f.free_consultation === true && h('li', { class: 'free', text: 'Free first consultation' }),
        f.accepting_clients === false && h('li', { class: 'closed', text: 'Not taking new clients' }),
      ].filter(Boolean);
      li.append(title(str(x.name) || str(f.name) || 'Specialist'),
        h('p', { class: 'kind', text: KIND.specialist }),
        str(f.headline) ? h('p', { class: 'headline', text: str(f.headline) }) : '',
        works.length ? h('p', { class: 'why' }, h('strong', { text: 'Works with: ' }), works.join(', ')) : '',
        words.length ? h('p', { class: 'why' }, h('strong', { text: this._doc ? 'In common: ' : 'You mentioned: ' }), words.join(', ')) : '',
        snippet || '',
        fact('Approaches', strs(f.approaches).join(', ')),
        fact('Languages', strs(f.languages).join(', ')),
        fact('Sessions', [where, place].filter(Boolean).join(' — ')),
        fact('Fees', feeText(f)),
        badges.length ? h('ul', { class: 'badges' }, badges) : '');
      return li;
    }
  }

  if (!customElements.get('rapport-search')) customElements.define('rapport-search', RapportSearch);
})();
