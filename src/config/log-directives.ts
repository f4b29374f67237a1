// The logging directives of mosquitto.conf(5): log_type, log_dest, log_timestamp, log_timestamp_format,
// connection_messages, and log_facility (refused with log_dest syslog).
import { ConfigError } from './errors.js';
import { LOG_DESTINATIONS, LOG_TYPES } from './defaults.js';
import { badValue, parseBool, parseChoice, unsupported } from './directive-kit.js';
import type { Directive } from './directive-kit.js';
import { TIMESTAMP_CONVERSIONS, unknownConversion } from '../observability/log-format.js';

export const LOG_DIRECTIVES: Record<string, Directive> = {
  log_type: {
    expects: `one of ${LOG_TYPES.map((t) => `'${t}'`).join(', ')}`,
    apply: (state, value, at) => {
      const type = parseChoice(value, LOG_TYPES, at);
      // The first log_type replaces the default set; later ones add to it (mosquitto).
      (state.draft.log.types ??= []).push(type);
    },
  },
  log_dest: {
    expects: `one of ${LOG_DESTINATIONS.map((d) => `'${d}'`).join(', ')} ('file' followed by a path)`,
    apply: (state, value, at) => {
      const [kind = '', ...path] = value.split(/\s+/);
      parseChoice(kind, LOG_DESTINATIONS, at);
      if (kind === 'syslog') {
        // Node.js has no syslog(3) and cannot send to the /dev/log datagram socket.
        throw unsupported(
          at,
          "'log_dest syslog' is not available: Node.js cannot write to the syslog socket. Under systemd use " +
            "'log_dest stdout' (the journal keeps it), or 'log_dest file PATH'",
        );
      }
      if (kind === 'dlt') {
        throw unsupported(
          at,
          "'log_dest dlt' (automotive Diagnostic Log and Trace) is not available in Midge",
        );
      }
      if (kind === 'file' && path.length === 0) throw badValue(at, "'file' followed by a path", value);
      if (kind !== 'file' && path.length > 0) throw badValue(at, LOG_DIRECTIVES.log_dest!.expects, value);
      const dest = (state.draft.log.dest ??= []);
      if (kind === 'file' && dest.some((d) => d.startsWith('file '))) {
        throw new ConfigError(
          'MIDGE_CONFIG_BAD_VALUE',
          "only one 'log_dest file' may be configured (as in mosquitto)",
          at,
        );
      }
      dest.push(kind === 'file' ? `file ${value.slice(4).trim()}` : kind);
    },
  },
  log_timestamp_format: {
    expects: "a strftime format such as '%Y-%m-%dT%H:%M:%S'",
    apply: (state, value, at) => {
      const unknown = unknownConversion(value);
      if (unknown !== undefined) {
        throw badValue(
          at,
          `a strftime format using ${TIMESTAMP_CONVERSIONS.map((c) => `%${c}`).join(' ')} (not ${unknown})`,
          value,
        );
      }
      state.draft.log.timestampFormat = value;
    },
  },
  log_facility: {
    expects: 'a number from 0 to 7 (local0 to local7)',
    apply: (_state, _value, at) => {
      throw unsupported(
        at,
        "'log_facility' is refused: it only chooses the syslog facility, and 'log_dest syslog' is not available",
      );
    },
  },
  log_timestamp: {
    expects: "'true' or 'false'",
    apply: (state, value, at) => {
      state.draft.log.timestamp = parseBool(value, at);
    },
  },
  connection_messages: {
    expects: "'true' or 'false'",
    apply: (state, value, at) => {
      state.draft.log.connectionMessages = parseBool(value, at);
    },
  },
};
