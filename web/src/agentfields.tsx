// The agent's fields of a document as a small form, filled before it is
// sent: one typed input per field (number, date, checkbox, choice). The
// fields the hub reported missing are marked invalid.
import type { Field } from "./types";
import { fieldName } from "./fieldlayout";
import { SignatureField } from "./signaturefield";

export type Values = Record<string, string>;

export function AgentFields({ fields, values, onChange, invalid }: { fields: Field[]; values: Values; onChange: (v: Values) => void; invalid: Set<string> }) {
  const mine = fields.filter((f) => f.role === "agent");
  if (mine.length === 0) return <p class="muted small" id="agent-fields-none">Nothing to fill in before sending.</p>;
  const set = (id: string, v: string) => {
    const next = { ...values };
    if (v === "") delete next[id];
    else next[id] = v;
    onChange(next);
  };
  return (
    <div class="agent-fields" id="agent-fields">
      {mine.map((f) => {
        const id = f.id ?? "";
        const bad = invalid.has(id);
        const common = { id: "value-" + id, "data-field": id, "aria-invalid": bad ? ("true" as const) : undefined, required: f.required };
        const text = (e: Event) => set(id, (e.target as HTMLInputElement).value);
        let input;
        switch (f.type) {
          case "number": input = <input {...common} type="number" step="any" inputMode="decimal" value={values[id] ?? ""} onInput={text} />; break;
          case "date": input = <input {...common} type="date" value={values[id] ?? ""} onInput={text} />; break;
          case "checkbox": input = <input {...common} type="checkbox" checked={values[id] === "true"} onChange={(e) => set(id, (e.target as HTMLInputElement).checked ? "true" : "")} />; break;
          case "select":
            input = (
              <select {...common} value={values[id] ?? ""} onChange={(e) => set(id, (e.target as HTMLSelectElement).value)}>
                <option value="">Choose…</option>
                {(f.options ?? []).map((o) => <option key={o} value={o}>{o}</option>)}
              </select>
            );
            break;
          case "signature": case "initials":
            input = <SignatureField id={"value-" + id} label={fieldName(f)} value={values[id] ?? ""} invalid={bad} onChange={(v) => set(id, v)} />; break;
          default: input = <input {...common} type="text" maxLength={2000} value={values[id] ?? ""} onInput={text} />;
        }
        if (f.type === "signature" || f.type === "initials") {
          // Not a label: a click on it would press the Clear button.
          return (
            <div key={id} class={"signature-row" + (bad ? " invalid" : "")} role="group" aria-labelledby={"label-" + id}>
              <span id={"label-" + id}>{fieldName(f)}{f.required && <span aria-hidden="true"> *</span>}{f.required && <span class="visually-hidden"> (required)</span>}</span>
              {input}
            </div>
          );
        }
        return (
          <label key={id} class={(f.type === "checkbox" ? "inline" : "") + (bad ? " invalid" : "")}>
            {f.type === "checkbox" && input}
            <span>{fieldName(f)}{f.required && <span aria-hidden="true"> *</span>}{f.required && <span class="visually-hidden"> (required)</span>}</span>
            {f.type !== "checkbox" && input}
          </label>
        );
      })}
    </div>
  );
}

// shown is how a value reads on the page preview.
export function shown(f: Field, v: string | undefined): string {
  if (v === undefined || v === "") return "";
  if (f.type === "checkbox") return v === "true" ? "✓" : "";
  if (f.type === "signature" || f.type === "initials") return "Signed";
  return v;
}
