/**
 * Picks packet identifiers for outbound QoS 1/2 PUBLISH: non-zero [MQTT-2.3.1-1], never one still in use
 * [MQTT-2.3.1-4]. Cycles through the whole 16-bit space so a freed id is not reused at once.
 */
export class PacketIdAllocator {
  #next = 1;

  allocate(inUse: { has(id: number): boolean; readonly size: number }): number | undefined {
    if (inUse.size >= 65535) return undefined;
    for (;;) {
      const id = this.#next;
      this.#next = id === 65535 ? 1 : id + 1;
      if (!inUse.has(id)) return id;
    }
  }
}
