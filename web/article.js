// SPDX-License-Identifier: MIT
// The demo article page: shows the article named by ?id= (fetched from
// /v1/documents/{id}), then the specialists who work with what it is
// about and related reading, both through <rapport-search> lists.
'use strict';
(function () {
  const id = new URLSearchParams(location.search).get('id') || '';
  const article = document.getElementById('article');

  function show(title, paragraphs) {
    article.textContent = '';
    const h = document.createElement('h1');
    h.textContent = title;
    article.appendChild(h);
    for (const text of paragraphs) {
      const p = document.createElement('p');
      p.textContent = text;
      article.appendChild(p);
    }
    document.title = title + ' – rapport demo';
  }

  function list(where, mode) {
    const el = document.createElement('rapport-search');
    el.setAttribute('mode', mode);
    el.setAttribute('document', id);
    el.setAttribute('limit', '5');
    // Questions have no url of their own: they open on this page.
    el.setAttribute('link', '/article.html?id={id}');
    document.getElementById(where).appendChild(el);
  }

  if (!id) {
    show('No article chosen', ['Pick an article from the search on the home page.']);
    return;
  }
  fetch('/v1/documents/' + encodeURIComponent(id))
    .then((r) => r.ok ? r.json() : Promise.reject(new Error(r.status === 404
      ? 'This article does not exist.' : 'The article could not be loaded.')))
    .then((d) => {
      const body = String(d.body || d.bio || '').split(/\n\s*\n/);
      show(d.title || d.name || id,
        [d.summary || d.headline || ''].concat(body).filter(Boolean));
      list('specialists', 'specialists-for');
      list('related', 'related');
    })
    .catch((e) => show('Sorry', [e.message]));
})();
