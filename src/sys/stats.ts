/** Counters the engine bumps and $SYS (and later /metrics) reads. One instance per broker: no globals. */
export class BrokerStats {
  readonly startedAt = Date.now();
  messagesReceived = 0;
  messagesSent = 0;
  publishReceived = 0;
  publishSent = 0;
  publishDropped = 0;
  bytesReceived = 0;
  bytesSent = 0;
  clientsConnected = 0;
  clientsMaximum = 0;
  connectionsTotal = 0;

  connected(): void {
    this.clientsConnected++;
    if (this.clientsConnected > this.clientsMaximum) this.clientsMaximum = this.clientsConnected;
  }

  disconnected(): void {
    this.clientsConnected--;
  }

  get uptimeSeconds(): number {
    return Math.floor((Date.now() - this.startedAt) / 1000);
  }
}
