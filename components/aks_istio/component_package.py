"""The `aks-istio` component package: the public components served to every Pulumi language.

Pulumi runs `provider/__main__.py` as a plugin (`pulumi package add`, then `pulumi up` in a TypeScript, Go, C#,
Java or YAML program); it calls `serve`. The schema is inferred from the components' type annotations by
Pulumi's Python component-provider host (pulumi.provider.experimental), unmodified; see
https://www.pulumi.com/docs/iac/guides/building-extending/components/build-a-component/

What `DataclassArgsProvider` adds to that host. Pulumi hands `Construct` inputs to a component as a dict keyed by
the Python field names (it was built for `TypedDict` args), while our `XxxArgs` are frozen dataclasses that check
their invariants in `__post_init__`: the provider rebuilds the annotated Args (nested dataclasses, lists and maps
of them) from that dict, so a TypeScript caller gets the same validation as a Python one (a bad stack-file object
is an invalid-input error per key, as a bad field is). The inference carries no defaults: a dataclass field with a
default comes out required, so a TypeScript caller would have to repeat every default; the provider marks those
fields optional in the schema and in its own input check, and states each default in the field's description (as
JSON, the one notation every SDK's reader knows). Descriptions are Markdown: the docstrings' indentation is
removed, or a continued paragraph would render as a code block.
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
from typing import Any

import pulumi
from pulumi.errors import InputPropertiesError, InputPropertyError, InputPropertyErrorDetails
from pulumi.provider.experimental.analyzer import Analyzer, ComponentDefinition, PropertyDefinition
from pulumi.provider.experimental.component import ComponentProvider
from pulumi.provider.experimental.schema import generate_schema
from pulumi.provider.experimental.util import camel_case
from pulumi.provider.server import main

import aks_istio
from aks_istio.config.errors import CONFIG_ROOT, ConfigError
from aks_istio.tokens import PACKAGE
from aks_istio.value_checks import field_docstrings

DISTRIBUTION = "aks-istio"
"""The Python distribution whose version the package reports (pyproject.toml `project.name`)."""
CHECKOUT_PYPROJECT = Path(__file__).resolve().parents[2] / "pyproject.toml"
"""pyproject.toml of the checkout the plugin runs from (`pulumi package add` clones the repo)."""


PLATFORM_INPUT = "platform"
"""The input holding a stack file's `aks-istio:platform` object (`AksIstioPlatformArgs.platform`)."""


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


def rebuild(annotation: Any, value: Any) -> Any:
    """`value` as the Python type `annotation` describes: dicts become the dataclasses they stand for, recursively.

    Values of any other shape (plain values, Outputs of wired inputs, enum members the host already converted)
    are passed through; the dataclass's own checks judge them.
    """
    if value is None:
        return None
    origin = typing.get_origin(annotation)
    arguments = typing.get_args(annotation)
    if origin in (typing.Union, types.UnionType):  # Optional[X]; pulumi.Input[X] is Union[X, Awaitable, Output]
        return rebuild(arguments[0], value)
    if annotation is int and isinstance(value, float) and value.is_integer():
        return int(value)  # the wire has only doubles, and pulumi 3.272's host converts top-level integers only
    if isinstance(annotation, type) and issubclass(annotation, enum.Enum) and not isinstance(value, annotation):
        return annotation(value)
    if dataclasses.is_dataclass(annotation) and isinstance(annotation, type) and isinstance(value, Mapping):
        hints = field_annotations(annotation)
        fields = {f.name for f in dataclasses.fields(annotation) if f.init}
        return annotation(**{k: rebuild(hints[k], v) for k, v in value.items() if k in fields})
    if origin in (list, Sequence) and arguments and isinstance(value, list):
        return [rebuild(arguments[0], item) for item in value]
    if origin in (dict, Mapping) and len(arguments) == 2 and isinstance(value, Mapping):
        return {key: rebuild(arguments[1], item) for key, item in value.items()}
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


def tidy_property(prop: PropertyDefinition) -> None:
    """A property's description, and its array's or map's element's, tidied."""
    prop.description = tidy(prop.description)
    for element in (prop.items, prop.additional_properties):
        if element is not None:
            tidy_property(element)


def describe_defaults(cls: type, properties: Mapping[str, PropertyDefinition], mapping: Mapping[str, str]) -> None:
    """Mark the schema properties of `cls`'s fields that have a default optional, and state the default. A field
    a base class declares gets its docstring there (the inference reads only the class's own source)."""
    fields = {f.name: f for f in dataclasses.fields(cls)}
    docs = field_docstrings(cls)
    for schema_name, prop in properties.items():
        if prop.description is None:
            prop.description = docs.get(mapping[schema_name])
        field = fields.get(mapping[schema_name])
        default = dataclasses.MISSING if field is None else field_default(field)
        if default is dataclasses.MISSING:
            continue
        prop.optional = True
        if default is not None:  # an Optional field's description says what unset means
            stated = json.dumps(wire_value(default))
            prop.description = f"{prop.description or ''} Default: `{stated}`.".lstrip()


class DataclassArgsProvider(ComponentProvider):
    """Pulumi's component provider, handing each component its Args dataclass instead of a dict, with the
    Args' defaults in its schema."""

    def __init__(self, components: Sequence[type[pulumi.ComponentResource]], name: str, version: str) -> None:
        self.args_types = {component.__name__: args_type(component) for component in components}
        super().__init__(list(components), name, version=version)
        # The base class analysed the components into these definitions; its `map_inputs` checks required inputs
        # against them, and the schema is generated from them: amend both, then generate the schema again.
        for component in components:
            definition = self._component_defs[component.__name__]
            describe_defaults(args_type(component), definition.inputs, definition.inputs_mapping)
            definition.description = tidy(definition.description)
            for prop in [*definition.inputs.values(), *definition.outputs.values()]:
                tidy_property(prop)
        for type_def in self._type_defs.values():
            if dataclasses.is_dataclass(type_def.python_type):
                describe_defaults(type_def.python_type, type_def.properties, type_def.properties_mapping)
            type_def.description = tidy(type_def.description)
            for prop in type_def.properties.values():
                tidy_property(prop)
            for member in type_def.enum or []:
                member.description = tidy(member.description)
        schema = generate_schema(name, version, None, self._component_defs, self._type_defs, self._dependencies)
        self.schema = json.dumps(schema.to_json())

    def map_inputs(self, inputs: pulumi.Inputs, component_def: ComponentDefinition) -> Any:
        mapped = super().map_inputs(inputs, component_def)
        try:
            return rebuild(self.args_types[component_def.name], mapped)
        except ConfigError as error:
            # The platform's stack-file object: every problem at once, each under the key the caller wrote.
            raise InputPropertiesError(str(error), [config_problem(p) for p in error.problems]) from error
        except (TypeError, ValueError) as error:
            # The Args' own checks (`__post_init__`): the caller sees an invalid-input error with their message,
            # as for a missing required input, not a crash of the plugin.
            raise InputPropertyError("args", f"{component_def.name}: {error}") from error


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
