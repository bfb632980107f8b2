# Regenerates the botocore known answers in tests/unit/auth_sdk_vectors_test.cpp: signs ivschat
# requests through the real botocore client stack (serializer + SigV4Auth, i.e. what the AWS CLI
# does) at a fixed clock, never touching the network, and prints the wire requests and
# botocore's canonical requests. amz-sdk-invocation-id values are random and unsigned.
import datetime
import json

import botocore.auth
import botocore.session
from botocore.awsrequest import AWSResponse

FIXED = datetime.datetime(2024, 5, 6, 7, 8, 9)  # 20240506T070809Z
botocore.auth.get_current_datetime = lambda *a, **k: FIXED
KEY_ID = "AKIAPARLEYTEST000001"
SECRET = "parleySecretKeyForUnitTests/0123456789ab"

captured, canonical = [], []
_orig = botocore.auth.SigV4Auth.canonical_request


def _record(self, request):
    text = _orig(self, request)
    canonical.append(text)
    return text


botocore.auth.SigV4Auth.canonical_request = _record


class _Raw:
    def stream(self, **kw):
        return iter([b"{}"])


def _before_send(request, **kw):
    captured.append(request)
    return AWSResponse(request.url, 200, {"x-amzn-RequestId": "x"}, _Raw())


def _add_date(request, **kw):
    request.headers["Date"] = "placeholder"  # botocore replaces it with the signing time


def client(region):
    c = botocore.session.get_session().create_client(
        "ivschat", region_name=region, aws_access_key_id=KEY_ID, aws_secret_access_key=SECRET)
    c.meta.events.register("before-send", _before_send)
    c.meta.events.register("before-sign.ivschat.CreateChatToken", _add_date)
    return c


print("botocore", botocore.__version__)
us = client("us-east-1")
arn = "arn:aws:ivschat:us-east-1:123456789012:room/abcdEFGH1234"
us.create_room(name="lobby")
us.list_tags_for_resource(resourceArn=arn)
us.untag_resource(resourceArn=arn, tagKeys=["zeta", "alpha", "mid dle"])
eu = client("eu-west-1")
arn = "arn:aws:ivschat:eu-west-1:123456789012:room/abcdEFGH1234"
eu.list_tags_for_resource(resourceArn=arn)
eu.untag_resource(resourceArn=arn, tagKeys=["zeta", "alpha", "mid dle"])
eu.create_chat_token(roomIdentifier=arn, userId="u1")

for r, creq in zip(captured, canonical):
    body = r.body if isinstance(r.body, (bytes, type(None))) else r.body.encode()
    print(json.dumps({
        "method": r.method, "url": r.url,
        "headers": {k: (v.decode() if isinstance(v, bytes) else v) for k, v in r.headers.items()},
        "body": (body or b"").decode(), "canonical_request": creq}, indent=1))
