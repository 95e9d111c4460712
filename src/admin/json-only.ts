/**
 * State-changing admin routes take JSON only. A form or text/plain POST is a CORS "simple
 * request" that any web page can make against a Node-RED without adminAuth (no preflight asks
 * first); a JSON body needs one. Answers 415 and ends the request when the body is not JSON.
 */
import type { Request, Response } from 'express';

export function refuseUnlessJson(req: Request, res: Response): boolean {
  if (req.is('application/json')) return false;
  res.status(415).json({ ok: false, message: 'this route takes a JSON body (Content-Type: application/json)' });
  return true;
}
