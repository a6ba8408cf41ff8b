#!/usr/bin/env python3
"""A minimal alink device that takes firmware updates from Thingwire, with paho-mqtt and the standard library.

It uses only what docs/protocol.md ("Alink sign-in") and docs/ota.md ("Device side") describe:

  sign-in   client id {pk}.{dn}|securemode=3,signmethod=hmacsha256,timestamp={ms}|, username {dn}&{pk},
            password hex(HMAC-SHA256(secret, "clientId{pk}.{dn}deviceName{dn}productKey{pk}timestamp{ms}"))
  ↑ inform  /ota/device/inform/{pk}/{dn}     {"id","params":{"version","module"}} at every start
  ↓ upgrade /ota/device/upgrade/{pk}/{dn}    {"code":"1000","data":{url,size,sign,signMethod,md5,module,version}}
  ↑ progress /ota/device/progress/{pk}/{dn}  {"id","params":{"step","desc","module"}}

On an upgrade it downloads the image over HTTP(S) (waiting when the platform answers 503 with Retry-After), checks
the hash `signMethod` names, reports its progress, "flashes" (step 100, burning), restarts (disconnects, signs in
again) and informs the new version. A push with another code than "1000" cancels a download under way.

  python3 examples/ota-device.py --mqtt mqtt://localhost:1883 --product a1sensor --device room-101 \\
      --secret <hex> --version 1.0.0 --module mcu

Needs paho-mqtt 1.6 (Debian: python3-paho-mqtt).
"""
import argparse
import hashlib
import hmac
import itertools
import json
import os
import signal
import ssl
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

import paho.mqtt.client as mqtt

DEFAULT_MODULE = "default"


def log(line):
    print(line, flush=True)


def sign_in(product_key, device_name, secret):
    """Alink credentials signed now: (client id, username, password)."""
    timestamp = str(int(time.time() * 1000))
    cid = f"{product_key}.{device_name}"
    content = f"clientId{cid}deviceName{device_name}productKey{product_key}timestamp{timestamp}"
    password = hmac.new(secret.encode(), content.encode(), hashlib.sha256).hexdigest()
    return f"{cid}|securemode=3,signmethod=hmacsha256,timestamp={timestamp}|", f"{device_name}&{product_key}", password


class Cancelled(Exception):
    pass


class StepFailure(Exception):
    def __init__(self, step, desc):
        super().__init__(desc)
        self.step = step
        self.desc = desc


class Device:
    def __init__(self, args):
        self.args = args
        self.pk, self.dn = args.product, args.device
        self.version = args.version
        self.module = args.module
        self.ids = itertools.count(1)
        self.client = None
        self.restarting = False
        self.stopping = False
        self.disconnected = threading.Event()
        self.job = None  # (version, cancel event) of the upgrade under way
        self.upgraded = False
        self.last_inform = None  # the message id of the inform after an upgrade, with --exit-after-upgrade
        self.exit_code = 0

    # --- MQTT -------------------------------------------------------------------------------------------------------

    def run(self):
        url = urllib.parse.urlparse(self.args.mqtt)
        tls = url.scheme == "mqtts"
        while not self.stopping:
            client_id, username, password = sign_in(self.pk, self.dn, self.args.secret)
            client = mqtt.Client(client_id=client_id, protocol=mqtt.MQTTv311)
            client.username_pw_set(username, password)
            if tls:
                client.tls_set(ca_certs=self.args.ca, cert_reqs=ssl.CERT_REQUIRED)
            client.on_connect = self.on_connect
            client.on_subscribe = self.on_subscribe
            client.on_message = self.on_message
            client.on_disconnect = self.on_disconnect
            client.on_publish = self.on_publish
            self.client = client
            self.disconnected.clear()
            try:
                client.connect(url.hostname, url.port or (8883 if tls else 1883), keepalive=60)
            except OSError as err:
                log(f"cannot connect to {self.args.mqtt}: {err}; retrying in 2 s")
                time.sleep(2)
                continue
            client.loop_start()
            self.disconnected.wait()
            client.loop_stop()
            if not self.restarting and not self.stopping:
                time.sleep(2)  # the connection was lost: back off a little, then sign in again
            self.restarting = False
        return self.exit_code

    def topic(self, op):
        return f"/ota/device/{op}/{self.pk}/{self.dn}"

    def on_connect(self, client, _userdata, _flags, rc):
        if rc != 0:
            log(f"sign-in refused: {mqtt.connack_string(rc)}")
            if rc in (4, 5):  # bad credentials or not authorized: retrying does not help
                self.stopping = True
                self.exit_code = 2
            client.disconnect()
            return
        log(f"connected as {self.pk}/{self.dn}")
        client.subscribe(self.topic("upgrade"), qos=1)

    def on_subscribe(self, _client, _userdata, _mid, _granted):
        # At every start: report the version (after subscribing, so an upgrade pushed in answer is not missed).
        params = {"version": self.version}
        if self.module != DEFAULT_MODULE:
            params["module"] = self.module
        info = self.publish(self.topic("inform"), {"id": str(next(self.ids)), "params": params}, qos=1)
        log(f"informed {self.module} {self.version}")
        if self.upgraded and self.args.exit_after_upgrade:
            self.last_inform = info.mid

    def on_publish(self, client, _userdata, mid):
        if mid == self.last_inform:  # the platform has the new version: done
            self.stopping = True
            client.disconnect()

    def on_disconnect(self, _client, _userdata, rc):
        if rc != 0 and not self.stopping:
            log(f"disconnected ({mqtt.error_string(rc)})")
        self.disconnected.set()

    def publish(self, topic, body, qos=0):
        return self.client.publish(topic, json.dumps(body), qos=qos)

    def on_message(self, _client, _userdata, message):
        try:
            push = json.loads(message.payload)
        except ValueError:
            return
        data = push.get("data") or {}
        if (data.get("module") or DEFAULT_MODULE) != self.module:
            return
        if str(push.get("code")) != "1000":
            if self.job:
                log(f"upgrade to {self.job[0]} cancelled: {push.get('message', push.get('code'))}")
                self.job[1].set()
            return
        if self.job and self.job[0] == data.get("version"):
            return  # already at it
        if self.job:
            self.job[1].set()
        self.job = (data.get("version"), threading.Event())
        # Not on paho's network thread: it must keep the connection alive while we download.
        threading.Thread(target=self.upgrade, args=(data, self.job[1]), daemon=True).start()

    # --- the upgrade ------------------------------------------------------------------------------------------------

    def progress(self, step, desc):
        params = {"step": str(step), "desc": desc}
        if self.module != DEFAULT_MODULE:
            params["module"] = self.module
        self.publish(self.topic("progress"), {"id": str(next(self.ids)), "params": params})
        log(f"progress {step} {desc}")

    def upgrade(self, data, cancel):
        target = data["version"]
        log(f"upgrade {self.version} -> {target}: {data.get('size')} bytes from {data['url']}")
        try:
            digest = self.download(data, cancel)
            if digest != str(data.get("sign", "")).lower():
                raise StepFailure(-3, f"verification failed: {data.get('signMethod', 'SHA256')} mismatch")
            log(f"verified {data.get('signMethod', 'SHA256')} {digest}")
            self.progress(100, "burning")
            # A real device writes the image to its spare partition here and boots into it.
            self.version = target
            self.upgraded = True
            log(f"flashed {target}; restarting")
            self.restarting = True
            self.client.disconnect()
        except Cancelled:
            pass
        except StepFailure as failure:
            log(f"upgrade failed: {failure.desc}")
            self.progress(failure.step, failure.desc)
        finally:
            if self.job and self.job[1] is cancel:
                self.job = None

    def download(self, data, cancel):
        """The image's hash as hex, read in pieces (nothing is kept but the hash)."""
        method = str(data.get("signMethod") or "SHA256").upper()
        if method not in ("SHA256", "MD5"):
            raise StepFailure(-3, f"unknown sign method {method}")
        while True:
            try:
                response = urllib.request.urlopen(data["url"], timeout=30)
                break
            except urllib.error.HTTPError as err:
                if err.code != 503:
                    raise StepFailure(-2, f"download failed: HTTP {err.code}")
                try:
                    wait = float(err.headers.get("Retry-After") or 5)
                except ValueError:  # an HTTP date: not worth parsing here
                    wait = 5
                log(f"download busy (503); retrying in {wait:g} s")
                if cancel.wait(wait):
                    raise Cancelled()
            except OSError as err:
                raise StepFailure(-2, f"download failed: {err}")
        total = int(data.get("size") or response.headers.get("Content-Length") or 0)
        digest = hashlib.sha256() if method == "SHA256" else hashlib.md5()
        received, next_step = 0, 0
        with response:
            while True:
                if cancel.is_set():
                    raise Cancelled()
                while total and received * 100 >= next_step * total and next_step < 100:
                    self.progress(next_step, "downloading")
                    next_step += 25
                try:
                    chunk = response.read(16 * 1024)
                except OSError as err:
                    raise StepFailure(-2, f"download failed at {received} bytes: {err}")
                if not chunk:
                    break
                digest.update(chunk)
                received += len(chunk)
        if total and received != total:
            raise StepFailure(-2, f"download failed: got {received} of {total} bytes")
        log(f"downloaded {received} bytes")
        return digest.hexdigest()


def main():
    parser = argparse.ArgumentParser(description="A minimal alink device that takes Thingwire firmware updates.")
    parser.add_argument("--mqtt", default="mqtt://localhost:1883", help="mqtt://host:port or mqtts://host:port")
    parser.add_argument("--product", required=True, help="product key")
    parser.add_argument("--device", required=True, help="device name")
    parser.add_argument("--secret", default=os.environ.get("THINGWIRE_DEVICE_SECRET"),
                        help="device secret (default: $THINGWIRE_DEVICE_SECRET)")
    parser.add_argument("--version", default="1.0.0", help="the firmware version it runs (default 1.0.0)")
    parser.add_argument("--module", default=DEFAULT_MODULE, help="the firmware module (default: default)")
    parser.add_argument("--ca", help="CA certificate file for mqtts")
    parser.add_argument("--exit-after-upgrade", action="store_true", help="exit once it runs and informed a new version")
    args = parser.parse_args()
    if not args.secret:
        parser.error("--secret (or THINGWIRE_DEVICE_SECRET) is required")
    device = Device(args)

    def stop(_signum, _frame):
        device.stopping = True
        if device.client:
            device.client.disconnect()
        device.disconnected.set()

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    sys.exit(device.run())


if __name__ == "__main__":
    main()
