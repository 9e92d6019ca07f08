#!/usr/bin/env python3
"""moto_harness.py - setup steps for tests/test_aws.c against a moto server (python3 -m moto.server).

    moto_harness.py iam-key ENDPOINT    create IAM user synkti-test with an allow-all inline policy
                                        and an access key; print "ACCESS_KEY SECRET" on stdout
    moto_harness.py auth-on ENDPOINT    turn moto's request authentication on (POST /moto-api/reset-auth 0)
    moto_harness.py proxy PORT ENDPOINT serve on 127.0.0.1:PORT, forwarding to moto, and add what moto
                                        lacks (control requests, plain POSTs to /_harness/...):
        /_harness/interrupt  body INSTANCE_ID: terminate it in moto; DescribeInstances then reports
                             state reason Server.SpotInstanceTermination for it (a spot reclaim)
        /_harness/fail       body "N CODE STATUS" (CODE "html" = an HTML page): answer the next N
                             EC2 calls with that error instead of forwarding them

Runs before authentication is turned on (moto then accepts any key). Reads no dataset."""
import json
import sys
import urllib.request


def iam_key(endpoint):
    import boto3
    iam = boto3.client("iam", endpoint_url=endpoint, region_name="us-east-1",
                       aws_access_key_id="AKIASETUP0000000000", aws_secret_access_key="setup")
    iam.create_user(UserName="synkti-test")
    policy = {"Version": "2012-10-17",
              "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
    iam.put_user_policy(UserName="synkti-test", PolicyName="all", PolicyDocument=json.dumps(policy))
    k = iam.create_access_key(UserName="synkti-test")["AccessKey"]
    print(k["AccessKeyId"], k["SecretAccessKey"])


def auth_on(endpoint):
    req = urllib.request.Request(endpoint.rstrip("/") + "/moto-api/reset-auth", data=b"0", method="POST",
                                 headers={"Content-Type": "text/plain"})
    with urllib.request.urlopen(req, timeout=10) as r:
        print(r.read().decode())


def proxy(port, endpoint):
    import http.client
    import http.server
    import threading
    import urllib.parse
    from xml.dom import minidom
    up = urllib.parse.urlparse(endpoint)
    lock = threading.Lock()
    interrupted = set()
    fails = []  # [code, status] per call to fail
    afails = {}  # Action -> [[code, status], ...]
    hidden = set()

    def forward(method, path, headers, body):
        c = http.client.HTTPConnection(up.hostname, up.port, timeout=30)
        c.request(method, path, body=body, headers=headers)
        r = c.getresponse()
        out = (r.status, r.getheader("Content-Type", "text/xml"), r.read())
        c.close()
        return out

    def reclaim(xml):
        doc = minidom.parseString(xml)
        for it in doc.getElementsByTagName("item"):
            ids = [n for n in it.childNodes if n.nodeName == "instanceId"]
            if not ids or ids[0].firstChild.data not in interrupted:
                continue
            for sr in [n for n in it.childNodes if n.nodeName == "stateReason"]:
                it.removeChild(sr)
            sr = doc.createElement("stateReason")
            for tag, text in (("code", "Server.SpotInstanceTermination"),
                              ("message", "Server.SpotInstanceTermination: Spot instance termination")):
                e = doc.createElement(tag)
                e.appendChild(doc.createTextNode(text))
                sr.appendChild(e)
            it.appendChild(sr)
        return doc.toxml(encoding="utf-8")

    def hide(xml):
        doc = minidom.parseString(xml)
        for res in [n for n in doc.getElementsByTagName("item")
                    if any(c.nodeName == "instancesSet" for c in n.childNodes)]:
            iset = [c for c in res.childNodes if c.nodeName == "instancesSet"][0]
            for it in [c for c in iset.childNodes if c.nodeName == "item"]:
                ids = [n for n in it.childNodes if n.nodeName == "instanceId"]
                if ids and ids[0].firstChild.data in hidden:
                    iset.removeChild(it)
            if not [c for c in iset.childNodes if c.nodeName == "item"]:
                res.parentNode.removeChild(res)
        return doc.toxml(encoding="utf-8")

    class H(http.server.BaseHTTPRequestHandler):
        def log_message(self, *a):
            pass

        def reply(self, status, ctype, body):
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self):
            st, ct, b = forward("GET", self.path, dict(self.headers), None)
            self.reply(st, ct, b)

        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            if self.path == "/_harness/interrupt":
                iid = body.decode().strip()
                import boto3
                with lock:  # marked before moto terminates it: no DescribeInstances sees moto's own reason
                    interrupted.add(iid)
                boto3.client("ec2", endpoint_url=endpoint, region_name="us-east-1",
                             aws_access_key_id="AKIAHARNESS00000000", aws_secret_access_key="h"
                             ).terminate_instances(InstanceIds=[iid])
                return self.reply(200, "text/plain", b"ok")
            if self.path == "/_harness/fail":
                n, code, status = body.decode().split()
                with lock:
                    fails.extend([[code, int(status)]] * int(n))
                return self.reply(200, "text/plain", b"ok")
            if self.path == "/_harness/hide":
                with lock:
                    hidden.add(body.decode().strip())
                return self.reply(200, "text/plain", b"ok")
            if self.path == "/_harness/fail-action":
                action, n, code, status = body.decode().split()
                with lock:
                    afails.setdefault(action, []).extend([[code, int(status)]] * int(n))
                return self.reply(200, "text/plain", b"ok")
            action = urllib.parse.parse_qs(body.decode(errors="replace")).get("Action", [""])[0]
            with lock:
                f = fails.pop(0) if fails else None
                if not f and afails.get(action):
                    f = afails[action].pop(0)
            if f:
                if f[0] == "html":
                    return self.reply(f[1], "text/html",
                                      b"<html><body><h1>%d</h1></body></html>" % f[1])
                x = ("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Response><Errors><Error><Code>%s"
                     "</Code><Message>injected by moto_harness</Message></Error></Errors>"
                     "<RequestID>harness</RequestID></Response>" % f[0])
                return self.reply(f[1], "text/xml", x.encode())
            st, ct, b = forward("POST", self.path, dict(self.headers), body)
            form = urllib.parse.parse_qs(body.decode(errors="replace"))
            if st == 200 and form.get("Action") == ["DescribeInstances"] and interrupted:
                b = reclaim(b)
            if st == 200 and form.get("Action") == ["DescribeInstances"] and hidden:
                b = hide(b)
            self.reply(st, ct, b)

    srv = http.server.ThreadingHTTPServer(("127.0.0.1", int(port)), H)
    print("ready", flush=True)
    srv.serve_forever()


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "proxy":
        proxy(sys.argv[2], sys.argv[3])
        sys.exit(0)
    if len(sys.argv) != 3 or sys.argv[1] not in ("iam-key", "auth-on"):
        sys.stderr.write(__doc__)
        sys.exit(64)
    {"iam-key": iam_key, "auth-on": auth_on}[sys.argv[1]](sys.argv[2])
