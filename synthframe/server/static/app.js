/* synthframe web page: hold the chosen files in memory, send them to the HTTP API
   (POST /api/analyze, /api/preview, /api/generate as multipart/form-data), and show the answers.

   The page parses nothing itself: samples are read, typed and checked by the server with the
   library's own reader, and every error shown comes from the API's {"error", "table", "column"}. */
(function () {
  "use strict";

  const SAMPLE_EXTENSIONS = [".csv", ".json", ".jsonl", ".ndjson", ".parquet"];
  const PREVIEW_ROWS = 10;
  const LEVELS_SHOWN = 5;
  const ROOT_FACTOR = 10; // tables without a parent start at 10x their sample size
  const DISTRIBUTIONS = {
    norm: "normal", truncnorm: "truncated normal", lognorm: "log-normal", gamma: "gamma", beta: "beta",
    uniform: "uniform", expon: "exponential", empirical: "empirical quantiles",
  };

  const $ = (id) => document.getElementById(id);
  const els = {
    status: $("status-text"), alert: $("alert"), dropzone: $("dropzone"), sampleFiles: $("sample-files"),
    fileList: $("file-list"), schemaFile: $("schema-file"), schemaText: $("schema-text"),
    analyze: $("analyze"), loadExample: $("load-example"), clear: $("clear"), counts: $("counts"),
    countsEmpty: $("counts-empty"), countsTotal: $("counts-total"), seed: $("seed"), format: $("format"),
    preview: $("preview"), generate: $("generate"), analysis: $("analysis"), previewOut: $("preview-out"),
    version: $("version"), main: $("main"), generateCard: $("generate-card"),
  };

  const state = {
    files: new Map(),    // table (file stem) -> File, in the order they were added
    counts: new Map(),   // table -> text of its rows box
    typed: new Set(),    // tables whose rows the user typed: kept across analyses
    analysis: null,      // the last /api/analyze answer
    inputVersion: 0,     // bumped whenever files or schema change
    analyzedVersion: -1, // inputVersion the analysis was made from
    analyzeSeq: 0,       // newest analysis started; older answers are dropped
    busy: 0,
    limits: null,
    trigger: null,       // element that started the running request, refocused afterwards
    analyzeTimer: 0,
  };

  // -- small helpers --------------------------------------------------------------------

  /** An element with attributes and children (strings become text nodes: never HTML). */
  function h(tag, attrs, ...children) {
    const el = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs || {})) {
      if (value === null || value === undefined || value === false) continue;
      if (key === "class") el.className = value;
      else if (key === "text") el.textContent = value;
      else el.setAttribute(key, value === true ? "" : String(value));
    }
    for (const child of children.flat(Infinity)) {
      if (child === null || child === undefined || child === false) continue;
      el.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return el;
  }

  function stem(name) {
    const base = name.split(/[\\/]/).pop();
    const dot = base.lastIndexOf(".");
    return dot > 0 ? base.slice(0, dot) : base;
  }

  function extension(name) {
    const dot = name.lastIndexOf(".");
    return dot >= 0 ? name.slice(dot).toLowerCase() : "";
  }

  function formatInt(n) {
    return Number(n).toLocaleString("en-US");
  }

  function formatNumber(n) {
    if (typeof n !== "number" || !Number.isFinite(n)) return String(n);
    if (Number.isInteger(n) && Math.abs(n) < 1e15) return formatInt(n);
    const abs = Math.abs(n);
    if (abs !== 0 && (abs >= 1e6 || abs < 1e-3)) return n.toPrecision(3);
    return String(Number(n.toPrecision(4)));
  }

  function formatBytes(n) {
    if (n < 1024) return `${n} B`;
    if (n < 1024 * 1024) return `${(n / 1024).toFixed(n < 10240 ? 1 : 0)} KB`;
    return `${(n / 1024 / 1024).toFixed(1)} MB`;
  }

  function percent(x) {
    if (typeof x !== "number") return "—";
    if (x === 0) return "0%";
    const p = x * 100;
    return `${p < 1 ? p.toFixed(2) : p < 10 ? p.toFixed(1) : p.toFixed(0)}%`;
  }

  /** The arrow from a foreign key to the key it references, read out as "references". */
  function arrow() {
    return h("span", { class: "arrow", role: "img", "aria-label": "references" }, "→");
  }

  function plural(n, word) {
    return `${formatInt(n)} ${word}${n === 1 ? "" : "s"}`;
  }

  // -- status, busy, errors -------------------------------------------------------------

  function say(text) {
    els.status.textContent = text;
  }

  function begin(label) {
    state.busy += 1;
    if (state.busy === 1) {
      const active = document.activeElement;
      state.trigger = active && active !== document.body ? active : null;
    }
    document.body.classList.add("busy");
    els.main.setAttribute("aria-busy", "true");
    say(label);
    sync();
  }

  function end() {
    state.busy = Math.max(0, state.busy - 1);
    if (state.busy > 0) return;
    document.body.classList.remove("busy");
    els.main.removeAttribute("aria-busy");
    sync();
    // A button disabled while it had focus loses it; give it back so keyboard use goes on from there.
    const trigger = state.trigger;
    state.trigger = null;
    const active = document.activeElement;
    if (trigger && trigger.isConnected && !trigger.disabled && (!active || active === document.body)) {
      trigger.focus();
    }
  }

  /** Enable or disable the buttons: nothing runs twice at once, and nothing runs without input. */
  function sync() {
    const busy = state.busy > 0;
    const input = hasInput();
    els.analyze.disabled = busy || !input;
    els.preview.disabled = busy || !input;
    els.generate.disabled = busy || !input;
    els.clear.disabled = busy;
    els.loadExample.disabled = busy;
  }

  function hasInput() {
    return state.files.size > 0 || els.schemaText.value.trim() !== "";
  }

  class ApiError extends Error {
    constructor(message, table, column, extra) {
      super(message);
      this.table = table || null;
      this.column = column || null;
      this.extra = extra || {};
    }
  }

  async function errorFrom(response) {
    let body = null;
    try {
      body = await response.json();
    } catch (_) {
      body = null;
    }
    if (body && typeof body.error === "string") {
      return new ApiError(body.error, body.table, body.column, { status: response.status, limit: body.limit });
    }
    return new ApiError(`The server answered ${response.status} ${response.statusText || ""}`.trim() + ".", null,
                        null, { status: response.status });
  }

  /** Empty the alert region; ``keepNotice`` keeps a notice about refused files (not an API error). */
  function clearAlert(keepNotice) {
    if (!(keepNotice && els.alert.dataset.kind === "notice")) {
      els.alert.replaceChildren();
      delete els.alert.dataset.kind;
    }
    for (const el of document.querySelectorAll("[aria-invalid='true']")) el.removeAttribute("aria-invalid");
    for (const el of els.fileList.querySelectorAll(".has-error")) el.classList.remove("has-error");
  }

  function dismissButton() {
    const button = h("button", { type: "button", class: "button secondary small dismiss" }, "Dismiss");
    button.addEventListener("click", () => {
      clearAlert(false);
      say("Message dismissed.");
      els.sampleFiles.focus();
    });
    return button;
  }

  /** Show an error in the alert region, naming its table and column, and mark the control it concerns. */
  function showError(action, err) {
    const where = [];
    if (err.table) where.push(`table “${err.table}”`);
    if (err.column) where.push(`column “${err.column}”`);
    const lines = [h("p", {}, h("strong", {}, `${action} failed`),
                     where.length ? h("span", { class: "where" }, ` — ${where.join(", ")}`) : null)];
    lines.push(h("p", {}, err.message));
    els.alert.replaceChildren(...lines, dismissButton());
    els.alert.dataset.kind = "error";
    if (err.table) {
      const item = els.fileList.querySelector(`li[data-table="${CSS.escape(err.table)}"]`);
      if (item) item.classList.add("has-error");
      const count = countInput(err.table);
      if (count && err.extra && err.extra.countSent) count.setAttribute("aria-invalid", "true");
    }
    say(`${action} failed; see the message above.`);
  }

  async function post(path, form) {
    let response;
    try {
      response = await fetch(path, { method: "POST", body: form });
    } catch (_) {
      throw new ApiError("The request could not be sent: the synthframe server may have stopped (is `synthframe " +
                         "serve` still running?), or a chosen file was changed on disk after it was added (add it " +
                         "again).");
    }
    if (!response.ok) throw await errorFrom(response);
    return response;
  }

  // -- files ----------------------------------------------------------------------------

  /** Does this JSON text look like a schema ({"tables": {name: {"columns": ...}}}) rather than samples? */
  function looksLikeSchema(text) {
    let data;
    try {
      data = JSON.parse(text);
    } catch (_) {
      return false;
    }
    if (!data || typeof data !== "object" || Array.isArray(data)) return false;
    const tables = data.tables;
    if (!tables || typeof tables !== "object" || Array.isArray(tables)) return false;
    return Object.values(tables).every((t) => t && typeof t === "object" && "columns" in t);
  }

  async function setSchemaFromFile(file) {
    els.schemaText.value = await file.text();
    return file.name;
  }

  /** Take files from the file input, the schema input or a drop: schemas go to the schema box, the rest
      are held as samples (one per table; a new file for a table replaces the old one). */
  async function addFiles(fileList) {
    clearAlert();
    const added = [];
    const rejected = [];
    let schemaName = null;
    for (const file of Array.from(fileList)) {
      const ext = extension(file.name);
      if (file.name.toLowerCase() === "schema.json") {
        schemaName = await setSchemaFromFile(file);
        continue;
      }
      if (ext === ".json" && file.size < 8 * 1024 * 1024 && looksLikeSchema(await file.text())) {
        schemaName = await setSchemaFromFile(file);
        continue;
      }
      if (!SAMPLE_EXTENSIONS.includes(ext)) {
        rejected.push(file.name);
        continue;
      }
      state.files.set(stem(file.name), file);
      added.push(file.name);
    }
    if (rejected.length) {
      els.alert.replaceChildren(
        h("p", {}, h("strong", {}, "Some files were not added")),
        h("p", {}, `${rejected.join(", ")}: sample files must end in ${SAMPLE_EXTENSIONS.join(", ")}.`),
        dismissButton());
      els.alert.dataset.kind = "notice";
    }
    const parts = [];
    if (added.length) parts.push(`Added ${plural(added.length, "sample file")}`);
    if (schemaName) parts.push(`schema from ${schemaName}`);
    if (parts.length) say(parts.join(" and ") + ".");
    if (added.length || schemaName) inputsChanged(true);
  }

  function removeFile(table) {
    const file = state.files.get(table);
    const index = Array.from(state.files.keys()).indexOf(table);
    state.files.delete(table);
    say(`Removed ${file ? file.name : table}.`);
    inputsChanged(true);
    // Keep keyboard focus in the list: on the next file's button, else the previous one, else the file input.
    const buttons = els.fileList.querySelectorAll("button");
    (buttons[Math.min(index, buttons.length - 1)] || els.sampleFiles).focus();
  }

  function renderFiles() {
    els.fileList.replaceChildren(...Array.from(state.files, ([table, file]) =>
      h("li", { "data-table": table },
        h("span", { class: "file-text" },
          h("span", { class: "file-name" }, file.name),
          h("span", { class: "file-meta" }, extension(file.name) === ".json"
            ? `table ${table}, or the tables it holds as {table: [records]} · ${formatBytes(file.size)}`
            : `table ${table} · ${formatBytes(file.size)}`)),
        (() => {
          const b = h("button", { type: "button", class: "button secondary small", "aria-label": `Remove ${file.name}` },
                      "Remove");
          b.addEventListener("click", () => removeFile(table));
          return b;
        })())));
  }

  function inputsChanged(analyzeSoon) {
    state.inputVersion += 1;
    renderFiles();
    sync();
    if (!hasInput()) {
      state.analysis = null;
      renderAnalysis();
      renderCounts();
      return;
    }
    if (analyzeSoon) {
      clearTimeout(state.analyzeTimer);
      state.analyzeTimer = setTimeout(() => { analyze(true); }, 120);
    }
  }

  // -- requests -------------------------------------------------------------------------

  function form(extra) {
    const data = new FormData();
    const schema = els.schemaText.value.trim();
    if (schema) data.append("schema", new Blob([schema], { type: "application/json" }), "schema.json");
    for (const file of state.files.values()) data.append("samples", file, file.name);
    for (const [key, value] of Object.entries(extra || {})) data.append(key, value);
    return data;
  }

  /** The counts typed for the tables of the current analysis, {table: number}; throws on unreadable input. */
  function countsRequested() {
    const counts = {};
    if (!state.analysis) return counts;
    for (const table of Object.keys(state.analysis.tables)) {
      const input = countInput(table);
      if (!input) continue;
      if (input.validity.badInput) {
        input.setAttribute("aria-invalid", "true");
        throw new ApiError(`Rows for table '${table}' must be a whole number such as 1000 (or empty to follow ` +
                           `its parent table).`, table);
      }
      const text = input.value.trim();
      if (text !== "") counts[table] = Number(text);
    }
    return counts;
  }

  function settings(extra) {
    const fields = { ...extra };
    const counts = countsRequested();
    if (Object.keys(counts).length) fields.recordCounts = JSON.stringify(counts);
    const seed = els.seed.value.trim();
    if (els.seed.validity.badInput) {
      els.seed.setAttribute("aria-invalid", "true");
      throw new ApiError("The seed must be a whole number, 0 or more.");
    }
    if (seed !== "") fields.seed = seed;
    return { fields, counts };
  }

  /** Send the files and schema to /api/analyze and show what was learned; ``auto`` when files just changed. */
  async function analyze(auto) {
    clearTimeout(state.analyzeTimer);
    if (!hasInput()) return false;
    const seq = ++state.analyzeSeq;
    const version = state.inputVersion;
    clearAlert(auto === true);
    begin("Analyzing the samples…");
    try {
      const response = await post("api/analyze", form());
      const result = await response.json();
      if (seq !== state.analyzeSeq) return false; // a newer analysis is on its way
      state.analysis = result;
      state.analyzedVersion = version;
      // How many analyses were shown, and of which model: lets scripts and tests wait for a fresh one.
      els.analysis.dataset.analyses = String(Number(els.analysis.dataset.analyses || 0) + 1);
      els.analysis.dataset.fingerprint = result.fingerprint || "";
      renderAnalysis();
      renderCounts();
      const tables = Object.values(result.tables);
      const rows = tables.reduce((s, t) => s + (t.sample_rows || 0), 0);
      say(`Analyzed ${plural(tables.length, "table")} from ${plural(rows, "sample row")}. ` +
          `Set the rows you want, then preview or download.`);
      return true;
    } catch (err) {
      if (seq === state.analyzeSeq) showError("Analysis", err);
      return false;
    } finally {
      end();
    }
  }

  /** Analyze first when the files or schema changed since the last analysis. */
  async function ensureAnalyzed() {
    if (state.analysis && state.analyzedVersion === state.inputVersion) return true;
    return analyze(false);
  }

  async function preview() {
    clearAlert();
    if (!(await ensureAnalyzed())) return;
    let request;
    try {
      request = settings({ limit: String(PREVIEW_ROWS) });
    } catch (err) {
      showError("Preview", err);
      return;
    }
    begin("Making a preview…");
    try {
      const response = await post("api/preview", form(request.fields));
      const result = await response.json();
      renderPreview(result);
      const total = Object.values(result.recordCounts).reduce((s, n) => s + n, 0);
      say(`Preview ready: the first rows of ${plural(Object.keys(result.tables).length, "table")} ` +
          `(${plural(total, "row")} in all when generated).`);
    } catch (err) {
      markCountSent(err, request.counts);
      showError("Preview", err);
    } finally {
      end();
    }
  }

  async function generate() {
    clearAlert();
    if (!(await ensureAnalyzed())) return;
    const format = els.format.value;
    let request;
    try {
      request = settings({ format });
    } catch (err) {
      showError("Generating", err);
      return;
    }
    begin("Generating the tables…");
    try {
      const response = await post("api/generate", form(request.fields));
      const blob = await response.blob();
      const name = downloadName(response, format);
      download(blob, name);
      say(`Downloaded ${name} (${formatBytes(blob.size)}).`);
    } catch (err) {
      markCountSent(err, request.counts);
      showError("Generating", err);
    } finally {
      end();
    }
  }

  function markCountSent(err, counts) {
    if (err instanceof ApiError && err.table && counts && Object.hasOwn(counts, err.table)) {
      err.extra.countSent = true;
    }
  }

  function downloadName(response, format) {
    const disposition = response.headers.get("Content-Disposition") || "";
    const star = /filename\*\s*=\s*(?:UTF-8'')?([^;]+)/i.exec(disposition);
    if (star) {
      try {
        return decodeURIComponent(star[1].trim().replace(/^"|"$/g, ""));
      } catch (_) { /* fall through to the plain filename */ }
    }
    const plain = /filename\s*=\s*"?([^";]+)"?/i.exec(disposition);
    if (plain) return plain[1].trim();
    return format === "json" ? "synthframe.json" : `synthframe-${format}.zip`;
  }

  function download(blob, name) {
    const url = URL.createObjectURL(blob);
    const link = h("a", { href: url, download: name, hidden: true });
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 60000);
  }

  // -- analysis -------------------------------------------------------------------------

  function renderAnalysis() {
    const result = state.analysis;
    if (!result) {
      els.analysis.replaceChildren(h("p", { class: "empty" },
        "Nothing analyzed yet. Add sample files (or a schema) and the tables, their keys and what was " +
        "detected in every column appear here."));
      return;
    }
    const tables = result.tables;
    const relations = [];
    for (const [name, table] of Object.entries(tables)) {
      for (const fk of table.foreign_keys) {
        relations.push(h("li", {},
          `${name}.${fk.columns.join(", ")} `, arrow(),
          ` ${fk.references.table}.${fk.references.columns.join(", ")}`));
      }
    }
    const children = {};
    for (const [name, table] of Object.entries(tables)) {
      for (const fk of table.foreign_keys) {
        if (fk.references.table === name) continue;
        (children[fk.references.table] = children[fk.references.table] || []).push(name);
      }
    }
    const nodes = [];
    if (relations.length) {
      nodes.push(h("h3", { class: "visually-hidden" }, "Relationships"));
      nodes.push(h("ul", { class: "relations", "aria-label": "Relationships between the tables" }, relations));
    }
    nodes.push(h("div", { class: "tables" },
      Object.entries(tables).map(([name, table], i) => tableCard(name, table, i, children[name] || []))));
    els.analysis.replaceChildren(...nodes);
    markScrollable();
  }

  function tableAnchor(name) {
    const index = Object.keys(state.analysis.tables).indexOf(name);
    return `table-${index}`;
  }

  function tableLink(name) {
    return h("a", { href: `#${tableAnchor(name)}` }, name);
  }

  function tableCard(name, table, index, children) {
    const columnCount = Object.keys(table.columns).length;
    const keys = [];
    if (table.primary_key.length) {
      keys.push(h("li", {}, h("span", { class: "key-label" }, "Primary key: "),
                  h("code", {}, table.primary_key.join(", "))));
    }
    for (const fk of table.foreign_keys) {
      keys.push(h("li", {}, h("span", { class: "key-label" }, "Foreign key: "),
        h("code", {}, fk.columns.join(", ")), " ", arrow(), " ", tableLink(fk.references.table),
        h("code", {}, `.${fk.references.columns.join(", ")}`)));
    }
    const layout = table.layout || {};
    if (layout.parent && typeof layout.children_per_parent === "number") {
      keys.push(h("li", {}, h("span", { class: "key-label" }, "Rows per parent: "),
        `${formatNumber(layout.children_per_parent)} per ${layout.parent} row on average`));
    }
    if (children.length) {
      const links = [];
      children.forEach((c, i) => { if (i) links.push(", "); links.push(tableLink(c)); });
      keys.push(h("li", {}, h("span", { class: "key-label" }, "Referenced by: "), ...links));
    }
    const rows = Object.entries(table.columns).map(([col, info]) => columnRow(col, info));
    return h("section", { class: "table-card", id: `table-${index}`, "data-table": name,
                          "aria-labelledby": `table-${index}-h` },
      h("h3", { id: `table-${index}-h` }, h("span", {}, name),
        h("span", { class: "meta" },
          `${plural(table.sample_rows || 0, "sample row")} · ${plural(columnCount, "column")}`)),
      keys.length ? h("ul", { class: "keys" }, keys) : null,
      h("div", { class: "scroll", "data-label": `Columns of ${name}` },
        h("table", { class: "columns-table" },
          h("caption", { class: "visually-hidden" }, `Columns of ${name}`),
          h("thead", {}, h("tr", {},
            h("th", { scope: "col" }, "Column"), h("th", { scope: "col" }, "Type"),
            h("th", { scope: "col" }, "Detected"), h("th", { scope: "col" }, "Distribution or values"),
            h("th", { scope: "col", class: "num" }, "Nulls"))),
          h("tbody", {}, rows))));
  }

  function columnRow(name, c) {
    const badges = [];
    if (c.primary_key) badges.push(h("span", { class: "badge pk", title: "primary key" }, "PK"));
    if (c.foreign_key) badges.push(h("span", { class: "badge fk", title: `foreign key to ${c.foreign_key}` }, "FK"));
    if (c.unique && !c.primary_key) badges.push(h("span", { class: "badge uq", title: "unique" }, "UNIQUE"));
    const type = [c.type];
    if (c.nullable) type.push("nullable");
    return h("tr", { "data-column": name },
      h("td", {}, name, badges.map((b) => [" ", b])),
      h("td", {}, type.join(", ")),
      h("td", {}, detected(c)),
      h("td", {}, distribution(c)),
      h("td", { class: "num" }, percent(c.null_rate)));
  }

  function detected(c) {
    switch (c.kind) {
      case "sequence":
        return typeof c.start === "number"
          ? `sequence ${formatNumber(c.start)}, ${formatNumber(c.start + (c.step || 1))}, …` : "sequence";
      case "foreign_key": {
        const role = c.role === "owner" ? " (rows grouped by parent)" : "";
        return [arrow(), " ", c.foreign_key || "parent", role];
      }
      case "line_number":
        return "line number within its parent";
      case "offset":
        return `date after ${c.derived_from || "another date"}`;
      case "parent_column":
        return `equal to ${c.derived_from || "a parent column"}`;
      case "place_country":
        return "country";
      case "place_city":
        return "real city of the row's country";
      case "place_region":
        return c.form === "code" ? "region code of the row's city" : "region of the row's city";
      case "place_postcode":
        return "postcode in the row's country's format";
      case "place_phone":
        return `phone number of the row's country (${c.style || "international"})`;
      case "place_street":
        return "street in the row's country";
      case "person_name":
        return `${c.part === "first" ? "first" : c.part === "last" ? "last" : "full"} name in the row's locale`;
      case "text":
        if (c.semantic) return `text: ${c.semantic.replace(/_/g, " ")}`;
        if (c.pattern) return ["format ", h("code", {}, c.pattern)];
        if (c.text_kind === "levels") return "names of things, kept and recombined";
        if (c.text_kind === "sentences") return "whole sentences";
        return c.text_kind === "words" ? "free text (words)" : `text${c.text_kind ? ` (${c.text_kind})` : ""}`;
      case "frequencies":
        return `${plural(c.level_count || 0, "value")} by frequency`;
      case "distribution":
        if (c.type === "date") return "dates";
        if (c.type === "datetime") return "date-times";
        if (c.type === "integer" || c.integer === true) return "whole numbers";
        return typeof c.decimals === "number" ? `numbers, ${c.decimals} decimals` : "numbers";
      default:
        if (c.semantic) return c.semantic;
        if (c.pattern) return ["format ", h("code", {}, c.pattern)];
        return c.kind || "—";
    }
  }

  function temporalUnit(c) {
    if (c.time_unit) return c.time_unit === "D" ? "D" : "s";
    if (c.type === "date") return "D";
    if (c.type === "datetime") return "s";
    return null;
  }

  function parameter(key, value, unit) {
    if (Array.isArray(value)) return `${key}: ${value.length} points`;
    if (typeof value !== "number") return `${key}: ${value}`;
    if (unit && key === "loc") {
      const ms = unit === "D" ? value * 86400000 : value * 1000;
      const date = new Date(ms);
      if (!Number.isNaN(date.getTime())) {
        return `${key}: ${unit === "D" ? date.toISOString().slice(0, 10) : date.toISOString().slice(0, 16).replace("T", " ")}`;
      }
    }
    if (unit && key === "scale") {
      const days = unit === "D" ? value : value / 86400;
      return `${key}: ${formatNumber(Number(days.toPrecision(3)))} days`;
    }
    return `${key}: ${formatNumber(value)}`;
  }

  function distribution(c) {
    const parts = [];
    if (c.distribution) {
      const unit = temporalUnit(c);
      const name = DISTRIBUTIONS[c.distribution] || c.distribution;
      parts.push(h("span", {}, name));
      const params = c.parameters && typeof c.parameters === "object"
        ? Object.entries(c.parameters).map(([k, v]) => parameter(k, v, unit)) : [];
      if (params.length) parts.push(h("span", { class: "params" }, params.join(" · ")));
    } else if (Array.isArray(c.levels)) {
      const order = c.levels.map((level, i) => [level, Array.isArray(c.weights) ? c.weights[i] : null]);
      order.sort((a, b) => (b[1] || 0) - (a[1] || 0));
      const shown = order.slice(0, LEVELS_SHOWN).map(([level, weight]) =>
        h("li", {}, level === null ? "(empty)" : String(level),
          weight === null || weight === undefined ? null : h("b", {}, ` ${percent(weight)}`)));
      const more = (c.level_count || c.levels.length) - shown.length;
      if (more > 0) shown.push(h("li", {}, `+${formatInt(more)} more`));
      parts.push(h("ul", { class: "levels", "aria-label": "Most frequent values" }, shown));
    }
    const hasMin = c.min !== undefined && c.min !== null;
    const hasMax = c.max !== undefined && c.max !== null;
    if (hasMin || hasMax) {
      const bound = (v) => (typeof v === "number" ? formatNumber(v) : String(v).replace("T", " "));
      const lo = hasMin ? bound(c.min) : "…";
      const hi = hasMax ? bound(c.max) : "…";
      parts.push(h("span", { class: "params" }, `range ${lo} to ${hi}`));
    }
    if (!parts.length) {
      if (c.kind === "text" && typeof c.pool_size === "number") {
        parts.push(h("span", { class: "params" }, `drawn from a pool of ${formatInt(c.pool_size)} values`));
      } else {
        parts.push("—");
      }
    }
    return parts;
  }

  // -- counts ---------------------------------------------------------------------------

  function countInput(table) {
    return els.counts.querySelector(`input[data-table="${CSS.escape(table)}"]`);
  }

  function renderCounts() {
    const result = state.analysis;
    if (!result) {
      els.counts.replaceChildren();
      els.countsEmpty.hidden = false;
      els.countsTotal.textContent = "";
      return;
    }
    els.countsEmpty.hidden = true;
    const rows = Object.entries(result.tables).map(([name, table], i) => {
      const id = `count-${i}`;
      if (!state.typed.has(name)) {
        // Until the user types: a table with no parent starts at 10x its sample size; a child follows its parent.
        const parent = table.layout && table.layout.parent;
        const base = result.recordCounts[name] ?? table.sample_rows ?? 0;
        state.counts.set(name, parent ? "" : String(base * ROOT_FACTOR));
      }
      const input = h("input", { id, type: "number", min: 0, step: 1, inputmode: "numeric",
                                 "data-table": name, "aria-describedby": `${id}-hint counts-help` });
      input.value = state.counts.get(name);
      input.addEventListener("input", () => {
        state.counts.set(name, input.value);
        state.typed.add(name);
        input.removeAttribute("aria-invalid");
        updateEstimates();
      });
      return h("div", { class: "count-row" },
        h("label", { for: id }, name), input,
        h("p", { class: "hint", id: `${id}-hint` }, ""));
    });
    els.counts.replaceChildren(...rows);
    updateEstimates();
    fitSticky();
  }

  /** Keep the generate card in view while scrolling, when it fits the window. */
  function fitSticky() {
    const card = els.generateCard;
    card.classList.remove("sticky");
    if (card.getBoundingClientRect().height + 32 < window.innerHeight) card.classList.add("sticky");
  }

  /** The rows each table will get, as the server counts them: typed counts win, an empty table follows its
      parent by the samples' ratio, a table without parent keeps its sample size. An estimate for the hints;
      the preview shows the exact counts. */
  function estimates() {
    const result = state.analysis;
    const names = Object.keys(result.tables);
    const counts = {};
    const typed = {};
    for (const name of names) {
      const text = (state.counts.get(name) || "").trim();
      if (validCount(text)) typed[name] = Number(text);
    }
    let pending = names.slice();
    for (let round = 0; round <= names.length && pending.length; round++) {
      pending = pending.filter((name) => {
        const table = result.tables[name];
        if (name in typed) { counts[name] = typed[name]; return false; }
        const layout = table.layout || {};
        if (layout.parent && layout.parent !== name) {
          if (!(layout.parent in counts)) return true;
          const ratio = typeof layout.children_per_parent === "number"
            ? layout.children_per_parent : (layout.partner !== null && layout.partner !== undefined ? 1 : 3);
          counts[name] = Math.round(counts[layout.parent] * ratio);
          return false;
        }
        counts[name] = table.sample_rows || 100;
        return false;
      });
    }
    return counts;
  }

  function validCount(text) {
    return /^\s*\d+\s*$/.test(text);
  }

  function updateEstimates() {
    const result = state.analysis;
    if (!result) return;
    const counts = estimates();
    let total = 0;
    Object.entries(result.tables).forEach(([name, table], i) => {
      const hint = $(`count-${i}-hint`);
      const samples = `${formatInt(table.sample_rows || 0)} in samples`;
      const typed = (state.counts.get(name) || "").trim() !== "";
      const parent = table.layout && table.layout.parent;
      let text = samples;
      if (typed && !validCount(state.counts.get(name))) {
        text += " · rows must be a whole number, 0 or more";
      } else if (!typed && name in counts) {
        text += parent ? ` · empty: about ${formatInt(counts[name])}, following ${parent}`
                       : ` · empty: ${formatInt(counts[name])}, as in the samples`;
      }
      if (hint) hint.textContent = text;
      if (name in counts) total += counts[name];
    });
    const limit = state.limits && state.limits.max_rows;
    const over = limit && total > limit;
    els.countsTotal.textContent = `In all: about ${formatInt(total)} rows` +
      (limit ? ` (this server allows ${formatInt(limit)} per request)` : "") + ".";
    els.countsTotal.classList.toggle("over", Boolean(over));
  }

  // -- preview --------------------------------------------------------------------------

  function renderPreview(result) {
    const blocks = Object.entries(result.tables).map(([name, records], i) => {
      const total = result.recordCounts[name];
      const columns = records.length ? Object.keys(records[0])
        : Object.keys((state.analysis && state.analysis.tables[name] || { columns: {} }).columns);
      const id = `preview-${i}-h`;
      const body = records.map((record) => h("tr", {}, columns.map((col) => {
        const v = record[col];
        if (v === null || v === undefined) return h("td", { class: "null" }, "null");
        const text = typeof v === "object" ? JSON.stringify(v) : String(v);
        return h("td", { title: text.length > 40 ? text : null }, text);
      })));
      return h("section", { class: "preview-table", "data-table": name, "aria-labelledby": id },
        h("h3", { id }, name, h("span", { class: "meta" },
          records.length ? `first ${formatInt(records.length)} of ${formatInt(total)} rows`
                         : `no rows (${formatInt(total)} asked for)`)),
        records.length
          ? h("div", { class: "scroll", "data-label": `Preview of ${name}` },
              h("table", {}, h("thead", {}, h("tr", {}, columns.map((c) => h("th", { scope: "col" }, c)))),
                h("tbody", {}, body)))
          : null);
    });
    els.previewOut.replaceChildren(...blocks);
    markScrollable();
  }

  /** A table wider than its box scrolls sideways; make that box reachable by keyboard (and named). */
  function markScrollable() {
    for (const box of document.querySelectorAll(".scroll[data-label]")) {
      if (box.scrollWidth > box.clientWidth + 1) {
        box.setAttribute("tabindex", "0");
        box.setAttribute("role", "region");
        box.setAttribute("aria-label", box.dataset.label);
      } else {
        box.removeAttribute("tabindex");
        box.removeAttribute("role");
        box.removeAttribute("aria-label");
      }
    }
  }

  // -- the bundled example (when the server offers it) ------------------------------------

  async function detectExample() {
    try {
      const response = await fetch("api/openapi.json");
      if (!response.ok) return;
      const doc = await response.json();
      if (doc && doc.paths && doc.paths["/api/example"] && doc.paths["/api/example"].get) {
        els.loadExample.hidden = false;
      }
    } catch (_) { /* no example button */ }
    finally { els.loadExample.dataset.checked = "true"; }
  }

  async function loadExample() {
    clearAlert();
    begin("Loading the bundled example…");
    let example;
    try {
      const response = await fetch("api/example");
      if (!response.ok) throw await errorFrom(response);
      example = await response.json();
    } catch (err) {
      showError("Loading the example", err instanceof ApiError ? err : new ApiError(String(err)));
      return;
    } finally {
      end();
    }
    const files = Object.entries(example.files || {}).map(([name, text]) =>
      new File([text], name, { type: name.endsWith(".csv") ? "text/csv" : "application/json" }));
    state.files.clear();
    els.schemaText.value = "";
    if (example.recordCounts && typeof example.recordCounts === "object") {
      state.counts.clear();
      state.typed.clear();
      for (const [table, n] of Object.entries(example.recordCounts)) {
        state.counts.set(table, String(n));
        state.typed.add(table);
      }
    }
    await addFiles(files);
  }

  // -- wiring ---------------------------------------------------------------------------

  function clearAll() {
    state.files.clear();
    state.counts.clear();
    state.typed.clear();
    state.analysis = null;
    els.schemaText.value = "";
    clearAlert();
    els.previewOut.replaceChildren(h("p", { class: "empty" },
      "Press Preview to see the first rows of every table before downloading."));
    inputsChanged(false);
    say("Cleared. Add sample files to start again.");
    els.sampleFiles.focus();
  }

  function wire() {
    els.sampleFiles.addEventListener("change", async () => {
      const files = Array.from(els.sampleFiles.files || []);
      els.sampleFiles.value = ""; // the same file can be chosen again
      if (files.length) await addFiles(files);
    });
    els.schemaFile.addEventListener("change", async () => {
      const file = els.schemaFile.files && els.schemaFile.files[0];
      els.schemaFile.value = "";
      if (!file) return;
      clearAlert();
      await setSchemaFromFile(file);
      say(`Schema loaded from ${file.name}.`);
      inputsChanged(true);
    });
    els.schemaText.addEventListener("input", () => {
      state.inputVersion += 1; // analyzed again before the next preview or download
      sync();
    });

    // Files dropped anywhere on the page are added (the dashed area is only the obvious target);
    // a drop of text, into the schema box say, keeps its usual meaning.
    const zone = els.dropzone;
    const hasFiles = (e) => Boolean(e.dataTransfer) && Array.from(e.dataTransfer.types || []).includes("Files");
    let depth = 0;
    zone.addEventListener("dragenter", (e) => { if (hasFiles(e)) { depth += 1; zone.classList.add("dragging"); } });
    zone.addEventListener("dragleave", () => { depth = Math.max(0, depth - 1); if (!depth) zone.classList.remove("dragging"); });
    window.addEventListener("dragover", (e) => {
      if (!hasFiles(e)) return;
      e.preventDefault();
      e.dataTransfer.dropEffect = "copy";
    });
    window.addEventListener("drop", async (e) => {
      if (!hasFiles(e)) return;
      e.preventDefault();
      depth = 0;
      zone.classList.remove("dragging");
      const files = Array.from(e.dataTransfer.files);
      if (files.length) await addFiles(files);
    });

    els.analyze.addEventListener("click", () => { analyze(false); });
    els.preview.addEventListener("click", () => { preview(); });
    els.generate.addEventListener("click", () => { generate(); });
    els.clear.addEventListener("click", clearAll);
    els.loadExample.addEventListener("click", () => { loadExample(); });
    window.addEventListener("resize", () => { fitSticky(); markScrollable(); });
  }

  async function health() {
    try {
      const response = await fetch("api/health");
      if (!response.ok) return;
      const body = await response.json();
      state.limits = body.limits || null;
      if (body.version) els.version.textContent = `synthframe ${body.version}`;
      updateEstimates();
    } catch (_) {
      say("The synthframe server could not be reached. Is `synthframe serve` running?");
    }
  }

  wire();
  renderFiles();
  renderCounts();
  sync();
  health();
  detectExample();
})();
