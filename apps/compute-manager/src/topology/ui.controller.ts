import { Controller, Get, Param, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { NotFoundError, Public } from '@vnet/events';
import { readFile } from 'node:fs/promises';
import { extname, join, resolve } from 'node:path';

/** Where `npm run build` puts the page (vite.config.ts of apps/compute-manager/ui). */
export const UI_DIR = resolve(import.meta.dirname, '..', 'ui');

const TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.map': 'application/json',
};
/** A built asset's name (Vite names them by content hash): nothing that could leave the folder. */
const ASSET = /^[A-Za-z0-9_-][A-Za-z0-9._-]{0,200}$/;
/** The page loads only what the manager serves: no CDN, no inline script, no frame around it. */
const CSP =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
  "font-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

interface FileResponse {
  status(code: number): FileResponse;
  set(headers: Record<string, string>): FileResponse;
  send(body: Buffer | string): unknown;
}

/**
 * The live topology page, built into UI_DIR. Open (like /docs): it is code, not data; every piece
 * of data it shows comes from the API with the token the operator gives its login form.
 */
@Public()
@ApiExcludeController()
@Controller('ui')
export class UiController {
  @Get()
  async page(@Res() res: FileResponse): Promise<void> {
    const html = await readFile(join(UI_DIR, 'index.html')).catch(() => null);
    if (!html) {
      res.status(503).set({ 'content-type': 'text/plain; charset=utf-8' }).send('the page is not built: run npm run build\n');
      return;
    }
    res.set({ 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-cache', 'content-security-policy': CSP, 'x-content-type-options': 'nosniff' }).send(html);
  }

  @Get('assets/:file')
  async asset(@Param('file') file: string, @Res() res: FileResponse): Promise<void> {
    const type = TYPES[extname(file)];
    const body = ASSET.test(file) && type ? await readFile(join(UI_DIR, 'assets', file)).catch(() => null) : null;
    if (!body) throw new NotFoundError('asset', file);
    // Named by their content: a new build has new names.
    res.set({ 'content-type': type, 'cache-control': 'public, max-age=31536000, immutable', 'x-content-type-options': 'nosniff' }).send(body);
  }
}
