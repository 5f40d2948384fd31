// A signature (or initials) drawn with the mouse, a finger or a pen, as a
// PNG data URL: for an agent's signature field before sending.
import { useEffect, useRef } from "preact/hooks";
import SignaturePad from "signature_pad";

export function SignatureField({ id, label, value, invalid, onChange }: { id: string; label: string; value: string; invalid: boolean; onChange: (v: string) => void }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const pad = useRef<SignaturePad | null>(null);
  useEffect(() => {
    const c = canvas.current!;
    const ratio = window.devicePixelRatio || 1;
    c.width = c.offsetWidth * ratio;
    c.height = c.offsetHeight * ratio;
    c.getContext("2d")!.scale(ratio, ratio);
    const p = new SignaturePad(c, { penColor: "#1d2330" });
    if (value) p.fromDataURL(value, { ratio });
    p.addEventListener("endStroke", () => onChange(p.isEmpty() ? "" : p.toDataURL("image/png")));
    pad.current = p;
    return () => p.off();
  }, []);
  return (
    <span class="signature-field">
      <canvas id={id} ref={canvas} class={invalid ? "invalid" : ""} role="img" aria-label={label + ": draw here"} aria-invalid={invalid ? "true" : undefined} />
      <button type="button" class="link" onClick={() => { pad.current?.clear(); onChange(""); }}>Clear</button>
    </span>
  );
}
