// Bundles the client into dist/: dist/index.html, dist/assets/app.{js,css}.
// Runs offline: esbuild only, no network, no third-party URLs in the output.
import { build } from "esbuild";
import { copyFile, mkdir, rm } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = dirname(fileURLToPath(import.meta.url));
const dist = join(root, "dist");
const assets = join(dist, "assets");

await rm(dist, { recursive: true, force: true });
await mkdir(assets, { recursive: true });

await build({
  entryPoints: [join(root, "src", "main.tsx")],
  outfile: join(assets, "app.js"),
  bundle: true,
  minify: true,
  // No source map: dist/ is embedded into the binary and served to anyone,
  // and the map would hand out the source's layout with it. Errors are read
  // in the browser's console against the TypeScript sources of the commit.
  sourcemap: false,
  target: "es2020",
  format: "esm",
  jsx: "automatic",
  jsxImportSource: "preact",
  legalComments: "linked",
  logLevel: "warning",
});

await copyFile(join(root, "static", "index.html"), join(dist, "index.html"));
await copyFile(join(root, "static", "app.css"), join(assets, "app.css"));
await copyFile(join(root, "static", "favicon.svg"), join(assets, "favicon.svg"));
console.log("built web/dist");
