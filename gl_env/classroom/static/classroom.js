// Shared by the classroom's pages: the JSON API, the live websocket, small formatting helpers.
"use strict";

const gl = {
  // The session id of /session/<id>[/...] pages.
  sessionId() {
    const parts = location.pathname.split("/");
    return decodeURIComponent(parts[2] || "");
  },

  // A JSON request; throws an Error carrying the server's message on a refusal.
  async api(path, { method = "GET", body, headers = {} } = {}) {
    const options = { method, headers: { ...headers } };
    if (body !== undefined) {
      options.body = JSON.stringify(body);
      options.headers["Content-Type"] = "application/json";
    }
    const response = await fetch(path, options);
    const data = await response.json().catch(() => ({ error: `The server answered ${response.status}.` }));
    if (!response.ok) throw new Error(data.error || `The server answered ${response.status}.`);
    return data;
  },

  // Calls onMessage with every message of /ws/session/<id>?view=...; reconnects after a drop (server restart).
  live(sessionId, view, onMessage) {
    const scheme = location.protocol === "https:" ? "wss" : "ws";
    const connect = () => {
      const socket = new WebSocket(`${scheme}://${location.host}/ws/session/${encodeURIComponent(sessionId)}?view=${view}`);
      socket.onmessage = (event) => onMessage(JSON.parse(event.data));
      socket.onclose = (event) => { if (event.code !== 4404) setTimeout(connect, 2000); };
    };
    connect();
  },

  showError(element, error) {
    element.textContent = error ? String(error.message || error) : "";
    element.classList.toggle("hidden", !error);
  },

  escape(text) {
    return String(text).replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);
  },

  paragraphs(lines) {
    return lines.map((line) => `<p>${gl.escape(line)}</p>`).join("");
  },

  fmt(value, digits = 2) {
    return value === null || value === undefined ? "–" : Number(value).toFixed(digits);
  },

  institution(overrides) {
    const entries = Object.entries(overrides || {});
    return entries.length ? entries.map(([k, v]) => `${k}=${v}`).join(", ") : "the scenario's own rules";
  },

  plotConfig: { responsive: true, displayModeBar: false },
};
