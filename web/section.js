// A live cross-section preview drawn from a design result: the concrete outline b × D, the
// stirrup at the nominal cover, the tension bars at the bottom and compression bars at the top,
// with b, D and d dimensioned. Saved designs get the gateway's exact drawing
// (GET /api/v1/designs/{id}/section.svg); this preview only needs the result in hand.

const SVG_NS = "http://www.w3.org/2000/svg";
/** Clear spacing floor for the preview, mm: IS 456 cl. 26.3.2 with 20 mm aggregate (+5 mm). */
const MIN_CLEAR_MM = 25;

/** Bar diameters of `groups` ([{count, dia}]), larger first. */
function diameters(groups) {
  return (groups ?? []).flatMap((g) => Array(g.count).fill(g.dia)).sort((a, b) => b - a);
}

/** Splits bars into layers the way a detailer would: as many per layer as the width allows. */
function layers(bars, inner, wanted) {
  if (bars.length === 0) return [];
  const dia = bars[0];
  const clear = Math.max(dia, MIN_CLEAR_MM);
  const perLayer = Math.max(2, Math.floor((inner + clear) / (dia + clear)));
  const count = wanted === 2 ? Math.max(perLayer, Math.ceil(bars.length / 2)) : bars.length;
  const first = bars.slice(0, Math.min(count, bars.length));
  // Larger bars at the corners, where the stirrup holds them.
  const ordered = [first[0], ...first.slice(2), first[1]].filter((d) => d !== undefined);
  const rest = bars.slice(first.length);
  return rest.length ? [ordered, rest] : [ordered];
}

function el(name, attrs, text) {
  const node = document.createElementNS(SVG_NS, name);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  if (text !== undefined) node.textContent = text;
  return node;
}

/** Places one layer of bars between the stirrup legs at height `y` (mm from the top). */
function placeLayer(svg, layer, y, left, right, cls) {
  const n = layer.length;
  layer.forEach((dia, i) => {
    const x = n === 1 ? (left + right) / 2 : left + ((right - left) * i) / (n - 1);
    svg.append(el("circle", { cx: x, cy: y, r: dia / 2, class: cls }));
  });
}

/**
 * Draws `result` (a DesignResult) for `beam` (the inputs) into a new <svg> element.
 * @returns {SVGSVGElement}
 */
export function drawSection(beam, result) {
  const b = Number(beam.width);
  const D = Number(beam.depth);
  const stirrup = result.shear?.stirrups?.dia ?? 8;
  const tension = diameters(result.tension?.groups);
  const top = diameters(result.compression?.groups);
  const main = tension[0] ?? 16;
  const cover = Number(beam.cover) || Math.max(20, D - result.d_mm - stirrup - main / 2);
  const pad = Math.max(b, D) * 0.18;
  const svg = el("svg", {
    viewBox: `${-pad} ${-pad} ${b + 2 * pad} ${D + 2 * pad}`,
    role: "img",
    "aria-label": `cross-section ${b} × ${D} mm, ${result.tension?.bars ?? "no bars"}`,
  });
  svg.append(el("rect", { x: 0, y: 0, width: b, height: D, class: "concrete" }));
  const inset = cover + stirrup / 2;
  svg.append(el("rect", {
    x: inset, y: inset, width: b - 2 * inset, height: D - 2 * inset,
    rx: stirrup * 2, class: "stirrup", "stroke-width": stirrup,
  }));
  const left = cover + stirrup;
  const inner = b - 2 * left;
  const bottom = layers(tension, inner, result.tension?.layers);
  bottom.forEach((layer, i) => {
    const y = D - left - layer[0] / 2 - i * (layer[0] + Math.max(layer[0], MIN_CLEAR_MM));
    placeLayer(svg, layer, y, left + layer[0] / 2, b - left - layer[0] / 2, "bar tension");
  });
  const hangers = top.length ? top : [12, 12];
  placeLayer(svg, hangers, left + hangers[0] / 2, left + hangers[0] / 2, b - left - hangers[0] / 2,
    top.length ? "bar compression" : "bar hanger");
  const text = (x, y, s, cls = "dim") => svg.append(el("text", { x, y, class: cls }, s));
  const font = Math.max(b, D) * 0.055;
  svg.style.setProperty("--font", `${font}px`);
  text(b / 2, -pad * 0.35, `b = ${b}`);
  text(-pad * 0.5, D / 2, `D = ${D}`, "dim vertical");
  text(b + pad * 0.5, D / 2, `d = ${result.d_mm.toFixed(0)}`, "dim vertical");
  text(b / 2, D + pad * 0.55, result.tension?.bars ?? "", "label");
  if (result.shear?.stirrups) text(b / 2, D + pad * 0.9, result.shear.stirrups.text, "label");
  return svg;
}
