#!/usr/bin/env python3
"""Who owns each CPU sample of a `perf record -g` profile, leaf first.

Each sample goes to the first frame, walking from the leaf towards the root, that names one of
the proxy's parts (a handler, the router, the JSON coding, the audit log) or the HTTP parsing
(NIO's decoders, under Hummingbird and AsyncHTTPClient since issue 20): so the parsing's own
share is not hidden in the inclusive figure of the handler it feeds. Everything else (kernel,
NIO's channel machinery, the runtime) is "other".

    perf script -i RUN/perf.data -F comm,tid,ip,sym | swift demangle --simplified \
        | python3 Benchmarks/e2e/perf-owners.py [--frames]

--frames also lists the frames that put samples in the "HTTP parsing" owner.
--groups gives each sample instead to the first frame, leaf first, that names one of the
coarser GROUPS below (the kernel and the Swift runtime included).
"""
import collections
import re
import sys

PARSING = re.compile(r"HTTPDecoder|BetterHTTPParser|llhttp|ByteToMessageHandler")
PARTS = re.compile(
    r"MCPEndpoint|ToolRouter|ToolServer|JSONRPCMessage|JSONCoding|JSONDecoder|JSONEncoder|AuditLog"
    r"|UpstreamClient|HTTPClient|HTTP1ClientChannelHandler|HTTP1Channel|RouterResponder"
)

# Checked in this order for each frame; a frame's first match owns the sample.
GROUPS = [
    ("kernel: waking and switching threads (futex, scheduler)", r"futex|__schedule|finish_task_switch|try_to_wake_up"),
    ("kernel: other (network, epoll, writes)", r"entry_SYSCALL|asm_sysvec|irqentry|asm_common_interrupt"),
    ("Swift concurrency (jobs, task switches, continuations, enqueue)",
     r"swift_task_|swift_job_run|swift_continuation|withStatusRecordLock|_dispatch_|sem_post"),
    ("JSON decode (JSONDecoder into JSONValue, JSON-RPC envelope)", r"JSONDecoder|JSONRPCMessage|JSONValue\.init\(from"),
    ("JSON encode (JSONEncoder: result, reply, audit record)", r"JSONEncoder|JSONCoding\.encode|JSONValue\.encode|ToolServer\.encode"),
    ("audit record and writer", r"AuditLog|AuditRecord|AuditWriter"),
    ("HTTP parsing (NIO's llhttp, both sides)", r"HTTPDecoder|BetterHTTPParser|llhttp"),
    ("AsyncHTTPClient (pool, request, response)", r"HTTPClient|HTTPConnectionPool|HTTP1ClientChannelHandler|HTTP1Connection|Transaction|RequestBag"),
    ("tenant request (admin client, token)", r"UpstreamClient|UpstreamRequest|KeycloakAdminClient|TokenCache"),
    ("isolation and metrics", r"CallLimiter|CircuitBreaker|TenantRuntime|TenantMeters|ProxyMetrics|Prometheus|Deadlines"),
    ("router, policy, arguments, result", r"ToolRouter|Policy|ToolArguments|RequestID|TenantRegistry|ToolOutcome|LogoutResult"),
    ("Hummingbird (router, middleware, /mcp, response writer)",
     r"Hummingbird|HTTP1Channel|RouterResponder|Middleware|MCPEndpoint|ToolServer|NIOAsyncChannel|HTTPServerHandler"),
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
