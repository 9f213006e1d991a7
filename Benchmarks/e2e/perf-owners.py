#!/usr/bin/env python3
"""Who owns each CPU sample of a `perf record -g` profile, leaf first.

Each sample goes to the first frame, walking from the leaf towards the root, that names one of
the proxy's parts (a handler, the router, the JSON parser, the audit log) or the HTTP parsing
(NIO's decoders before 2026-12-02, the proxy's own parsers after): so the parsing's own share
is not hidden in the inclusive figure of the handler it feeds. Everything else (kernel, NIO's
channel machinery, the runtime) is "other".

    perf script -i RUN/perf.data -F comm,tid,ip,sym | swift demangle --simplified \
        | python3 Benchmarks/e2e/perf-owners.py [--frames]

--frames also lists the frames that put samples in the "HTTP parsing" owner.
"""
import collections
import re
import sys

PARSING = re.compile(
    r"HTTPDecoder|BetterHTTPParser|llhttp|ByteToMessageHandler"  # NIO's decoders
    r"|HTTPSyntax|RequestParser|HeadLines|\bHeaderField\b|MessageFraming|ChunkedBody|MessageBody"
    r"|UpstreamResponseParser|RequestHeaders"  # the proxy's own (HTTPWire and the two parsers)
)
PARTS = re.compile(
    r"HTTPConnectionHandler|UpstreamConnection|MCPEndpoint|ToolRouter|ToolServer|JSONParser"
    r"|AuditLog|UpstreamRequestEncoder"
)


def samples(lines):
    frames = []
    for line in lines:
        if not line.strip():
            if frames:
                yield frames
            frames = []
        elif line[0] in " \t":
            parts = line.strip().split(" ", 1)
            frames.append(parts[1] if len(parts) > 1 else "?")
        else:
            frames = []
    if frames:
        yield frames


owners = collections.Counter()
parsing_frames = collections.Counter()
total = 0
for frames in samples(sys.stdin):
    total += 1
    owner = "other"
    for frame in frames:
        if PARSING.search(frame):
            owner = "HTTP parsing"
            parsing_frames[frame] += 1
            break
        part = PARTS.search(frame)
        if part:
            owner = part.group(0)
            break
    owners[owner] += 1

print(f"{total} samples")
for owner, count in owners.most_common():
    print(f"{100 * count / total:6.2f} %  {owner}")
if "--frames" in sys.argv:
    print("\nHTTP parsing, by the frame that owns the sample:")
    for frame, count in parsing_frames.most_common(15):
        print(f"{100 * count / total:6.2f} %  {frame[:120]}")
