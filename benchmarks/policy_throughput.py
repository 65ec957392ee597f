"""Policy throughput: resources per second through the Analyzer protocol with the full pack, and what each policy
costs per resource, so a slow rule shows up before it shows up in everybody's preview.

The prod stack is captured once (under the same mocks as the offline preview); the pack is started once and
configured with prod's policy config, exactly as `aks_istio.verdict` does. Then, over gRPC:

* Analyze: the captured resources, repeated until `--requests` requests were sent (one resource each), one
  after the other, then pipelined (up to `verdict.IN_FLIGHT` ahead, as the streamed verdict sends them);
* AnalyzeStack: the whole stack, `--stacks` times (the mean);
* where an Analyze call's time goes: CPU seconds of this process (the client) and of the pack process per call;
* the transport floor: the same requests, the same way, to an Analyzer whose Analyze does nothing (a server
  set up as pulumi_policy sets up the pack's), i.e. what Python gRPC alone costs per call on this machine.

Throughput is the full verdict: one Analyze per resource plus each resource's share of one AnalyzeStack. The
target (>= 400 resources/s) is for the pack as the engine drives it, one Analyze at a time, each waiting for the
previous reply; the same with the Analyze calls pipelined as the offline preview's `verdict.Stream` sends them (up
to `verdict.IN_FLIGHT` in flight) is printed beside it.

Per policy, in-process: each policy's own `validate` over the same resources, with the SDK's argument objects
built beforehand (so the figure is the rule's cost, µs per resource), slowest first. The SDK's own unmarshalling
(protobuf Struct -> dict -> unknown-checking proxy), which pulumi_policy repeats for every resource policy, is
reported on its own lines. Writes benchmarks/results/policy_throughput_<stack>.json.

    python benchmarks/policy_throughput.py [--stack prod] [--requests 3000] [--stacks 20]

The pack runs as the Pulumi engine runs it, and as the offline tool starts it: pulumi-policy as shipped.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from collections import deque
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Final

from _common import write
from pack_in_process import in_process, per_policy

TARGET_PER_S: Final = 400.0


def cpu_seconds(pid: int) -> float | None:
    """User + system CPU seconds of a process so far (Linux /proc; None elsewhere)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _us_per_call(seconds: float | None, calls: int) -> float | None:
    return None if seconds is None else round(seconds / calls * 1e6, 1)


def through_grpc(
    stack: str, resources: Sequence[Any], environment: str | None, requests: int, stacks: int
) -> dict[str, Any]:
    from aks_istio.offline import verdict
    from aks_istio.offline.analyzer_client import Analyzer, resolve_config

    t0 = time.perf_counter()
    with verdict.start(stack) as process:
        analyzer = Analyzer(process.stub())
        started = time.perf_counter() - t0
        policies = analyzer.info()
        analyzer.configure(resolve_config(policies, verdict.policy_config(environment)))
        for resource in resources:  # warm-up: the pack's first call of each rule
            analyzer.analyze(resource)
        analyzer.analyze_stack(resources)

        batch = [resources[i % len(resources)] for i in range(requests)]
        pack_cpu_0, client_cpu_0 = cpu_seconds(process.pid), time.process_time()
        t0 = time.perf_counter()
        diagnostics = 0
        for resource in batch:
            diagnostics += len(analyzer.analyze(resource))
        analyze_s = time.perf_counter() - t0
        client_cpu = time.process_time() - client_cpu_0
        pack_cpu_1 = cpu_seconds(process.pid)
        pack_cpu = None if pack_cpu_0 is None or pack_cpu_1 is None else pack_cpu_1 - pack_cpu_0

        # As the streamed verdict sends them: up to verdict.IN_FLIGHT calls ahead of their replies.
        t0 = time.perf_counter()
        in_flight: deque[Callable[[], list[Any]]] = deque()
        pipelined = 0
        for resource in batch:
            in_flight.append(analyzer.analyze_later(resource))
            if len(in_flight) > verdict.IN_FLIGHT:
                pipelined += len(in_flight.popleft()())
        pipelined += sum(len(collect()) for collect in in_flight)
        pipelined_s = time.perf_counter() - t0
        assert pipelined == diagnostics

        t0 = time.perf_counter()
        for _ in range(stacks):
            analyzer.analyze_stack(resources)
        stack_s = (time.perf_counter() - t0) / stacks

    per_resource_s = analyze_s / requests
    full_per_s = len(resources) / (per_resource_s * len(resources) + stack_s)
    full_pipelined_per_s = len(resources) / (pipelined_s / requests * len(resources) + stack_s)
    return {
        "pack_start_s": round(started, 3),
        "policies": len(policies),
        "resource_policies": sum(not p.stack for p in policies),
        "stack_policies": sum(p.stack for p in policies),
        "analyze_requests": requests,
        "analyze_s": round(analyze_s, 3),
        "analyze_requests_per_s": round(requests / analyze_s, 1),
        "analyze_ms_per_request": round(per_resource_s * 1000, 3),
        "analyze_client_cpu_us_per_request": _us_per_call(client_cpu, requests),
        "analyze_pack_cpu_us_per_request": _us_per_call(pack_cpu, requests),
        "analyze_pipelined_requests_per_s": round(requests / pipelined_s, 1),
        "diagnostics_per_pass": round(diagnostics * len(resources) / requests, 1),
        "analyze_stack_calls": stacks,
        "analyze_stack_ms": round(stack_s * 1000, 2),
        "analyze_stack_resources_per_s": round(len(resources) / stack_s, 1),
        "full_verdict_resources_per_s": round(full_per_s, 1),
        "full_verdict_pipelined_resources_per_s": round(full_pipelined_per_s, 1),
    }


EMPTY_ANALYZER: Final = """
import sys, time
from concurrent import futures
import grpc
from pulumi.runtime.proto import analyzer_pb2, analyzer_pb2_grpc

class Empty(analyzer_pb2_grpc.AnalyzerServicer):
    def Analyze(self, request, context):
        return analyzer_pb2.AnalyzeResponse()

# As pulumi_policy 1.21's PolicyPack serves the pack: a 4-thread pool, the same message-size option.
options = [("grpc.max_receive_message_length", 400 * 1024 * 1024)]
server = grpc.server(futures.ThreadPoolExecutor(max_workers=4), options=options)
analyzer_pb2_grpc.add_AnalyzerServicer_to_server(Empty(), server)
port = server.add_insecure_port("127.0.0.1:0")
server.start()
print(port, flush=True)
while True:
    time.sleep(3600)
"""


def transport_floor(resources: Sequence[Any], requests: int) -> dict[str, Any]:
    """The same Analyze requests, sent the same ways, to a server that answers each with an empty reply."""
    import grpc  # type: ignore[import-untyped]  # grpcio ships no type stubs
    from pulumi.runtime.proto import analyzer_pb2_grpc

    from aks_istio.offline import verdict
    from aks_istio.offline.analyzer_client import analyze_request

    server = subprocess.Popen([sys.executable, "-c", EMPTY_ANALYZER], stdout=subprocess.PIPE)
    try:
        assert server.stdout is not None
        channel = grpc.insecure_channel(f"127.0.0.1:{server.stdout.readline().decode().strip()}")
        stub = analyzer_pb2_grpc.AnalyzerStub(channel)
        batch = [resources[i % len(resources)] for i in range(requests)]
        for resource in batch[: len(resources)]:
            stub.Analyze(analyze_request(resource))
        server_cpu_0, client_cpu_0 = cpu_seconds(server.pid), time.process_time()
        t0 = time.perf_counter()
        for resource in batch:
            stub.Analyze(analyze_request(resource))
        sequential_s = time.perf_counter() - t0
        client_cpu = time.process_time() - client_cpu_0
        server_cpu_1 = cpu_seconds(server.pid)
        server_cpu = None if server_cpu_0 is None or server_cpu_1 is None else server_cpu_1 - server_cpu_0
        t0 = time.perf_counter()
        in_flight: deque[Any] = deque()
        for resource in batch:
            in_flight.append(stub.Analyze.future(analyze_request(resource)))
            if len(in_flight) > verdict.IN_FLIGHT:
                in_flight.popleft().result()
        for future in in_flight:
            future.result()
        pipelined_s = time.perf_counter() - t0
        channel.close()
    finally:
        server.terminate()
        server.wait()
    return {
        "requests_per_s": round(requests / sequential_s, 1),
        "ms_per_request": round(sequential_s / requests * 1000, 3),
        "client_cpu_us_per_request": _us_per_call(client_cpu, requests),
        "server_cpu_us_per_request": _us_per_call(server_cpu, requests),
        "pipelined_requests_per_s": round(requests / pipelined_s, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stack", default="prod")
    parser.add_argument("--requests", type=int, default=3000, help="Analyze requests to send (default 3000)")
    parser.add_argument("--stacks", type=int, default=20, help="AnalyzeStack calls (default 20)")
    parser.add_argument("--top", type=int, default=15, help="policies to print, slowest first (default 15)")
    args = parser.parse_args()

    from aks_istio.offline import verdict
    from aks_istio.offline.capture import run_program
    from aks_istio.offline.stack_files import stack_config

    raw = stack_config(args.stack)
    platform = raw.get("aks-istio:platform")
    environment = verdict.environment_of(
        args.stack, platform.get("environment") if isinstance(platform, dict) else None
    )
    capture = run_program(args.stack, raw)
    resources = [verdict.analyzer_resource(r) for r in capture.resources]

    grpc_figures = through_grpc(args.stack, resources, environment, args.requests, args.stacks)
    floor = transport_floor(resources, args.requests)
    direct_figures = in_process(resources, environment, args.requests)
    policy_figures = per_policy(resources, environment)
    met = grpc_figures["full_verdict_resources_per_s"] >= TARGET_PER_S

    g = grpc_figures
    print(
        f"stack {args.stack}: {len(resources)} resources, {g['policies']} policies "
        f"({g['resource_policies']} resource, {g['stack_policies']} stack), config: {environment or 'pack defaults'}"
    )
    print(
        f"  Analyze        {g['analyze_requests']:>6} requests  {g['analyze_s']:6.2f} s  "
        f"{g['analyze_requests_per_s']:8.0f} requests/s  ({g['analyze_ms_per_request']:.2f} ms each)"
    )
    if g["analyze_pack_cpu_us_per_request"] is not None:
        print(
            f"    CPU per call: this process (client) {g['analyze_client_cpu_us_per_request']:.0f} µs, "
            f"the pack process {g['analyze_pack_cpu_us_per_request']:.0f} µs"
        )
    print(
        f"  Analyze, pipelined (as the streamed verdict sends them): "
        f"{g['analyze_pipelined_requests_per_s']:.0f} requests/s"
    )
    server_cpu = floor["server_cpu_us_per_request"]
    print(
        f"  transport floor (same requests, an Analyze that does nothing): {floor['requests_per_s']:.0f} requests/s "
        f"({floor['ms_per_request']:.2f} ms each), {floor['pipelined_requests_per_s']:.0f}/s pipelined"
        + (
            f"; CPU per call: client {floor['client_cpu_us_per_request']:.0f} µs, server {server_cpu:.0f} µs"
            if server_cpu is not None
            else ""
        )
    )
    print(
        f"  AnalyzeStack   {g['analyze_stack_calls']:>6} calls     {g['analyze_stack_ms']:6.1f} ms each  "
        f"{g['analyze_stack_resources_per_s']:8.0f} resources/s"
    )
    transport = g["analyze_ms_per_request"] - direct_figures["analyze_ms_per_request"]
    print(
        f"  Analyze in-process (the pack's servicer, no gRPC): {direct_figures['analyze_ms_per_request']:.2f} ms "
        f"each, {direct_figures['requests_per_s']:.0f}/s; gRPC and the second process: {transport:.2f} ms each"
    )
    print(
        f"  throughput, full verdict (one Analyze at a time, as the engine sends them, + one AnalyzeStack): "
        f"{g['full_verdict_resources_per_s']:.0f} resources/s  "
        f"(target >= {TARGET_PER_S:,.0f}/s: {'met' if met else 'NOT met'}); "
        f"Analyze pipelined as the offline preview sends them: {g['full_verdict_pipelined_resources_per_s']:.0f}"
    )
    p = policy_figures
    print(f"\nper policy, in-process, slowest first (µs per resource over {len(resources)} resources):")
    print(f"  {'policy':<52} {'kind':<8} {'level':<10} {'µs/resource':>11}")
    for row in p["policies"][: args.top]:
        print(f"  {row['policy']:<52} {row['kind']:<8} {row['level']:<10} {row['us_per_resource']:>11.2f}")
    rest = p["policies"][args.top :]
    if rest:
        print(f"  ({len(rest)} more, {sum(r['us_per_resource'] for r in rest):.2f} µs/resource together)")
    print(f"  {'all rules together':<72} {p['rules_us_per_resource']:>11.2f}")
    print(f"  {'SDK unmarshal, once':<72} {p['sdk_unmarshal_us_per_resource']:>11.2f}")
    print(
        f"  {'SDK unmarshal, as the SDK does it (once per resource policy)':<72} "
        f"{p['sdk_unmarshal_us_per_resource_all_policies']:>11.1f}"
    )
    result = {
        "stack": args.stack,
        "environment": environment,
        "resources": len(resources),
        "target_resources_per_s": TARGET_PER_S,
        "target_met": met,
        "grpc": grpc_figures,
        "transport_floor": floor,
        "pack_in_process": direct_figures,
        "in_process": policy_figures,
    }
    print("wrote", write(f"policy_throughput_{args.stack}", result))


if __name__ == "__main__":
    main()
