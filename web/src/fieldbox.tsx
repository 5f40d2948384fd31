// What sits over a page where a field was placed: the customer's field
// as a control to tap (a checkbox ticks at once, a signature opens the
// pad, the others open their editor), or a value shown read-only (the
// agent's fields, and every field of a finished document).
import type { Field } from "./roomapi";

// place puts an element over the page at the field's rectangle.
export function place(f: Field) {
  return { left: f.x * 100 + "%", top: f.y * 100 + "%", width: f.w * 100 + "%", height: f.h * 100 + "%" };
}

// shown is a value as the page shows it.
function Shown({ field, value }: { field: Field; value: string }) {
  if (field.type === "signature" || field.type === "initials") {
    return value ? <img src={value} alt={field.type === "signature" ? "Signature" : "Initials"} /> : null;
  }
  if (field.type === "checkbox") return value === "true" ? <span aria-label="ticked">✓</span> : null;
  if (field.type === "date" && value) return <>{formatDate(value)}</>;
  return <>{value}</>;
}

// formatDate writes 2026-12-03 in the reader's own way.
export function formatDate(v: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(v);
  if (!m) return v;
  return new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3])).toLocaleDateString(undefined, { year: "numeric", month: "short", day: "numeric" });
}

// ReadOnly is a value drawn on the page that cannot be changed here.
export function ReadOnly({ field, value }: { field: Field; value: string }) {
  return (
    <div class={"value " + field.type} style={place(field)} data-field={field.id} title={field.label}>
      <Shown field={field} value={value} />
    </div>
  );
}

type Props = {
  field: Field;
  value: string;
  active: boolean;
  invalid: boolean;
  onOpen: (f: Field) => void;
};

// FieldBox is the customer's field on the page.
export function FieldBox({ field, value, active, invalid, onOpen }: Props) {
  const name = (field.label || fieldKind(field)) + (field.required ? " (required)" : "");
  const cls = ["field", field.type, value ? "filled" : "empty", field.required ? "required" : "", active ? "active" : "", invalid ? "invalid" : ""].join(" ");
  if (field.type === "checkbox") {
    return (
      <button type="button" id={"field-" + field.id} data-field={field.id} class={cls} style={place(field)} role="checkbox" aria-checked={value === "true"} aria-label={name} aria-invalid={invalid} onClick={() => onOpen(field)}>
        <Shown field={field} value={value} />
      </button>
    );
  }
  const empty = field.type === "signature" ? "Tap to sign" : field.type === "initials" ? "Initials" : field.label || fieldKind(field);
  return (
    <button
      type="button"
      id={"field-" + field.id}
      data-field={field.id}
      class={cls}
      style={place(field)}
      aria-label={name + ": " + (value ? (field.type === "signature" || field.type === "initials" ? "signed" : value) : "empty")}
      aria-expanded={field.type === "signature" || field.type === "initials" ? undefined : active}
      aria-haspopup={field.type === "signature" || field.type === "initials" ? "dialog" : undefined}
      aria-invalid={invalid}
      onClick={() => onOpen(field)}
    >
      {value ? <Shown field={field} value={value} /> : <span class="placeholder">{empty}</span>}
    </button>
  );
}

// fieldKind names a field without a label by what it asks for.
export function fieldKind(f: Field): string {
  return { text: "Text", number: "Number", date: "Date", checkbox: "Checkbox", select: "Choice", signature: "Signature", initials: "Initials" }[f.type] ?? "Field";
}
