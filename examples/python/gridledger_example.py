#!/usr/bin/env python3
"""A GridLedger client in Python: the standard library for HTTP, `websockets` for graphql-ws.

As an operator and prosumer (an account with the OPERATOR and HOST roles) it signs in, finds
stations near a point, starts charging on a free EVSE for a driver's id token and follows the session
live until it is paid on chain, reads the settlement proof, submits meter readings for its meter, and
places a sell order in the meter's community market.

    GRIDLEDGER_EMAIL=... GRIDLEDGER_PASSWORD=... GRIDLEDGER_ID_TOKEN=... \\
    GRIDLEDGER_METER_ID=... GRIDLEDGER_METER_KEY=... python3 examples/python/gridledger_example.py

Optional: GRIDLEDGER_API (default http://localhost:4000/graphql), GRIDLEDGER_NEAR ("lat,lng",
default 52.52,13.405), GRIDLEDGER_RADIUS_KM (default 25). Debian: apt-get install python3-websockets.
"""
import asyncio
import json
import os
import sys
import time
import urllib.request
from datetime import datetime, timedelta, timezone

import websockets

API = os.environ.get("GRIDLEDGER_API", "http://localhost:4000/graphql")


class ApiError(Exception):
    pass


def request(query, variables=None, token=None, headers=None):
    """One query or mutation over HTTP; a GraphQL error (with its typed code) raises ApiError."""
    body = json.dumps({"query": query, "variables": variables or {}}).encode()
    req = urllib.request.Request(API, data=body, method="POST")
    req.add_header("content-type", "application/json")
    if token:
        req.add_header("authorization", f"Bearer {token}")
    for k, v in (headers or {}).items():
        req.add_header(k, v)
    try:
        with urllib.request.urlopen(req, timeout=30) as res:
            answer = json.load(res)
    except urllib.error.HTTPError as e:
        answer = json.load(e)
    if answer.get("errors"):
        err = answer["errors"][0]
        raise ApiError(f"{err.get('extensions', {}).get('code')}: {err['message']}")
    return answer["data"]


async def follow(query, variables, token, until):
    """A graphql-ws subscription (protocol graphql-transport-ws); yields each result until `until` says so."""
    url = API.replace("http", "ws", 1)
    async with websockets.connect(url, subprotocols=["graphql-transport-ws"]) as ws:
        await ws.send(json.dumps({"type": "connection_init", "payload": {"authorization": f"Bearer {token}"}}))
        ack = json.loads(await ws.recv())
        if ack["type"] != "connection_ack":
            raise ApiError(f"the socket was refused: {ack}")
        await ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": {"query": query, "variables": variables}}))
        async for raw in ws:
            msg = json.loads(raw)
            if msg["type"] == "ping":
                await ws.send(json.dumps({"type": "pong"}))
            elif msg["type"] == "next":
                if msg["payload"].get("errors"):
                    raise ApiError(msg["payload"]["errors"][0]["message"])
                if until(msg["payload"]["data"]):
                    await ws.send(json.dumps({"id": "1", "type": "complete"}))
                    return
            elif msg["type"] == "error":
                raise ApiError(str(msg["payload"]))


def main():
    env = os.environ
    lat, lng = (float(x) for x in env.get("GRIDLEDGER_NEAR", "52.52,13.405").split(","))
    login = request(
        "mutation($e: String!, $p: String!) { login(email: $e, password: $p) { accessToken user { displayName roles } } }",
        {"e": env["GRIDLEDGER_EMAIL"], "p": env["GRIDLEDGER_PASSWORD"]},
    )["login"]
    token = login["accessToken"]
    print(f"signed in as {login['user']['displayName']} ({', '.join(login['user']['roles'])})")

    stations = request(
        """query($lat: Float!, $lng: Float!, $r: Float!) { stations(near: { lat: $lat, lng: $lng, radiusKm: $r }, first: 10) {
             edges { node { id name distanceKm chargers { id identity connectors { evseId status } } } } } }""",
        {"lat": lat, "lng": lng, "r": float(env.get("GRIDLEDGER_RADIUS_KM", "25"))},
        token,
    )["stations"]["edges"]
    print(f"{len(stations)} station(s) within reach of {lat},{lng}")
    free = next(
        (
            (s["node"], c, k["evseId"])
            for s in stations
            for c in s["node"]["chargers"]
            for k in c["connectors"]
            if k["status"] == "AVAILABLE"
        ),
        None,
    )
    if not free:
        sys.exit("no free EVSE near here")
    station, charger, evse = free
    print(f"free EVSE {evse} on {charger['identity']} at {station['name']}")

    started = request(
        "mutation($c: ID!, $e: Int!, $t: String!) { startCharging(chargerId: $c, evseId: $e, idToken: $t) { status } }",
        {"c": charger["id"], "e": evse, "t": env["GRIDLEDGER_ID_TOKEN"]},
        token,
    )["startCharging"]
    print(f"the charger answered the start: {started['status']}")
    if started["status"] != "Accepted":
        sys.exit(1)
    session_id = None
    for _ in range(60):
        edges = request(
            "query($c: ID!) { sessions(filter: { chargerId: $c, status: ACTIVE }, first: 1) { edges { node { id } } } }",
            {"c": charger["id"]},
            token,
        )["sessions"]["edges"]
        if edges:
            session_id = edges[0]["node"]["id"]
            break
        time.sleep(0.5)
    if not session_id:
        sys.exit("the session did not start")
    print(f"session {session_id} started")

    settled = {}

    def until(data):
        u = data["sessionUpdated"]
        s = u["session"]
        line = f"live {u['kind']}: {s['status']}, {s['energyWh'] / 1000:.3f} kWh, {u['costSoFar']} {s['currency']}"
        if s["settlement"]:
            line += f", settlement {s['settlement']['status']}"
        print(line, flush=True)
        if s["settlement"] and s["settlement"]["status"] in ("CONFIRMED", "FAILED"):
            settled.update(s["settlement"])
            return True
        return False

    asyncio.run(
        follow(
            """subscription($id: ID!) { sessionUpdated(sessionId: $id) { kind costSoFar
                 session { status energyWh currency settlement { status recordId txHash } } } }""",
            {"id": session_id},
            token,
            until,
        )
    )
    if settled.get("status") != "CONFIRMED":
        sys.exit("the session was not paid on chain")
    proof = request(
        "query($r: ID!) { settlementProof(recordId: $r) { recordId recordHash txHash blockNumber logIndex typedData } }",
        {"r": settled["recordId"]},
        token,
    )["settlementProof"]
    typed = json.loads(proof["typedData"])
    print(
        f"settlement record {proof['recordId']}: {typed['primaryType']} hash {proof['recordHash']}, "
        f"tx {proof['txHash']}, block {proof['blockNumber']}, log {proof['logIndex']}"
    )

    # The meter: readings (the meter's own key, not the account's token), then an order for its site.
    meter_id = env["GRIDLEDGER_METER_ID"]
    now = datetime.now(timezone.utc).replace(second=0, microsecond=0)
    readings = [
        {"timestamp": (now - timedelta(minutes=2 - i)).isoformat().replace("+00:00", "Z"), "importWh": 0, "exportWh": 20_000 + 250 * i}
        for i in range(3)
    ]
    submitted = request(
        """mutation($m: ID!, $r: [MeterReadingInput!]!) { submitMeterReadings(meterId: $m, readings: $r) {
             accepted duplicates late rejected { index reason } } }""",
        {"m": meter_id, "r": readings},
        headers={"x-meter-key": env["GRIDLEDGER_METER_KEY"]},
    )["submitMeterReadings"]
    print(f"meter readings: {submitted['accepted']} accepted, {submitted['duplicates']} duplicate, {len(submitted['rejected'])} rejected")

    site = next(
        s for s in request("{ mySites { id community { id name intervalMinutes gateClosureMinutes } meters { id } } }", token=token)["mySites"]
        if any(m["id"] == meter_id for m in s["meters"])
    )
    c = site["community"]
    interval = c["intervalMinutes"] * 60
    # The first interval whose gate (gateClosureMinutes before its start) is a minute or more away.
    start = (int(time.time() + c["gateClosureMinutes"] * 60 + 60) // interval + 1) * interval
    order = request(
        """mutation($i: PlaceOrderInput!) { placeOrder(input: $i) { id status side energyWh limitPricePerKwh intervalStart } }""",
        {
            "i": {
                "communityId": c["id"],
                "siteId": site["id"],
                "intervalStart": datetime.fromtimestamp(start, timezone.utc).isoformat().replace("+00:00", "Z"),
                "side": "SELL",
                "energyWh": 500,
                "limitPricePerKwh": 100,
            }
        },
        token,
    )["placeOrder"]
    print(f"order placed in {c['name']}: {order['side']} {order['energyWh']} Wh at {order['limitPricePerKwh']}/kWh for {order['intervalStart']}, {order['status']}")


if __name__ == "__main__":
    main()
