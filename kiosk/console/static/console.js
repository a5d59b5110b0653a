// Pasboks staff console: live kiosk cards from /events (server-sent events), staff actions
// by POST with the session's CSRF token. Plain DOM, textContent only (nothing a kiosk sends is
// ever parsed as HTML). No libraries, nothing from outside.
"use strict";

const T = JSON.parse(document.getElementById("texts").textContent);
const CSRF = document.querySelector('meta[name="csrf-token"]').content;
const cards = new Map();   // kiosk id -> {root, parts, data}
let offset = 0;            // server clock - this clock (seconds)
let audio = null;          // AudioContext, made on a user gesture
const beeped = new Map();  // kiosk id -> when we last beeped for its help call

function fill(template, values) {
  return template.replace(/\{(\w+)\}/g, (_, key) => (key in values ? String(values[key]) : ""));
}

function now() { return Date.now() / 1000 + offset; }

function duration(seconds) {
  seconds = Math.max(0, Math.floor(seconds));
  if (seconds < 60) return seconds + " s";
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return minutes + " min " + String(seconds % 60).padStart(2, "0") + " s";
  const hours = Math.floor(minutes / 60);
  return hours + " h " + String(minutes % 60).padStart(2, "0") + " min";
}

function el(tag, attrs, text) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs || {})) node.setAttribute(name, value);
  if (text !== undefined) node.textContent = text;
  return node;
}

function makeCard(id) {
  const safe = id.replace(/[^A-Za-z0-9_-]/g, "_");
  const root = el("section", {class: "card", "data-kiosk": id, "aria-labelledby": "name-" + safe});
  const p = {};
  p.name = root.appendChild(el("h2", {id: "name-" + safe, class: "name"}));
  p.place = root.appendChild(el("p", {class: "place"}));
  p.offline = root.appendChild(el("p", {class: "alert offline"}));
  p.help = root.appendChild(el("p", {class: "alert help-alert", role: "alert"}));
  p.out = root.appendChild(el("p", {class: "alert out"}));
  p.step = root.appendChild(el("p", {class: "step"}));
  const list = root.appendChild(el("dl"));
  list.appendChild(el("dt", {}, T.devices));
  p.devices = list.appendChild(el("dd", {class: "devices"}));
  list.appendChild(el("dt", {}, T.applications));
  p.apps = list.appendChild(el("dd", {class: "applications"}));
  p.staffTerm = list.appendChild(el("dt", {}, ""));
  p.staff = list.appendChild(el("dd", {class: "staff"}));
  p.refusal = root.appendChild(el("div", {class: "refusal"}));
  p.refusalTitle = p.refusal.appendChild(el("p", {class: "refusal-title"}));
  const why = p.refusal.appendChild(el("p"));
  p.refusalCode = why.appendChild(el("code", {class: "refusal-code"}));
  why.appendChild(document.createTextNode(" "));
  p.explanation = why.appendChild(el("span", {class: "explanation"}));
  p.advice = p.refusal.appendChild(el("p", {class: "advice"}));

  const actions = root.appendChild(el("div", {class: "actions"}));
  p.ack = actions.appendChild(el("button", {type: "button", class: "ack urgent"}, T.coming));
  p.ack.addEventListener("click", () => act(id, "acknowledge", {}));
  const compose = actions.appendChild(el("form", {class: "compose"}));
  compose.appendChild(el("label", {class: "sr-only", for: "msg-" + safe}, T.message_label));
  p.text = compose.appendChild(el("input", {id: "msg-" + safe, class: "message-text",
    maxlength: String(T.max_message), autocomplete: "off", placeholder: T.message_label}));
  p.send = compose.appendChild(el("button", {type: "submit", class: "send secondary"}, T.message));
  compose.addEventListener("submit", (event) => {
    event.preventDefault();
    const text = p.text.value.trim();
    if (text) act(id, "message", {text}).then((ok) => { if (ok) p.text.value = ""; });
  });
  const service = actions.appendChild(el("div", {class: "compose"}));
  service.appendChild(el("label", {class: "sr-only", for: "reason-" + safe}, T.out_reason));
  p.reason = service.appendChild(el("select", {id: "reason-" + safe, class: "reason"}));
  for (const code of T.reasons) p.reason.appendChild(el("option", {value: code}, T.out_reasons[code]));
  p.outButton = service.appendChild(el("button", {type: "button", class: "out-of-service secondary"},
    T.out_of_service));
  p.outButton.addEventListener("click", () => {
    const card = cards.get(id);
    if (card && !["welcome", "done", "aborted"].includes(card.data.state) && !confirm(T.confirm_out)) return;
    act(id, "out-of-service", {reason: p.reason.value});
  });
  p.back = service.appendChild(el("button", {type: "button", class: "back-in-service"},
    T.back_in_service));
  p.back.addEventListener("click", () => act(id, "back-in-service", {}));
  p.feedback = root.appendChild(el("p", {class: "feedback", role: "status", "aria-live": "polite"}));
  return {root, p, data: null};
}

function show(node, visible) { node.hidden = !visible; }

function update(card) {
  const k = card.data, p = card.p;
  p.name.textContent = k.name;
  p.place.textContent = k.place;
  show(p.place, Boolean(k.place));
  const helpOpen = Boolean(k.help) && k.connected;
  card.root.classList.toggle("help", helpOpen && !k.help.acknowledged_by);
  card.root.classList.toggle("offline", !k.connected);
  card.root.classList.toggle("out", !k.in_service);
  card.root.dataset.state = k.state;
  card.root.dataset.help = helpOpen ? (k.help.acknowledged_by ? "acknowledged" : "waiting") : "none";
  show(p.offline, !k.connected);
  show(p.help, helpOpen);
  if (helpOpen) {
    let line = fill(T.help, {time: duration(now() - k.help.since)});
    if (k.help.asked_at) line += " · " + fill(T.help_asked_at, {step: k.help.asked_at});
    if (k.help.acknowledged_by) {
      const who = k.help.acknowledged_by.replace(/^console:/, "");
      line += " — " + fill(T.help_acknowledged, {name: who});
    }
    p.help.textContent = line;
    p.help.classList.toggle("ack", Boolean(k.help.acknowledged_by));
  }
  show(p.out, !k.in_service);
  p.out.textContent = fill(T.is_out, {reason: k.out_reason_label || T.unknown});
  if (!k.connected) p.offline.textContent = fill(T.offline, {ago: duration(now() - k.last_seen)});
  let step = fill(T.in_step, {step: k.step, time: duration(now() - k.state_since)});
  if (k.underneath_step) step += " (" + k.underneath_step + ")";
  p.step.textContent = step;
  p.devices.replaceChildren();
  k.devices.forEach((d, index) => {
    if (index) p.devices.appendChild(document.createTextNode(", "));
    const span = p.devices.appendChild(el("span", {class: d.ok ? "good" : "bad", "data-device": d.id}));
    span.textContent = d.name + ": " + (d.ok ? T.device_ok : (d.fault || d.code));
  });
  const apps = k.applications;
  p.apps.textContent = apps.pending === null ? T.unknown : apps.pending === 0 ? T.applications_none
    : fill(T.applications_some, {count: apps.pending, age: duration(now() - apps.oldest_since)});
  show(p.staffTerm, Boolean(k.staff));
  show(p.staff, Boolean(k.staff));
  p.staffTerm.textContent = k.staff ? fill(T.staff_at_kiosk, {name: ""}).replace(/:\s*$/, "") : "";
  p.staff.textContent = k.staff || "";
  show(p.refusal, Boolean(k.refusal));
  if (k.refusal) {
    p.refusalTitle.textContent = fill(T.refusal, {ago: duration(now() - k.refusal.since)});
    p.refusalCode.textContent = k.refusal.code;
    p.explanation.textContent = k.refusal.explanation;
    p.advice.textContent = k.refusal.advice ? T.what_to_tell + ": " + k.refusal.advice : "";
  }
  p.ack.disabled = !helpOpen || Boolean(k.help && k.help.acknowledged_by);
  show(p.ack, helpOpen);
  for (const control of [p.text, p.send, p.reason, p.outButton, p.back]) control.disabled = !k.connected;
  show(p.outButton, k.in_service);
  show(p.reason, k.in_service);
  show(p.back, !k.in_service);
}

function render(view) {
  offset = view.now - Date.now() / 1000;
  const container = document.getElementById("kiosks");
  const seen = new Set();
  for (const kiosk of view.kiosks) {
    seen.add(kiosk.id);
    let card = cards.get(kiosk.id);
    if (!card) {
      card = makeCard(kiosk.id);
      cards.set(kiosk.id, card);
    }
    card.data = kiosk;
    container.appendChild(card.root);  // keeps the server's order; focus stays on its element
    update(card);
  }
  for (const [id, card] of cards) {
    if (!seen.has(id)) { card.root.remove(); cards.delete(id); }
  }
  document.getElementById("empty").hidden = view.kiosks.length > 0;
  alarm();
}

function tick() {
  for (const card of cards.values()) if (card.data) update(card);
  alarm();
}

// --- sound: a short two-tone beep (WebAudio), repeated every 10 s while a call waits ---------

function soundButton() {
  const button = document.getElementById("sound");
  const on = audio && audio.state === "running";
  button.textContent = on ? T.sound_is_on : T.sound_on;
  button.setAttribute("aria-pressed", on ? "true" : "false");
}

function enableSound() {
  try {
    if (!audio) audio = new (window.AudioContext || window.webkitAudioContext)();
    if (audio.state !== "running") audio.resume().then(soundButton, soundButton);
  } catch (error) { audio = null; }
  soundButton();
}

function beep() {
  if (!audio || audio.state !== "running") return;
  const start = audio.currentTime;
  [880, 660].forEach((frequency, index) => {
    const osc = audio.createOscillator(), gain = audio.createGain();
    osc.frequency.value = frequency;
    gain.gain.setValueAtTime(0.0001, start + index * 0.25);
    gain.gain.exponentialRampToValueAtTime(0.4, start + index * 0.25 + 0.02);
    gain.gain.exponentialRampToValueAtTime(0.0001, start + index * 0.25 + 0.22);
    osc.connect(gain).connect(audio.destination);
    osc.start(start + index * 0.25);
    osc.stop(start + index * 0.25 + 0.24);
  });
}

function alarm() {
  const t = Date.now() / 1000;
  let ring = false;
  for (const [id, card] of cards) {
    const k = card.data;
    const waiting = k && k.connected && k.help && !k.help.acknowledged_by;
    if (!waiting) { beeped.delete(id); continue; }
    if (!beeped.has(id) || t - beeped.get(id) >= 10) { beeped.set(id, t); ring = true; }
  }
  document.body.dataset.alarm = [...beeped.keys()].length ? "on" : "off";
  if (ring) beep();
}

// --- actions ------------------------------------------------------------------------------

async function act(id, action, body) {
  const card = cards.get(id);
  const feedback = card ? card.p.feedback : document.getElementById("status");
  feedback.textContent = "…";
  try {
    const response = await fetch("/api/kiosks/" + encodeURIComponent(id) + "/" + action, {
      method: "POST", credentials: "same-origin",
      headers: {"Content-Type": "application/json", "X-CSRF-Token": CSRF},
      body: JSON.stringify(body),
    });
    if (response.status === 401) { location.assign("/login"); return false; }
    const answer = await response.json().catch(() => ({}));
    const ok = response.ok && answer.ok;
    feedback.textContent = ok ? T.done_ok : fill(T.failed, {code: answer.result || answer.error || response.status});
    feedback.classList.toggle("bad", !ok);
    return ok;
  } catch (error) {
    feedback.textContent = fill(T.failed, {code: "network"});
    feedback.classList.add("bad");
    return false;
  }
}

// --- live updates --------------------------------------------------------------------------

function connect() {
  const status = document.getElementById("status");
  const source = new EventSource("/events");
  source.addEventListener("kiosks", (event) => {
    status.textContent = "";
    status.classList.remove("bad");
    render(JSON.parse(event.data));
  });
  source.addEventListener("expired", () => { source.close(); location.assign("/login"); });
  source.onerror = () => {
    status.textContent = T.lost;
    status.classList.add("bad");
    if (source.readyState === EventSource.CLOSED) {
      // Refused (401 after the session ended) or gone: ask once, then try again.
      fetch("/api/kiosks", {credentials: "same-origin"}).then((response) => {
        if (response.status === 401) location.assign("/login");
        else setTimeout(connect, 3000);
      }, () => setTimeout(connect, 3000));
    }
  };
}

document.getElementById("sound").addEventListener("click", enableSound);
for (const kind of ["pointerdown", "keydown"]) {
  document.addEventListener(kind, () => { if (audio && audio.state !== "running") enableSound(); });
}
soundButton();
connect();
setInterval(tick, 1000);
