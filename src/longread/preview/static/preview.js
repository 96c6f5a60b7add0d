// The preview page: follows the builder's state (Server-Sent Events) and shows
// each new build without reloading the page.  The e-book frames keep their
// scroll position: a new build's body replaces the old one in place.  The print
// pages are swapped only once every new page image has decoded.
"use strict";

const frames = [document.getElementById("phone"), document.getElementById("tablet")];
let shown = { session: "", ebook: 0, theme: "", print: 0 };
let latest = null;
let queue = Promise.resolve();

const $ = (id) => document.getElementById(id);
const look = () => document.querySelector("input[name=look]:checked").value;

function applyLook(frame) {
  const doc = frame.contentDocument;
  if (doc && doc.documentElement) doc.documentElement.dataset.look = look();
}

function load(frame, url) {
  const y = frame.contentWindow ? frame.contentWindow.scrollY : 0;
  return new Promise((resolve) => {
    frame.addEventListener("load", () => {
      applyLook(frame);
      frame.contentWindow.scrollTo(0, y);
      resolve();
    }, { once: true });
    frame.src = url;
  });
}

function swapBody(frame, fresh) {
  const doc = frame.contentDocument;
  const y = frame.contentWindow.scrollY;
  for (const name of ["lang", "dir"]) {
    const value = fresh.documentElement.getAttribute(name);
    if (value === null) doc.documentElement.removeAttribute(name);
    else doc.documentElement.setAttribute(name, value);
  }
  doc.title = fresh.title;
  doc.body.replaceWith(doc.importNode(fresh.body, true));
  frame.contentWindow.scrollTo(0, y);
}

async function showEbook(view) {
  const url = `/view/ebook.html?g=${view.generation}`;
  if (!shown.ebook || view.theme !== shown.theme) {
    await Promise.all(frames.map((frame) => load(frame, url)));  // new stylesheets: load afresh
  } else {
    const response = await fetch(url);
    if (!response.ok) return;
    const fresh = new DOMParser().parseFromString(await response.text(), "text/html");
    frames.forEach((frame) => swapBody(frame, fresh));
  }
  shown.ebook = view.generation;
  shown.theme = view.theme;
  document.body.dataset.ebookGeneration = view.generation;
}

async function showPrint(printed) {
  const figures = [];
  for (let n = 1; n <= printed.pages; n++) {
    const img = new Image(printed.width, printed.height);
    img.alt = `Page ${n}`;
    img.src = `/view/pages/${printed.generation}/${n}.jpg`;
    const figure = document.createElement("figure");
    const caption = document.createElement("figcaption");
    caption.textContent = String(n);
    figure.append(img, caption);
    figures.push(figure);
  }
  await Promise.all(figures.map((f) => f.querySelector("img").decode().catch(() => {})));
  if (printed.generation < shown.print) return;
  $("pages").replaceChildren(...figures);
  $("print-caption").textContent = `Print pages · ${printed.paper} · ${printed.pages} page${printed.pages === 1 ? "" : "s"}`;
  shown.print = printed.generation;
  document.body.dataset.printGeneration = printed.generation;
}

function statusText(state) {
  if (state.busy === "ebook") return "Reading the manuscript…";
  if (state.busy === "print") return "Laying out the print pages…";
  if (state.error) return "Not built: the views show the last good build";
  const parts = [];
  if (state.ebook) parts.push(`e-book ${state.ebook.seconds.toFixed(2)} s`);
  if (state.print) parts.push(`print ${state.print.seconds.toFixed(2)} s`);
  return `Up to date${parts.length ? " · " + parts.join(" · ") : ""}`;
}

function showProblems(state) {
  const items = (state.error ? [state.error] : []).concat(state.findings);
  $("findings").replaceChildren(...items.map((finding) => {
    const li = document.createElement("li");
    li.className = finding.severity;
    if (finding.source === null) {
      li.append(finding.text);
      return li;
    }
    const link = document.createElement("a");
    link.href = `#line-${finding.line || 1}`;
    link.textContent = finding.file + (finding.line ? `:${finding.line}` : "");
    link.addEventListener("click", (event) => {
      event.preventDefault();
      showLines(finding.source, finding.line, state.sources[finding.source]);
    });
    li.append(link, " ", finding.text);
    return li;
  }));
  $("problems").hidden = items.length === 0;
  document.body.dataset.error = state.error ? state.error.message : "";
}

// The manuscript's lines, one highlighted: opened from a problem, and at once
// for a new error; kept up to date while open.
const lines = { source: null, line: null };

async function showLines(source, line, name) {
  const response = await fetch(`/view/source/${source}`);
  if (!response.ok) return;
  const text = (await response.text()).split("\n");
  $("lines-name").textContent = name;
  $("lines-text").replaceChildren(...text.map((content, i) => {
    const span = document.createElement("span");
    span.textContent = content || " ";
    span.id = `line-${i + 1}`;
    if (i + 1 === line) span.className = "hit";
    return span;
  }));
  $("lines").hidden = false;
  Object.assign(lines, { source, line });
  const hit = document.getElementById(`line-${line || 1}`);
  const pre = $("lines-text");
  if (hit) pre.scrollTop = hit.offsetTop - pre.clientHeight / 3;  // the panel scrolls, not the page
}

let lastError = "";

function followLines(state) {
  const error = state.error;
  if (error && error.source !== null && error.message !== lastError) {
    showLines(error.source, error.line, state.sources[error.source]);
  } else if (!$("lines").hidden && lines.source !== null && lines.source < state.sources.length) {
    showLines(lines.source, lines.line, state.sources[lines.source]);
  }
  lastError = error ? error.message : "";
}

async function apply(state) {
  if (state !== latest) return;  // a newer state is queued
  if (state.session !== shown.session) shown = { session: state.session, ebook: 0, theme: "", print: 0 };
  $("source").textContent = state.source;
  $("status").textContent = statusText(state);
  $("status").classList.toggle("failed", Boolean(state.error));
  showProblems(state);
  if (!state.busy) followLines(state);
  if (state.ebook && state.ebook.generation !== shown.ebook) await showEbook(state.ebook);
  if (state.print && state.print.generation !== shown.print) await showPrint(state.print);
  $("pages").classList.toggle("stale", Boolean(state.print && state.ebook && state.print.generation < state.ebook.generation));
}

const events = new EventSource("/events");
events.onmessage = (event) => {
  latest = JSON.parse(event.data);
  const state = latest;
  queue = queue.then(() => apply(state)).catch((error) => console.error(error));
};
events.onerror = () => {
  $("status").textContent = "Disconnected: is longread preview still running?";
};
for (const input of document.querySelectorAll("input[name=look]")) {
  input.addEventListener("change", () => frames.forEach(applyLook));
}
$("lines-close").addEventListener("click", () => { $("lines").hidden = true; });
