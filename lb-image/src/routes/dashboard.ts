// GET /: the dashboard (lb-image/public), and the two small libraries it uses, vendored through npm
// (uPlot for the charts, Leaflet for the explorer's map): no external assets, works offline.
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import express, { Router } from 'express';
import { methodNotAllowed } from '@hscale/common';

const PUBLIC_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../public');
const require = createRequire(import.meta.url);
const distOf = (pkg: string) => path.join(path.dirname(require.resolve(`${pkg}/package.json`)), 'dist');

// Only this LB's own scripts, styles and images; nothing inline, nothing from elsewhere.
const CSP = "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'";

export function dashboardRouter(): Router {
  const router = Router();
  // Every file of the dashboard carries the policy (index.html is also reachable as a file).
  const files = { maxAge: '1h', index: false, fallthrough: true, setHeaders: (res: { setHeader(n: string, v: string): unknown }) => res.setHeader('Content-Security-Policy', CSP) };
  router
    .route('/')
    .get((_req, res) => {
      res.setHeader('Content-Security-Policy', CSP);
      res.sendFile(path.join(PUBLIC_DIR, 'index.html'));
    })
    .all(methodNotAllowed(['GET']));
  router.use('/dashboard', express.static(PUBLIC_DIR, files));
  router.use('/vendor/leaflet', express.static(distOf('leaflet'), files));
  router.use('/vendor/uplot', express.static(distOf('uplot'), files));
  return router;
}
