#!/usr/bin/env python3
"""Reads Sluice's payloads with nothing but the standard library.

    python3 flat_payloads.py iot FILE         # one IoT Core message per line (payload-format: snapshot)
    python3 flat_payloads.py kinesis FILE     # Kinesis record data (record-format: jsonl), e.g. a Firehose S3 object
    python3 flat_payloads.py iot-packed FILE  # one IoT Core message per line (payload-format: json), either layout

Prints one JSON object per sample. iot and kinesis: {"kind", "connector", "stream", "tag", "value", "epoch_ms", "ts",
"asset"}; lap messages print once with kind "lap" and the lap record's fields under "value". iot-packed: {"kind",
"stream", "seq", "connector", "tag", "asset", "type", "value", "quality", "status", "ts", "st", "rt", "unit"} with
ts, st (null without a server time) and rt in nanoseconds since the epoch. Exits with 1 naming the line when a
message is not such a payload or its ISO time and epoch milliseconds disagree.
"""
import gzip
import json
import re
import sys

# The keys of a snapshot / lap message itself; every other key of a snapshot is a tag.
OWN_KEYS = {"type", "ts", "epoch_ms", "connector", "asset", "stream", "quality", "tag"}
ISO = re.compile(r"^(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(?:\.(\d{1,9}))?Z$")


def iso_epoch_ms(text):
    """ISO-8601 UTC time ("...Z", up to nanoseconds) as epoch milliseconds, rounded down."""
    import calendar
    m = ISO.match(text)
    if not m:
        raise ValueError("not an ISO-8601 UTC time: %r" % text)
    y, mo, d, h, mi, s = (int(g) for g in m.groups()[:6])
    frac = (m.group(7) or "").ljust(9, "0")
    return calendar.timegm((y, mo, d, h, mi, s)) * 1000 + int(frac) // 1_000_000


def from_iot(message):
    ms = message["epoch_ms"]
    if iso_epoch_ms(message["ts"]) != ms:
        raise ValueError("ts %s and epoch_ms %s disagree" % (message["ts"], ms))
    base = dict(connector=message["connector"], stream=message.get("stream"), epoch_ms=ms, ts=message["ts"],
                asset=message.get("asset", {}))
    if message["type"] == "lap":
        fields = {k: v for k, v in message.items() if k not in OWN_KEYS}
        yield dict(base, kind="lap", tag=message["tag"], value=fields)
    elif message["type"] == "snapshot":
        quality = message.get("quality", {})
        for key, value in message.items():
            if key in OWN_KEYS:
                continue
            tag = key[4:] if key.startswith("tag:") else key
            yield dict(base, kind="sample", tag=tag, value=value, quality=quality.get(key, "GOOD"))
    # other types: a later version's; ignored


def from_kinesis(line):
    ms = line["source_epoch_ms"]
    if iso_epoch_ms(line["source_time"]) != ms:
        raise ValueError("source_time %s and source_epoch_ms %s disagree" % (line["source_time"], ms))
    iso_epoch_ms(line["receive_time"])
    yield dict(kind="sample", connector=line["connector"], stream=line["stream"], tag=line["tag"],
               value=line["value"], quality=line["quality"], epoch_ms=ms, ts=line["source_time"],
               asset=line.get("asset", {}), seq=line["seq"])


def from_iot_packed(message):
    """A payload-format json message: {"v":1,"series":[...]} (series layout) or {"v":2,"groups":[...],...} (wide)."""
    if isinstance(message, (bytes, bytearray)):  # a raw payload; json-gzip starts with 1f 8b
        message = json.loads(gzip.decompress(message) if message[:2] == b"\x1f\x8b" else message)
    if message.get("v") == 1:
        for s in message["series"]:
            header = {k: s.get(k) for k in ("stream", "connector", "tag", "asset", "type", "quality", "status", "unit")}
            yield from rows(header, s, [0] * s["n"], lambda key: header)
    elif message.get("v") == 2:
        # the tag dictionary: every group's tags, concatenated; a row's "key" (delta-encoded) indexes it
        tags = [dict(g, tag=name) for g in message["groups"] for name in g["tags"]]
        yield from rows(None, message, message["key"], lambda key: tags[key])
    else:
        raise ValueError("payload version %r is not known to this reader" % message.get("v"))


def rows(header, table, keys, entry):
    """The samples of a series or a wide table: seq, ts, rt (and key) are delta-encoded, st offsets from ts."""
    n = table["n"]
    st = table.get("st")
    if any(len(table[k]) != n for k in ("seq", "ts", "rt", "value")) or len(keys) != n or (st and len(st) != n):
        raise ValueError("n and the array lengths differ")
    key = seq = ts = rt = 0
    for i in range(n):
        key, seq, ts, rt = key + keys[i], seq + table["seq"][i], ts + table["ts"][i], rt + table["rt"][i]
        e = entry(key)
        yield dict(kind="sample", stream=e["stream"], seq=seq, connector=e["connector"], tag=e["tag"],
                   asset=e.get("asset") or {}, type=e["type"], value=table["value"][i], quality=e["quality"],
                   status=e.get("status") or 0, ts=ts, st=None if st is None or st[i] is None else ts + st[i],
                   rt=rt, unit=e.get("unit"))


def main(kind, path):
    read = {"iot": from_iot, "kinesis": from_kinesis, "iot-packed": from_iot_packed}[kind]
    with open(path, encoding="utf-8") as f:
        for number, text in enumerate(f, 1):
            if not text.strip():
                continue
            try:
                for sample in read(json.loads(text)):
                    print(json.dumps(sample))
            except (ValueError, KeyError, TypeError, IndexError) as e:
                sys.exit("line %d: %s" % (number, e))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
