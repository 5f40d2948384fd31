// Checks of what the customer types into a field, as they type, in the
// hub's own rules (room/value.go): a number like 1250 or 12.5, a date
// written 2026-12-03. The hub checks again and has the last word.
import type { Field } from "./roomapi";

// problem says what is wrong with value for field, in words, or "" when
// it will do. An empty value is never wrong here: required fields are
// the Next and Finish buttons' business. badInput is the date input's
// own report of a date typed in part.
export function problem(field: Field, value: string, badInput = false): string {
  const name = field.label || "This field";
  switch (field.type) {
    case "number":
      if (value !== "" && !/^-?\d+(\.\d+)?$/.test(value)) return name + ": write a number with digits only, like 1250 or 12.5.";
      return "";
    case "date":
      if (badInput) return name + ": the date is not complete. Enter the day, the month and the year.";
      if (value !== "" && !validDate(value)) return name + ": this is not a date. Enter the day, the month and the year.";
      return "";
    case "text":
      if (value.length > 2000) return name + ": keep it under 2000 characters.";
      return "";
    case "select":
      if (value !== "" && !(field.options ?? []).includes(value)) return name + ": pick one of the choices.";
      return "";
  }
  return "";
}

// validDate reports whether s is a real day written 2026-12-03.
function validDate(s: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const t = new Date(Date.UTC(y, mo - 1, d));
  return y >= 1 && t.getUTCFullYear() === y && t.getUTCMonth() === mo - 1 && t.getUTCDate() === d;
}

// normalized is value as the hub wants it: a number without spaces, with a
// decimal comma read as a point.
export function normalized(field: Field, value: string): string {
  if (field.type === "number") return value.trim().replace(/\s+/g, "").replace(/^(-?\d+),(\d+)$/, "$1.$2");
  return value;
}

// isFilled reports whether value counts as filled: a checkbox only when
// ticked.
export function isFilled(field: Field, value: string | undefined): boolean {
  if (value === undefined || value === "") return false;
  if (field.type === "checkbox") return value === "true";
  return true;
}
