/**
 * Server counters for INFO stats / errorstats / commandstats. CONFIG
 * RESETSTAT zeroes them. Plain fields: they are bumped on the hot path.
 */

export class Stats {
  totalConnectionsReceived = 0;
  totalCommandsProcessed = 0;
  rejectedConnections = 0;
  keyspaceHits = 0;
  keyspaceMisses = 0;
  evictedKeys = 0;
  totalNetInputBytes = 0;
  totalNetOutputBytes = 0;
  totalErrorReplies = 0;
  /** Clients closed for exceeding client-output-buffer-limit. */
  clientOutputBufferLimitDisconnections = 0;
  clientQueryBufferLimitDisconnections = 0;
  readonly errorCounts = new Map<string, number>();

  countErrorReply(code: string): void {
    this.totalErrorReplies++;
    this.errorCounts.set(code, (this.errorCounts.get(code) ?? 0) + 1);
  }

  reset(): void {
    this.totalConnectionsReceived = 0;
    this.totalCommandsProcessed = 0;
    this.rejectedConnections = 0;
    this.keyspaceHits = 0;
    this.keyspaceMisses = 0;
    this.evictedKeys = 0;
    this.totalNetInputBytes = 0;
    this.totalNetOutputBytes = 0;
    this.totalErrorReplies = 0;
    this.clientOutputBufferLimitDisconnections = 0;
    this.clientQueryBufferLimitDisconnections = 0;
    this.errorCounts.clear();
  }
}
