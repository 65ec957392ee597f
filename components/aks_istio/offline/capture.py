"""Run the real Pulumi program in-process under mocks and capture every resource it registers.

What is captured is what the engine would see: type, name, URN, parent, options (protect, ignoreChanges,
dependencies) and the input properties with secrets and preview-time unknowns intact, so the same capture
feeds both the renderer and the policy pack's Analyzer interface.
"""

from __future__ import annotations

import contextvars
import copy
import hashlib
import logging
import re
import sys
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pulumi
from google.protobuf import json_format, struct_pb2
from pulumi.runtime import mocks as pulumi_mocks
from pulumi.runtime.config import set_all_config
from pulumi.runtime.settings import set_root_resource
from pulumi.runtime.stack import run_pulumi_func
from pulumi.runtime.sync_await import _sync_await

from aks_istio.offline.program_harness import (
    FAKE_SUBSCRIPTION,
    FAKE_TENANT,
    KNOWN_CALLS,
    SECRET_SIG,
    SIG_KEY,
    qualified_urn,
)
from aks_istio.offline.stack_files import PROJECT, engine_config

if TYPE_CHECKING:
    from aks_istio.config.stack import StackConfig

# An unknown value on the engine's wire (pulumi/sdk/go/common/resource/sig); a secret is an object with SIG_KEY.
UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"


class Secret:
    """A secret value as captured: rendered masked, compared by its content."""

    def __init__(self, value: Any) -> None:
        self.value = value

    def __repr__(self) -> str:
        return "[secret]"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other.value == self.value

    def __hash__(self) -> int:
        return hash(repr(self.value))


class Unknown:
    """A value only known after apply."""

    def __repr__(self) -> str:
        return "(known after apply)"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Unknown)

    def __hash__(self) -> int:
        return 0


def from_wire(value: Any) -> Any:
    """Engine JSON (secrets as sig objects, unknowns as a sentinel) -> Python with Secret/Unknown markers."""
    if isinstance(value, dict):
        if value.get(SIG_KEY) == SECRET_SIG:
            return Secret(from_wire(value.get("value")))
        return {k: from_wire(v) for k, v in value.items()}
    if isinstance(value, list):
        return [from_wire(v) for v in value]
    if value == UNKNOWN:
        return Unknown()
    if isinstance(value, float) and value.is_integer():
        return int(value)  # the wire has only doubles; every number we declare is an int or a real float
    return value


@dataclass
class CapturedResource:
    """One resource registration, as the engine received it."""

    urn: str
    type: str
    name: str
    custom: bool
    parent: str
    provider: str
    protect: bool
    ignore_changes: list[str]
    dependencies: list[str]
    additional_secret_outputs: list[str]
    aliases: list[dict[str, Any]]
    """The aliases the program declared, as sent to the engine (azure-native's own per-API-version aliases are
    left out offline: see `without_sdk_version_aliases`)."""
    properties: struct_pb2.Struct
    """Inputs on the wire: what the engine hands an analyzer (secrets and unknowns marked)."""
    inputs: dict[str, Any] = field(default_factory=dict)
    """The same inputs as Python values (Secret/Unknown markers)."""
    outputs: dict[str, Any] = field(default_factory=dict)
    """What the mocks answered (inputs echoed, plus computed ids with `computed=True`)."""
    retain_on_delete: bool = False
    """Deleting it only drops it from the state (patches on objects the add-on may remove, restarts)."""
    source: tuple[str, int] | None = None
    """Where another team's program declared it (file, line): `check --program` places findings there."""


@dataclass
class Capture:
    stack: str
    resources: list[CapturedResource]
    outputs: dict[str, Any]
    warnings: list[str] = field(default_factory=list)
    """What the program logged as warnings (`pulumi.log.warn`: the engine shows them beside the preview)."""

    def of_type(self, type_: str) -> list[CapturedResource]:
        return [r for r in self.resources if r.type == type_]


class ProgramError(Exception):
    """The program failed; `capture` holds whatever it had declared by then."""

    def __init__(self, message: str, capture: Capture) -> None:
        super().__init__(message)
        self.capture = capture


def _arm_id(type_: str, name: str, inputs: Mapping[str, Any]) -> str:
    """A plausible ARM id, so wiring between resources is visible in tests (never asserted as a value)."""
    _, module, kind = [*type_.split(":"), "", ""][:3]
    if kind == "ResourceGroup":
        return f"/subscriptions/{FAKE_SUBSCRIPTION}/resourceGroups/{name}"
    group = inputs.get("resourceGroupName", "rg")
    if kind == "Subnet":  # a child resource: its id runs through the VNet's (code that derives the VNet reads it)
        vnet = inputs.get("virtualNetworkName", "vnet")
        network = f"/subscriptions/{FAKE_SUBSCRIPTION}/resourceGroups/{group}/providers/Microsoft.Network"
        return f"{network}/virtualNetworks/{vnet}/subnets/{name}"
    return f"/subscriptions/{FAKE_SUBSCRIPTION}/resourceGroups/{group}/providers/Microsoft.{module}/{kind}/{name}"


def _as_outputs(inputs: dict[str, Any]) -> dict[str, Any]:
    """Reshape the few inputs whose output type differs (azure-native takes a list of user-assigned identity
    ids as input and returns a map keyed by id)."""
    identity = inputs.get("identity")
    if isinstance(identity, dict) and isinstance(identity.get("userAssignedIdentities"), list):
        ids = identity["userAssignedIdentities"]
        inputs["identity"] = {**identity, "userAssignedIdentities": {str(i or UNKNOWN): {} for i in ids}}
    return inputs


def _pem(kind: str) -> str:
    return f"-----BEGIN {kind}-----\nbW9jaw==\n-----END {kind}-----\n"


# Outputs that providers compute and our components read, for the non-Azure resources we use.
_COMPUTED_BY_TYPE: dict[str, dict[str, Any]] = {
    "tls:index/privateKey:PrivateKey": {"privateKeyPem": _pem("PRIVATE KEY"), "publicKeyPem": _pem("PUBLIC KEY")},
    "tls:index/selfSignedCert:SelfSignedCert": {"certPem": _pem("CERTIFICATE")},
    "tls:index/locallySignedCert:LocallySignedCert": {"certPem": _pem("CERTIFICATE")},
    "tls:index/certRequest:CertRequest": {"certRequestPem": _pem("CERTIFICATE REQUEST")},
    "random:index/randomString:RandomString": {"result": "x7k2q9"},
}


class AzureMocks(pulumi_mocks.Mocks):
    """Echo inputs back as outputs, like the engine does at preview.

    With `computed=True` (unit tests of wiring) resources also get ids, names and the few computed fields
    other resources read (principal ids, the secrets provider's identity, kubeconfigs). Any provider
    function we don't know raises, so an unmocked call can't silently return nothing.
    """

    def __init__(self, computed: bool = False) -> None:
        self.computed = computed

    def new_resource(self, args: pulumi_mocks.MockResourceArgs) -> tuple[str | None, dict[str, Any]]:
        state = _as_outputs(dict(args.inputs))
        if not self.computed:
            return "", state
        if not args.typ.startswith("azure-native:"):
            state.update(_COMPUTED_BY_TYPE.get(args.typ, {}))
            return f"{args.name}-id", state
        kind = args.typ.rsplit(":", 1)[-1]
        name_key = next((k for k in (kind[0].lower() + kind[1:] + "Name", "resourceName") if k in state), None)
        state.setdefault("name", state[name_key] if name_key else args.name)
        resource_id = _arm_id(args.typ, str(state["name"]), state)
        state["id"] = resource_id
        digest = hashlib.sha1(resource_id.encode()).hexdigest()
        if args.typ.endswith(":UserAssignedIdentity") or "identity" in state:
            state.setdefault("principalId", f"{digest[:8]}-0000-0000-0000-{digest[8:20]}")
            state.setdefault("clientId", f"{digest[20:28]}-0000-0000-0000-{digest[28:40]}")
        identity = state.get("identity")
        if isinstance(identity, dict) and identity.get("type") == "SystemAssigned":
            # ARM puts a system-assigned identity's ids inside `identity` (Grafana, DCE/DCR with identity).
            state["identity"] = {**identity, "principalId": state["principalId"], "tenantId": FAKE_TENANT}
        if args.typ == "azure-native:dashboard:Grafana":
            state["properties"] = {
                **(state.get("properties") or {}),
                "endpoint": f"https://{state['name']}.grafana.example",
            }
        if args.typ.endswith(":ManagedCluster"):
            addons = {k: dict(v) for k, v in (state.get("addonProfiles") or {}).items()}
            for addon_name, profile in addons.items():
                if profile.get("enabled"):
                    profile["identity"] = {"objectId": f"{addon_name}-object-id", "clientId": f"{addon_name}-client-id"}
            state["addonProfiles"] = addons
            state["oidcIssuerProfile"] = {"enabled": True, "issuerURL": "https://oidc.example/issuer/"}
            state["fqdn"] = f"{state['name']}.hcp.example.azmk8s.io"
        return resource_id, state

    def call(self, args: pulumi_mocks.MockCallArgs) -> tuple[dict[str, Any], list[tuple[str, str]] | None]:
        if args.token in KNOWN_CALLS:  # the ones `check --program` answers for any program
            return KNOWN_CALLS[args.token](args.args), []
        if args.token == "azure-native:dashboard:getGrafana":
            # An existing Managed Grafana (observability.grafana.existingId): its identity and endpoint.
            name = str(args.args.get("workspaceName"))
            return {
                "id": f"/subscriptions/{FAKE_SUBSCRIPTION}/resourceGroups/{args.args.get('resourceGroupName')}"
                f"/providers/Microsoft.Dashboard/grafana/{name}",
                "name": name,
                "identity": {"type": "SystemAssigned", "principalId": f"{name}-principal-id"},
                "properties": {"endpoint": f"https://{name}.grafana.example"},
            }, []
        raise NotImplementedError(f"no mock for provider function {args.token}; add one to AzureMocks.call")


# azure-native gives every resource one alias per API version it ever had ("azure-native:network/v20150501preview:
# PublicIPAddress" ... 60 of them for a public IP), so stacks built on versioned tokens move to the default one.
_SDK_VERSION_ALIAS = re.compile(r"^azure-native:(?P<module>\w+)/v\d{8}\w*:(?P<kind>\w+)$")


def _is_sdk_version_alias(alias: object, type_: str) -> bool:
    if not isinstance(alias, pulumi.Alias) or not isinstance(alias.type_, str):
        return False
    # The SDK marks an unset part with `...`; the SDK's version aliases set the type alone.
    others: tuple[object, ...] = (alias.name, alias.parent, alias.stack, alias.project)
    if any(part is not ... for part in others):
        return False
    match = _SDK_VERSION_ALIAS.match(alias.type_)
    return match is not None and type_ == f"azure-native:{match['module']}:{match['kind']}"


def without_sdk_version_aliases(args: pulumi.ResourceTransformationArgs) -> pulumi.ResourceTransformationResult | None:
    """A stack transformation for offline runs: drop the aliases azure-native adds for its old API versions.

    The SDK turns each alias into a URN through several outputs before the resource reaches the monitor: that
    was two thirds of the program's run time under mocks (prod: 0.55 s -> 0.2 s; issue #7). An alias only tells
    the engine which old state a resource may take over; the offline verdict does not send aliases to the pack
    and no rule reads them, so nothing rendered or checked changes. Aliases the program declares itself are kept,
    so a bad one still fails the run as it would under `pulumi up`, which keeps all of them.
    """
    aliases = args.opts.aliases
    if not aliases or not args.type_.startswith("azure-native:"):
        return None
    kept = [alias for alias in aliases if not _is_sdk_version_alias(alias, args.type_)]
    if len(kept) == len(aliases):
        return None
    opts = copy.copy(args.opts)
    opts.aliases = kept or None
    return pulumi.ResourceTransformationResult(args.props, opts)


OnRegister = Callable[[CapturedResource], None]
"""Told of each resource as it is registered (from the SDK's executor threads, in capture order)."""


def captured_registration(request: Any, urn: str, outputs: dict[str, Any]) -> CapturedResource:
    """A RegisterResource request as the record the offline tool keeps (any monitor: the mocks', or a gRPC one
    serving a component provider's Construct); `outputs` is what the monitor answered."""
    return CapturedResource(
        urn=urn,
        type=request.type,
        name=request.name,
        custom=bool(request.custom),
        parent=request.parent,
        provider=request.provider,
        protect=bool(request.protect),
        ignore_changes=list(request.ignoreChanges),
        dependencies=list(request.dependencies),
        additional_secret_outputs=list(request.additionalSecretOutputs),
        aliases=[json_format.MessageToDict(alias) for alias in request.aliases],
        properties=request.object,
        inputs=from_wire(json_format.MessageToDict(request.object)),
        outputs=outputs,
        retain_on_delete=bool(request.retainOnDelete),
    )


class CaptureMonitor(pulumi_mocks.MockMonitor):
    """The mock monitor, plus a record of every registration request."""

    def __init__(self, mocks: pulumi_mocks.Mocks, on_register: OnRegister | None = None) -> None:
        super().__init__(mocks)
        self.captured: list[CapturedResource] = []
        self._on_register = on_register
        # The SDK calls RegisterResource from its executor threads: one lock keeps `captured` and the callback's
        # sequence in the same order.
        self._lock = threading.Lock()

    def make_urn(self, parent: str, type_: str, name: str) -> str:
        """URNs as the engine builds them: the parent's whole qualified type chain, not just its last type
        (the SDK's mock keeps only the last), so golden URNs match what a real stack records."""
        return qualified_urn(pulumi.get_stack(), pulumi.get_project(), parent, type_, name)

    def RegisterResource(self, request: Any) -> Any:  # noqa: N802 (gRPC method name)
        response = super().RegisterResource(request)  # type: ignore[no-untyped-call]
        if request.type != "pulumi:pulumi:Stack":
            # The state was recorded by super() just above.
            captured = captured_registration(request, response.urn, dict(self.resources[response.urn].state))
            with self._lock:
                self.captured.append(captured)
                if self._on_register is not None:
                    self._on_register(captured)
        return response


def run_program(
    stack: str,
    config: Mapping[str, Any],
    program: Callable[[], object] | None = None,
    *,
    preview: bool = True,
    computed: bool = False,
    on_register: OnRegister | None = None,
    validated: StackConfig | None = None,
) -> Capture:
    """Run `program` (default: the aks-istio program, `aks_istio.program.main`) as `stack` with `config`;
    return what it declared.

    `on_register` sees each resource as soon as it is registered, while the program still runs (the verdict
    streams them to the policy pack). `validated`: the config the command already validated from `config`'s
    `aks-istio:platform`; the program takes it instead of validating the same object a second time. Runs in a
    fresh contextvars context, so several runs in one process never see each other's state.
    """
    if program is None:
        import aks_istio.program  # only our own stacks need it (and the SDKs it loads), not `check --program`

        program = aks_istio.program.main
    main = program
    return contextvars.Context().run(_run, stack, config, main, preview, computed, on_register, validated)


def _run(
    stack: str,
    config: Mapping[str, Any],
    program: Callable[[], object],
    preview: bool,
    computed: bool,
    on_register: OnRegister | None,
    validated: StackConfig | None,
) -> Capture:
    set_root_resource(None)  # type: ignore[arg-type]
    if validated is not None:
        from aks_istio.config import CONFIG_ROOT
        from aks_istio.config.stack import VALIDATED

        platform = config.get(CONFIG_ROOT)
        if isinstance(platform, Mapping):
            VALIDATED.set((platform, validated))
    # As the engine does: the values `pulumi config set --secret` wrote are handed over as secret keys (offline the
    # value stays its ciphertext; nothing is decrypted).
    from aks_istio.config.secrets import is_secure  # here: `check --program` runs without our config models

    set_all_config(engine_config(config), [key for key, value in config.items() if is_secure(value)])
    monitor = CaptureMonitor(AzureMocks(computed=computed), on_register)
    logged = _WarningLog()
    pulumi.runtime.set_mocks(
        monitor.mocks, project=PROJECT, stack=stack, preview=preview, monitor=monitor, logger=logged.logger
    )

    def body() -> None:
        pulumi.runtime.register_stack_transformation(without_sdk_version_aliases)
        program()

    try:
        _sync_await(run_pulumi_func(body))
    except Exception as error:
        captured = Capture(stack=stack, resources=list(monitor.captured), outputs={}, warnings=logged.warnings)
        raise ProgramError(str(error), captured) from error
    root = pulumi.runtime.get_root_resource()
    exported: dict[str, Any] = dict(getattr(root, "outputs", {}) or {})
    outputs = {key: _resolve(value) for key, value in exported.items()}
    return Capture(stack=stack, resources=list(monitor.captured), outputs=outputs, warnings=logged.warnings)


class _WarningLog(logging.Handler):
    """The mock engine's log (what the engine would show beside the preview): warnings are kept for the command to
    place and print in the format asked for; errors go to stderr, as logging's last resort printed them."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.warnings: list[str] = []
        self.logger = logging.Logger(f"{PROJECT}.program", logging.WARNING)  # not in logging's tree: ours alone
        self.logger.addHandler(self)

    def emit(self, record: logging.LogRecord) -> None:
        if record.levelno == logging.WARNING:
            self.warnings.append(record.getMessage())
        else:
            print(record.getMessage(), file=sys.stderr)


def _resolve(value: Any) -> Any:
    output = pulumi.Output.from_input(value)
    if not _sync_await(output.is_known()):
        return Unknown()
    resolved = _sync_await(output.future())
    return Secret(resolved) if _sync_await(output.is_secret()) else resolved
