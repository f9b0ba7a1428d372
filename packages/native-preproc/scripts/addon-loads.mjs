// npm's install step runs this first (package.json "install"): it exits 0 when the addon loads,
// the prebuilt binary or an earlier build; otherwise it says why, and the step goes on to build
// from source with cmake-js. A clone of the repository (it has tsconfig.json, the package does
// not) builds the addon with its workspace build, so there is nothing to check there.
import { existsSync } from 'node:fs';

if (!existsSync(new URL('../tsconfig.json', import.meta.url))) {
  try {
    (await import('../dist/binding.js')).loadBinding();
  } catch (e) {
    console.error(`${e instanceof Error ? e.message : e}\n@xfer/native-preproc: building from source with cmake-js`);
    process.exit(1);
  }
}
