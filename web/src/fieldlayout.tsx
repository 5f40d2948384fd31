// The field layout editor: the pages of a PDF with its fields over them.
// Drag on a page to draw a field; drag a field to move it, its corner to
// resize it; or select it and edit its numbers. Agent's fields are
// outlined in red, the customer's in blue. The caller keeps the fields and
// saves them.
import { useRef, useState } from "preact/hooks";
import { boxStyle, PdfPages } from "./pdfview";
import type { PDFDocumentProxy } from "./pdf";
import { fieldTypes, type Field, type FieldType } from "./types";

type Drag =
  | { mode: "draw"; page: number; x0: number; y0: number; moved: boolean }
  | { mode: "move"; index: number; dx: number; dy: number }
  | { mode: "resize"; index: number; dx: number; dy: number };

const clamp = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, v));
// round keeps four decimals: a tenth of a millimetre on a Letter page.
const round = (v: number) => Math.round(v * 10000) / 10000;
const minSize = 0.01;

// typeLabel is how a field's type is named on screen.
export function typeLabel(t: FieldType): string {
  return fieldTypes.find((x) => x.type === t)?.label ?? t;
}

// fieldName is a field's label, or its type when it has none.
export function fieldName(f: Field): string {
  return f.label || typeLabel(f.type);
}

// defaultSize is the box a field gets when added without drawing it.
function defaultSize(t: FieldType): { w: number; h: number } {
  switch (t) {
    case "checkbox": return { w: 0.03, h: 0.025 };
    case "signature": return { w: 0.35, h: 0.07 };
    case "initials": return { w: 0.1, h: 0.05 };
    default: return { w: 0.3, h: 0.03 };
  }
}

export function FieldLayoutEditor({ doc, fields, onChange, invalid }: { doc: PDFDocumentProxy; fields: Field[]; onChange: (fs: Field[]) => void; invalid?: string }) {
  const [selected, setSelected] = useState(-1);
  const [newType, setNewType] = useState<FieldType>("text");
  const [newRole, setNewRole] = useState<"agent" | "customer">("customer");
  const [draft, setDraft] = useState<null | { page: number; x: number; y: number; w: number; h: number }>(null);
  const drag = useRef<Drag | null>(null);
  const latest = useRef(fields);
  latest.current = fields;

  const change = (i: number, patch: Partial<Field>) => {
    const fs = [...latest.current];
    fs[i] = { ...fs[i], ...patch };
    if (fs[i].type !== "select") delete fs[i].options;
    else if (!fs[i].options) fs[i].options = [];
    onChange(fs);
  };
  const add = (f: Omit<Field, "type" | "role" | "required" | "label">) => {
    const fs = [...latest.current, { type: newType, role: newRole, required: true, label: "", ...f, ...(newType === "select" ? { options: [] } : {}) }];
    onChange(fs);
    setSelected(fs.length - 1);
  };
  const remove = (i: number) => {
    onChange(latest.current.filter((_, j) => j !== i));
    setSelected(-1);
  };

  // at is the pointer's place on the page, in fractions of it.
  const at = (e: PointerEvent) => {
    const r = (e.currentTarget as HTMLElement).getBoundingClientRect();
    return { x: clamp((e.clientX - r.left) / r.width, 0, 1), y: clamp((e.clientY - r.top) / r.height, 0, 1) };
  };
  const handlers = {
    onPointerDown: (page: number, e: PointerEvent) => {
      if (e.button !== 0) return;
      const target = e.target as HTMLElement;
      const box = target.closest<HTMLElement>("[data-index]");
      const p = at(e);
      if (box) {
        const i = Number(box.dataset.index);
        const f = latest.current[i];
        setSelected(i);
        // Moving keeps the pointer's place in the field, resizing its place
        // from the corner: nothing jumps when the drag starts.
        drag.current = target.classList.contains("handle")
          ? { mode: "resize", index: i, dx: f.x + f.w - p.x, dy: f.y + f.h - p.y }
          : { mode: "move", index: i, dx: p.x - f.x, dy: p.y - f.y };
      } else {
        drag.current = { mode: "draw", page, x0: p.x, y0: p.y, moved: false };
      }
      (e.currentTarget as HTMLElement).setPointerCapture?.(e.pointerId);
      e.preventDefault();
    },
    onPointerMove: (page: number, e: PointerEvent) => {
      const d = drag.current;
      if (!d) return;
      const p = at(e);
      if (d.mode === "draw") {
        if (d.page !== page) return;
        d.moved = true;
        setDraft({ page, x: Math.min(d.x0, p.x), y: Math.min(d.y0, p.y), w: Math.abs(p.x - d.x0), h: Math.abs(p.y - d.y0) });
      } else if (d.mode === "move") {
        const f = latest.current[d.index];
        change(d.index, { x: round(clamp(p.x - d.dx, 0, 1 - f.w)), y: round(clamp(p.y - d.dy, 0, 1 - f.h)) });
      } else {
        const f = latest.current[d.index];
        change(d.index, { w: round(clamp(p.x + d.dx - f.x, minSize, 1 - f.x)), h: round(clamp(p.y + d.dy - f.y, minSize, 1 - f.y)) });
      }
    },
    onPointerUp: (page: number, e: PointerEvent) => {
      const d = drag.current;
      drag.current = null;
      setDraft(null);
      if (!d || d.mode !== "draw" || d.page !== page || e.type === "pointercancel") return;
      const p = at(e);
      const box = { x: Math.min(d.x0, p.x), y: Math.min(d.y0, p.y), w: Math.abs(p.x - d.x0), h: Math.abs(p.y - d.y0) };
      if (d.moved && box.w >= minSize && box.h >= minSize) add({ page, x: round(box.x), y: round(box.y), w: round(box.w), h: round(box.h) });
      else setSelected(-1);
    },
  };

  // Arrow keys move the selected field by half a percent; with Shift they
  // resize it.
  const onKey = (i: number) => (e: KeyboardEvent) => {
    const step = 0.005;
    const f = latest.current[i];
    const dx = e.key === "ArrowLeft" ? -step : e.key === "ArrowRight" ? step : 0;
    const dy = e.key === "ArrowUp" ? -step : e.key === "ArrowDown" ? step : 0;
    if (e.key === "Delete" || e.key === "Backspace") {
      e.preventDefault();
      remove(i);
      return;
    }
    if (!dx && !dy) return;
    e.preventDefault();
    if (e.shiftKey) change(i, { w: round(clamp(f.w + dx, minSize, 1 - f.x)), h: round(clamp(f.h + dy, minSize, 1 - f.y)) });
    else change(i, { x: round(clamp(f.x + dx, 0, 1 - f.w)), y: round(clamp(f.y + dy, 0, 1 - f.h)) });
  };

  const addDefault = () => {
    const page = selected >= 0 ? latest.current[selected].page : 1;
    const { w, h } = defaultSize(newType);
    add({ page, x: 0.1, y: 0.1, w, h });
  };

  const sel = selected >= 0 && selected < fields.length ? fields[selected] : null;
  const pct = (v: number) => String(Math.round(v * 1000) / 10);
  const num = (k: "x" | "y" | "w" | "h") => (
    <label class="num">
      {{ x: "Left", y: "Top", w: "Width", h: "Height" }[k]} %
      <input id={"field-" + k} type="number" step="0.1" min="0" max="100" value={pct(sel![k])}
        onChange={(e) => { const v = Number((e.target as HTMLInputElement).value); if (!isNaN(v)) change(selected, { [k]: round(v / 100) }); }} />
    </label>
  );

  return (
    <div class="field-editor">
      <div class="editor-side">
        <div class="editor-tools" role="group" aria-label="New fields">
          <label>
            New field
            <select id="new-field-type" value={newType} onChange={(e) => setNewType((e.target as HTMLSelectElement).value as FieldType)}>
              {fieldTypes.map((t) => <option key={t.type} value={t.type}>{t.label}</option>)}
            </select>
          </label>
          <label>
            for
            <select id="new-field-role" value={newRole} onChange={(e) => setNewRole((e.target as HTMLSelectElement).value as "agent" | "customer")}>
              <option value="customer">the customer</option>
              <option value="agent">the agent</option>
            </select>
          </label>
          <button type="button" class="secondary" id="add-field" onClick={addDefault}>Add field</button>
        </div>
        <p class="muted small">Drag on a page to draw a field. Drag a field to move it, its corner to resize it; arrow keys move the selected one, with Shift they resize it. <span class="legend agent">agent</span> <span class="legend customer">customer</span></p>
        {invalid && <p class="error" role="alert" id="editor-error">{invalid}</p>}
        {sel ? (
          <fieldset class="field-props" id="field-props">
            <legend>Field {selected + 1} of {fields.length}</legend>
            <label>
              Label
              <input id="field-label" value={sel.label} maxLength={200} onInput={(e) => change(selected, { label: (e.target as HTMLInputElement).value })} />
            </label>
            <label>
              Type
              <select id="field-type" value={sel.type} onChange={(e) => change(selected, { type: (e.target as HTMLSelectElement).value as FieldType })}>
                {fieldTypes.map((t) => <option key={t.type} value={t.type}>{t.label}</option>)}
              </select>
            </label>
            <label>
              Filled by
              <select id="field-role" value={sel.role} onChange={(e) => change(selected, { role: (e.target as HTMLSelectElement).value as "agent" | "customer" })}>
                <option value="customer">the customer</option>
                <option value="agent">the agent</option>
              </select>
            </label>
            <label class="inline">
              <input id="field-required" type="checkbox" checked={sel.required} onChange={(e) => change(selected, { required: (e.target as HTMLInputElement).checked })} /> Required
            </label>
            {sel.type === "select" && (
              <label>
                Choices, one a line
                <textarea id="field-options" rows={3} value={(sel.options ?? []).join("\n")}
                  onInput={(e) => change(selected, { options: (e.target as HTMLTextAreaElement).value.split("\n").map((s) => s.trim()).filter(Boolean) })} />
              </label>
            )}
            <div class="nums">
              <label class="num">
                Page
                <input id="field-page" type="number" min="1" max={doc.numPages} value={sel.page}
                  onChange={(e) => { const v = Math.round(Number((e.target as HTMLInputElement).value)); if (v >= 1 && v <= doc.numPages) change(selected, { page: v }); }} />
              </label>
              {num("x")}{num("y")}{num("w")}{num("h")}
            </div>
            <div class="bar">
              <button type="button" class="danger" id="field-delete" onClick={() => remove(selected)}>Delete field</button>
              <button type="button" class="link" onClick={() => setSelected(-1)}>Done</button>
            </div>
          </fieldset>
        ) : (
          <p class="muted small" id="field-count">{fields.length === 0 ? "No fields yet." : fields.length === 1 ? "1 field. Select it to edit it." : fields.length + " fields. Select one to edit it."}</p>
        )}
      </div>
      <div class="editor-pages">
        <PdfPages doc={doc} handlers={handlers} overlay={(n) => (
          <>
            {fields.map((f, i) => f.page === n && (
              <div key={i} class={"field-box editable" + (i === selected ? " selected" : "")} data-role={f.role} data-index={i} data-type={f.type}
                style={boxStyle(f)} tabIndex={0} role="button" aria-pressed={i === selected}
                aria-label={fieldName(f) + ", " + typeLabel(f.type) + " for the " + f.role + (f.required ? ", required" : "")}
                onFocus={() => setSelected(i)} onKeyDown={onKey(i)}>
                <span class="field-name">{fieldName(f)}{f.required ? " *" : ""}</span>
                <span class="handle" aria-hidden="true" />
              </div>
            ))}
            {draft && draft.page === n && <div class="field-box draft" data-role={newRole} style={boxStyle(draft)} />}
          </>
        )} />
      </div>
    </div>
  );
}
