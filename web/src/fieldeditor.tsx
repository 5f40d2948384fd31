// The editor of a typed field (text, number, date, choice), opened under
// the field on the page: its label, an input large enough to type in on a
// phone, what is wrong with the value in words as it is typed, and a quiet
// "Saved" once the hub has it.
import { useLayoutEffect, useRef } from "preact/hooks";
import { fieldKind } from "./fieldbox";
import type { Field } from "./roomapi";

type Props = {
  field: Field;
  value: string;
  problem: string;
  saved: "" | "saving" | "saved";
  onInput: (value: string, badInput: boolean) => void;
  onClose: () => void;
};

export function FieldEditor({ field, value, problem, saved, onInput, onClose }: Props) {
  const input = useRef<HTMLInputElement & HTMLSelectElement>(null);
  const id = "input-" + field.id;
  const msg = id + "-msg";
  // At once after the render that opened it, still within the tap that
  // asked: phones open their keyboard only then.
  useLayoutEffect(() => {
    input.current?.focus({ preventScroll: true });
    input.current?.closest(".editor")?.scrollIntoView({ block: "nearest" });
  }, [field.id]);
  // A date typed in part leaves the value empty and says so only through
  // validity.badInput, on any key.
  const report = (e: Event) => {
    const el = e.currentTarget as HTMLInputElement;
    onInput(el.value, el.validity?.badInput ?? false);
  };
  const top = (field.y + field.h) * 100 + "%";
  const common = {
    id,
    ref: input,
    "aria-invalid": problem ? true : undefined,
    "aria-describedby": msg,
    "aria-required": field.required,
    onKeyDown: (e: KeyboardEvent) => {
      if (e.key === "Escape" || (e.key === "Enter" && field.type !== "select")) {
        e.preventDefault();
        onClose();
      }
    },
  };
  let control;
  switch (field.type) {
    case "select":
      control = (
        <select {...common} value={value} onChange={report}>
          <option value="">Choose…</option>
          {(field.options ?? []).map((o) => (
            <option value={o}>{o}</option>
          ))}
        </select>
      );
      break;
    case "date":
      control = <input {...common} type="date" value={value} onInput={report} onChange={report} onKeyUp={report} onBlur={report} />;
      break;
    case "number":
      control = <input {...common} type="text" inputMode="decimal" autoComplete="off" value={value} onInput={report} />;
      break;
    default:
      control = <input {...common} type="text" autoComplete="off" maxLength={2000} value={value} onInput={report} />;
  }
  return (
    <div class="editor" style={{ top }} data-editor={field.id}>
      <label for={id}>
        {field.label || fieldKind(field)}
        {field.required && <span class="req"> required</span>}
      </label>
      {control}
      <div class="editor-foot">
        <p id={msg} class={problem ? "problem" : "saved"} aria-live="polite">
          {problem || (saved === "saving" ? "Saving…" : saved === "saved" ? "Saved" : "")}
        </p>
        <button type="button" class="quiet" onClick={onClose}>
          Done
        </button>
      </div>
    </div>
  );
}
