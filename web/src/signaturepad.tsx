// The pad a customer signs on, full width in a sheet: Clear, Cancel,
// Apply. The drawing survives the phone turning or the window resizing
// (the canvas is sized anew and the strokes drawn again, scaled to it).
// Apply hands over a PNG data URL small enough for the hub (256 KiB).
import { useEffect, useRef, useState } from "preact/hooks";
import SignaturePad from "signature_pad";
import type { Field } from "./roomapi";

type Props = { field: Field; onApply: (png: string) => void; onClose: () => void };

// maxPixels caps the canvas's width in device pixels: a sharp signature
// whose PNG stays well under the hub's limit.
const maxPixels = 1000;
// maxDataURL is the hub's limit on a signature, less a margin.
const maxDataURL = 250 * 1024;

export function SignaturePadSheet({ field, onApply, onClose }: Props) {
  const dialog = useRef<HTMLDialogElement>(null);
  const wrap = useRef<HTMLDivElement>(null);
  const canvas = useRef<HTMLCanvasElement>(null);
  const pad = useRef<SignaturePad | null>(null);
  const [empty, setEmpty] = useState(true);
  const initials = field.type === "initials";

  useEffect(() => {
    const d = dialog.current!;
    d.showModal();
    const c = canvas.current!;
    const p = new SignaturePad(c, { penColor: "#1d2330", minWidth: 1, maxWidth: 3 });
    pad.current = p;
    p.addEventListener("endStroke", () => setEmpty(p.isEmpty()));
    let size = { w: 0, h: 0 };
    const fit = () => {
      // A resize may be reported as the pad closes, its box already gone.
      if (!wrap.current) return;
      const w = Math.floor(wrap.current.clientWidth);
      const h = Math.floor(Math.min(w / (initials ? 2 : 2.6), window.innerHeight * 0.5));
      if (w <= 0 || (w === size.w && h === size.h)) return;
      const data = p.toData();
      const k = size.w ? Math.min(w / size.w, h / size.h) : 1;
      const ratio = Math.min(window.devicePixelRatio || 1, maxPixels / w);
      c.width = Math.floor(w * ratio);
      c.height = Math.floor(h * ratio);
      c.style.width = w + "px";
      c.style.height = h + "px";
      c.getContext("2d")!.scale(ratio, ratio);
      p.clear();
      if (data.length) p.fromData(data.map((g) => ({ ...g, points: g.points.map((pt) => ({ ...pt, x: pt.x * k, y: pt.y * k })) })));
      size = { w, h };
    };
    fit();
    const ro = new ResizeObserver(fit);
    ro.observe(wrap.current!);
    window.addEventListener("resize", fit);
    return () => {
      ro.disconnect();
      window.removeEventListener("resize", fit);
      p.off();
      if (d.open) d.close();
    };
  }, []);

  const apply = () => {
    const p = pad.current!;
    if (p.isEmpty()) return;
    onApply(smallEnough(trimmed(canvas.current!)));
  };
  const title = initials ? "Your initials" : "Your signature";
  return (
    <dialog
      ref={dialog}
      class="sheet pad"
      aria-labelledby="pad-title"
      onCancel={(e) => {
        e.preventDefault();
        onClose();
      }}
    >
      <h2 id="pad-title">{title}</h2>
      <p class="muted">
        {field.label && !["signature", "initials"].includes(field.label.toLowerCase()) ? field.label + ". " : ""}
        {initials ? "Write your initials" : "Sign"} in the box with your finger or mouse.
      </p>
      <div class="pad-area" ref={wrap}>
        <canvas ref={canvas} id="pad-canvas" aria-label={title + ": draw here"} role="img" />
        <span class="pad-line" aria-hidden="true" />
      </div>
      <div class="buttons">
        <button
          type="button"
          class="quiet"
          onClick={() => {
            pad.current?.clear();
            setEmpty(true);
          }}
        >
          Clear
        </button>
        <span class="grow" />
        <button type="button" class="secondary" onClick={onClose}>
          Cancel
        </button>
        <button type="button" class="primary" id="pad-apply" disabled={empty} onClick={apply}>
          Apply
        </button>
      </div>
    </dialog>
  );
}

// trimmed is the drawing of canvas without the empty space around it,
// so that it fills the field it is drawn in.
function trimmed(canvas: HTMLCanvasElement): HTMLCanvasElement {
  const { width, height } = canvas;
  const data = canvas.getContext("2d")!.getImageData(0, 0, width, height).data;
  let [left, top, right, bottom] = [width, height, -1, -1];
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (data[(y * width + x) * 4 + 3]) {
        if (x < left) left = x;
        if (x > right) right = x;
        if (y < top) top = y;
        if (y > bottom) bottom = y;
      }
    }
  }
  if (right < 0) return canvas;
  const m = Math.round(width * 0.02);
  [left, top, right, bottom] = [Math.max(0, left - m), Math.max(0, top - m), Math.min(width - 1, right + m), Math.min(height - 1, bottom + m)];
  const c = document.createElement("canvas");
  c.width = right - left + 1;
  c.height = bottom - top + 1;
  c.getContext("2d")!.drawImage(canvas, left, top, c.width, c.height, 0, 0, c.width, c.height);
  return c;
}

// smallEnough returns the PNG data URL of canvas, drawn smaller when it
// would be over the hub's limit.
function smallEnough(canvas: HTMLCanvasElement): string {
  let png = canvas.toDataURL("image/png");
  for (let scale = 0.7; png.length > maxDataURL && scale > 0.1; scale *= 0.7) {
    const c = document.createElement("canvas");
    c.width = Math.floor(canvas.width * scale);
    c.height = Math.floor(canvas.height * scale);
    c.getContext("2d")!.drawImage(canvas, 0, 0, c.width, c.height);
    png = c.toDataURL("image/png");
  }
  return png;
}
