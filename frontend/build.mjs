// Bundle src/ into dist/ with esbuild: one ES module, the stylesheet, index.html; and copy
// Swagger UI's two files from the swagger-ui-dist package, so /docs needs no CDN (offline).
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
for (const name of ["swagger-ui-bundle.js", "swagger-ui.css"]) {
  copyFileSync(`node_modules/swagger-ui-dist/${name}`, `dist/assets/${name}`);
}
if (process.argv.includes("--watch")) {
  await (await context(options)).watch();
} else {
  await build(options);
}
