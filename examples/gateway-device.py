#!/usr/bin/env python3
"""A minimal alink gateway that speaks for its sub-devices on Thingwire, with paho-mqtt and the standard library.

It uses only what docs/protocol.md ("Gateways and sub-devices") describes:

  sign-in    the gateway signs in as any alink device (its own product must be a gateway product)
  ↑ topo/add /sys/{gw}/thing/topo/add             [{productKey, deviceName, clientId, timestamp, signmethod, sign}]
             each entry signed with the SUB-DEVICE's secret, exactly as that device's own MQTT password would be
  ↑ login    /ext/session/{gw}/combine/login       {productKey, deviceName, clientId, timestamp, signmethod, sign}
  ↑ pack     /sys/{gw}/thing/event/property/pack/post   {properties, subDevices:[{identity, properties}]}
  ↓ commands /sys/{sub}/thing/service/…            on the gateway's connection; answered on {topic}_reply

Every reply the platform sends is printed as `reply {method} {code} {data}`, every command as
`command {pk}/{dn} {topic} {params}`.

  python3 examples/gateway-device.py --mqtt mqtt://localhost:1883 --product gw1 --device hall \\
      --sub sensors/s1=<secret> --sub sensors/s2=<secret> --interval 10

The gateway's secret is read from THINGWIRE_DEVICE_SECRET (or --secret). --exit-after-commands N logs the sub-devices
out and exits after answering N commands; --stray pk/dn then first publishes a property post on that device's own
topic, which the platform refuses by closing the connection when it is not a sub-device logged in through this
gateway (docs/protocol.md "Topic ACL").

Needs paho-mqtt 1.6 (Debian: python3-paho-mqtt).
"""
import argparse
import hashlib
import hmac
import itertools
import json
import os
import random
import sys
import threading
import time
import urllib.parse

import paho.mqtt.client as mqtt

ids = itertools.count(1)


def log(line):
    print(line, flush=True)


def signed(product_key, device_name, secret):
    """The alink signature fields of a device, signed now (the same content as its MQTT CONNECT password)."""
    timestamp = str(int(time.time() * 1000))
    client_id = f"{product_key}.{device_name}"
    content = f"clientId{client_id}deviceName{device_name}productKey{product_key}timestamp{timestamp}"
    sign = hmac.new(secret.encode(), content.encode(), hashlib.sha256).hexdigest()
    return {"productKey": product_key, "deviceName": device_name, "clientId": client_id,
            "timestamp": timestamp, "signmethod": "hmacsha256", "sign": sign}


class Gateway:
    def __init__(self, args):
        self.args = args
        self.pk, self.dn = args.product, args.device
        self.subs = [parse_sub(s) for s in args.sub]
        self.replies = {}  # request id -> (event, reply)
        self.commands = 0
        self.done = threading.Event()
        self.logged_in = []

    def connect(self):
        url = urllib.parse.urlparse(self.args.mqtt)
        timestamp = str(int(time.time() * 1000))
        cid = f"{self.pk}.{self.dn}"
        content = f"clientId{cid}deviceName{self.dn}productKey{self.pk}timestamp{timestamp}"
        password = hmac.new(self.args.secret.encode(), content.encode(), hashlib.sha256).hexdigest()
        client = mqtt.Client(client_id=f"{cid}|securemode=3,signmethod=hmacsha256,timestamp={timestamp}|", protocol=mqtt.MQTTv311)
        client.username_pw_set(f"{self.dn}&{self.pk}", password)
        client.on_message = self.on_message
        client.on_disconnect = lambda _c, _u, rc: (log(f"disconnected rc={rc}"), self.done.set())
        connected = threading.Event()
        client.on_connect = lambda _c, _u, _f, rc: (log(f"connected rc={rc}"), connected.set())
        client.connect(url.hostname, url.port or 1883, keepalive=60)
        client.loop_start()
        if not connected.wait(10):
            sys.exit("no CONNACK")
        client.subscribe(f"/sys/{self.pk}/{self.dn}/#", qos=1)
        client.subscribe(f"/ext/session/{self.pk}/{self.dn}/#", qos=1)
        self.client = client

    def request(self, topic, method, params):
        """Publishes a request and waits for its reply (on {topic}_reply)."""
        msg_id = str(next(ids))
        waiter = threading.Event()
        self.replies[msg_id] = [waiter, None]
        self.client.publish(topic, json.dumps({"id": msg_id, "version": "1.0", "method": method, "params": params}), qos=1)
        if not waiter.wait(10):
            log(f"reply {method} timeout")
            return None
        return self.replies.pop(msg_id)[1]

    def on_message(self, client, _userdata, message):
        try:
            body = json.loads(message.payload)
        except ValueError:
            return
        if message.topic.endswith("_reply"):
            log(f"reply {body.get('method')} {body.get('code')} {json.dumps(body.get('data'), sort_keys=True)}")
            waiter = self.replies.get(str(body.get("id")))
            if waiter:
                waiter[1] = body
                waiter[0].set()
            return
        levels = message.topic.split("/")
        if len(levels) >= 6 and levels[1] == "sys" and levels[4] == "thing" and levels[5] == "service":
            # A command to a sub-device (or the gateway): answer it on its reply topic, through this connection.
            log(f"command {levels[2]}/{levels[3]} {message.topic} {json.dumps(body.get('params'), sort_keys=True)}")
            reply = {"id": body["id"], "code": 200, "data": {}, "version": "1.0"}
            client.publish(message.topic + "_reply", json.dumps(reply), qos=1)
            self.commands += 1
            if self.args.exit_after_commands and self.commands >= self.args.exit_after_commands:
                threading.Thread(target=self.finish).start()

    def start_sub_devices(self):
        base = f"/sys/{self.pk}/{self.dn}"
        # One topo/add per sub-device, so that one refusal does not hold the others back.
        for pk, dn, secret in self.subs:
            self.request(f"{base}/thing/topo/add", "thing.topo.add", [signed(pk, dn, secret)])
        self.request(f"{base}/thing/topo/get", "thing.topo.get", {})
        for pk, dn, secret in self.subs:
            reply = self.request(f"/ext/session/{self.pk}/{self.dn}/combine/login", "combine.login", signed(pk, dn, secret))
            if reply and reply.get("code") == 200:
                self.logged_in.append((pk, dn))
                self.client.subscribe(f"/sys/{pk}/{dn}/#", qos=1)

    def post_pack(self):
        now = int(time.time() * 1000)
        sub_devices = [{"identity": {"productKey": pk, "deviceName": dn},
                        "properties": {"temperature": {"value": round(random.uniform(18, 26), 1), "time": now}}}
                       for pk, dn, _ in self.subs]
        self.request(f"/sys/{self.pk}/{self.dn}/thing/event/property/pack/post", "thing.event.property.pack.post",
                     {"properties": {}, "subDevices": sub_devices})

    def finish(self):
        if self.args.stray:
            pk, dn = self.args.stray.split("/", 1)
            log(f"stray post as {pk}/{dn}")
            self.client.publish(f"/sys/{pk}/{dn}/thing/event/property/post",
                                json.dumps({"id": str(next(ids)), "version": "1.0", "method": "thing.event.property.post",
                                            "params": {"temperature": 99}}), qos=1)
            self.done.wait(10)
        else:
            for pk, dn in self.logged_in:
                self.request(f"/ext/session/{self.pk}/{self.dn}/combine/logout", "combine.logout", {"productKey": pk, "deviceName": dn})
        self.done.set()

    def run(self):
        self.connect()
        self.start_sub_devices()
        while not self.done.is_set():
            self.post_pack()
            self.done.wait(self.args.interval)
        self.client.loop_stop()


def parse_sub(text):
    name, _, secret = text.partition("=")
    pk, _, dn = name.partition("/")
    if not (pk and dn and secret):
        sys.exit(f"--sub must be pk/dn=secret, not {text}")
    return pk, dn, secret


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--mqtt", default="mqtt://localhost:1883")
    parser.add_argument("--product", required=True, help="the gateway's product key")
    parser.add_argument("--device", required=True, help="the gateway's device name")
    parser.add_argument("--secret", default=os.environ.get("THINGWIRE_DEVICE_SECRET"), help="the gateway's secret")
    parser.add_argument("--sub", action="append", default=[], help="a sub-device, pk/dn=secret (repeatable)")
    parser.add_argument("--interval", type=float, default=10, help="seconds between property packs")
    parser.add_argument("--exit-after-commands", type=int, default=0)
    parser.add_argument("--stray", help="pk/dn: before exiting, publish on this device's topic (to see the ACL refuse it)")
    args = parser.parse_args()
    if not args.secret:
        sys.exit("the gateway's secret: --secret or THINGWIRE_DEVICE_SECRET")
    Gateway(args).run()


if __name__ == "__main__":
    main()
