#!/usr/bin/env python3
"""Reads Sluice's rule-friendly payloads with nothing but the standard library.

    python3 flat_payloads.py iot FILE      # one IoT Core message per line (payload-format: snapshot)
    python3 flat_payloads.py kinesis FILE  # Kinesis record data (record-format: jsonl), e.g. a Firehose S3 object

Prints one JSON object per sample: {"kind", "connector", "stream", "tag", "value", "epoch_ms", "ts", "asset"};
lap messages print once with kind "lap" and the lap record's fields under "value". Exits with 1 naming the line
when a message is not such a payload or its ISO time and epoch milliseconds disagree.
"""
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


def main(kind, path):
    read = from_iot if kind == "iot" else from_kinesis
    with open(path, encoding="utf-8") as f:
        for number, text in enumerate(f, 1):
            if not text.strip():
                continue
            try:
                for sample in read(json.loads(text)):
                    print(json.dumps(sample))
            except (ValueError, KeyError, TypeError) as e:
                sys.exit("line %d: %s" % (number, e))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
