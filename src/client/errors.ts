import type { Logger } from 'pino';
import { ProtocolError, ReasonCode, connackReturnCodeFor } from '../protocol/reason-codes.js';
import type { ClientLink } from '../handlers/context.js';
import { PROTOCOL_ERROR } from '../observability/connection-log.js';

/**
 * The ONLY place that turns an error into wire behaviour, per protocol version:
 * - before CONNECT is accepted: an unsupported protocol level gets CONNACK 0x01 [MQTT-3.1.2-2]; an MQTT 5
 *   CONNECT refused after decoding gets CONNACK with the reason code; anything else closes without a
 *   CONNACK [MQTT-3.1.4-1].
 * - after: MQTT 5 gets DISCONNECT with the reason code [MQTT-4.13.1-1]; 3.1.1 is closed [MQTT-4.8.0-1].
 * Either way the will is published: the connection did not end with DISCONNECT.
 */
export function closeForError(client: ClientLink, log: Logger, error: unknown): void {
  if (!(error instanceof ProtocolError)) {
    log.error(
      { err: error, clientId: client.identity?.clientId },
      'internal error handling a client; closing it',
    );
    client.close(true, 'internal error', ReasonCode.ImplementationSpecificError);
    return;
  }
  log.debug(
    { clientId: client.identity?.clientId, remote: client.remoteAddress, reason: error.message },
    'protocol error',
  );
  if (client.connected) {
    client.close(true, `${PROTOCOL_ERROR}${error.message}`, error.reasonCode);
    return;
  }
  if (error.reasonCode === ReasonCode.UnsupportedProtocolVersion) {
    const reasonCode =
      client.protocolVersion === 5 ? error.reasonCode : connackReturnCodeFor(error.reasonCode);
    client.send({ type: 'connack', sessionPresent: false, reasonCode });
  } else if (client.protocolVersion === 5 && error.reasonCode >= 0x80) {
    client.send({ type: 'connack', sessionPresent: false, reasonCode: error.reasonCode });
  }
  client.close(false, `${PROTOCOL_ERROR}${error.message}`);
}
