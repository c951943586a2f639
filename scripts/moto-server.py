#!/usr/bin/env python3
"""Runs moto's server (same arguments as `python3 -m moto.server`) with one fix to SigV4 verification.

Stock moto 5.x verifies S3 signatures against the URL werkzeug rebuilds from the decoded request, so any
correctly signed request whose path or query holds a reserved character encoded by the client fails with
SignatureDoesNotMatch: `list-objects-v2 --prefix repo/` (prefix=repo%2F), `delimiter=/`, `start-after=a/b`,
keys with `+`, `=`, `%`. AWS accepts all of these. This launcher makes moto verify against the raw request
target as sent on the wire (werkzeug's RAW_URI), which is what AWS signs. Nothing else changes.
"""
import functools
import sys

from moto.core.authorization import ActionAuthenticatorMixin

_original = ActionAuthenticatorMixin._authenticate_and_authorize_action


@functools.wraps(_original)
def _authenticate_with_raw_uri(self, iam_request_cls, resource="*"):
    request = getattr(self, "request", None)
    environ = getattr(request, "environ", None) or {}
    raw_uri = environ.get("RAW_URI") or environ.get("REQUEST_URI")
    if not raw_uri or not raw_uri.startswith("/") or not hasattr(self, "uri"):
        return _original(self, iam_request_cls, resource)
    saved = self.uri
    self.uri = raw_uri  # only the path and query of self.uri are used for the signature
    try:
        return _original(self, iam_request_cls, resource)
    finally:
        self.uri = saved


ActionAuthenticatorMixin._authenticate_and_authorize_action = _authenticate_with_raw_uri

if __name__ == "__main__":
    from moto.server import main

    main(sys.argv[1:])
