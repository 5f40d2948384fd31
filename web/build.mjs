// Bundles the console into dist/, which web.go embeds. `make web` runs it.
import { build } from "esbuild";
import { copyFile, mkdir } from "node:fs/promises";

await mkdir("dist", { recursive: true });
await build({
  entryPoints: ["src/console.tsx"],
  bundle: true,
  outfile: "dist/console.js",
  format: "iife",
  target: "es2020",
  minify: true,
  sourcemap: true,
  jsx: "automatic",
  jsxImportSource: "preact",
  logLevel: "warning",
});
await copyFile("src/console.html", "dist/console.html");
