// Parse Mermaid flowcharts with Mermaid's own parser and report what it read.
//
// Protocol (used by tests/render/test_render.py): one JSON request per stdin line,
// {"text": "<mermaid source>"}, answered by one JSON line on stdout:
//   {"ok": true, "type": ..., "config": {...},
//    "vertices": [{"id", "raw", "text", "shape", "classes"}],
//    "subgraphs": [{"id", "raw", "title", "nodes"}],
//    "edges": [{"start", "end", "raw", "text", "stroke"}]}
// or {"ok": false, "error": "<parser message>"}.
// "raw" is the label as Mermaid's parser stored it; "text" is what a browser
// shows for it: Mermaid's entity placeholders decoded, <br> read as a newline,
// HTML entities decoded by a real DOM.
import { createInterface } from "node:readline";
import { JSDOM } from "jsdom";

// Mermaid logs through console; keep stdout for the protocol.
for (const name of ["log", "info", "warn", "debug", "trace"]) {
  console[name] = (...args) => console.error(...args);
}

// DOMPurify (used by Mermaid's sanitiser) needs a window before Mermaid loads.
const { window } = new JSDOM("<!DOCTYPE html><body></body>");
globalThis.window = window;
globalThis.document = window.document;
const { default: mermaid } = await import("mermaid");
mermaid.initialize({ startOnLoad: false, logLevel: "fatal" });

// Mermaid's decodeEntities: its parser stores "#name;" as placeholders.
const unplaceholder = (s) =>
  s.replace(/\uFB02\u00B0\u00B0/g, "&#").replace(/\uFB02\u00B0/g, "&").replace(/\u00B6\u00DF/g, ";");

function shown(raw) {
  const div = window.document.createElement("div");
  div.innerHTML = unplaceholder(raw ?? "").replace(/<br\s*\/?>/gi, "\n");
  return div.textContent;
}

async function check(text) {
  const parsed = await mermaid.parse(text);
  const diagram = await mermaid.mermaidAPI.getDiagramFromText(text);
  const db = diagram.db;
  const vertices = [...db.getVertices().values()].map((v) => ({
    id: v.id,
    raw: v.text,
    text: shown(v.text),
    shape: v.type ?? null,
    classes: [...(v.classes ?? [])],
  }));
  const subgraphs = db.getSubGraphs().map((g) => ({
    id: g.id,
    raw: g.title,
    title: shown(g.title),
    nodes: [...g.nodes],
  }));
  const edges = db.getEdges().map((e) => ({
    start: e.start,
    end: e.end,
    raw: e.text,
    text: shown(e.text),
    stroke: e.stroke ?? null,
  }));
  return { ok: true, type: parsed.diagramType, config: parsed.config ?? {}, vertices, subgraphs, edges };
}

const lines = createInterface({ input: process.stdin, crlfDelay: Infinity });
for await (const line of lines) {
  if (!line.trim()) continue;
  let answer;
  try {
    answer = await check(JSON.parse(line).text);
  } catch (error) {
    answer = { ok: false, error: String(error?.message ?? error) };
  }
  process.stdout.write(JSON.stringify(answer) + "\n");
}
