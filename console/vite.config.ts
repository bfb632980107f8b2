import { defineConfig } from 'vite';

// parleyd serves the build output at /console/ (see src/control/console_site.cpp). It goes beside
// the binary, into the CMake build directory (PARLEY_CONSOLE_OUT, set by the Makefile).
export default defineConfig({
  base: '/console/',
  build: {
    outDir: process.env.PARLEY_CONSOLE_OUT ?? '../build/console',
    emptyOutDir: true,
    target: 'es2020',
    // One bundle of the two AWS SDKs and uPlot is expected to be a few hundred KiB.
    chunkSizeWarningLimit: 1500,
  },
});
