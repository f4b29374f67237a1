// mosquitto's connection messages (`connection_messages true`, its default): one notice line when a connection
// opens, when a client is accepted, and when it leaves or is refused, worded as mosquitto words them so the
// greps and log alerts operators wrote for mosquitto keep working.
import type { Logger } from 'pino';
import { ReasonCode } from '../protocol/reason-codes.js';

/** The start of the close reason of a refused CONNECT: refuse() already logged it with its reason code. */
export const REFUSED = 'refused: ';
/** The start of the close reason of a protocol error; the rest is the error with its rule id. */
export const PROTOCOL_ERROR = 'protocol error: ';

export interface AcceptedClient {
  /** "address:port" (peerOf). */
  readonly remoteAddress: string;
  readonly clientId: string;
  readonly protocolVersion: number;
  readonly clean: boolean;
  readonly keepalive: number;
  readonly username: string | undefined;
}

/** Who a closing connection was: its accepted id, the id its CONNECT claimed, or nothing yet. */
export interface ClosingClient {
  /** "address:port" (peerOf). */
  readonly remoteAddress: string;
  /** Set once the CONNECT was accepted. */
  readonly clientId: string | undefined;
  /** The id the CONNECT asked for, before it was accepted (or refused). */
  readonly claimedClientId: string | undefined;
}

const REASON_NAMES = new Map<number, string>(
  Object.entries(ReasonCode)
    .filter(([, code]) => code >= 0x80)
    .map(([name, code]) => [code, name.replace(/(?<=[a-z0-9])(?=[A-Z])/g, ' ').toLowerCase()]),
);

/** "address:port" as mosquitto shows a peer. */
export function peerOf(address: string, port: number): string {
  return `${address}:${port}`;
}

/** mosquitto's protocol number in "(p2, ...)": 1 for MQTT 3.1, 2 for 3.1.1, 5 for 5.0. */
function protocolNumber(version: number): number {
  return version === 3 ? 1 : version === 4 ? 2 : version;
}

export class ConnectionLog {
  readonly #log: Logger;

  constructor(log: Logger) {
    this.#log = log;
  }

  #notice(text: string): void {
    this.#log.info({ logType: 'notice' }, text);
  }

  /** A socket (or WebSocket) was accepted on a listener. */
  opened(remoteAddress: string, port: number | undefined): void {
    this.#notice(
      port === undefined
        ? `New connection from ${remoteAddress}.`
        : `New connection from ${remoteAddress} on port ${port}.`,
    );
  }

  /** A connection closed before any MQTT was read, e.g. past max_connections. */
  denied(remoteAddress: string, why: string): void {
    this.#notice(`Client connection from ${remoteAddress} denied: ${why}.`);
  }

  accepted(client: AcceptedClient): void {
    const user = client.username === undefined ? '' : `, u'${client.username}'`;
    const flags = `p${protocolNumber(client.protocolVersion)}, c${client.clean ? 1 : 0}, k${client.keepalive}${user}`;
    this.#notice(`New client connected from ${client.remoteAddress} as ${client.clientId} (${flags}).`);
  }

  /** CONNACK with a failure went out; the close that follows is not logged again. */
  refused(client: ClosingClient, reasonCode: number, why: string): void {
    const who = labelOf(client);
    if (reasonCode === ReasonCode.NotAuthorized || reasonCode === ReasonCode.BadUserNameOrPassword) {
      this.#notice(`Client ${who} disconnected, not authorised (${why}).`);
      return;
    }
    const name = REASON_NAMES.get(reasonCode) ?? 'refused';
    this.#notice(
      `Client ${who} refused: ${name} (reason code 0x${reasonCode.toString(16).padStart(2, '0')}; ${why}).`,
    );
  }

  closed(client: ClosingClient, reason: string): void {
    if (reason.startsWith(REFUSED)) return;
    const who = labelOf(client);
    this.#notice(`Client ${who} ${closeText(reason)}`);
  }
}

/** An accepted client by its id (as mosquitto); one not yet accepted also by its address. */
function labelOf(client: ClosingClient): string {
  if (client.clientId !== undefined) return client.clientId;
  return `${client.claimedClientId ?? '<unknown>'} from ${client.remoteAddress}`;
}

function closeText(reason: string): string {
  switch (reason) {
    case 'client disconnected':
      return 'disconnected.';
    case 'connection lost':
      return 'closed its connection.';
    case 'keepalive timeout':
      return 'has exceeded timeout, disconnecting.';
    case 'session taken over':
      return 'already connected, closing old connection.';
    default:
      if (reason.startsWith(PROTOCOL_ERROR)) {
        return `disconnected due to protocol error: ${reason.slice(PROTOCOL_ERROR.length)}.`;
      }
      return `disconnected: ${reason}.`;
  }
}
