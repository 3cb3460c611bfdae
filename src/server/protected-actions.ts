/**
 * Redis 7's guard on dangerous actions: CONFIG SET of a protected config
 * (`dir`, `dbfilename`: together they pick where the server writes a file)
 * and the DEBUG command. Each is governed by an immutable directive,
 * `enable-protected-configs` / `enable-debug-command`: "no" (the default)
 * refuses it, "yes" allows it, "local" allows it to loopback clients only.
 */
import type { Client } from './client';

export function allowsProtectedAction(setting: string, c: Client): boolean {
  if (setting === 'yes') return true;
  return setting === 'local' && isLocalClient(c);
}

/** Redis's islocalClient: a peer at 127.0.0.1 or ::1 (IPv4-mapped when we listen on ::), or no socket at all (an internal client). */
function isLocalClient(c: Client): boolean {
  if (c.conn === null) return true;
  const addr = c.conn.remoteAddress;
  return addr === '127.0.0.1' || addr === '::1' || addr === '::ffff:127.0.0.1';
}
