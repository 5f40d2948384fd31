// Sheet is a modal panel over the page, for the field editor, sending a
// document and previews: it takes the whole screen on a phone, closes
// with Escape or its Close button, and gives the focus back on closing.
import type { ComponentChildren } from "preact";
import { useEffect, useRef } from "preact/hooks";

export function Sheet({ id, title, onClose, children, wide, actions }: { id: string; title: string; onClose: () => void; children: ComponentChildren; wide?: boolean; actions?: ComponentChildren }) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const before = document.activeElement as HTMLElement | null;
    ref.current?.focus();
    // Escape closes; Tab stays within the sheet, as behind it is covered.
    const onKey = (e: KeyboardEvent) => {
      if (e.key === "Escape") onClose();
      if (e.key !== "Tab" || !ref.current) return;
      const all = [...ref.current.querySelectorAll<HTMLElement>("a[href], button:not([disabled]), input:not([disabled]), select:not([disabled]), textarea:not([disabled]), summary, [tabindex='0']")];
      if (all.length === 0) return;
      const first = all[0], last = all[all.length - 1];
      if (e.shiftKey && (document.activeElement === first || document.activeElement === ref.current)) {
        e.preventDefault();
        last.focus();
      } else if (!e.shiftKey && document.activeElement === last) {
        e.preventDefault();
        first.focus();
      }
    };
    addEventListener("keydown", onKey);
    document.body.classList.add("sheet-open");
    return () => {
      removeEventListener("keydown", onKey);
      document.body.classList.remove("sheet-open");
      before?.focus?.();
    };
  }, []);
  return (
    <div class="sheet-backdrop">
      <div class={"sheet" + (wide ? " wide" : "")} id={id} role="dialog" aria-modal="true" aria-labelledby={id + "-title"} tabIndex={-1} ref={ref}>
        <div class="bar sheet-head">
          <h2 id={id + "-title"}>{title}</h2>
          <span class="bar">
            {actions}
            <button type="button" class="secondary" id={id + "-close"} onClick={onClose}>Close</button>
          </span>
        </div>
        {children}
      </div>
    </div>
  );
}
