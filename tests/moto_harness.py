#!/usr/bin/env python3
"""moto_harness.py - setup steps for tests/test_aws.c against a moto server (python3 -m moto.server).

    moto_harness.py iam-key ENDPOINT    create IAM user synkti-test with an allow-all inline policy
                                        and an access key; print "ACCESS_KEY SECRET" on stdout
    moto_harness.py auth-on ENDPOINT    turn moto's request authentication on (POST /moto-api/reset-auth 0)

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


if __name__ == "__main__":
    if len(sys.argv) != 3 or sys.argv[1] not in ("iam-key", "auth-on"):
        sys.stderr.write(__doc__)
        sys.exit(64)
    {"iam-key": iam_key, "auth-on": auth_on}[sys.argv[1]](sys.argv[2])
