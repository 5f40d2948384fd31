// Bundles the console, the room page and the verify page into dist/, which web.go embeds. `make web` runs it.
import { build } from "esbuild";
import { copyFile, mkdir } from "node:fs/promises";

await mkdir("dist", { recursive: true });
const common = {
  bundle: true,
  outdir: "dist",
  target: "es2022",
  minify: true,
  sourcemap: true,
  jsx: "automatic",
  jsxImportSource: "preact",
  logLevel: "warning",
};
// The console. It shares src/reconnect.ts and src/pdf.ts with the room.
await build({ ...common, entryPoints: { console: "src/console.tsx" }, format: "iife" });
// The customer's room page, a module split in chunks: the page opens with
// the room alone, and pdf.js and the signature pad (src/signing.tsx) load
// when a document is opened.
await build({ ...common, entryPoints: { room: "src/room.tsx" }, format: "esm", splitting: true, chunkNames: "room-[name]-[hash]" });
// The public verify page: a module of its own, small (no pdf.js).
await build({ ...common, entryPoints: { verify: "src/verify.tsx" }, format: "esm" });
await copyFile("src/console.html", "dist/console.html");
// pdf.js parses PDFs in a module worker of its own, served from /static/.
await copyFile("node_modules/pdfjs-dist/build/pdf.worker.min.mjs", "dist/pdf.worker.mjs");
