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
--groups gives each sample instead to the first frame, leaf first, that names one of the
coarser GROUPS below (the kernel and the Swift runtime included): the table of
docs/benchmarks.md, "Results, 2026-12-02 (third)".
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

# Checked in this order for each frame; a frame's first match owns the sample.
GROUPS = [
    ("kernel (system calls, interrupts)", r"entry_SYSCALL|asm_sysvec|irqentry|asm_common_interrupt"),
    ("Swift concurrency (jobs, task switches, continuations, the connection task)",
     r"swift_task_|swift_job_run|swift_continuation|withStatusRecordLock|EventLoopTaskExecutor|ConnectionWorker"),
    ("JSON-RPC parse", r"JSONParser|JSONRPCMessage|JSONDocument"),
    ("tool result and reply", r"writeCallToolResult|JSONValue\.write|ToolServer\.encode|LogoutResult"),
    ("audit record and write (user space)", r"AuditLog|AuditRecord"),
    ("HTTP parsing, both parsers", r"RequestParser|HeadLines|HeaderField|HTTPSyntax|MessageBody|RequestHeaders|UpstreamResponseParser"),
    ("tenant request (admin client, token, pool, request bytes)",
     r"UpstreamRequest|UpstreamPool|UpstreamClient|KeycloakAdminClient|PathSegment|PercentEncoding|TokenCache"),
    ("isolation and metrics",
     r"CallLimiter|CircuitBreaker|TenantRuntime|RuntimeLifecycle|TenantMeters|ProxyMetrics|Prometheus|Counter|Timer|Gauge|Histogram|Meter\b|recordMetrics"),
    ("router, policy, arguments, request id", r"ToolRouter|Policy|ToolArguments|RequestID|TenantRegistry"),
    ("/mcp checks, tool server, both handlers, the answer",
     r"MCPEndpoint|AccessRules|ToolServer|HTTPConnectionHandler|OutgoingResponse|UpstreamConnection"),
    ("NIO's channel machinery",
     r"SelectableEventLoop|Selector|BaseSocketChannel|BaseStreamSocketChannel|ChannelPipeline|ChannelHandlerContext"
     r"|IdleStateHandler|PendingStreamWrites|PendingWrites|ByteBuffer"),
]


def group_of(frames):
    for frame in frames:
        for name, pattern in GROUP_PATTERNS:
            if pattern.search(frame):
                return name
    return "other"


GROUP_PATTERNS = [(name, re.compile(pattern)) for name, pattern in GROUPS]


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


if "--groups" in sys.argv:
    groups = collections.Counter()
    count = 0
    for frames in samples(sys.stdin):
        count += 1
        groups[group_of(frames)] += 1
    print(f"{count} samples")
    for name, _ in GROUPS + [("other", None)]:
        print(f"{100 * groups[name] / max(count, 1):6.2f} %  {name}")
    sys.exit(0)

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
