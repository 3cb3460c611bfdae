/**
 * The one-line description of a client used by CLIENT LIST and CLIENT INFO,
 * with Redis 7.0's field names and order.
 */
import { Client, ClientFlag } from './client';

function flagLetters(c: Client): string {
  let f = '';
  if (c.hasFlag(ClientFlag.Replica)) f += c.hasFlag(ClientFlag.Monitor) ? 'O' : 'S';
  if (c.hasFlag(ClientFlag.Master)) f += 'M';
  if (c.subscriptionCount > 0) f += 'P';
  if (c.hasFlag(ClientFlag.Multi)) f += 'x';
  if (c.hasFlag(ClientFlag.Blocked)) f += 'b';
  if (c.hasFlag(ClientFlag.DirtyCas)) f += 'd';
  if (c.hasFlag(ClientFlag.CloseAfterReply)) f += 'c';
  if (c.hasFlag(ClientFlag.CloseAsap)) f += 'A';
  if (c.hasFlag(ClientFlag.NoEvict)) f += 'e';
  return f === '' ? 'N' : f;
}

/** Bytes of memory this client holds: query buffer, output, queued MULTI commands. */
export function clientMemory(c: Client): { qbuf: number; qbufFree: number; omem: number; multiMem: number; total: number } {
  const qbuf = c.parser.bufferedBytes;
  const qbufFree = Math.max(0, c.parser.allocatedBytes - qbuf);
  const omem = c.outputBytes;
  let multiMem = 0;
  if (c.multiQueue !== null) for (const q of c.multiQueue) for (const a of q.argv) multiMem += a.length + 16;
  return { qbuf, qbufFree, omem, multiMem, total: qbuf + qbufFree + omem + multiMem };
}

export function clientInfoLine(c: Client): string {
  const now = Date.now();
  const mem = clientMemory(c);
  const fd = c.conn !== null ? c.conn.fd : -1;
  return (
    `id=${c.id} addr=${c.addr} laddr=${c.laddr} fd=${fd} name=${c.name}` +
    ` age=${Math.floor((now - c.createdAtMs) / 1000)} idle=${Math.floor((now - c.lastInteractionMs) / 1000)}` +
    ` flags=${flagLetters(c)} db=${c.db.id} sub=${c.channels.size} psub=${c.patterns.size} ssub=0` +
    ` multi=${c.multiQueue === null ? -1 : c.multiQueue.length} qbuf=${mem.qbuf} qbuf-free=${mem.qbufFree}` +
    ` argv-mem=0 multi-mem=${mem.multiMem} rbs=${c.parser.allocatedBytes} rbp=${mem.qbuf}` +
    ` obl=${c.out.currentBlockBytes} oll=${c.out.blockCount} omem=${mem.omem} tot-mem=${mem.total}` +
    ` events=r${mem.omem > 0 ? 'w' : ''} cmd=${c.lastCommand} user=default redir=-1 resp=${c.resp}`
  );
}
