"""The `aks-istio` component package: the public components served to every Pulumi language.

Pulumi runs `provider/__main__.py` as a plugin (`pulumi package add`, then `pulumi up` in a TypeScript, Go, C#,
Java or YAML program); it calls `serve`. The schema is inferred from the components' type annotations by
Pulumi's Python component-provider host (pulumi.provider.experimental), unmodified; see
https://www.pulumi.com/docs/iac/guides/building-extending/components/build-a-component/

What `DataclassArgsProvider` adds to that host, on its public API only (the `Provider(version, schema)` it is, the
`map_inputs` it overrides; never the host's private analysis):

- The inference carries no defaults: a dataclass field with a default comes out required, so a TypeScript caller
  would have to repeat every default. The generated schema is amended: those fields are optional, each default is
  stated in the field's description (as JSON, the one notation every SDK's reader knows), a field a base class
  declares gets its docstring, descriptions are Markdown (the docstrings' indentation removed, or a continued
  paragraph would render as a code block), and the inputs and outputs that carry secrets are marked secret
  (`SECRET_PROPERTIES`).
- Construct hands the Args dataclass, not a dict: the wire's camelCase object is rebuilt into the annotated Args
  (nested dataclasses, lists and maps of them, enums, integers), with the values' checks held until the whole
  object is built, so every problem is an invalid-input error at its own property path, in the words a stack file
  gets. `AksIstioPlatform`'s `platform` is read exactly as a stack file's `aks-istio:platform` is
  (`aks_istio.config.load_stack_config`: presets, every problem at once).
"""

import dataclasses
import enum
import importlib.metadata
import inspect
import json
import sys
import tomllib
import types
import typing
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Final

import pulumi
from pulumi.errors import InputPropertiesError, InputPropertyError, InputPropertyErrorDetails
from pulumi.provider.experimental.analyzer import Analyzer, ComponentDefinition
from pulumi.provider.experimental.component import ComponentProvider
from pulumi.provider.experimental.util import camel_case
from pulumi.provider.server import main

import aks_istio
from aks_istio.config.invalid import CONFIG_ROOT, ConfigError
from aks_istio.kubernetes_provider import REQUIRED
from aks_istio.tokens import PACKAGE
from aks_istio.value_checks import InvalidValueError, deferred_checks, field_docstrings, problems_of, render_path

DISTRIBUTION = "aks-istio"
"""The Python distribution whose version the package reports (pyproject.toml `project.name`)."""
CHECKOUT_PYPROJECT = Path(__file__).resolve().parents[2] / "pyproject.toml"
"""pyproject.toml of the checkout the plugin runs from (`pulumi package add` clones the repo)."""

PLATFORM = "AksIstioPlatform"
PLATFORM_INPUT = "platform"
"""The input holding a stack file's `aks-istio:platform` object (`AksIstioPlatformArgs.platform`)."""

SECRET_PROPERTIES: Final[Mapping[str, frozenset[str]]] = {
    "AksIstioPlatform": frozenset({"grafanaDashboardsToken", "kubeconfig"}),
    "AksIstioCluster": frozenset({"kubeconfig"}),
    "ManagedGrafana": frozenset({"dashboardsToken"}),
}
"""Inputs and outputs (schema names) that carry credentials: marked secret in the schema, so every SDK keeps
them secret (the inference cannot tell; the Python side wraps them in `pulumi.Output.secret`)."""


def config_problem(problem: str) -> InputPropertyErrorDetails:
    """One line of a stack-config error (`aks-istio:platform.mesh.revision: ...`) as an invalid input
    (`platform.mesh.revision`), the path the caller wrote."""
    key, _, reason = problem.partition(": ")
    path = PLATFORM_INPUT + key.removeprefix(CONFIG_ROOT) if key.startswith(CONFIG_ROOT) else PLATFORM_INPUT
    return InputPropertyErrorDetails(property_path=path, reason=reason or problem)


def package_version() -> str:
    """The version the schema reports, which names the generated SDK's version: the checkout's own when the
    plugin runs from one (its virtualenv holds only the runtime, not this library), else the installed one."""
    if CHECKOUT_PYPROJECT.is_file():
        version: str = tomllib.loads(CHECKOUT_PYPROJECT.read_text())["project"]["version"]
        return version
    return importlib.metadata.version(DISTRIBUTION)


def public_components() -> list[type[pulumi.ComponentResource]]:
    """Every component the library exports (`aks_istio.__all__`), in export order."""
    exported = (getattr(aks_istio, name) for name in aks_istio.__all__)
    return [c for c in exported if inspect.isclass(c) and issubclass(c, pulumi.ComponentResource)]


def inference_errors(components: Sequence[type[pulumi.ComponentResource]]) -> dict[str, str]:
    """Components whose schema Pulumi's inference refuses, with its error (one analysis per component, so one
    refusal names its own component and does not hide the others)."""
    refused: dict[str, str] = {}
    for component in components:
        try:
            Analyzer(PACKAGE).analyze([component])
        except Exception as error:  # the analyzer raises plain Exception, ValueError, AttributeError...
            refused[component.__name__] = f"{type(error).__name__}: {error}"
    return refused


def args_type(component: type[pulumi.ComponentResource]) -> Any:
    """The annotated type of the component's `args` parameter (what the inference reads, too)."""
    return inspect.get_annotations(component.__init__)["args"]


def field_annotations(cls: type) -> dict[str, Any]:
    """A dataclass's field annotations as written, base classes first. Not `typing.get_type_hints`: it evaluates
    the forward reference inside `pulumi.Input` and fails; the inference reads them this way too."""
    annotations: dict[str, Any] = {}
    for base in reversed(cls.__mro__):
        annotations.update(inspect.get_annotations(base))
    return annotations


def _unwrapped(annotation: Any) -> Any:
    """`X` of `X | None` and of `pulumi.Input[X]` (a Union of X, Awaitable and Output)."""
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        return _unwrapped(typing.get_args(annotation)[0])
    return annotation


def from_wire(annotation: Any, value: Any, path: str, component: str) -> Any:
    """`value`, as Construct received it (schema names), as the Python type `annotation` describes: camelCase
    objects become the dataclasses they stand for, recursively; a missing required field is an invalid input
    at its path. Values of any other shape (plain values, Outputs of wired inputs) are passed through; the
    dataclasses' own checks judge them."""
    if value is None:
        return None
    annotation = _unwrapped(annotation)
    origin = typing.get_origin(annotation)
    arguments = typing.get_args(annotation)
    if annotation is int and isinstance(value, float) and value.is_integer():
        return int(value)  # the wire has only doubles
    if isinstance(annotation, type) and issubclass(annotation, enum.Enum) and not isinstance(value, annotation):
        try:
            return annotation(value)
        except ValueError:
            return value  # the dataclass's own check refuses it, listing what is allowed
    if dataclasses.is_dataclass(annotation) and isinstance(annotation, type) and isinstance(value, Mapping):
        hints = field_annotations(annotation)
        kwargs: dict[str, Any] = {}
        for field in dataclasses.fields(annotation):
            if not field.init:
                continue
            name = camel_case(field.name)
            where = f"{path}.{name}" if path else name
            if value.get(name) is not None:
                kwargs[field.name] = from_wire(hints[field.name], value[name], where, component)
            elif field.default is dataclasses.MISSING and field.default_factory is dataclasses.MISSING:
                raise InputPropertyError(where, f"Missing required input '{where}' on '{component}'")
        return annotation(**kwargs)
    if origin in (list, Sequence) and arguments and isinstance(value, list):
        return [from_wire(arguments[0], item, f"{path}[{i}]", component) for i, item in enumerate(value)]
    if origin in (dict, Mapping) and len(arguments) == 2 and isinstance(value, Mapping):
        return {key: from_wire(arguments[1], item, f"{path}.{key}", component) for key, item in value.items()}
    return value


def wire_value(value: Any) -> Any:
    """A Python Args value as another language's SDK sends it: camelCase keys (the schema's names), enum values,
    unset optional fields left out."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        fields = {f.name: getattr(value, f.name) for f in dataclasses.fields(value)}
        return {camel_case(k): wire_value(v) for k, v in fields.items() if v is not None}
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, Mapping):
        return {k: wire_value(v) for k, v in value.items()}
    if isinstance(value, Sequence) and not isinstance(value, str):
        return [wire_value(v) for v in value]
    return value


def field_default(field: dataclasses.Field[Any]) -> Any:
    """The value an omitted field takes, or `dataclasses.MISSING`."""
    if field.default_factory is not dataclasses.MISSING:
        return field.default_factory()
    return field.default


def tidy(description: str | None) -> str | None:
    """A docstring as Markdown: without its indentation, which would turn a continued paragraph into code."""
    return inspect.cleandoc(description) if description else description


def schema_types(components: Sequence[type[pulumi.ComponentResource]]) -> dict[str, type]:
    """The schema token of every dataclass and enum the components' Args hold (the names the inference gives
    them: `aks-istio:index:<ClassName>`) -> the class."""
    found: dict[str, type] = {}

    def visit(annotation: Any) -> None:
        annotation = _unwrapped(annotation)
        for argument in typing.get_args(annotation):
            visit(argument)
        if not isinstance(annotation, type) or f"{PACKAGE}:index:{annotation.__name__}" in found:
            return
        if issubclass(annotation, enum.Enum):
            found[f"{PACKAGE}:index:{annotation.__name__}"] = annotation
        elif dataclasses.is_dataclass(annotation):
            found[f"{PACKAGE}:index:{annotation.__name__}"] = annotation
            for hint in field_annotations(annotation).values():
                visit(hint)

    for component in components:
        for hint in field_annotations(args_type(component)).values():
            visit(hint)
    return found


def _tidy_property(prop: dict[str, Any]) -> None:
    if "description" in prop:
        prop["description"] = tidy(prop["description"])
    for element in (prop.get("items"), prop.get("additionalProperties")):
        if isinstance(element, dict):
            _tidy_property(element)


def amend_object(
    schema: dict[str, Any], cls: type, *, properties: str, required: str, secrets: frozenset[str] = frozenset()
) -> None:
    """Amend the schema of `cls` (a component's inputs, or an object type): the fields with a default optional and
    their default stated, descriptions from base classes filled in and tidied, secrets marked."""
    fields = {camel_case(f.name): f for f in dataclasses.fields(cls)} if dataclasses.is_dataclass(cls) else {}
    docs = field_docstrings(cls) if dataclasses.is_dataclass(cls) else {}
    optional: set[str] = set()
    for name, prop in schema.get(properties, {}).items():
        field = fields.get(name)
        if field is not None and "description" not in prop and field.name in docs:
            prop["description"] = docs[field.name]
        _tidy_property(prop)
        if name in secrets:
            prop["secret"] = True
        default = dataclasses.MISSING if field is None else field_default(field)
        if default is dataclasses.MISSING or (field is not None and field.metadata.get(REQUIRED)):
            continue  # required (a `REQUIRED` field's Python default only exists to be refused with a message)
        optional.add(name)
        if default is not None:  # an Optional field's description says what unset means
            prop["description"] = f"{prop.get('description') or ''} Default: `{json.dumps(wire_value(default))}`."
            prop["description"] = prop["description"].lstrip()
    if required in schema:
        schema[required] = [name for name in schema[required] if name not in optional]
        if not schema[required]:
            del schema[required]


def amended_schema(schema: dict[str, Any], components: Sequence[type[pulumi.ComponentResource]]) -> dict[str, Any]:
    """The inferred package schema with what inference cannot say (see the module's docstring)."""
    for component in components:
        resource = schema["resources"][f"{PACKAGE}:index:{component.__name__}"]
        secrets = SECRET_PROPERTIES.get(component.__name__, frozenset())
        resource["description"] = tidy(resource.get("description"))
        amend_object(
            resource, args_type(component), properties="inputProperties", required="requiredInputs", secrets=secrets
        )
        for name, prop in resource.get("properties", {}).items():
            _tidy_property(prop)
            if name in secrets:
                prop["secret"] = True
    classes = schema_types(components)
    for token, type_schema in schema.get("types", {}).items():
        type_schema["description"] = tidy(type_schema.get("description"))
        for member in type_schema.get("enum", []):
            if "description" in member:
                member["description"] = tidy(member["description"])
        cls = classes.get(token)
        if cls is not None and dataclasses.is_dataclass(cls):
            amend_object(type_schema, cls, properties="properties", required="required")
    return schema


def input_problems(error: InvalidValueError | ConfigError, root: str = "") -> list[InputPropertyErrorDetails]:
    """Every problem of rebuilt Args (or of a platform object) as an invalid input at the caller's path."""
    if isinstance(error, ConfigError):
        return [config_problem(p) for p in error.problems]
    return [
        InputPropertyErrorDetails(
            property_path=".".join(filter(None, (root, render_path(p.path, stack_file=True)))) or "args",
            reason=p.text(stack_file=True),
        )
        for p in error.problems
    ]


class DataclassArgsProvider(ComponentProvider):
    """Pulumi's component provider, handing each component its Args dataclass instead of a dict, with the
    Args' defaults, descriptions and secrets in its schema."""

    def __init__(self, components: Sequence[type[pulumi.ComponentResource]], name: str, version: str) -> None:
        self.args_types = {component.__name__: args_type(component) for component in components}
        super().__init__(list(components), name, version=version)
        assert self.schema is not None
        self.schema = json.dumps(amended_schema(json.loads(self.schema), components))

    def map_inputs(self, inputs: pulumi.Inputs, component_def: ComponentDefinition) -> Any:
        component = component_def.name
        if component == PLATFORM:
            return self._platform_args(inputs)
        try:
            with deferred_checks():
                args = from_wire(self.args_types[component], inputs, "", component)
            problems = problems_of(args)
            if problems:
                raise InvalidValueError(type(args).__name__, problems)
        except InvalidValueError as error:
            # The values' own checks: every problem at its own input, in the words a stack file gets.
            raise InputPropertiesError(error.text(stack_file=True), input_problems(error)) from error
        except (TypeError, ValueError) as error:
            # Any other check in `__post_init__`: an invalid-input error with its message, not a crashed plugin.
            raise InputPropertyError("args", f"{component}: {error}") from error
        return args

    def _platform_args(self, inputs: pulumi.Inputs) -> Any:
        """The platform object read as a stack file's (presets, every problem at once), then the Args."""
        from aks_istio.config import load_stack_config
        from aks_istio.platform import AksIstioPlatformArgs

        platform = inputs.get(PLATFORM_INPUT)
        try:
            config = load_stack_config(platform if isinstance(platform, Mapping) else None)
        except ConfigError as error:
            raise InputPropertiesError(str(error), input_problems(error)) from error
        return AksIstioPlatformArgs(platform=config, grafana_dashboards_token=inputs.get("grafanaDashboardsToken"))


def serve(components: Sequence[type[pulumi.ComponentResource]], argv: Sequence[str]) -> None:
    """Serve the components the inference accepts, as Pulumi starts a plugin (`<engine address>` as the first
    argument; the port goes to stdout first). A refused component is named on stderr, which the engine shows,
    and left out of the schema: the reviewed schema (tests/provider/schema.json) pins what is served."""
    refused = inference_errors(components)
    for name, error in refused.items():
        print(f"aks-istio: {name} is not served: Pulumi's schema inference refuses its Args: {error}", file=sys.stderr)
    served = [c for c in components if c.__name__ not in refused]
    if not served:
        raise SystemExit("aks-istio: Pulumi's schema inference refuses every component's Args; nothing to serve")
    main(DataclassArgsProvider(served, PACKAGE, package_version()), list(argv))
