// Lets `node --test` import the client's TypeScript directly, for the unit
// tests beside the code (src/**/*.test.mjs):
//   node --import ./src/testing/register.mjs --test src/protocol/*.test.mjs
// esbuild (already the bundler) strips the types; nothing is type-checked
// here, `tsc --noEmit` does that.
import { register } from "node:module";

register("./ts-hooks.mjs", import.meta.url);
