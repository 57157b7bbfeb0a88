import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vite'

// Built into the package's dist/ui, which the InfinStor server serves at /ui/.
export default defineConfig({
  base: '/ui/',
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: fileURLToPath(new URL('../../dist/ui', import.meta.url)),
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: false
  }
})
