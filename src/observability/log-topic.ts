// `log_dest topic`: log lines published on $SYS/broker/log/<severity> (mosquitto.conf(5)). The logger exists
// before the broker does, so the sink drops lines until the broker attaches its publish function.
import { categoryOf, formatTimestamp, logTopicOf } from './log-format.js';

/** Publishes one log line's text on a $SYS topic (the broker's own identity, QoS 0, not retained). */
export type LogPublish = (topic: string, payload: string) => void;

export interface LogTopicOptions {
  /** log_timestamp: the payload starts with the time, as mosquitto's does. Default true. */
  timestamp?: boolean;
  /** log_timestamp_format (strftime); default epoch seconds. */
  timestampFormat?: string;
}

/** A pino destination (it receives JSON lines) that republishes each line on its category's topic. */
export class LogTopicSink {
  #publish: LogPublish | undefined;
  /** Set while a line is being published: anything that publishing logs is not published again (no loop). */
  #busy = false;
  readonly #timestamp: boolean;
  readonly #format: string | undefined;

  constructor(options: LogTopicOptions = {}) {
    this.#timestamp = options.timestamp ?? true;
    this.#format = options.timestampFormat;
  }

  /** The broker calls this once it can route messages; `undefined` detaches (broker stopped). */
  attach(publish: LogPublish | undefined): void {
    this.#publish = publish;
  }

  write(line: string): void {
    const publish = this.#publish;
    if (publish === undefined || this.#busy) return;
    let record: { level?: number; msg?: unknown; logType?: unknown };
    try {
      record = JSON.parse(line) as typeof record;
    } catch {
      return;
    }
    const topic = logTopicOf(categoryOf(record.level ?? 30, record));
    if (topic === undefined) return; // debug lines are never published (mosquitto.conf(5))
    const text = typeof record.msg === 'string' ? record.msg : '';
    const payload = this.#timestamp ? `${formatTimestamp(this.#format, new Date())}: ${text}` : text;
    this.#busy = true;
    try {
      publish(topic, payload);
    } finally {
      this.#busy = false;
    }
  }
}
