/**
 * Admin routes that change state or act with stored secrets take JSON only. A browser sends a
 * cross-site POST without asking first (no CORS preflight) only with a "simple" content type:
 * text/plain, application/x-www-form-urlencoded or multipart/form-data, or none at all. Any
 * other type makes the browser ask the admin API first, and Node-RED does not allow other
 * origins (unless httpAdminCors says so). So a route that refuses everything but its own media
 * types cannot be triggered by a form or a script on another site, adminAuth or not.
 * docs/security.md, "Admin routes take JSON only".
 */
import type { NextFunction, Request, Response } from 'express';

export type Middleware = (req: Request, res: Response, next: NextFunction) => void;

/** The media type of a Content-Type header, lower case, without parameters. */
export function mediaType(contentType: string | undefined): string {
  if (!contentType) return '';
  const semicolon = contentType.indexOf(';');
  return (semicolon < 0 ? contentType : contentType.slice(0, semicolon)).trim().toLowerCase();
}

/** Middleware: 415 unless the request's Content-Type is one of `types` (application/json by default). */
export function acceptOnly(...types: string[]): Middleware {
  const accepted = new Set((types.length ? types : ['application/json']).map((t) => t.toLowerCase()));
  const list = [...accepted].join(' or ');
  return (req, res, next) => {
    if (accepted.has(mediaType(req.headers['content-type']))) return next();
    res.status(415).json({ error: `this route takes ${list} only (Content-Type: ${list})` });
  };
}

/** Middleware for every state-changing admin route: 415 unless the body is application/json. */
export const jsonOnly: Middleware = acceptOnly('application/json');
