// The key figures of a design result as <dt>/<dd> pairs, each with its IS 456 clause.

const fmt = (x, digits = 0) => (x === null || x === undefined ? "—" : Number(x).toFixed(digits));

/** Rows of [term, value, clause] for a DesignResult. */
function rows(r) {
  const t = r.tension;
  const c = r.compression;
  const s = r.shear;
  const f = r.deflection;
  const out = [
    ["Effective depth d", `${fmt(r.d_mm)} mm`, ""],
    ["Mu,lim", `${fmt(r.mu_lim_knm, 1)} kN·m`, "G-1.1"],
    ["xu / xu,max", `${fmt(r.xu_mm)} / ${fmt(r.xu_max_mm)} mm`, "38.1"],
    ["Tension steel", `${t.bars} — ${fmt(t.provided_mm2)} mm² (req. ${fmt(t.required_mm2)})`, "26.5.1.1"],
  ];
  if (c) out.push(["Compression steel", `${c.bars} — ${fmt(c.provided_mm2)} mm² (req. ${fmt(c.required_mm2)})`, "G-1.2"]);
  out.push(
    ["pt", `${fmt(r.pt_percent, 2)} %`, ""],
    ["τv / τc / τc,max", `${fmt(s.tau_v_mpa, 2)} / ${fmt(s.tau_c_mpa, 2)} / ${fmt(s.tau_c_max_mpa, 1)} N/mm²`, "40, Tables 19–20"],
    ["Stirrups", `${s.stirrups?.text ?? "—"} (${s.governing.toLowerCase().replaceAll("_", " ")})`, s.clause],
    ["Span / d", `${fmt(f.actual_ratio, 1)} ≤ ${fmt(f.allowable_ratio, 1)}`, "23.2.1"],
    ["Ld", `${fmt(t.development_length_mm)} mm`, "26.2.1"],
    ["Utilisation (M, V)", `${fmt(r.capacity.flexure_utilization, 2)}, ${fmt(r.capacity.shear_utilization, 2)}`, ""],
  );
  if (r.side_face) out.push(["Side-face steel", `${fmt(r.side_face.per_face_mm2)} mm² per face`, "26.5.1.3"]);
  return out;
}

/** The figures of `result` as DOM nodes for a <dl>. */
export function figures(result) {
  return rows(result).flatMap(([term, value, clause]) => {
    const dt = document.createElement("dt");
    dt.textContent = term;
    const dd = document.createElement("dd");
    dd.textContent = value;
    if (clause) dd.append(Object.assign(document.createElement("small"), { textContent: ` cl. ${clause}` }));
    return [dt, dd];
  });
}
