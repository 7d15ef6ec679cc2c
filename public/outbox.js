// 智治 outbox: what a grid worker does without a signal waits on the phone and is sent, in the
// order it was done, when the signal returns.
//
// Every item carries an id made on the phone (`client_id`): the server records it with the
// change, so an item sent twice (the answer to the first send was lost) is done once. Items live
// in IndexedDB, so closing the browser or restarting the phone loses none; they belong to the
// worker who queued them and are sent only in their session. A photo of a report is an item of
// its own, sent after its report (it needs the case's id, which only the server gives). What the
// server still refuses (the case was closed or re-dispatched meanwhile) stays, as a conflict
// with its reason, until the worker discards it or reports it as a new case: nothing typed is
// ever dropped silently.
//
// `window.zzOutbox` is what the pages call; `zz-outbox` events on `window` carry its state.
(() => {
  if (window.zzOutbox) return;
  const DB_NAME = 'zhizhi-outbox';
  let user = null;
  let sending = false;
  let again = false;
  let problem = '';
  let timer = null;
  // Sends that failed in a row for want of a server able to answer (the wait grows).
  let failures = 0;
  const lastSyncKey = () => `zz-outbox-last-sync:${user}`;

  const open = () => new Promise((resolve, reject) => {
    const req = indexedDB.open(DB_NAME, 1);
    req.onupgradeneeded = () => {
      const db = req.result;
      db.createObjectStore('items', { keyPath: 'seq', autoIncrement: true });
      // The case each sent report made (its photos are sent to it).
      db.createObjectStore('made', { keyPath: 'client_id' });
    };
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
  let dbp = null;
  const db = () => (dbp = dbp || open());

  async function run(store, mode, f) {
    const d = await db();
    return new Promise((resolve, reject) => {
      const t = d.transaction(store, mode);
      const s = t.objectStore(store);
      let out;
      const r = f(s);
      if (r) r.onsuccess = () => { out = r.result; };
      t.oncomplete = () => resolve(out);
      t.onerror = () => reject(t.error);
      t.onabort = () => reject(t.error);
    });
  }
  const all = async () => ((await run('items', 'readonly', (s) => s.getAll())) || []).filter((i) => i.user === user).sort((a, b) => a.seq - b.seq);
  const put = (item) => run('items', 'readwrite', (s) => s.put(item));
  const remove = (seq) => run('items', 'readwrite', (s) => s.delete(seq));
  // Marks an item refused, unless it is gone meanwhile (another tab sent or discarded it).
  async function refuse(seq, error) {
    const d = await db();
    await new Promise((resolve, reject) => {
      const t = d.transaction('items', 'readwrite');
      const s = t.objectStore('items');
      const r = s.get(seq);
      r.onsuccess = () => { if (r.result) s.put({ ...r.result, state: 'conflict', error }); };
      t.oncomplete = resolve;
      t.onerror = () => reject(t.error);
    });
  }
  const madeCase = async (clientId) => { const m = await run('made', 'readonly', (s) => s.get(clientId)); return m ? m.case_id : undefined; };

  function uuid() {
    if (crypto.randomUUID) return crypto.randomUUID();
    const b = crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 0x0f) | 0x40; b[8] = (b[8] & 0x3f) | 0x80;
    const h = [...b].map((x) => x.toString(16).padStart(2, '0')).join('');
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
  }

  async function add(item) {
    if (!user) throw new Error('not started');
    const seq = await put({ ...item, user, state: 'waiting', error: '', at: Date.now() });
    notify();
    flush();
    return seq;
  }

  function fileOf(inputId) {
    const input = inputId && document.getElementById(inputId);
    return input && input.files && input.files[0] ? input.files[0] : null;
  }

  // A new case (the form's JSON, with its `client_id` if it was already tried once) and the
  // photo chosen in the input `inputId`: the report's client id.
  async function queueReport(json, inputId, label) {
    const c = JSON.parse(json);
    c.client_id = c.client_id || uuid();
    await add({ kind: 'report', url: '/api/v1/cases', json: JSON.stringify(c), client_id: c.client_id, label, meta: place(c) });
    const file = fileOf(inputId);
    if (file) {
      await add({ kind: 'photo', url: '/api/v1/cases/{case}/photos', needs: c.client_id, blob: file, client_id: `photo-${c.client_id}`, label: `${label} · 照片` });
    }
    return c.client_id;
  }

  // A photo for a case that exists.
  async function queuePhoto(caseId, inputId, label) {
    const file = fileOf(inputId);
    if (!file) return false;
    await add({ kind: 'photo', url: `/api/v1/cases/${caseId}/photos`, blob: file, client_id: `photo-${uuid()}`, label });
    return true;
  }

  // An action on a case (`{"action": …}`), sent without a version: the server decides on the
  // case as it is then. `meta` (category and place) lets a refused report-back be reported anew.
  async function queueAction(caseId, json, label, metaJson) {
    const a = JSON.parse(json);
    a.client_id = a.client_id || uuid();
    await add({ kind: 'action', url: `/api/v1/cases/${caseId}/actions`, json: JSON.stringify(a), client_id: a.client_id, label,
      meta: metaJson ? JSON.parse(metaJson) : null, note: a.note || a.reason || '' });
    return a.client_id;
  }

  // Any other JSON write whose resend changes nothing (a household's evacuation mark).
  async function queueJson(url, json, label) {
    await add({ kind: 'json', url, json, client_id: uuid(), label });
    return true;
  }

  function place(c) {
    return { category: c.category, building_id: c.building_id ?? null, lon: c.lon ?? null, lat: c.lat ?? null, address: c.address || '' };
  }

  // Sends what waits, in order. Stops at the first sign of no signal (or a server that cannot
  // answer now) and tries again later; a refusal marks that item and goes on with the others.
  // One tab of the phone sends at a time.
  async function flush() {
    if (!user) return;
    if (sending) { again = true; return; }
    sending = true;
    notify();
    try {
      if (navigator.locks) await navigator.locks.request('zz-outbox', sendAll);
      else await sendAll();
    } finally {
      sending = false;
      notify();
      schedule();
    }
  }

  // Whether the session this page's requests carry is still `user`'s: a phone shared by two
  // workers sends each one's work only in their own session.
  async function mine() {
    let resp;
    try {
      resp = await fetch('/api/v1/me', { credentials: 'same-origin' });
    } catch (e) {
      problem = 'offline';
      return false;
    }
    if (resp.status === 401) {
      signedOut();
      return false;
    }
    if (!resp.ok) {
      problem = 'server';
      return false;
    }
    const me = await resp.json().catch(() => null);
    if (!me || me.username !== user) {
      problem = 'other-user';
      return false;
    }
    return true;
  }

  // The session is over: what the phone kept of it goes; the queue waits for the worker to
  // sign in again.
  function signedOut() {
    problem = 'signed-out';
    ask({ type: 'erase' });
  }

  async function sendAll() {
    {
      do {
        again = false;
        problem = '';
        const items = await all();
        if (!items.some((i) => i.state === 'waiting') || !(await mine())) break;
        for (const item of await all()) {
          if (item.state !== 'waiting') continue;
          let url = item.url;
          if (item.needs) {
            const caseId = await madeCase(item.needs);
            if (caseId === undefined) {
              const parent = (await all()).find((i) => i.client_id === item.needs);
              if (!parent || parent.state === 'conflict') await refuse(item.seq, '所属事件未能上报');
              continue;
            }
            url = url.replace('{case}', caseId);
          }
          let resp;
          try {
            const init = { method: 'POST', credentials: 'same-origin' };
            if (item.kind === 'photo') {
              url += `${url.includes('?') ? '&' : '?'}client_id=${encodeURIComponent(item.client_id)}`;
              init.body = item.blob;
              init.headers = { 'Content-Type': item.blob.type || 'application/octet-stream' };
            } else {
              init.body = item.json;
              init.headers = { 'Content-Type': 'application/json' };
            }
            resp = await fetch(url, init);
          } catch (e) {
            problem = 'offline';
            break;
          }
          failures = 0;
          if (resp.ok) {
            if (item.kind === 'report') {
              const body = await resp.json().catch(() => null);
              const caseId = body && body.case && body.case.id;
              if (caseId) await run('made', 'readwrite', (s) => s.put({ client_id: item.client_id, case_id: caseId }));
            }
            await remove(item.seq);
            localStorage.setItem(lastSyncKey(), String(Date.now()));
            notify();
            continue;
          }
          if (resp.status === 401) {
            signedOut();
            break;
          }
          if (resp.status >= 500 || resp.status === 429 || resp.status === 408) {
            problem = 'server';
            failures += 1;
            break;
          }
          const body = await resp.json().catch(() => ({}));
          await refuse(item.seq, body.error || `服务器拒绝（${resp.status}）`);
          notify();
        }
      } while (again);
    }
  }

  // While something waits, try again every few seconds (the `online` event is not reliable on
  // every phone); a server that keeps failing is asked less and less often (up to a minute).
  // Signed out (or another worker's session), nothing is tried until the page starts again.
  function schedule() {
    clearTimeout(timer);
    if (problem === 'signed-out' || problem === 'other-user') return;
    const wait = problem === 'server' ? Math.min(60000, 5000 * 2 ** failures) : 5000;
    all().then((items) => {
      if (items.some((i) => i.state === 'waiting')) timer = setTimeout(flush, wait);
    });
  }

  // Drops an item, and the photos that were to follow it.
  async function discard(seq) {
    const items = await all();
    const item = items.find((i) => i.seq === seq);
    if (!item) return;
    for (const i of items) if (i.needs && i.needs === item.client_id) await remove(i.seq);
    await remove(seq);
    notify();
  }

  // A refused action reported as a new case at the same place, with the worker's words.
  async function asNew(seq) {
    const item = (await all()).find((i) => i.seq === seq);
    if (!item || !item.meta || !item.meta.category) return false;
    const description = item.note && item.note.trim().length >= 4 ? item.note : `${item.label}（原事件已办结，重新上报）`;
    const c = { ...item.meta, description };
    if (c.building_id == null) delete c.building_id;
    if (c.lon == null) { delete c.lon; delete c.lat; }
    await remove(seq);
    await queueReport(JSON.stringify(c), null, `重新上报：${item.label}`);
    return true;
  }

  // A refused action's words kept on the case as a note (补充说明).
  async function asComment(seq) {
    const item = (await all()).find((i) => i.seq === seq);
    if (!item || item.kind !== 'action' || !item.note || item.note.trim().length < 2) return false;
    const caseId = item.url.split('/')[4];
    await remove(seq);
    await queueAction(caseId, JSON.stringify({ action: 'comment', note: item.note }), `补充说明 · ${item.label}`, item.meta ? JSON.stringify(item.meta) : null);
    return true;
  }

  async function state() {
    const items = user ? await all() : [];
    const last = user ? Number(localStorage.getItem(lastSyncKey())) || null : null;
    return {
      online: navigator.onLine && problem !== 'offline',
      sending,
      problem,
      waiting: items.filter((i) => i.state === 'waiting').map((i) => ({ seq: i.seq, label: i.label, kind: i.kind })),
      conflicts: items.filter((i) => i.state === 'conflict').map((i) => ({
        seq: i.seq, label: i.label, kind: i.kind, error: i.error, may_report_new: !!(i.meta && i.meta.category && i.kind === 'action'),
        may_comment: i.kind === 'action' && !!i.note && i.note.trim().length >= 2 && !(i.json || '').includes('"action":"comment"'),
      })),
      last_sync: last,
    };
  }

  let notifying = null;
  function notify() {
    if (notifying) return;
    notifying = Promise.resolve().then(async () => {
      notifying = null;
      const detail = JSON.stringify(await state());
      window.dispatchEvent(new CustomEvent('zz-outbox', { detail }));
    });
  }

  function worker() {
    return navigator.serviceWorker && navigator.serviceWorker.ready;
  }

  function ask(msg) {
    const ready = worker();
    if (!ready) return Promise.resolve(null);
    return ready.then((reg) => new Promise((resolve) => {
      const ch = new MessageChannel();
      ch.port1.onmessage = (e) => resolve(e.data);
      reg.active.postMessage(msg, [ch.port2]);
    }));
  }

  // The phone keeps these pages too (the cases on the worker's tasks): what it now keeps.
  const warm = (paths) => ask({ type: 'warm', paths });
  const kept = () => ask({ type: 'kept' });

  function start(username) {
    if (user === username) { notify(); return; }
    user = username;
    if (navigator.serviceWorker) navigator.serviceWorker.register('/sw.js', { scope: '/' }).catch(() => {});
    window.addEventListener('online', () => { problem = ''; flush(); });
    window.addEventListener('offline', () => notify());
    flush();
  }

  window.zzOutbox = { start, queueReport, queuePhoto, queueAction, queueJson, flush, discard, asNew, asComment, state, warm, kept };
})();
