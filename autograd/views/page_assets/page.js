// chainrule's interactive graph page. The data (nodes, edges, backward order) is the JSON in
// #chainrule-data; the SVG was drawn by Graphviz: a value box's <title> is its id (v3), its op's
// is v3_op, and the edge from the k-th input of v3 has the id e3_k.
(function () {
  "use strict";
  const data = JSON.parse(document.getElementById("chainrule-data").textContent);
  const svg = document.querySelector("#graph svg");
  const frame = document.getElementById("graph");
  const tip = document.getElementById("tip");
  const panel = document.getElementById("panel");
  const status = document.getElementById("status");
  const nodes = new Map(data.nodes.map((n) => [n.id, n]));
  const edges = new Map(data.edges.map((e) => [e.id, e]));
  const groups = new Map(); // value id -> its box's <g>
  const edgeGroups = new Map(); // edge id -> its <g>
  const READABLE = 0.75; // the smallest scale the page opens at: 12 px text shown at 9 px

  function number(x) {
    if (typeof x === "string") return x; // nan, inf, -inf
    return x.toPrecision(data.digits).replace(/e\+?/, "e");
  }

  // --- find the boxes and edges in the SVG ---------------------------------------------------
  for (const g of svg.querySelectorAll("g.node")) {
    const title = g.querySelector("title");
    const id = title ? title.textContent : "";
    const node = nodes.get(id) || nodes.get(id.replace(/_op$/, ""));
    if (!node) continue; // the legend
    g.dataset.node = node.id;
    g.classList.add("clickable");
    if (nodes.has(id)) {
      groups.set(id, g);
      node.gradText = Array.from(g.querySelectorAll("text")).find((t) => t.textContent.startsWith("grad "));
      if (node.gradText) node.gradShown = node.gradText.textContent;
    }
  }
  for (const g of svg.querySelectorAll("g.edge")) {
    if (!edges.has(g.id)) continue;
    edgeGroups.set(g.id, g);
    const path = g.querySelector("path");
    if (path) { // a wide invisible copy of the line, so the edge is easy to point at
      const hit = path.cloneNode(false);
      hit.setAttribute("class", "hit");
      g.insertBefore(hit, path);
    }
  }

  // --- backward, step by step ----------------------------------------------------------------
  let step = 0;
  const stepButton = document.getElementById("step");
  const runButton = document.getElementById("run");

  function uses(id) {
    return data.edges.filter((e) => e.parent === id);
  }

  function show() {
    if (selected) describe(selected); // the panel's grad follows the steps
    data.order.forEach((id, i) => {
      const node = nodes.get(id);
      const g = groups.get(id);
      const done = i < step;
      if (node.gradText) node.gradText.textContent = done ? node.gradShown : "grad ?";
      if (!g) return;
      g.classList.toggle("has-grad", done);
      g.classList.toggle("current", i === step - 1);
      if (done) g.dataset.grad = String(node.grad);
      else delete g.dataset.grad;
    });
    const current = step > 0 ? data.order[step - 1] : null;
    const flowing = new Set(current ? uses(current).map((e) => e.id) : []);
    for (const [id, g] of edgeGroups) g.classList.toggle("flow", flowing.has(id));
    stepButton.disabled = runButton.disabled = step >= data.order.length;
    if (!current) {
      status.textContent = `Backward not started: ${data.order.length} boxes wait for their grad. Press "step".`;
      return;
    }
    if (!visible(current)) focus(current);
    const node = nodes.get(current);
    const used = uses(current);
    const why = step === 1
      ? "the output's grad is 1: d(output)/d(output)"
      : `the sum over its ${used.length} use${used.length === 1 ? "" : "s"} of local derivative × grad (red edges)`;
    status.textContent = `Step ${step} of ${data.order.length}: grad of ${node.name} = ${number(node.grad)}, ${why}.`;
  }

  stepButton.addEventListener("click", () => { step = Math.min(step + 1, data.order.length); show(); });
  runButton.addEventListener("click", () => { step = data.order.length; show(); });
  document.getElementById("reset").addEventListener("click", () => { step = 0; show(); });

  // --- hover and click -------------------------------------------------------------------------
  function tipAt(event, text) {
    tip.textContent = text;
    tip.hidden = false;
    tip.style.left = `${event.clientX + 14}px`;
    tip.style.top = `${event.clientY + 14}px`;
  }

  svg.addEventListener("mouseover", (event) => {
    const edge = event.target.closest("g.edge");
    if (edge && edges.has(edge.id)) {
      const e = edges.get(edge.id);
      tipAt(event, `local derivative ${e.text} = ${number(e.local)}`);
      return;
    }
    const box = event.target.closest("g.node");
    if (box && box.dataset.node) {
      const n = nodes.get(box.dataset.node);
      const revealed = data.order.indexOf(n.id) < step;
      tipAt(event, `${n.name}\nop ${n.op || "(leaf)"}\ndata ${number(n.data)}\ngrad ${revealed ? number(n.grad) : "? (not reached yet)"}`);
      return;
    }
    tip.hidden = true;
  });
  svg.addEventListener("mouseleave", () => { tip.hidden = true; });

  let selected = null; // the box whose paths the panel shows
  svg.addEventListener("click", (event) => {
    if (moved) return; // the end of a drag, not a click
    const box = event.target.closest("g.node");
    if (!box || !box.dataset.node) return;
    for (const g of svg.querySelectorAll("g.node.selected")) g.classList.remove("selected");
    const g = groups.get(box.dataset.node);
    if (g) g.classList.add("selected");
    selected = box.dataset.node;
    describe(selected);
  });

  function describe(id) { // the panel: a box's numbers and explain's table of its paths
    const n = nodes.get(id);
    panel.innerHTML = ""; // filled with elements and text nodes only
    const h = document.createElement("h2");
    h.textContent = n.name;
    const list = document.createElement("dl");
    const grad = data.order.indexOf(n.id) < step ? number(n.grad) : "? (backward has not reached it)";
    for (const [key, value] of [["op", n.op || "(leaf)"], ["data", number(n.data)], ["grad", grad]]) {
      const dt = document.createElement("dt");
      dt.textContent = key;
      const dd = document.createElement("dd");
      dd.textContent = value;
      list.append(dt, dd);
    }
    const paths = document.createElement("div");
    paths.id = "paths";
    if (n.paths) paths.append(pathTable(n.paths));
    else paths.append(element("p", "This is the output: its grad is 1, where backward starts."));
    panel.append(h, list, paths);
  }

  function element(tag, text, className) {
    const e = document.createElement(tag);
    if (text !== undefined) e.textContent = text;
    if (className) e.className = className;
    return e;
  }

  function pathTable([heading, footing, cells]) { // explain's table, as its to_html() writes it
    const table = element("table", undefined, "chainrule-explain");
    table.append(element("caption", heading));
    const head = element("thead");
    const top = element("tr");
    for (const name of ["path", "edge", "op", "local derivative"]) top.append(element("th", name));
    head.append(top);
    const body = element("tbody");
    for (let i = 0; i < cells.length; i += 4) {
      const [number, edge, op, value] = cells.slice(i, i + 4).map((k) => data.strings[k]);
      const row = element("tr", undefined, number ? "start" : "");
      const kind = value.includes("not finite") ? "number notfinite" : "number";
      const edgeCell = element("td");
      const valueCell = element("td", undefined, kind);
      if (edge === "product") {
        edgeCell.append(element("b", edge));
        valueCell.append(element("b", value));
      } else {
        edgeCell.textContent = edge;
        valueCell.textContent = value;
      }
      row.append(element("td", number), edgeCell, element("td", op), valueCell);
      body.append(row);
    }
    const foot = element("tfoot");
    const last = element("tr");
    const cell = element("td", footing);
    cell.colSpan = 4;
    last.append(cell);
    foot.append(last);
    table.append(head, body, foot);
    return table;
  }

  // --- pan and zoom, by changing the viewBox -------------------------------------------------
  const whole = svg.viewBox.baseVal;
  const full = { x: whole.x, y: whole.y, w: whole.width, h: whole.height };
  const view = { ...full };
  svg.removeAttribute("width");
  svg.removeAttribute("height");
  svg.setAttribute("preserveAspectRatio", "xMidYMin meet");

  function apply() {
    svg.setAttribute("viewBox", `${view.x} ${view.y} ${view.w} ${view.h}`);
  }

  function zoom(factor, cx, cy) { // cx, cy: the point that stays put, in SVG units
    view.x = cx - (cx - view.x) / factor;
    view.y = cy - (cy - view.y) / factor;
    view.w /= factor;
    view.h /= factor;
    apply();
  }

  function centre() {
    return [view.x + view.w / 2, view.y + view.h / 2];
  }

  function actualSize() { // 1 SVG point = 4/3 px, the size the text was laid out for
    const box = frame.getBoundingClientRect();
    view.w = (box.width * 3) / 4;
    view.h = (box.height * 3) / 4;
    view.x = full.x + (full.w - view.w) / 2;
    view.y = full.y;
    apply();
  }

  function units(event) { // a mouse position in SVG units
    const point = svg.createSVGPoint();
    point.x = event.clientX;
    point.y = event.clientY;
    return point.matrixTransform(svg.getScreenCTM().inverse());
  }

  document.getElementById("zoom-in").addEventListener("click", () => zoom(1.25, ...centre()));
  document.getElementById("zoom-out").addEventListener("click", () => zoom(0.8, ...centre()));
  document.getElementById("fit").addEventListener("click", () => { Object.assign(view, full); apply(); });
  document.getElementById("actual").addEventListener("click", actualSize);
  frame.addEventListener("wheel", (event) => {
    event.preventDefault();
    const p = units(event);
    zoom(event.deltaY < 0 ? 1.15 : 1 / 1.15, p.x, p.y);
  }, { passive: false });

  let drag = null;
  let moved = false;
  frame.addEventListener("mousedown", (event) => {
    drag = { x: event.clientX, y: event.clientY, view: { ...view } };
    moved = false;
  });
  window.addEventListener("mousemove", (event) => {
    if (!drag) return;
    const dx = event.clientX - drag.x;
    const dy = event.clientY - drag.y;
    if (!moved && Math.abs(dx) + Math.abs(dy) < 4) return;
    moved = true;
    frame.classList.add("dragging");
    const scale = view.w / frame.getBoundingClientRect().width;
    view.x = drag.view.x - dx * scale;
    view.y = drag.view.y - dy * scale;
    apply();
  });
  window.addEventListener("mouseup", () => { drag = null; frame.classList.remove("dragging"); });

  function visible(id) { // is the whole box in the view?
    const g = groups.get(id);
    if (!g) return true;
    const r = g.getBoundingClientRect();
    const f = frame.getBoundingClientRect();
    return r.left >= f.left && r.right <= f.right && r.top >= f.top && r.bottom <= f.bottom;
  }

  function focus(id) { // centre the view on a box
    const g = groups.get(id);
    if (!g) return;
    const r = g.getBoundingClientRect();
    const p = units({ clientX: r.left + r.width / 2, clientY: r.top + r.height / 2 });
    // no empty space past the graph, and a graph narrower (shorter) than the view in its middle
    const clamp = (v, low, high) => (high < low ? (low + high) / 2 : Math.max(low, Math.min(v, high)));
    view.x = clamp(p.x - view.w / 2, full.x, full.x + full.w - view.w);
    view.y = clamp(p.y - view.h / 2, full.y, full.y + full.h - view.h);
    apply();
  }

  // Fitted to the window while the text stays readable (12 px text drawn at 9 px or more), else
  // at 100% on the output, where backward starts; pan to reach the rest.
  const room = frame.getBoundingClientRect();
  const scale = Math.min(room.width / ((full.w * 4) / 3), room.height / ((full.h * 4) / 3));
  if (scale < READABLE) {
    actualSize();
    focus(data.order[0]);
  }
  show();
})();
