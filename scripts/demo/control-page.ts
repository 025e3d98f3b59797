/**
 * The control page's HTML: one button per key, and the calls with their state, refreshed every
 * second from /api/state. Self-contained (no build step); the token comes from the page's own URL.
 */
export function controlPage(): string {
  return `<!doctype html>
<html lang="de">
<head>
<meta charset="utf-8">
<title>Vermittlung – Demo: der Kunde</title>
<style>
  body { font: 16px/1.4 system-ui, sans-serif; margin: 2rem auto; max-width: 46rem; padding: 0 1rem; color: #1d232b; }
  h1 { font-size: 1.4rem; }
  .keys { display: grid; gap: .5rem; margin: 1rem 0; }
  button { font: inherit; text-align: left; padding: .6rem .9rem; border: 1px solid #9aa5b1; border-radius: .4rem; background: #f4f6f8; cursor: pointer; }
  button:hover, button:focus-visible { background: #e3ecf7; outline: 2px solid #2f6fbf; }
  button[aria-pressed="true"] { background: #d8f0dc; border-color: #2e7d32; }
  kbd { display: inline-block; min-width: 1.4em; text-align: center; font-weight: 700; margin-right: .5rem; }
  table { border-collapse: collapse; width: 100%; }
  th, td { text-align: left; padding: .3rem .5rem; border-bottom: 1px solid #dde3e9; }
  .muted { color: #5a6570; }
</style>
</head>
<body>
<h1>Der Kunde ruft an</h1>
<p class="muted">Ein Anruf kommt von außen über die UDP-Seite der Telefonanlage (wie von einem Netzbetreiber) und spricht
deutschen Text. Die Telearbeiterin nimmt ihn am Schreibtisch an; der Kunde legt nach einer Weile selbst auf, oder wenn sie auflegt.</p>
<div class="keys" id="keys"></div>
<h2>Anrufe</h2>
<table><thead><tr><th>Firma</th><th>Anrufer</th><th>Stand</th></tr></thead><tbody id="calls"></tbody></table>
<script>
  const token = new URLSearchParams(location.search).get('token');
  const states = { calling: 'wählt', ringing: 'klingelt', connected: 'im Gespräch', ended: 'beendet' };
  async function api(path, method = 'GET') {
    const res = await fetch(path, { method, headers: { authorization: 'Bearer ' + token } });
    return res.json();
  }
  function render(state) {
    const keys = document.getElementById('keys');
    if (!keys.childElementCount) {
      const all = [...state.actions, { key: 'a', label: 'alle 2 Minuten ein Anruf (an/aus)' }, { key: 'h', label: 'Kunde legt auf' }];
      for (const action of all) {
        const button = document.createElement('button');
        button.dataset.key = action.key;
        button.innerHTML = '<kbd></kbd><span></span>';
        button.querySelector('kbd').textContent = action.key;
        button.querySelector('span').textContent = action.label;
        button.onclick = () => api('/api/key?key=' + encodeURIComponent(action.key), 'POST').then(render);
        keys.append(button);
      }
      document.addEventListener('keydown', (event) => {
        const button = keys.querySelector('[data-key="' + CSS.escape(event.key) + '"]');
        if (button && !event.altKey && !event.ctrlKey && !event.metaKey) button.click();
      });
    }
    keys.querySelector('[data-key="a"]').setAttribute('aria-pressed', String(state.auto));
    const rows = state.calls.slice().reverse().map((c) => {
      const tr = document.createElement('tr');
      tr.dataset.state = c.state;
      for (const text of [c.firm, (c.knownAs ? c.knownAs + ' · ' : 'unbekannt · ') + c.from, states[c.state] + (c.ending ? ' – ' + c.ending : '')]) {
        const td = document.createElement('td');
        td.textContent = text;
        tr.append(td);
      }
      return tr;
    });
    document.getElementById('calls').replaceChildren(...rows);
  }
  async function poll() {
    try { render(await api('/api/state')); } catch {}
    setTimeout(poll, 1000);
  }
  poll();
</script>
</body>
</html>
`;
}
