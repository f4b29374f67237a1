// How listeners are named inside the broker: by their index in Config.listeners. Identities carry the name,
// per_listener_settings picks the auth chain by it, and the admin API reports the index.
export function listenerId(index: number): string {
  return index < 0 ? 'in-process' : `listener-${index}`;
}

export function listenerIndex(id: string): number | undefined {
  const match = /^listener-(\d+)$/.exec(id);
  return match === null ? undefined : Number(match[1]);
}
