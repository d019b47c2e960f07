#!/usr/bin/env python3
"""Times, from one Python Thrift client (Debian's python3-thrift, code generated from Quarry's osquery.thrift):
  generate  call("table", TABLE, {action: generate}) straight to the extension's socket
  quarry    query("select * from TABLE") through Quarry's manager socket
  uptime    query("select * from uptime") through the manager socket
  http      POST /v1/query {"sql": "select * from uptime"} on quarryd's HTTP endpoint (keep-alive)
argv: MANAGER_SOCKET EXTENSION_SOCKET TABLE HTTP_URL TOKEN ROUNDS UPTIME_ROUNDS. Prints one JSON object."""
import http.client
import json
import statistics
import sys
import time
import urllib.parse

from thrift.protocol import TBinaryProtocol
from thrift.transport import TSocket, TTransport

from osquery.extensions import Extension, ExtensionManager

manager_socket, extension_socket, table, url, token = sys.argv[1:6]
rounds, uptime_rounds = int(sys.argv[6]), int(sys.argv[7])


def client(cls, path):
    transport = TTransport.TBufferedTransport(TSocket.TSocket(unix_socket=path))
    transport.open()
    return transport, cls.Client(TBinaryProtocol.TBinaryProtocol(transport))


def timed(fn, n):
    samples = []
    for _ in range(n):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    return {"median_ms": statistics.median(samples), "min_ms": min(samples)}


context = json.dumps({"constraints": [], "colsUsed": [], "colsUsedBitset": 0})


def direct():
    # a connection per call: the extension's TSimpleServer serves one connection at a time, as Quarry's calls do
    transport, ext = client(Extension, extension_socket)
    answer = ext.call("table", table, {"action": "generate", "context": context})
    transport.close()
    assert answer.status.code == 0 and len(answer.response) > 0


manager_transport, manager = client(ExtensionManager, manager_socket)


def through_quarry():
    answer = manager.query("select * from %s" % table)
    assert answer.status.code == 0, answer.status.message
    return len(answer.response)


rows = through_quarry()
out = {"rows": rows}
for _ in range(2):  # warm both paths
    direct()
    through_quarry()
out["generate"] = timed(direct, rounds)
out["quarry"] = timed(through_quarry, rounds)


def uptime():
    answer = manager.query("select * from uptime")
    assert answer.status.code == 0


parsed = urllib.parse.urlparse(url)
conn = http.client.HTTPConnection(parsed.hostname, parsed.port)
body = json.dumps({"sql": "select * from uptime"})
headers = {"Authorization": "Bearer " + token, "Content-Type": "application/json"}


def post():
    conn.request("POST", "/v1/query", body, headers)
    response = conn.getresponse()
    data = response.read()
    assert response.status == 200, data


for _ in range(20):
    uptime()
    post()
out["uptime"] = timed(uptime, uptime_rounds)
out["http"] = timed(post, uptime_rounds)
print(json.dumps(out))
