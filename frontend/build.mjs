// Bundle src/ into dist/ with esbuild: one ES module, the stylesheet, index.html.
// `npm run build` (or `make frontend`); `node build.mjs --watch` rebuilds on change.
import { build, context } from "esbuild";
import { copyFileSync, mkdirSync } from "node:fs";

const options = {
  entryPoints: ["src/main.js"],
  bundle: true,
  format: "esm",
  target: ["es2020"],
  minify: true,
  sourcemap: process.argv.includes("--watch"), // maps only while developing: the wheel stays small
  outdir: "dist/assets",
  entryNames: "app",
  loader: { ".css": "css" },
  logLevel: "warning",
};

mkdirSync("dist/assets", { recursive: true });
copyFileSync("src/index.html", "dist/index.html");
if (process.argv.includes("--watch")) {
  await (await context(options)).watch();
} else {
  await build(options);
}
