// The account's brand on a page: its accent color (the CSS variable
// --accent, which buttons and links use), its logo as the page's icon,
// and its name and logo where a page shows them (BrandMark). The sign-in
// page reads GET /api/v1/brand, the console GET /api/v1/account/brand,
// and the customer's room the brand its room's state carries.
import { h } from "preact";
import { useEffect, useState } from "preact/hooks";

// Brand is what a page shows of an account (docs/protocol.md, Brand).
export type Brand = { name: string; accent_color?: string; logo_url?: string; help_line?: string; photo_url?: string };

// applyBrand puts b's accent color and logo on the page: --accent on the
// root element (Tandem's own when b has none), and the logo as the page's
// icon (the page's own, Tandem's, when b has none).
export function applyBrand(b: Brand | null) {
  const root = document.documentElement;
  if (b?.accent_color) root.style.setProperty("--accent", b.accent_color);
  else root.style.removeProperty("--accent");
  let icon = document.querySelector<HTMLLinkElement>('link[rel="icon"]');
  if (!icon) {
    icon = document.createElement("link");
    icon.rel = "icon";
    document.head.appendChild(icon);
  }
  // The page's own icon (Tandem's) comes back when the brand has no logo.
  if (icon.dataset.default === undefined) {
    icon.dataset.default = icon.getAttribute("href") ?? "";
    icon.dataset.defaultType = icon.getAttribute("type") ?? "";
  }
  if (b?.logo_url) {
    icon.href = b.logo_url;
    icon.removeAttribute("type");
  } else if (icon.dataset.default) {
    icon.href = icon.dataset.default;
    if (icon.dataset.defaultType) icon.type = icon.dataset.defaultType;
  } else {
    icon.remove();
  }
}

// The console's brand, shared by every component that shows it: the
// header, and the Settings page, which changes it.
let current: Brand | null = null;
let loading: Promise<void> | null = null;
const listeners = new Set<(b: Brand | null) => void>();

// setBrand makes b the console's brand, on the page and everywhere it
// shows.
export function setBrand(b: Brand | null) {
  current = b;
  applyBrand(b);
  for (const l of listeners) l(b);
}

// loadBrand reads the signed-in agent's account's brand again.
export function loadBrand(): Promise<void> {
  loading = fetch("/api/v1/account/brand", { credentials: "same-origin" })
    .then((r) => (r.ok ? r.json() : null))
    .then((b: Brand | null) => setBrand(b))
    .catch(() => {});
  return loading;
}

// useBrand is the console's brand, read once for the page and kept up to
// date when the Settings page changes it.
export function useBrand(): Brand | null {
  const [b, setB] = useState<Brand | null>(current);
  useEffect(() => {
    listeners.add(setB);
    if (!loading) loadBrand();
    else setB(current);
    return () => {
      listeners.delete(setB);
    };
  }, []);
  return b;
}

// BrandMark is the account's logo and name, as a header shows them. The
// logo is decorative beside the name, which says the same.
export function BrandMark({ brand, id }: { brand: Brand | null; id?: string }) {
  if (!brand) return null;
  return h(
    "span",
    { class: "brand-mark", id },
    brand.logo_url ? h("img", { class: "brand-logo", src: brand.logo_url, alt: "" }) : null,
    h("span", { class: "brand-name" }, brand.name),
  );
}

// contrastWithWhite is the WCAG 2 contrast of white text on the color
// "#rrggbb" (1 to 21), as the hub computes it to accept an accent color.
export function contrastWithWhite(c: string): number {
  if (!/^#[0-9a-fA-F]{6}$/.test(c)) return 1;
  let lum = 0;
  [0.2126, 0.7152, 0.0722].forEach((w, i) => {
    let ch = parseInt(c.slice(1 + 2 * i, 3 + 2 * i), 16) / 255;
    ch = ch <= 0.04045 ? ch / 12.92 : Math.pow((ch + 0.055) / 1.055, 2.4);
    lum += w * ch;
  });
  return 1.05 / (lum + 0.05);
}

// minContrast is the least contrast the hub accepts (WCAG AA).
export const minContrast = 4.5;

