#!/usr/bin/python3
"""One Eclipse Paho (paho-mqtt 1.6, Debian's python3-paho-mqtt) client for the interop tests.

Run with /usr/bin/python3. In order it: connects (optionally with a will), subscribes to every --sub,
publishes every --pub, waits for --count messages, lingers --linger seconds for unexpected extras, then
disconnects cleanly, or with --hang waits to be killed. Every step prints one JSON line on stdout:
  {"event": "connack", "session_present": bool, "rc": int}
  {"event": "suback", "granted": [int, ...]}
  {"event": "published", "topic": str, "qos": int}
  {"event": "message", "topic": str, "qos": int, "retain": bool, "payload_hex": str}
  {"event": "ready"}            (after connect, subscribe and publish)
  {"event": "done"}             (after a clean disconnect)
  {"event": "error", "error": str}
Exit status: 0 on success, 2 on a protocol failure, 3 when --timeout seconds passed first.
"""

import argparse
import json
import os
import signal
import sys
import threading
import time

import paho.mqtt.client as mqtt
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties


def emit(event, **fields):
    fields["event"] = event
    sys.stdout.write(json.dumps(fields) + "\n")
    sys.stdout.flush()


def fail(message, status=2):
    emit("error", error=message)
    os._exit(status)


def on_alarm(_signum, _frame):
    fail("timeout", 3)


def parse_pub(spec):
    """TOPIC:QOS:RETAIN:HEX, e.g. a/b:1:0:68656c6c6f (HEX may be empty)."""
    topic, qos, retain, payload_hex = spec.rsplit(":", 3)
    return topic, int(qos), retain == "1", bytes.fromhex(payload_hex)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--protocol", choices=["311", "5"], required=True)
    parser.add_argument("--client-id", default="")
    parser.add_argument("--clean", choices=["0", "1"], default="1")
    parser.add_argument("--session-expiry", type=int, default=0, help="MQTT 5 Session Expiry Interval")
    parser.add_argument("--sub", action="append", default=[], help="FILTER:QOS")
    parser.add_argument("--pub", action="append", default=[], help="TOPIC:QOS:RETAIN:HEX")
    parser.add_argument("--will", help="TOPIC:QOS:RETAIN:HEX")
    parser.add_argument("--count", type=int, default=0, help="messages to wait for")
    parser.add_argument("--linger", type=float, default=0, help="seconds to keep listening after --count")
    parser.add_argument("--hang", action="store_true", help="after 'ready', wait to be killed")
    parser.add_argument("--timeout", type=int, default=8, help="seconds before giving up (exit 3)")
    parser.add_argument("--websocket", metavar="PATH", help="MQTT over WebSocket at this path")
    parser.add_argument("--cafile", help="TLS, trusting this CA")
    parser.add_argument("--username")
    parser.add_argument("--password")
    args = parser.parse_args()

    signal.signal(signal.SIGALRM, on_alarm)
    signal.alarm(args.timeout)

    v5 = args.protocol == "5"
    clean = args.clean == "1"
    transport = "tcp" if args.websocket is None else "websockets"
    if v5:
        client = mqtt.Client(client_id=args.client_id, protocol=mqtt.MQTTv5, transport=transport)
    else:
        client = mqtt.Client(
            client_id=args.client_id, clean_session=clean, protocol=mqtt.MQTTv311, transport=transport
        )
    if args.websocket is not None:
        client.ws_set_options(path=args.websocket)
    if args.cafile is not None:
        client.tls_set(ca_certs=args.cafile)
    if args.username is not None:
        client.username_pw_set(args.username, args.password)

    connected = threading.Event()
    subscribed = threading.Event()
    lock = threading.Condition()
    received = []

    def on_connect(_client, _userdata, flags, rc, _properties=None):
        code = rc.value if hasattr(rc, "value") else rc
        emit("connack", session_present=bool(flags.get("session present")), rc=code)
        if code != 0:
            fail("connection refused: %s" % code)
        connected.set()

    def on_subscribe(_client, _userdata, _mid, granted, _properties=None):
        emit("suback", granted=[g.value if hasattr(g, "value") else g for g in granted])
        subscribed.set()

    def on_message(_client, _userdata, message):
        emit(
            "message",
            topic=message.topic,
            qos=message.qos,
            retain=bool(message.retain),
            payload_hex=message.payload.hex(),
        )
        with lock:
            received.append(message)
            lock.notify_all()

    client.on_connect = on_connect
    client.on_subscribe = on_subscribe
    client.on_message = on_message

    if args.will:
        topic, qos, retain, payload = parse_pub(args.will)
        client.will_set(topic, payload, qos, retain)

    if v5:
        properties = Properties(PacketTypes.CONNECT)
        properties.SessionExpiryInterval = args.session_expiry
        client.connect("127.0.0.1", args.port, keepalive=30, clean_start=clean, properties=properties)
    else:
        client.connect("127.0.0.1", args.port, keepalive=30)
    client.loop_start()
    connected.wait()

    if args.sub:
        filters = []
        for spec in args.sub:
            topic, qos = spec.rsplit(":", 1)
            filters.append((topic, int(qos)))
        client.subscribe(filters)
        subscribed.wait()

    for spec in args.pub:
        topic, qos, retain, payload = parse_pub(spec)
        info = client.publish(topic, payload, qos, retain)
        info.wait_for_publish()
        if info.rc != mqtt.MQTT_ERR_SUCCESS:
            fail("publish to %s failed: %s" % (topic, info.rc))
        emit("published", topic=topic, qos=qos)

    emit("ready")

    with lock:
        while len(received) < args.count:
            lock.wait()
    if args.linger > 0:
        time.sleep(args.linger)

    if args.hang:
        while True:
            time.sleep(1)

    client.disconnect()
    client.loop_stop()
    emit("done")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except SystemExit:
        raise
    except BaseException as error:  # any failure must show up as a non-zero exit with a reason
        fail("%s: %s" % (type(error).__name__, error))
