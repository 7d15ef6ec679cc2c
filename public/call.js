// Zhizhi's video calls in the browser: the camera, the microphone and the peer connections.
// Loaded on demand by the call layer (app/src/components/call.rs), which owns what the page
// shows; this file only moves media and relays signalling through our server:
//   POST /api/v1/calls/{id}/signals   to another party (arrives on their live stream)
//   POST /api/v1/calls/{id}/alive     every 10 s while the call lasts
//   POST /api/v1/calls/{id}/snapshots a still of the worker's camera, stored on the case
// The worker's phone is the media source: each watcher (the caller, every viewer) says hello
// when its page is ready (on joining, or again after a reload), and the phone offers it a fresh
// connection; the watcher answers and sends its microphone back (talking to the scene).
// Status goes to the layer through ZhizhiCall.onstatus(kind, detail): 'media' (camera and
// microphone on or off), 'connected', 'first-frame', 'reconnecting', 'lost', 'ended'.
(function () {
  'use strict';
  const RECONNECT_MS = 20000;
  const ALIVE_MS = 10000;
  let call = null; // { id, me, worker, role, pcs: Map<userId, pc>, local, timers, ready, iceQueue }
  // Signals that arrive before the call's media are set up, in arrival order.
  let pending = [];

  function status(kind, detail) {
    if (typeof window.ZhizhiCall.onstatus === 'function') {
      try { window.ZhizhiCall.onstatus(kind, detail === undefined ? '' : String(detail)); } catch (e) { /* the layer is gone */ }
    }
  }

  async function post(path, body, type) {
    const init = { method: 'POST', credentials: 'same-origin', headers: {} };
    if (body !== undefined) {
      init.body = body;
      init.headers['content-type'] = type || 'application/json';
    }
    return fetch(path, init);
  }

  function send(to, kind, data) {
    if (!call) return;
    post(`/api/v1/calls/${call.id}/signals`, JSON.stringify({ to, kind, data: JSON.stringify(data) })).catch(() => {});
  }

  function mediaState() {
    const s = call && call.local;
    const video = !!(s && s.getVideoTracks().some((t) => t.enabled && t.readyState === 'live'));
    const audio = !!(s && s.getAudioTracks().some((t) => t.enabled && t.readyState === 'live'));
    status('media', `${video ? 'camera' : ''},${audio ? 'mic' : ''}`);
  }

  // Asks for the camera (rear, the scene) and microphone, or the microphone alone. Resolves to
  // '' when granted, else the browser's error name ('NotAllowedError', 'NotFoundError' …).
  async function prepare(audioOnly) {
    release();
    try {
      const constraints = audioOnly
        ? { audio: true, video: false }
        : { audio: true, video: { facingMode: { ideal: 'environment' }, width: { ideal: 1280 }, height: { ideal: 720 } } };
      prepared = await navigator.mediaDevices.getUserMedia(constraints);
      return '';
    } catch (e) {
      return (e && e.name) || 'Error';
    }
  }
  let prepared = null;

  function release() {
    if (prepared) prepared.getTracks().forEach((t) => t.stop());
    prepared = null;
  }

  async function iceServers() {
    try {
      const r = await fetch('/api/v1/calls/ice', { credentials: 'same-origin' });
      if (r.ok) return (await r.json()).ice_servers.map((s) => ({ urls: s.urls, username: s.username, credential: s.credential }));
    } catch (e) { /* none: direct */ }
    return [];
  }

  function watchConnection(peer, pc) {
    let lostTimer = null;
    const check = () => {
      const st = pc.connectionState;
      if (st === 'connected') {
        if (lostTimer) { clearTimeout(lostTimer); lostTimer = null; }
        status('connected', peer);
      } else if (st === 'disconnected' || st === 'failed') {
        status('reconnecting', peer);
        if (st === 'failed' && call && call.role === 'worker') restart(peer);
        if (!lostTimer) {
          lostTimer = setTimeout(() => {
            if (pc.connectionState !== 'connected') status('lost', peer);
          }, RECONNECT_MS);
        }
      }
    };
    pc.addEventListener('connectionstatechange', check);
  }

  function newPeer(peer) {
    const pc = new RTCPeerConnection({ iceServers: call.ice });
    pc.addEventListener('icecandidate', (e) => {
      if (e.candidate) send(peer, 'ice', e.candidate.toJSON());
    });
    watchConnection(peer, pc);
    call.pcs.set(peer, pc);
    return pc;
  }

  // The worker offers to one watcher: a fresh connection (closing any before), or an ICE
  // restart of the one there is.
  async function offerTo(peer, restartIce) {
    if (!call || call.role !== 'worker') return;
    let pc = call.pcs.get(peer);
    if (pc && !restartIce) {
      pc.close();
      call.pcs.delete(peer);
      call.iceQueue.delete(peer);
      pc = null;
    }
    const fresh = !pc;
    if (!pc) {
      pc = newPeer(peer);
      call.local.getTracks().forEach((t) => pc.addTrack(t, call.local));
      if (call.local.getAudioTracks().length === 0) pc.addTransceiver('audio', { direction: 'recvonly' });
      pc.addEventListener('track', (e) => attachRemoteAudio(e.streams[0] || new MediaStream([e.track])));
    }
    const offer = await pc.createOffer(restartIce ? { iceRestart: true } : {});
    await pc.setLocalDescription(offer);
    send(peer, 'offer', { ...pc.localDescription.toJSON(), fresh });
  }

  function restart(peer) {
    offerTo(peer, true).catch(() => {});
  }

  // The centre's voice on the phone: an audio element of its own.
  function attachRemoteAudio(stream) {
    let el = document.getElementById('zz-call-remote-audio');
    if (!el) {
      el = document.createElement('audio');
      el.id = 'zz-call-remote-audio';
      el.autoplay = true;
      document.body.appendChild(el);
    }
    el.srcObject = stream;
    el.play().catch(() => {});
  }

  function attachRemoteVideo(stream) {
    const el = document.getElementById(call.remoteVideo);
    if (!el) return;
    el.srcObject = stream;
    el.muted = false;
    el.play().catch(() => { el.muted = true; el.play().catch(() => {}); });
    const firstFrame = () => status('first-frame', `${el.videoWidth}x${el.videoHeight}`);
    if ('requestVideoFrameCallback' in el) el.requestVideoFrameCallback(firstFrame);
    else el.addEventListener('loadeddata', firstFrame, { once: true });
  }

  // Starts the call's media once it is answered. cfg: { id, me, worker, watchers, role
  // ('worker' | 'watcher'), rejoin (the worker's page was reloaded), localVideo, remoteVideo }.
  async function start(cfg) {
    teardown();
    call = { id: cfg.id, me: cfg.me, worker: cfg.worker, role: cfg.role, pcs: new Map(), local: null, remoteVideo: cfg.remoteVideo, timers: [], ready: false, iceQueue: new Map() };
    const current = call;
    current.ice = await iceServers();
    if (cfg.role === 'worker') {
      call.local = prepared || await navigator.mediaDevices.getUserMedia({ audio: true, video: { facingMode: { ideal: 'environment' } } });
      prepared = null;
      const preview = document.getElementById(cfg.localVideo);
      if (preview) { preview.srcObject = call.local; preview.muted = true; preview.play().catch(() => {}); }
      mediaState();
    } else {
      // Talking back is optional: without a microphone the watcher still sees and hears.
      try { call.local = await navigator.mediaDevices.getUserMedia({ audio: true, video: false }); } catch (e) { call.local = new MediaStream(); }
      mediaState();
    }
    if (call !== current) return;
    call.ready = true;
    const queued = pending.filter((p) => p[0] === call.id);
    pending = [];
    for (const [, from, kind, data] of queued) await signal(call.id, from, kind, data);
    // Ready for the picture: the phone offers a connection. A phone page that was reloaded
    // during the call asks its watchers to say hello again.
    if (call.role === 'watcher') send(call.worker, 'hello', {});
    else if (cfg.rejoin) for (const w of cfg.watchers || []) send(w, 'hello', {});
    const id = call.id;
    call.timers.push(setInterval(async () => {
      try {
        const r = await post(`/api/v1/calls/${id}/alive`);
        if (r.ok && (await r.json()).state === 'ended') status('ended', '');
      } catch (e) { status('reconnecting', 'network'); }
    }, ALIVE_MS));
  }

  // Candidates wait for their connection's remote description.
  async function addIce(peer, msg) {
    const pc = call.pcs.get(peer);
    if (!pc || !pc.remoteDescription) {
      if (!call.iceQueue.has(peer)) call.iceQueue.set(peer, []);
      call.iceQueue.get(peer).push(msg);
      return;
    }
    await pc.addIceCandidate(msg).catch(() => {});
  }

  async function flushIce(peer) {
    const queued = call.iceQueue.get(peer) || [];
    call.iceQueue.delete(peer);
    for (const m of queued) await addIce(peer, m);
  }

  // A signalling message from another party of call `callId` (from the live stream).
  async function signal(callId, from, kind, data) {
    if (!call || call.id !== callId || !call.ready) {
      pending.push([callId, from, kind, data]);
      return;
    }
    const msg = JSON.parse(data);
    if (kind === 'hello' && call.role === 'worker') {
      await offerTo(from, false);
    } else if (kind === 'hello') {
      send(from, 'hello', {});
    } else if (kind === 'offer' && call.role === 'watcher') {
      let pc = call.pcs.get(from);
      if (pc && msg.fresh) {
        pc.close();
        call.pcs.delete(from);
        pc = null;
      }
      if (!pc) {
        pc = newPeer(from);
        pc.addEventListener('track', (e) => {
          if (e.track.kind === 'video' || !document.getElementById(call.remoteVideo).srcObject) attachRemoteVideo(e.streams[0] || new MediaStream([e.track]));
        });
        call.local.getTracks().forEach((t) => pc.addTrack(t, call.local));
      }
      await pc.setRemoteDescription({ type: msg.type, sdp: msg.sdp });
      const answer = await pc.createAnswer();
      await pc.setLocalDescription(answer);
      send(from, 'answer', pc.localDescription.toJSON());
      await flushIce(from);
    } else if (kind === 'answer' && call.role === 'worker') {
      const pc = call.pcs.get(from);
      if (pc) {
        await pc.setRemoteDescription(msg);
        await flushIce(from);
      }
    } else if (kind === 'ice') {
      await addIce(from, msg);
    }
  }

  // The watchers now: the connection of one who left closes (one who joined says hello).
  function watchers(list) {
    if (!call || call.role !== 'worker') return;
    for (const [peer, pc] of call.pcs) if (!list.includes(peer)) { pc.close(); call.pcs.delete(peer); }
  }

  function setMic(on) {
    if (!call || !call.local) return;
    call.local.getAudioTracks().forEach((t) => { t.enabled = !!on; });
    mediaState();
  }

  // A still of the worker's camera as JPEG, stored on the case. Resolves to the HTTP status.
  async function snapshot() {
    if (!call) return 0;
    const el = document.getElementById(call.remoteVideo);
    if (!el || !el.videoWidth) return 0;
    const c = document.createElement('canvas');
    c.width = el.videoWidth;
    c.height = el.videoHeight;
    c.getContext('2d').drawImage(el, 0, 0);
    const blob = await new Promise((ok) => c.toBlob(ok, 'image/jpeg', 0.85));
    const r = await post(`/api/v1/calls/${call.id}/snapshots`, blob, 'image/jpeg');
    return r.status;
  }

  function stop() {
    pending = [];
    release();
    teardown();
  }

  // Ends this page's part in the call (the camera asked for by prepare() stays).
  function teardown() {
    if (!call) return;
    call.timers.forEach(clearInterval);
    for (const pc of call.pcs.values()) pc.close();
    if (call.local) call.local.getTracks().forEach((t) => t.stop());
    const audio = document.getElementById('zz-call-remote-audio');
    if (audio) audio.remove();
    call = null;
    status('media', ',');
  }

  // Which call this tab runs: kept in the tab's session storage, so that a reload picks it up
  // (other tabs of the same user leave it alone).
  function own(id) {
    try {
      if (id === null || id === undefined) sessionStorage.removeItem('zz-call');
      else sessionStorage.setItem('zz-call', String(id));
    } catch (e) { /* storage off: no pick-up after a reload */ }
  }

  function owned() {
    try {
      const v = sessionStorage.getItem('zz-call');
      return v === null ? null : Number(v);
    } catch (e) { return null; }
  }

  window.ZhizhiCall = { prepare, start, signal, watchers, setMic, snapshot, stop, own, owned, onstatus: null };
})();
