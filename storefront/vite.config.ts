import { defineConfig } from 'vitest/config';

export default defineConfig({
  // Root-relative asset URLs: pages live at /products/<sku> and other nested paths.
  base: '/',
  build: {
    outDir: 'dist',
    // Not Vite's default 'assets/': on the one origin, /assets/* is the 3D assets bucket.
    assetsDir: 'static',
    emptyOutDir: true,
    target: 'es2022',
    // three.js is one large chunk, loaded only by the product page.
    chunkSizeWarningLimit: 800,
    // poster.html: the page the poster renderer (tools/render_poster.mjs) opens.
    rollupOptions: { input: { main: 'index.html', poster: 'poster.html' } },
  },
  test: {
    reporters: ['default', './tests/support/summaryReporter.ts'],
    projects: [
      {
        extends: true,
        test: { name: 'unit', include: ['tests/unit/**/*.test.ts'], environment: 'node' },
      },
      {
        extends: true,
        test: {
          name: 'smoke',
          include: ['tests/smoke/**/*.test.ts'],
          environment: 'node',
          testTimeout: 60_000,
          hookTimeout: 90_000,
        },
      },
    ],
  },
});
