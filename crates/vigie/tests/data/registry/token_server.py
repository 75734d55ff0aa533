"""A registry token server for the tests (the Docker registry token
authentication protocol, as Docker Hub and GHCR speak it): GET /token with
HTTP basic credentials and ?service=&scope= answers a JWT signed RS256 by
openssl with the key whose self-signed certificate the registry trusts
(rootcertbundle), the certificate in the JWT's x5c header.

usage: token_server.py PORT KEY.pem CERT.pem USER PASSWORD SERVICE ISSUER
Logs one line per token request on stdout ("token USER SCOPE")."""
import base64
import http.server
import json
import os
import subprocess
import sys
import time
import urllib.parse

port, key, cert, user, password, service, issuer = sys.argv[1:8]


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def der_of(pem_path: str) -> bytes:
    return subprocess.run(["openssl", "x509", "-in", pem_path, "-outform", "DER"],
                          check=True, capture_output=True).stdout


X5C = base64.b64encode(der_of(cert)).decode()


def sign(payload: dict) -> str:
    header = {"typ": "JWT", "alg": "RS256", "x5c": [X5C]}
    signing_input = f"{b64url(json.dumps(header).encode())}.{b64url(json.dumps(payload).encode())}"
    signature = subprocess.run(["openssl", "dgst", "-sha256", "-sign", key], input=signing_input.encode(),
                               check=True, capture_output=True).stdout
    return f"{signing_input}.{b64url(signature)}"


class Handler(http.server.BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def do_GET(self):
        url = urllib.parse.urlparse(self.path)
        if url.path != "/token":
            self.send_error(404)
            return
        expected = "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()
        if self.headers.get("Authorization") != expected:
            self.send_response(401)
            self.send_header("WWW-Authenticate", 'Basic realm="vigie-token"')
            self.end_headers()
            return
        query = urllib.parse.parse_qs(url.query)
        access = []
        for scope in query.get("scope", []):
            kind, _, rest = scope.partition(":")
            name, _, actions = rest.rpartition(":")
            access.append({"type": kind, "name": name, "actions": [a for a in actions.split(",") if a == "pull"]})
            print(f"token {user} {scope}", flush=True)
        now = int(time.time())
        token = sign({"iss": issuer, "sub": user, "aud": query.get("service", [service])[0], "exp": now + 300,
                      "nbf": now - 10, "iat": now, "jti": b64url(os.urandom(12)), "access": access})
        body = json.dumps({"token": token, "access_token": token, "expires_in": 300}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


http.server.ThreadingHTTPServer(("127.0.0.1", int(port)), Handler).serve_forever()
